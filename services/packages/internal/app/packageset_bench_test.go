package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/services/packages/internal/testenv"
)

// Benchmarks of the large answers: each iteration runs the route's own SQL
// directly (reading every row through the driver) and then the HTTP
// request, on the same data in the same run. Reported metrics:
// service/raw (the route's time over the raw query time; the service adds
// parameter parsing, rendering and writing), raw-ms/op, service-ms/op, and
// the answer size. Larger data: ALTREPO_TEST_LIMIT=0 go test -bench . -run ^$,
// or an already loaded database: ALTREPO_BENCH_DB=host:port/database.

// psDiscardWriter is a ResponseWriter that counts bytes and flushes.
type psDiscardWriter struct {
	h       http.Header
	code    int
	bytes   int
	flushes int
	// firstAt is when the first bytes were written.
	firstAt time.Time
}

func (w *psDiscardWriter) Header() http.Header { return w.h }
func (w *psDiscardWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
}
func (w *psDiscardWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	if w.bytes == 0 {
		w.firstAt = time.Now()
	}
	w.bytes += len(b)
	return len(b), nil
}
func (w *psDiscardWriter) Flush() { w.flushes++ }

func psServe(env *testenv.Env, url string) *psDiscardWriter {
	w := &psDiscardWriter{h: http.Header{}}
	env.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
	return w
}

// psDrainRaw runs a query and reads every row; it returns the row count.
func psDrainRaw(tb testing.TB, db *chdb.DB, sql string, args ...any) int {
	n, err := drainRows(db, sql, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// psBenchEnv is the benchmarks' environment: ALTREPO_BENCH_DB or the test one.
func psBenchEnv(b testing.TB) *testenv.Env {
	spec := os.Getenv("ALTREPO_BENCH_DB")
	if spec == "" {
		return testenv.Get(b)
	}
	addr, database, _ := strings.Cut(spec, "/")
	db, err := chdb.Open(chdb.Options{Addr: addr, Database: database, User: "default", Tries: 1, Service: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &api.Service{Name: "bench", Routes: New(db, log).Routes(), Log: log, MapError: chdb.APIError}
	h, err := svc.Handler()
	if err != nil {
		b.Fatal(err)
	}
	return &testenv.Env{DB: db, Database: database, Handler: h}
}

func psBenchServiceVsRaw(b *testing.B, url, sql string, args ...any) {
	env := psBenchEnv(b)
	sql = streamSQL(sql) // the statement the route sends
	if w := psServe(env, url); w.code != 200 {
		b.Fatalf("%s: %d", url, w.code)
	}
	psDrainRaw(b, env.DB, sql, args...) // warm both paths
	var raw, svc time.Duration
	var size, rows int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate the order so neither side benefits from running second.
		var w *psDiscardWriter
		if i%2 == 0 {
			t0 := time.Now()
			rows = psDrainRaw(b, env.DB, sql, args...)
			t1 := time.Now()
			w = psServe(env, url)
			svc += time.Since(t1)
			raw += t1.Sub(t0)
		} else {
			t0 := time.Now()
			w = psServe(env, url)
			t1 := time.Now()
			rows = psDrainRaw(b, env.DB, sql, args...)
			raw += time.Since(t1)
			svc += t1.Sub(t0)
		}
		size = w.bytes
	}
	b.ReportMetric(float64(svc)/float64(raw), "service/raw")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(svc.Microseconds())/1000/float64(b.N), "service-ms/op")
	b.ReportMetric(float64(size), "bytes")
	b.ReportMetric(float64(rows), "rows")
}

func BenchmarkRepositoryPackages(b *testing.B) {
	psBenchServiceVsRaw(b, "/api/packageset/repository_packages?branch=sisyphus",
		fmt.Sprintf(sqlRepositoryPackages, sqlBranchHashes, sourceIn("all"), ""), "sisyphus", "sisyphus")
}

func BenchmarkComparePackagesets(b *testing.B) {
	psBenchServiceVsRaw(b, "/api/packageset/compare_packagesets?pkgset1=sisyphus&pkgset2=p9",
		sqlPsCompare, "sisyphus", "p9", "p9")
}

func BenchmarkExportBranchBinaryPackages(b *testing.B) {
	psBenchServiceVsRaw(b, "/api/export/branch_binary_packages/sisyphus",
		fmt.Sprintf(sqlBranchBinaryPackages, ""), "sisyphus", "sisyphus")
}

// The large answers are streamed: flushed in several pieces, the first
// well before the end.
func TestPsLargeAnswersStream(t *testing.T) {
	env := testenv.Get(t)
	for _, url := range []string{
		"/api/packageset/repository_packages?branch=sisyphus",
		"/api/export/repology/sisyphus",
		"/api/export/branch_binary_packages/sisyphus",
		"/api/export/sitemap_packages/sisyphus",
		"/api/packageset/compare_packagesets?pkgset1=sisyphus&pkgset2=p9",
		"/api/export/branch_tree",
	} {
		w := psServe(env, url)
		if w.code != 200 {
			t.Errorf("%s: %d", url, w.code)
			continue
		}
		// 64 KiB pieces: an answer above that size arrives in several flushes.
		if w.bytes > 70<<10 && w.flushes < 2 {
			t.Errorf("%s: %d bytes in %d flushes", url, w.bytes, w.flushes)
		}
		t.Logf("%s: %d bytes, %d flushes", url, w.bytes, w.flushes)
	}
}

// Peak live heap while streaming large answers stays below the answer size
// (sampled with a forced collection every 20 ms).
func TestPsStreamMemory(t *testing.T) {
	env := psBenchEnv(t)
	for _, url := range []string{
		"/api/packageset/repository_packages?branch=sisyphus",
		"/api/export/branch_binary_packages/sisyphus",
		"/api/export/repology/sisyphus",
	} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak uint64
		done := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.GC() // live memory, not garbage waiting for the collector
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak {
					peak = m.HeapAlloc
				}
			}
		}()
		w := psServe(env, url)
		close(done)
		grow := int64(peak) - int64(base.HeapAlloc)
		t.Logf("%s: %d bytes answered, live heap grew at most %d bytes", url, w.bytes, grow)
		if w.bytes > 8<<20 && grow > int64(w.bytes)/2 {
			t.Errorf("%s: heap grew %d bytes for a %d-byte answer", url, grow, w.bytes)
		}
	}
}
