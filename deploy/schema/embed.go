// Package schema holds the ClickHouse DDL of the ALTRepo database as ordered
// SQL files, embedded so that every tool applies the same statements.
package schema

import "embed"

// Files holds the *.sql migrations, applied in lexical order of their names.
//
//go:embed *.sql
var Files embed.FS
