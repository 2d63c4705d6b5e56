package app

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"altrepo/libs/metrics"
	"altrepo/services/packages/internal/testenv"
)

// pkgDepsSQLSeconds is the total time spent in ClickHouse queries so far,
// read from the query latency histogram (sum over every named query).
func pkgDepsSQLSeconds(b *testing.B) float64 {
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	total := 0.0
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "altrepo_clickhouse_query_duration_seconds_sum") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			b.Fatalf("metrics line %q: %v", line, err)
		}
		total += v
	}
	return total
}

// pkgDepsBench times a route through the service and reports, next to the
// usual ns/op, the time its ClickHouse queries took (sql-ms/op, measured
// on the same requests in the same run) and what the service adds on top
// of them (overhead-%: decoding, the algorithms, rendering).
func pkgDepsBench(b *testing.B, path string) {
	env := testenv.Get(b)
	if rec := env.Do(b, http.MethodGet, path, nil, nil); rec.Code != http.StatusOK {
		b.Fatalf("GET %s = %d: %.300s", path, rec.Code, rec.Body.String())
	}
	b.ResetTimer()
	sql0 := pkgDepsSQLSeconds(b)
	start := time.Now()
	size := 0
	for i := 0; i < b.N; i++ {
		rec := env.Do(b, http.MethodGet, path, nil, nil)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", path, rec.Code)
		}
		size = rec.Body.Len()
	}
	total := time.Since(start).Seconds()
	b.StopTimer()
	sql := pkgDepsSQLSeconds(b) - sql0
	b.ReportMetric(sql*1000/float64(b.N), "sql-ms/op")
	if sql > 0 {
		b.ReportMetric((total-sql)/sql*100, "overhead-%")
	}
	b.ReportMetric(float64(size), "bytes/answer")
}

// pkgDepsBenchNames returns the pkg_name column of a subject query (skips
// the benchmark when there is none).
func pkgDepsBenchNames(b *testing.B, sql string) []string {
	b.Helper()
	rows, err := testenv.Get(b).DB.Records(b.Context(), "bench_subject", sql)
	if err != nil || len(rows) == 0 {
		b.Skipf("no subject: %v", err)
	}
	var names []string
	for _, r := range rows {
		n, _ := r.Get("pkg_name")
		names = append(names, n.(string))
	}
	return names
}

func BenchmarkPackageBuildDependencySet(b *testing.B) {
	names := pkgDepsBenchNames(b, `SELECT pkg_name FROM static_last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1
		  AND pkg_hash IN (SELECT pkg_hash FROM Depends WHERE toString(dp_type) = 'require')
		  AND match(pkg_name, '^[A-Za-z0-9._+-]{2,}$')
		ORDER BY pkg_name LIMIT 20`)
	pkgDepsBench(b, "/api/package/build_dependency_set?branch=sisyphus&packages="+url.QueryEscape(strings.Join(names, ",")))
}

func BenchmarkPackageMisconflict(b *testing.B) {
	names := pkgDepsBenchNames(b, `SELECT DISTINCT pkg_name FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM Files WHERE file_class != 'directory')
		  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)
		  AND pkg_arch IN ('x86_64', 'noarch') AND match(pkg_name, '^[A-Za-z0-9._+-]{2,}$')
		ORDER BY pkg_name LIMIT 20`)
	pkgDepsBench(b, "/api/package/misconflict?branch=sisyphus&archs=x86_64&packages="+url.QueryEscape(strings.Join(names, ",")))
}

func BenchmarkPackageWhatDependsSrc(b *testing.B) {
	names := pkgDepsBenchNames(b, `SELECT pkg_name FROM static_last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(pkg_name, '^[A-Za-z0-9._+-]{2,}$')
		ORDER BY pkg_name LIMIT 20`)
	pkgDepsBench(b, "/api/package/what_depends_src?branch=sisyphus&depth=3&packages="+url.QueryEscape(strings.Join(names, ",")))
}
