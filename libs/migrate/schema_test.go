package migrate

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func queryHashes(t *testing.T, conn driver.Conn, query string, args ...any) []uint64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var h uint64
		if err := rows.Scan(&h); err != nil {
			t.Fatalf("scan: %v", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sorted(h ...uint64) []uint64 {
	sort.Slice(h, func(i, j int) bool { return h[i] < h[j] })
	return h
}

func equalHashes(a, b []uint64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

type stat struct {
	date time.Time
	arch string
	cnt  uint64
}

func pkgsetStat(t *testing.T, conn driver.Conn, branch string) map[string]stat {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT pkgset_date, pkg_arch, cnt FROM lv_pkgset_stat WHERE pkgset_name = ?", branch)
	if err != nil {
		t.Fatalf("lv_pkgset_stat: %v", err)
	}
	defer rows.Close()
	out := map[string]stat{}
	for rows.Next() {
		var s stat
		if err := rows.Scan(&s.date, &s.arch, &s.cnt); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[s.arch]; dup {
			t.Fatalf("lv_pkgset_stat: two rows for %s/%s", branch, s.arch)
		}
		out[s.arch] = s
	}
	return out
}

var (
	d1 = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	d2 = time.Date(2024, 10, 2, 0, 0, 0, 0, time.UTC)
	d3 = time.Date(2024, 10, 3, 0, 0, 0, 0, time.UTC)
)

// corpus: sources 1 (foo 1.0), 2 (bar 1.0), 3 (foo 2.0), 4 (baz 1.0);
// binaries 11 (foo), 12 (bar), 13 (foo 2.0), 14 (baz), 15 (i586-foo).
func corpus() ([]pkg, map[uint64]pkg) {
	pkgs := []pkg{
		{hash: 1, name: "foo", version: "1.0", arch: "x86_64", source: true, filesize: 100},
		{hash: 2, name: "bar", version: "1.0", arch: "x86_64", source: true, filesize: 200},
		{hash: 3, name: "foo", version: "2.0", arch: "x86_64", source: true, filesize: 300},
		{hash: 4, name: "baz", version: "1.0", arch: "x86_64", source: true, filesize: 400},
		{hash: 11, name: "foo", version: "1.0", arch: "x86_64", srcHash: 1, filesize: 10},
		{hash: 12, name: "bar", version: "1.0", arch: "x86_64", srcHash: 2, filesize: 20},
		{hash: 13, name: "foo", version: "2.0", arch: "x86_64", srcHash: 3, filesize: 30},
		{hash: 14, name: "baz", version: "1.0", arch: "noarch", srcHash: 4, filesize: 40},
		{hash: 15, name: "i586-foo", version: "2.0", arch: "x86_64-i586", srcHash: 3, filesize: 50},
	}
	src := map[uint64]pkg{}
	for _, p := range pkgs {
		if p.source {
			src[p.hash] = p
		}
	}
	return pkgs, src
}

func TestLatestSnapshotViews(t *testing.T) {
	conn, db := newSchemaDB(t)
	ctx := context.Background()
	pkgs, src := corpus()
	insertChangelog(t, conn, pkgs)
	insertPackages(t, conn, pkgs, src)

	loadSnapshot(t, conn, snapshot("sisyphus", d1, []uint64{1, 2}, []uint64{11, 12}))
	loadSnapshot(t, conn, snapshot("p10", d1, []uint64{1}, []uint64{11}))
	loadSnapshot(t, conn, snapshot("sisyphus", d2, []uint64{2, 3}, []uint64{12, 13, 15}))

	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'"), sorted(2, 3, 12, 13, 15); !equalHashes(got, want) {
		t.Fatalf("static_last_packages sisyphus = %v, want %v", got, want)
	}
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10'"), sorted(1, 11); !equalHashes(got, want) {
		t.Fatalf("static_last_packages p10 = %v, want %v", got, want)
	}
	var dates uint64
	if err := conn.QueryRow(ctx, "SELECT countDistinct(pkgset_date) FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkgset_date = ?", d2).Scan(&dates); err != nil || dates != 1 {
		t.Fatalf("static_last_packages dates: %d, %v", dates, err)
	}
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM last_packages WHERE pkgset_name = 'sisyphus'"), sorted(2, 3, 12, 13, 15); !equalHashes(got, want) {
		t.Fatalf("last_packages sisyphus = %v, want %v", got, want)
	}
	var version, cs string
	if err := conn.QueryRow(ctx, "SELECT pkg_version, pkg_cs FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_name = 'foo' AND pkg_sourcepackage = 1").Scan(&version, &cs); err != nil {
		t.Fatalf("last_packages foo: %v", err)
	}
	if version != "2.0" || cs != "0000000000000000000000000000000000000000" {
		t.Fatalf("last_packages foo: version %q cs %q", version, cs)
	}

	st := pkgsetStat(t, conn, "sisyphus")
	if len(st) != 2 || st["srpm"].cnt != 2 || st["x86_64"].cnt != 2 || !st["srpm"].date.Equal(d2) {
		t.Fatalf("lv_pkgset_stat sisyphus = %+v", st)
	}

	// A newer snapshot takes over; an older one loaded late does not.
	loadSnapshot(t, conn, snapshot("sisyphus", d3, []uint64{3, 4}, []uint64{13, 14}))
	loadSnapshot(t, conn, snapshot("p10", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), []uint64{2}, []uint64{12}))
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'"), sorted(3, 4, 13, 14); !equalHashes(got, want) {
		t.Fatalf("static_last_packages after d3 = %v, want %v", got, want)
	}
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM last_packages WHERE pkgset_name = 'p10'"), sorted(1, 11); !equalHashes(got, want) {
		t.Fatalf("last_packages p10 after old snapshot = %v, want %v", got, want)
	}
	st = pkgsetStat(t, conn, "sisyphus")
	if len(st) != 3 || st["srpm"].cnt != 2 || st["x86_64"].cnt != 1 || st["noarch"].cnt != 1 || !st["noarch"].date.Equal(d3) {
		t.Fatalf("lv_pkgset_stat sisyphus after d3 = %+v", st)
	}

	// A rerun of the migrations keeps the data and the views.
	n, err := Apply(ctx, conn, db, schemaFS(), nil)
	if err != nil || n != 0 {
		t.Fatalf("second apply: applied %d, err %v (want 0 files, nil)", n, err)
	}
	n, err = ApplyWithOptions(ctx, conn, db, schemaFS(), Options{Force: true})
	if err != nil || n == 0 {
		t.Fatalf("forced apply: applied %d, err %v", n, err)
	}
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'"), sorted(3, 4, 13, 14); !equalHashes(got, want) {
		t.Fatalf("static_last_packages after re-apply = %v, want %v", got, want)
	}
	var total uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM Packages").Scan(&total); err != nil || total != uint64(len(pkgs)) {
		t.Fatalf("Packages rows after re-apply: %d, %v", total, err)
	}
	// The MVs still fire after the re-apply.
	loadSnapshot(t, conn, snapshot("sisyphus", d3.Add(time.Hour), []uint64{4}, []uint64{14}))
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'"), sorted(4, 14); !equalHashes(got, want) {
		t.Fatalf("static_last_packages after re-apply and new snapshot = %v, want %v", got, want)
	}
}

