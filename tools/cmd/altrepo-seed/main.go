// Command altrepo-seed fills an ALTRepo ClickHouse database with demo data:
// the real ALT Sisyphus spec snapshots and commit log, or a deterministic
// synthetic equivalent.
//
//	altrepo-seed -source real -data ../shared/data -addr 127.0.0.1:9000 -database altrepo
//	altrepo-seed -source synthetic -scale 5
//	altrepo-seed -limit 100            # quick demo: 100 specs per branch, 100 tasks
//	altrepo-seed -dry-run -source real # build every row without a database (speed check)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"altrepo/tools/internal/synth"
	"altrepo/tools/seed"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "altrepo-seed:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		src      = flag.String("source", seed.SourceAuto, "data source: real, synthetic or auto (real when -data exists)")
		dataDir  = flag.String("data", "", "real data directory (default: $"+seed.DataDirEnv+" or ../shared/data found upwards)")
		scale    = flag.Int("scale", 1, fmt.Sprintf("synthetic size: %d source packages per unit", synth.PackagesPerScale))
		seedVal  = flag.Int64("seed", synth.DefaultSeed, "synthetic seed")
		addr     = flag.String("addr", "127.0.0.1:9000", "ClickHouse native address")
		database = flag.String("database", "altrepo", "database")
		user     = flag.String("user", "default", "user")
		password = flag.String("password", "", "password")
		limit    = flag.Int("limit", 0, "take only the first N spec files per snapshot and the newest N commits (0 = all)")
		batch    = flag.Int("batch", 50000, "rows per insert batch")
		branches = flag.String("branches", "", "comma-separated branches to load (default: all)")
		keep     = flag.Bool("keep", false, "do not truncate the filled tables first")
		dryRun   = flag.Bool("dry-run", false, "build every row but write nothing (no database needed)")
		verbose  = flag.Bool("v", false, "debug logging")
		memprof  = flag.String("memprofile", "", "write a heap profile to this file at the end")
		memLimit = flag.Int("mem-limit", 768, "soft Go memory limit in MiB (0 = none)")
	)
	flag.Parse()
	if *memLimit > 0 {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := seed.Options{
		Source: *src, DataDir: *dataDir, Limit: *limit, Scale: *scale, Seed: *seedVal,
		Batch: *batch, KeepExisting: *keep, Logger: logger,
	}
	if *branches != "" {
		opts.Branches = strings.Split(*branches, ",")
	}
	var rep seed.Report
	var err error
	if *dryRun {
		rep, err = seed.DryRun(ctx, opts)
	} else {
		conn, cerr := clickhouse.Open(&clickhouse.Options{
			Addr:        []string{*addr},
			Auth:        clickhouse.Auth{Database: *database, Username: *user, Password: *password},
			DialTimeout: 10 * time.Second,
			ReadTimeout: 10 * time.Minute,
			Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
		})
		if cerr != nil {
			return fmt.Errorf("connect %s: %w", *addr, cerr)
		}
		defer conn.Close()
		if perr := conn.Ping(ctx); perr != nil {
			return fmt.Errorf("ping %s: %w", *addr, perr)
		}
		rep, err = seed.Load(ctx, conn, opts)
	}
	rep.Format(os.Stdout)
	if *memprof != "" {
		f, ferr := os.Create(*memprof)
		if ferr != nil {
			return fmt.Errorf("memprofile: %w", ferr)
		}
		defer f.Close()
		runtime.GC()
		if perr := pprof.WriteHeapProfile(f); perr != nil {
			return fmt.Errorf("memprofile: %w", perr)
		}
	}
	return err
}
