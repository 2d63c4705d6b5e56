// Package migrate applies the ClickHouse schema (ordered *.sql files) to a
// database, idempotently. It works on ClickHouse 18.16 and current versions.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// MigrationsTable records the applied files (name, SHA-256 of the content).
const MigrationsTable = "schema_migrations"

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Options tune ApplyWithOptions.
type Options struct {
	// Force re-applies every file, even when schema_migrations records it
	// with the same checksum. All statements are idempotent, so this is
	// safe on a live database.
	Force bool
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// Apply creates database if missing and applies the *.sql files of files in
// lexical order of their names, statement by statement. A file already
// recorded in schema_migrations with the same checksum is skipped; a new or
// changed file is applied in full (its statements are idempotent: CREATE
// TABLE IF NOT EXISTS, DROP + CREATE for views). conn must select database
// (Auth.Database = database; see Open, which also creates it). It returns
// the number of files applied.
func Apply(ctx context.Context, conn driver.Conn, database string, files fs.FS, log *slog.Logger) (applied int, err error) {
	return ApplyWithOptions(ctx, conn, database, files, Options{Logger: log})
}

// ApplyWithOptions is Apply with options.
func ApplyWithOptions(ctx context.Context, conn driver.Conn, database string, files fs.FS, opts Options) (applied int, err error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !identRe.MatchString(database) {
		return 0, fmt.Errorf("migrate: invalid database name %q", database)
	}
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+database); err != nil {
		return 0, fmt.Errorf("migrate: create database %s: %w", database, err)
	}
	var current string
	if err := conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate: current database: %w", err)
	}
	if current != database {
		return 0, fmt.Errorf("migrate: connection selects database %q, want %q (open it with Auth.Database = %q, e.g. via migrate.Open)", current, database, database)
	}
	ctx, err = withServerSettings(ctx, conn)
	if err != nil {
		return 0, err
	}
	if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+MigrationsTable+
		" (name String, checksum String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY (name, applied_at)"); err != nil {
		return 0, fmt.Errorf("migrate: create %s: %w", MigrationsTable, err)
	}
	done, err := appliedChecksums(ctx, conn)
	if err != nil {
		return 0, err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("migrate: list files: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return applied, fmt.Errorf("migrate: read %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		checksum := hex.EncodeToString(sum[:])
		if !opts.Force && done[name] == checksum {
			log.Debug("migration already applied", "file", name)
			continue
		}
		stmts := SplitStatements(string(data))
		for i, stmt := range stmts {
			if err := conn.Exec(ctx, stmt); err != nil {
				return applied, fmt.Errorf("migrate: %s statement %d (%s): %w", name, i+1, summary(stmt), err)
			}
		}
		if err := record(ctx, conn, path.Base(name), checksum); err != nil {
			return applied, err
		}
		applied++
		log.Info("migration applied", "file", name, "statements", len(stmts), "database", database)
	}
	return applied, nil
}

// withServerSettings adds the settings needed by the server version to ctx:
// ClickHouse before 19 needs allow_experimental_low_cardinality_type to
// create LowCardinality columns.
func withServerSettings(ctx context.Context, conn driver.Conn) (context.Context, error) {
	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		return ctx, fmt.Errorf("migrate: server version: %w", err)
	}
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if major > 0 && major < 19 {
		return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
			"allow_experimental_low_cardinality_type": 1,
		})), nil
	}
	return ctx, nil
}

func appliedChecksums(ctx context.Context, conn driver.Conn) (map[string]string, error) {
	rows, err := conn.Query(ctx, "SELECT name, argMax(checksum, applied_at) FROM "+MigrationsTable+" GROUP BY name")
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", MigrationsTable, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			return nil, fmt.Errorf("migrate: scan %s: %w", MigrationsTable, err)
		}
		out[name] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", MigrationsTable, err)
	}
	return out, nil
}

func record(ctx context.Context, conn driver.Conn, name, checksum string) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+MigrationsTable+" (name, checksum)")
	if err != nil {
		return fmt.Errorf("migrate: record %s: %w", name, err)
	}
	if err := batch.Append(name, checksum); err != nil {
		return errors.Join(fmt.Errorf("migrate: record %s: %w", name, err), batch.Abort())
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("migrate: record %s: %w", name, err)
	}
	return nil
}

// summary returns the first line of a statement, shortened, for errors.
func summary(stmt string) string {
	line := strings.TrimSpace(strings.SplitN(stmt, "\n", 2)[0])
	if len(line) > 80 {
		line = line[:80] + "…"
	}
	return line
}

// Open creates database (through a connection to the server's default
// database) and returns a connection that selects it. opts is copied;
// opts.Auth.Database is replaced.
func Open(ctx context.Context, opts clickhouse.Options, database string) (driver.Conn, error) {
	if !identRe.MatchString(database) {
		return nil, fmt.Errorf("migrate: invalid database name %q", database)
	}
	adminOpts := opts
	adminOpts.Auth.Database = "default"
	admin, err := clickhouse.Open(&adminOpts)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	err = admin.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+database)
	admin.Close()
	if err != nil {
		return nil, fmt.Errorf("migrate: create database %s: %w", database, err)
	}
	opts.Auth.Database = database
	conn, err := clickhouse.Open(&opts)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect to %s: %w", database, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migrate: ping %s: %w", database, err)
	}
	return conn, nil
}