func TestDerivedPackageObjects(t *testing.T) {
	conn, _ := newSchemaDB(t)
	ctx := context.Background()
	pkgs, src := corpus()
	insertChangelog(t, conn, pkgs)
	insertPackages(t, conn, pkgs, src)
	loadSnapshot(t, conn, snapshot("sisyphus", d1, []uint64{1, 2}, []uint64{11, 12}))
	loadSnapshot(t, conn, snapshot("sisyphus", d2, []uint64{2, 3}, []uint64{12, 13, 15}))

	var nick, name, text string
	if err := conn.QueryRow(ctx, "SELECT chlog_nick, chlog_name, chlog_text FROM SrcPackagesLastChangelog WHERE pkg_hash = 3").Scan(&nick, &name, &text); err != nil {
		t.Fatalf("SrcPackagesLastChangelog: %v", err)
	}
	if nick != "ivan" || text != "- foo new" {
		t.Fatalf("SrcPackagesLastChangelog: nick %q name %q text %q", nick, name, text)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM SrcPackagesLastChangelog WHERE pkg_hash = 11").Scan(&n); err != nil || n != 0 {
		t.Fatalf("SrcPackagesLastChangelog has binaries: %d %v", n, err)
	}

	var srcName string
	if err := conn.QueryRow(ctx, "SELECT argMax(src_pkg_name, buildtime) FROM PackagesSourceAndBinaries WHERE bin_pkg_name = 'foo'").Scan(&srcName); err != nil || srcName != "foo" {
		t.Fatalf("PackagesSourceAndBinaries foo: %q %v", srcName, err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM PackagesSourceAndBinaries WHERE bin_pkg_name LIKE 'i586-%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("PackagesSourceAndBinaries has i586: %d %v", n, err)
	}

	var chlogLen uint64
	if err := conn.QueryRow(ctx, "SELECT length(changelog) FROM PackageChangelog_view WHERE pkg_hash = 3").Scan(&chlogLen); err != nil || chlogLen != 2 {
		t.Fatalf("PackageChangelog_view: %d %v", chlogLen, err)
	}
	var firstText string
	if err := conn.QueryRow(ctx, "SELECT changelog[1].4 FROM PackageChangelog_view WHERE pkg_hash = 3").Scan(&firstText); err != nil || firstText != "- foo new" {
		t.Fatalf("PackageChangelog_view newest entry: %q %v", firstText, err)
	}

	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM last_packages_with_source WHERE pkgset_name = 'sisyphus'"), sorted(12, 13, 15); !equalHashes(got, want) {
		t.Fatalf("last_packages_with_source = %v, want %v", got, want)
	}
	if err := conn.QueryRow(ctx, "SELECT sourcepkgname FROM last_packages_with_source WHERE pkg_hash = 13").Scan(&srcName); err != nil || srcName != "foo" {
		t.Fatalf("last_packages_with_source sourcepkgname: %q %v", srcName, err)
	}

	rows, err := conn.Query(ctx, "SELECT branch, s.1, s.2, s.3, s.4 FROM lv_repository_statistics ARRAY JOIN stats AS s ORDER BY s.1, s.2")
	if err != nil {
		t.Fatalf("lv_repository_statistics: %v", err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var branch, arch, comp string
		var cnt, size uint64
		if err := rows.Scan(&branch, &arch, &comp, &cnt, &size); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%s/%s/%d/%d", branch, arch, comp, cnt, size))
	}
	want := "[sisyphus/srpm/srpm/2/500 sisyphus/x86_64/classic/3/100]"
	if fmt.Sprint(got) != want {
		t.Fatalf("lv_repository_statistics = %v, want %s", got, want)
	}
}

// TestPkgsetStatBackfill: a database whose StaticPkgsetStat lacks the
// current snapshots (e.g. an existing ALTRepo database) gets them from the
// backfill statement of the migration.
func TestPkgsetStatBackfill(t *testing.T) {
	conn, db := newSchemaDB(t)
	ctx := context.Background()
	pkgs, src := corpus()
	insertPackages(t, conn, pkgs, src)
	loadSnapshot(t, conn, snapshot("sisyphus", d2, []uint64{2, 3}, []uint64{12, 13, 15}))
	before := pkgsetStat(t, conn, "sisyphus")
	if len(before) != 2 {
		t.Fatalf("lv_pkgset_stat before = %+v", before)
	}
	exec(t, conn, "TRUNCATE TABLE StaticPkgsetStat")
	if st := pkgsetStat(t, conn, "sisyphus"); len(st) != 0 {
		t.Fatalf("lv_pkgset_stat after truncate = %+v", st)
	}
	if _, err := ApplyWithOptions(ctx, conn, db, schemaFS(), Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	if after := pkgsetStat(t, conn, "sisyphus"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("lv_pkgset_stat after backfill = %+v, want %+v", after, before)
	}
	// A second forced run does not duplicate the rows.
	if _, err := ApplyWithOptions(ctx, conn, db, schemaFS(), Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	pkgsetStat(t, conn, "sisyphus") // fails on duplicate rows
}

// TestRootInsertedTwice: a loader retrying the root insert does not
// duplicate the branch state.
func TestRootInsertedTwice(t *testing.T) {
	conn, _ := newSchemaDB(t)
	pkgs, src := corpus()
	insertPackages(t, conn, pkgs, src)
	nodes := snapshot("sisyphus", d1, []uint64{1, 2}, []uint64{11, 12})
	loadSnapshot(t, conn, nodes)
	insertNodes(t, conn, nodes[:1])
	if got, want := queryHashes(t, conn, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'"), sorted(1, 2, 11, 12); !equalHashes(got, want) {
		t.Fatalf("static_last_packages = %v, want %v", got, want)
	}
	if st := pkgsetStat(t, conn, "sisyphus"); st["srpm"].cnt != 2 {
		t.Fatalf("lv_pkgset_stat = %+v", st)
	}
}

// TestTupleArrayColumnsDecode: the Array(Tuple) columns of views decode in
// clickhouse-go.
func TestTupleArrayColumnsDecode(t *testing.T) {
	conn, _ := newSchemaDB(t)
	pkgs, src := corpus()
	insertChangelog(t, conn, pkgs)
	insertPackages(t, conn, pkgs, src)
	loadSnapshot(t, conn, snapshot("sisyphus", d1, []uint64{1, 2}, []uint64{11, 12}))
	var cl [][]any
	if err := conn.QueryRow(context.Background(), "SELECT changelog FROM PackageChangelog_view WHERE pkg_hash = 1").Scan(&cl); err != nil {
		t.Fatalf("PackageChangelog_view: %v", err)
	}
	if len(cl) != 2 || len(cl[0]) != 4 || cl[0][3] != "- foo new" || cl[1][2] != "0.1-alt1" {
		t.Fatalf("PackageChangelog_view changelog = %v", cl)
	}
	var st [][]any
	if err := conn.QueryRow(context.Background(), "SELECT stats FROM lv_repository_statistics WHERE branch = 'sisyphus'").Scan(&st); err != nil {
		t.Fatalf("lv_repository_statistics: %v", err)
	}
	if len(st) != 2 || len(st[0]) != 5 {
		t.Fatalf("lv_repository_statistics stats = %v", st)
	}
}
