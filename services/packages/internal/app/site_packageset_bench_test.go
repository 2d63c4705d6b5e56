package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"altrepo/libs/chdb"
	"altrepo/services/packages/internal/testenv"
)

// Benchmarks of the search and maintainer lookups (site_packageset,
// site_maintainer). Each iteration runs the route's own SQL directly (the
// snapshot query plus the route's queries, concurrently where the route runs
// them concurrently, reading every row through the driver; for the two
// search routes the name-first search functions themselves) and then the
// HTTP request, on the same data in the same run. Metrics: raw-ms/op,
// service-ms/op and service/raw. Full corpus:
//
//	ALTREPO_TEST_LIMIT=0 go test ./services/packages/internal/app -run '^$' -bench 'Site(Find|Fast|Maintainer|Repository)'

// spsBenchDrain runs a query and reads every row.
func spsBenchDrain(db *chdb.DB, sql string, args ...any) error {
	_, err := drainRows(db, sql, args...)
	return err
}

// spsBenchSnap renders the snapshot condition the way the routes do
// (reading the snapshots, as every request does).
func spsBenchSnap(b *testing.B, env *testenv.Env, branch string) string {
	var snaps []spsSnap
	if err := env.DB.Select(context.Background(), "bench_snap", &snaps, sqlSpsSnapshots); err != nil {
		b.Fatal(err)
	}
	return spsSnapCond(snaps, branch)
}

// spsBenchApp is an App over the test database: the name-first search
// paths are run as the raw side (their queries plus a small row merge).
func spsBenchApp(env *testenv.Env) *App {
	return New(env.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// spsBench compares the route with its raw queries.
func spsBench(b *testing.B, env *testenv.Env, url string, raw func() error) {
	serve := func() int {
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		return rec.Code
	}
	if code := serve(); code != 200 {
		b.Fatalf("%s: %d", url, code)
	}
	if err := raw(); err != nil {
		b.Fatal(err)
	}
	var rawT, svcT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := raw(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if code := serve(); code != 200 {
			b.Fatalf("%s: %d", url, code)
		}
		rawT += t1.Sub(t0)
		svcT += time.Since(t1)
	}
	b.ReportMetric(float64(rawT.Microseconds())/1000/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(svcT.Microseconds())/1000/float64(b.N), "service-ms/op")
	b.ReportMetric(float64(svcT)/float64(rawT), "service/raw")
}

// spsBenchWord is a search word with several matches: the first four
// letters of a sisyphus source name.
func spsBenchWord(b *testing.B, env *testenv.Env) string {
	p := pickRow[spsSrc](b, env, `SELECT pkg_name, pkg_hash, pkg_version, pkg_release FROM static_last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(pkg_name, '^[a-z]{4}') ORDER BY pkg_name LIMIT 1 OFFSET 10`)
	return p.Name[:4]
}

func BenchmarkSiteFindPackages(b *testing.B) {
	env := testenv.Get(b)
	for _, c := range []struct{ name, query, branch string }{
		{"word", spsBenchWord(b, env), ""},
		{"word-sisyphus", spsBenchWord(b, env), "sisyphus"},
		{"two-words", "py,req", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			words := strings.Split(c.query, ",")
			url := "/api/site/find_packages?name=" + c.query
			if c.branch != "" {
				url += "&branch=" + c.branch
			}
			if code, _ := env.Get(b, url); code == 404 {
				b.Skipf("no match for %s", c.query)
			}
			a := spsBenchApp(env)
			spsBench(b, env, url, func() error {
				snap := spsBenchSnap(b, env, c.branch)
				_, _, _, ok, err := a.spsFindByNames(context.Background(), snap, c.branch, words, false)
				if err != nil || ok {
					return err
				}
				q := spsFindSQL(snap, words, nil, c.branch)
				return parallel(
					func() error { return spsBenchDrain(env.DB, q.sources) },
					func() error { return spsBenchDrain(env.DB, q.byBinary) },
					func() error { return spsBenchDrain(env.DB, q.deleted) },
				)
			})
		})
	}
}

func BenchmarkSiteFastPackagesSearchLookup(b *testing.B) {
	env := testenv.Get(b)
	word := spsBenchWord(b, env)
	a := spsBenchApp(env)
	spsBench(b, env, "/api/site/fast_packages_search_lookup?name="+word, func() error {
		snap := spsBenchSnap(b, env, "")
		_, _, ok, err := a.spsFastByNames(context.Background(), snap, "", []string{word})
		if err != nil || ok {
			return err
		}
		current, deleted := spsFastSQL(snap, []string{word}, "")
		return parallel(
			func() error { return spsBenchDrain(env.DB, current) },
			func() error { return spsBenchDrain(env.DB, deleted) },
		)
	})
}

func BenchmarkSiteFindSourcePackage(b *testing.B) {
	env := testenv.Get(b)
	type bin struct {
		Name string `ch:"pkg_name"`
	}
	p := pickRow[bin](b, env, `SELECT pkg_name FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND match(pkg_name, '^[A-Za-z0-9][A-Za-z0-9_.+-]+$') ORDER BY pkg_name LIMIT 1`)
	spsBench(b, env, "/api/site/find_source_package?branch=sisyphus&name="+p.Name, func() error {
		sql := spsSnapSQL(sqlSpsSourceOfBranchPackage, spsBenchSnap(b, env, "sisyphus"))
		var rows []struct {
			Name string `ch:"pkg_name"`
		}
		return env.DB.Select(context.Background(), "bench_raw", &rows, sql, p.Name, p.Name)
	})
}

func BenchmarkSiteMaintainerInfo(b *testing.B) {
	env := testenv.Get(b)
	nick := smPickNick(b, env)
	spsBench(b, env, "/api/site/maintainer_info?branch=sisyphus&maintainer_nickname="+nick, func() error {
		return spsBenchDrain(env.DB, fmt.Sprintf(sqlSmMaintainers, spsBenchSnap(b, env, "sisyphus"), "WHERE nick = "+spsQuote(nick)))
	})
}

func BenchmarkSiteMaintainerPackages(b *testing.B) {
	env := testenv.Get(b)
	nick := smPickNick(b, env)
	for _, mode := range []string{"none", "by_nick", "by_nick_or_group"} {
		b.Run(mode, func(b *testing.B) {
			a := spsBenchApp(env)
			spsBench(b, env, "/api/site/maintainer_packages?branch=sisyphus&by_acl="+mode+"&maintainer_nickname="+nick, func() error {
				sel, err := a.smSelection(context.Background(), spsBenchSnap(b, env, "sisyphus"), mode, nick, false)
				if err != nil {
					return err
				}
				return spsBenchDrain(env.DB, fmt.Sprintf(sqlSmPackages, sel))
			})
		})
	}
}

func BenchmarkSiteRepositoryPackages(b *testing.B) {
	env := testenv.Get(b)
	spsBench(b, env, "/api/site/repository_packages?branch=sisyphus&package_type=all", func() error {
		// the statement the route sends (streamQuery)
		sql := streamSQL(spsSnapSQL(fmt.Sprintf(sqlSpsRepositoryPackages, sourceIn("all"), ""), spsBenchSnap(b, env, "sisyphus")))
		return spsBenchDrain(env.DB, sql, int64(0))
	})
}
