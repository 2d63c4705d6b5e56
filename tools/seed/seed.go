// Package seed fills an ALTRepo ClickHouse database with demo data: the real
// ALT Sisyphus spec snapshots and commit log (../shared/data) or a
// deterministic synthetic equivalent.
//
// Typical use in an integration test, on a fresh database with the schema
// applied:
//
//	rep, err := seed.Load(ctx, conn, seed.Options{Source: "auto", Limit: 50})
package seed

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"altrepo/tools/internal/build"
	"altrepo/tools/internal/rows"
	"altrepo/tools/internal/source"
	"altrepo/tools/internal/synth"
)

// Source kinds.
const (
	SourceAuto      = "auto"
	SourceReal      = "real"
	SourceSynthetic = "synthetic"
)

// DataDirEnv overrides the location of the real data directory.
const DataDirEnv = "ALTREPO_DATA_DIR"

// Options configures a load.
type Options struct {
	Source   string   // "real", "synthetic" or "auto" (default): real when DataDir exists
	DataDir  string   // real data directory; default: FindDataDir()
	Limit    int      // > 0: first Limit spec files per snapshot and newest Limit commits
	Scale    int      // synthetic size (PackagesPerScale source packages per unit); default 1
	Seed     int64    // synthetic seed; default synth.DefaultSeed
	Batch    int      // rows per insert batch; default 50000
	Branches []string // load only these branches (empty = sisyphus, p11, p10, p9)
	// KeepExisting skips truncating the filled tables before loading.
	KeepExisting bool
	Logger       *slog.Logger
}

// Report tells what a load wrote.
type Report struct {
	Source    string
	Branches  []string
	SpecFiles int
	Skipped   map[string]int   // skip reason -> spec files
	Rows      map[string]int64 // table -> rows written
	Elapsed   time.Duration
	PeakRSS   int64 // bytes (VmHWM of the process), 0 if unknown
	// Missing lists what the database schema lacks and was therefore not
	// written: table -> columns ("*" = the whole table).
	Missing map[string][]string
}

// TotalRows sums Rows.
func (r Report) TotalRows() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// Format writes the report as two aligned tables.
func (r Report) Format(w io.Writer) {
	fmt.Fprintf(w, "source %s, branches %s, %d spec files, %s, peak RSS %d MiB\n",
		r.Source, strings.Join(r.Branches, ","), r.SpecFiles, r.Elapsed.Round(time.Millisecond), r.PeakRSS>>20)
	names := make([]string, 0, len(r.Rows))
	for k := range r.Rows {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%-28s %12s\n", "table", "rows")
	for _, n := range names {
		fmt.Fprintf(w, "%-28s %12d\n", n, r.Rows[n])
	}
	total := r.TotalRows()
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(total) / r.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "%-28s %12d (%.0f rows/s)\n", "total", total, rate)
	reasons := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "%-40s %8s\n", "skipped spec files (reason)", "files")
	for _, k := range reasons {
		fmt.Fprintf(w, "%-40s %8d\n", k, r.Skipped[k])
	}
	if len(r.Missing) > 0 {
		tables := make([]string, 0, len(r.Missing))
		for k := range r.Missing {
			tables = append(tables, k)
		}
		sort.Strings(tables)
		fmt.Fprintln(w, "not written (missing in the database schema):")
		for _, t := range tables {
			fmt.Fprintf(w, "  %s: %s\n", t, strings.Join(r.Missing[t], ", "))
		}
	}
}

