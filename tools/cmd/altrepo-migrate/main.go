// Command altrepo-migrate applies the ALTRepo ClickHouse schema
// (altrepo/deploy/schema) to a database, creating it if needed. Reruns are
// safe: files already applied with the same checksum are skipped, and every
// statement is idempotent.
//
//	altrepo-migrate -addr 127.0.0.1:9000 -database altrepo -user default -password ''
//
// Flags default to the environment variables ALTREPO_DATABASE_HOST,
// ALTREPO_DATABASE_PORT, ALTREPO_DATABASE_NAME, ALTREPO_DATABASE_USER and
// ALTREPO_DATABASE_PASSWORD when set.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"time"

	"altrepo/deploy/schema"
	"altrepo/libs/migrate"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("altrepo-migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defAddr := net.JoinHostPort(env("ALTREPO_DATABASE_HOST", "127.0.0.1"), env("ALTREPO_DATABASE_PORT", "9000"))
	addr := fs.String("addr", defAddr, "ClickHouse native TCP address host:port")
	database := fs.String("database", env("ALTREPO_DATABASE_NAME", "altrepo"), "database to create/migrate")
	user := fs.String("user", env("ALTREPO_DATABASE_USER", "default"), "ClickHouse user")
	password := fs.String("password", env("ALTREPO_DATABASE_PASSWORD", ""), "ClickHouse password")
	force := fs.Bool("force", false, "re-apply every file even if recorded as applied")
	timeout := fs.Duration("timeout", 10*time.Minute, "overall timeout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	conn, err := migrate.Open(ctx, clickhouse.Options{
		Addr:        []string{*addr},
		Auth:        clickhouse.Auth{Username: *user, Password: *password},
		DialTimeout: 10 * time.Second,
	}, *database)
	if err != nil {
		log.Error("connect failed", "addr", *addr, "database", *database, "err", err)
		return 1
	}
	defer conn.Close()
	n, err := migrate.ApplyWithOptions(ctx, conn, *database, schema.Files, migrate.Options{Force: *force, Logger: log})
	if err != nil {
		log.Error("migration failed", "database", *database, "applied", n, "err", err)
		return 1
	}
	log.Info("schema up to date", "database", *database, "applied_files", n)
	fmt.Fprintf(stderr, "applied %d file(s) to %s\n", n, *database)
	return 0
}
