package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"altrepo/libs/chdb"
	"altrepo/services/packages/internal/testenv"
)

// Benchmarks of the package pages: each iteration runs every SQL query the
// route issues, one after the other, reading all rows through the driver
// (raw), and the HTTP request (service), alternating the order. Metrics:
// service/raw, raw-ms/op, service-ms/op, queries. The service runs its
// independent queries concurrently, so service/raw can be below 1.
//   go test -run '^$' -bench SitePackage ./services/packages/internal/app/

type spBenchQuery struct {
	sql  string
	args []any
}

func spBenchRaw(b *testing.B, db *chdb.DB, qs []spBenchQuery) {
	for _, q := range qs {
		if _, err := drainRows(db, q.sql, q.args...); err != nil {
			b.Fatalf("%v\n%s", err, q.sql)
		}
	}
}

func spBenchServe(b *testing.B, env *testenv.Env, url string) {
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
	}
}

func spBench(b *testing.B, env *testenv.Env, url string, qs []spBenchQuery) {
	spBenchServe(b, env, url)
	spBenchRaw(b, env.DB, qs)
	var raw, svc time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t0 := time.Now()
			spBenchRaw(b, env.DB, qs)
			t1 := time.Now()
			spBenchServe(b, env, url)
			raw, svc = raw+t1.Sub(t0), svc+time.Since(t1)
		} else {
			t0 := time.Now()
			spBenchServe(b, env, url)
			t1 := time.Now()
			spBenchRaw(b, env.DB, qs)
			svc, raw = svc+t1.Sub(t0), raw+time.Since(t1)
		}
	}
	b.ReportMetric(float64(svc)/float64(raw), "service/raw")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(svc.Microseconds())/1000/float64(b.N), "service-ms/op")
	b.ReportMetric(float64(len(qs)), "queries")
}

// spBenchSubject is a sisyphus source built by a task (with binaries).
func spBenchSubject(b *testing.B, env *testenv.Env) spTestPkg {
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	if err := env.DB.Select(context.Background(), "bench_pick", &pick, `SELECT pkg_hash FROM BranchPackageHistory
		WHERE pkgset_name = 'sisyphus' AND tplan_action = 'add' AND pkg_sourcepackage = 1
		  AND pkg_hash IN (SELECT titer_srcrpm_hash FROM TaskIterations WHERE notEmpty(titer_pkgs_hash))
		ORDER BY task_changed DESC, pkg_hash LIMIT 1`); err != nil || len(pick) == 0 {
		b.Skipf("no subject: %v", err)
	}
	var p []spTestPkg
	if err := env.DB.Select(context.Background(), "bench_pkg", &p, "SELECT "+spTestPkgCols+" FROM Packages WHERE pkg_hash = ? LIMIT 1", pick[0].Hash); err != nil || len(p) == 0 {
		b.Fatal(err)
	}
	return p[0]
}

func BenchmarkSitePackageInfo(b *testing.B) {
	env := testenv.Get(b)
	p := spBenchSubject(b, env)
	a := New(env.DB, nil)
	tasks, subs, err := a.spBuildTasks(context.Background(), p.Hash, 1)
	if err != nil {
		b.Fatal(err)
	}
	build := spFindBuildTask(p.Name, "sisyphus", tasks, subs)
	n := min(3, len(p.ChlogHashes))
	lic := chdb.In([]string{p.License})
	qs := []spBenchQuery{
		{sqlSPPackage, []any{p.Hash, 1}},
		{sqlSPBuildTasks, spBuildTaskArgs(p.Hash, 1)},
		{sqlSPRequires, []any{p.Hash}},
		{sqlSPBeehive, []any{"sisyphus", p.Hash, "sisyphus"}},
		{sqlSPChangelogTexts, []any{inList(p.ChlogHashes[:n])}},
		{sqlSPACL, []any{"sisyphus", p.Name}},
		{fmt.Sprintf(sqlSPNewVersion, ""), []any{"sisyphus", p.Name, 1, p.Name, "sisyphus", 1}},
		{sqlSPLicenseCatalog, []any{lic, lic}},
		{sqlSPBinariesOfTask, []any{build.Task, build.Subtask, uint32(build.Changed.Unix())}},
		{sqlSPTaskArchHashes, []any{build.Task, p.Hash}},
	}
	spBench(b, env, fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus", p.Hash), qs)
}

func BenchmarkSitePackageInfoBrief(b *testing.B) {
	env := testenv.Get(b)
	p := spBenchSubject(b, env)
	spBench(b, env, fmt.Sprintf("/api/site/package_info_brief/%d", p.Hash), []spBenchQuery{{sqlSPBrief, []any{p.Hash}}})
}

func BenchmarkSitePackageChangelog(b *testing.B) {
	env := testenv.Get(b)
	p := spBenchSubject(b, env)
	n := min(10, len(p.ChlogHashes))
	spBench(b, env, fmt.Sprintf("/api/site/package_changelog/%d?changelog_last=10", p.Hash), []spBenchQuery{
		{sqlSPChangelogArrays, []any{p.Hash}}, {sqlSPChangelogTexts, []any{inList(p.ChlogHashes[:n])}}})
}

func BenchmarkSitePackageVersions(b *testing.B) {
	env := testenv.Get(b)
	p := spBenchSubject(b, env)
	spBench(b, env, "/api/site/source_package_versions?name="+p.Name, []spBenchQuery{{sqlSPVersions, []any{p.Name, 1}}})
}

func BenchmarkSitePackageDownloads(b *testing.B) {
	env := testenv.Get(b)
	p := spBenchSubject(b, env)
	a := New(env.DB, nil)
	tasks, subs, err := a.spBuildTasks(context.Background(), p.Hash, 1)
	if err != nil {
		b.Fatal(err)
	}
	st, ok := spFindBuildSubtask("sisyphus", tasks, subs)
	if !ok {
		b.Skip("no subtask")
	}
	ch := uint32(st.Changed.Unix())
	var bins []uint64
	var iter []struct {
		H uint64 `ch:"h"`
	}
	if err := env.DB.Select(context.Background(), "bench_iter", &iter, `SELECT DISTINCT arrayJoin(titer_pkgs_hash) AS h FROM TaskIterations
		WHERE task_id = ? AND subtask_id = ? AND toUInt32(task_changed) = ?`, st.TaskID, st.ID, ch); err != nil {
		b.Fatal(err)
	}
	bins = append(bins, p.Hash)
	for _, x := range iter {
		bins = append(bins, x.H)
	}
	qs := []spBenchQuery{
		{sqlSPBuildTasks, spBuildTaskArgs(p.Hash, 1)},
		{sqlSPTaskIterArchs, []any{st.TaskID, st.ID, ch}},
		{sqlSPFiles, []any{inList(bins)}},
		{sqlSPTaskX86I586, []any{st.TaskID}},
		{sqlSPMD5, []any{inList(bins), st.TaskID}},
	}
	spBench(b, env, fmt.Sprintf("/api/site/package_downloads/%d?branch=sisyphus", p.Hash), qs)
}
