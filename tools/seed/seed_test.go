package seed

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"altrepo/deploy/schema"
	"altrepo/libs/migrate"
	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

// freshDB returns a connection to a new database with the schema applied.
func freshDB(t *testing.T) driver.Conn {
	t.Helper()
	ch := testharness.SharedClickHouse(t)
	db := ch.NewDatabase(t)
	conn := ch.Conn(t, db)
	if _, err := migrate.Apply(context.Background(), conn, db, schema.Files, nil); err != nil {
		t.Fatalf("apply schema: %v", err)
	}
	return conn
}

func count(t *testing.T, conn driver.Conn, query string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkRelations asserts the referential facts the API relies on.
func checkRelations(t *testing.T, conn driver.Conn, rep Report) {
	t.Helper()
	zero := map[string]string{
		"binary without its source": `SELECT count() FROM Packages WHERE pkg_sourcepackage = 0
			AND pkg_srcrpm_hash NOT IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)`,
		"source not pointing at itself": `SELECT count() FROM Packages WHERE pkg_sourcepackage = 1
			AND (pkg_srcrpm_hash != pkg_hash OR pkg_arch != 'src' OR pkg_sourcerpm != pkg_filename)`,
		"package set member not in Packages": `SELECT count() FROM PackageSet
			WHERE pkg_hash NOT IN (SELECT pkg_hash FROM Packages)`,
		"package set member of unknown node": `SELECT count() FROM PackageSet
			WHERE pkgset_uuid NOT IN (SELECT pkgset_uuid FROM PackageSetName)`,
		"iteration source not in Packages": `SELECT count() FROM TaskIterations
			WHERE titer_srcrpm_hash NOT IN (SELECT pkg_hash FROM Packages)`,
		"iteration binary not in Packages": `SELECT count() FROM TaskIterations ARRAY JOIN titer_pkgs_hash AS h
			WHERE h NOT IN (SELECT pkg_hash FROM Packages)`,
		"changelog entry without text": `SELECT count() FROM Packages ARRAY JOIN pkg_changelog.hash AS h
			WHERE h NOT IN (SELECT chlog_hash FROM Changelog)`,
		"file without file name (Go vs server murmurHash3_64)": `SELECT count() FROM Files
			WHERE file_hashname NOT IN (SELECT fn_hash FROM FileNames)`,
		"file directory without name": `SELECT count() FROM Files
			WHERE file_hashdir NOT IN (SELECT fn_hash FROM FileNames)`,
		"history package not in Packages": `SELECT count() FROM BranchPackageHistory
			WHERE pkg_hash NOT IN (SELECT pkg_hash FROM Packages)`,
		"package without PackageHash": `SELECT count() FROM Packages
			WHERE pkg_hash NOT IN (SELECT pkgh_mmh FROM PackageHash)`,
		"task state without subtasks": `SELECT count() FROM TaskStates
			WHERE task_id NOT IN (SELECT task_id FROM Tasks)`,
		"task without search index row": `SELECT count() FROM TaskStates
			WHERE toString(task_id) NOT IN (SELECT lead FROM GlobalSearch WHERE type = 'task')`,
		"errata of unknown package": `SELECT count() FROM ErrataHistory
			WHERE pkg_hash NOT IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)`,
		"errata of unknown task": `SELECT count() FROM ErrataHistory
			WHERE task_id != 0 AND task_id NOT IN (SELECT task_id FROM TaskStates)`,
	}
	for what, q := range zero {
		if n := count(t, conn, q); n != 0 {
			t.Errorf("%s: %d rows", what, n)
		}
	}
	roots := count(t, conn, `SELECT count() FROM PackageSetName WHERE pkgset_depth = 0
		AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository'`)
	if roots != uint64(len(rep.Branches)) {
		t.Errorf("repository roots = %d, branches %v", roots, rep.Branches)
	}
	for _, tbl := range []string{"Packages", "PackageSet", "Tasks", "TaskStates", "Specfiles"} {
		if n := count(t, conn, "SELECT count() FROM "+tbl); int64(n) != rep.Rows[tbl] || n == 0 {
			t.Errorf("%s: %d rows in the database, report says %d", tbl, n, rep.Rows[tbl])
		}
	}
}

func TestLoadSynthetic(t *testing.T) {
	conn := freshDB(t)
	ctx := context.Background()
	rep, err := Load(ctx, conn, Options{Source: SourceSynthetic, Scale: 1, Batch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "synthetic" || len(rep.Branches) != 4 {
		t.Fatalf("report: %+v", rep)
	}
	checkRelations(t, conn, rep)
	// A rerun replaces the data.
	rep2, err := Load(ctx, conn, Options{Source: SourceSynthetic, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, "SELECT count() FROM Packages"); int64(n) != rep2.Rows["Packages"] || rep2.Rows["Packages"] != rep.Rows["Packages"] {
		t.Errorf("after rerun: %d packages, first run %d", n, rep.Rows["Packages"])
	}
}

func TestLoadRealSubset(t *testing.T) {
	dir := FindDataDir()
	if dir == "" {
		t.Skip("real data (../shared/data) not present")
	}
	conn := freshDB(t)
	rep, err := Load(context.Background(), conn, Options{Source: SourceReal, DataDir: dir, Limit: 40, Batch: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "real" || rep.SpecFiles != 4*40 {
		t.Fatalf("report: source %s, %d spec files", rep.Source, rep.SpecFiles)
	}
	checkRelations(t, conn, rep)
	// Task history: 40 build commits, each a DONE task.
	if n := count(t, conn, "SELECT count() FROM TaskStates WHERE task_state = 'DONE'"); n != 40 {
		t.Errorf("DONE tasks = %d", n)
	}
	// Every version of the first package of the tarballs has its spec.
	specs := count(t, conn, "SELECT count() FROM Specfiles WHERE pkg_name = '0ad'")
	srcs := count(t, conn, "SELECT count() FROM Packages WHERE pkg_name = '0ad' AND pkg_sourcepackage = 1")
	if specs == 0 || specs > srcs {
		t.Errorf("0ad: %d specfiles for %d source packages", specs, srcs)
	}
}