// FindDataDir returns $ALTREPO_DATA_DIR, else the first "shared/data"
// found next to the working directory or one of its parents (the project
// keeps the data in ../shared/data relative to its root), else "".
func FindDataDir() string {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, "..", "shared", "data")
		if source.Exists(cand) {
			return filepath.Clean(cand)
		}
		if source.Exists(filepath.Join(dir, "shared", "data")) {
			return filepath.Join(dir, "shared", "data")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// resolve picks the source.
func resolve(opts *Options) (*source.Source, error) {
	if opts.DataDir == "" {
		opts.DataDir = FindDataDir()
	}
	kind := opts.Source
	if kind == "" {
		kind = SourceAuto
	}
	if kind == SourceAuto {
		kind = SourceSynthetic
		if source.Exists(opts.DataDir) {
			kind = SourceReal
		}
	}
	switch kind {
	case SourceReal:
		src, err := source.Real(opts.DataDir)
		if err != nil {
			return nil, fmt.Errorf("real source: %w", err)
		}
		return src, nil
	case SourceSynthetic:
		seed, scale := opts.Seed, opts.Scale
		if seed == 0 {
			seed = synth.DefaultSeed
		}
		if scale <= 0 {
			scale = 1
		}
		return synth.New(seed, scale).Source(), nil
	}
	return nil, fmt.Errorf("unknown source %q (want real, synthetic or auto)", opts.Source)
}

// Load fills the database conn is connected to. Unless KeepExisting, the
// tables the tool fills (and the tables their materialized views feed) are
// truncated first, so a rerun replaces the data.
func Load(ctx context.Context, conn driver.Conn, opts Options) (Report, error) {
	start := time.Now()
	src, err := resolve(&opts)
	if err != nil {
		return Report{}, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !opts.KeepExisting {
		if err := truncate(ctx, conn, log); err != nil {
			return Report{}, err
		}
	}
	sink := rows.NewClickHouseSink(ctx, conn, opts.Batch)
	if err := sink.LoadColumns(); err != nil {
		return Report{}, err
	}
	rep, err := run(ctx, src, sink, opts, log, start)
	rep.Missing = sink.Missing()
	if err != nil {
		_ = sink.Flush()
		return rep, err
	}
	for t, cols := range rep.Missing {
		log.Warn("not in the database schema, not written", "table", t, "columns", strings.Join(cols, ","))
	}
	return rep, nil
}

// DryRun builds every row without a database and only counts them.
func DryRun(ctx context.Context, opts Options) (Report, error) {
	start := time.Now()
	src, err := resolve(&opts)
	if err != nil {
		return Report{}, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return run(ctx, src, rows.NewCountSink(), opts, log, start)
}

func run(ctx context.Context, src *source.Source, sink rows.Sink, opts Options, log *slog.Logger, start time.Time) (Report, error) {
	br, err := build.Run(ctx, src, sink, build.Options{Limit: opts.Limit, Branches: opts.Branches, Logger: log})
	rep := Report{
		Source: br.Source, Branches: br.Branches, SpecFiles: br.SpecFiles, Skipped: br.Skipped,
		Rows: br.Rows, Elapsed: time.Since(start), PeakRSS: peakRSS(),
	}
	if err != nil {
		return rep, fmt.Errorf("seed %s data: %w", src.Kind, err)
	}
	return rep, nil
}

// filledTables are truncated before a load: the tables written by the tool
// and the targets of materialized views fed by them. Missing ones are
// ignored.
var filledTables = []string{
	"Packages", "PackageSetName", "PackageSet", "PackageHash", "Changelog", "Specfiles",
	"Depends", "Files", "FileNames", "RepositoryStatus", "Tasks", "TaskStates",
	"TaskIterations", "TaskApprovals", "TaskPlanPkgHash", "BranchPackageHistory", "Acl",
	"Bugzilla", "Vulnerabilities", "ErrataHistory", "ImageStatus", "ImageTagStatus",
	"PackagesRepocop", "BeehiveStatus", "PackagesWatch", "SPDXLicenses", "LicenseAliases",
	"AntivirusScanStatus", "FileSearch", "GlobalSearch",
	// materialized-view targets
	"SrcPackagesLastChangelog", "StaticLastPackages", "last_packages_stage1",
	"PackagesSourceAndBinaries", "ImagePackageSetName", "last_acl_stage1", "StaticPkgsetStat",
}

func truncate(ctx context.Context, conn driver.Conn, log *slog.Logger) error {
	rs, err := conn.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = currentDatabase()")
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	engines := map[string]string{}
	for rs.Next() {
		var name, engine string
		if err := rs.Scan(&name, &engine); err != nil {
			rs.Close()
			return fmt.Errorf("list tables: %w", err)
		}
		engines[name] = engine
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	n := 0
	for _, t := range filledTables {
		eng, ok := engines[t]
		if !ok || !strings.Contains(eng, "MergeTree") {
			continue
		}
		if err := conn.Exec(ctx, "TRUNCATE TABLE `"+t+"`"); err != nil {
			return fmt.Errorf("truncate %s: %w", t, err)
		}
		n++
	}
	log.Info("tables truncated", "count", n)
	return nil
}

// peakRSS reads VmHWM from /proc/self/status (falls back to the Go heap
// high-water mark reported by runtime.MemStats.Sys).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
						return kb << 10
					}
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
