package seed

import (
	"context"
	"runtime/debug"
	"testing"

	"altrepo/deploy/schema"
	"altrepo/libs/migrate"
	"altrepo/libs/testharness"
)

// benchLoad loads opts into a fresh database per iteration and reports
// rows/s and the process peak RSS.
func benchLoad(b *testing.B, opts Options) {
	// Same soft memory limit as the command's default (-mem-limit 768).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(768 << 20))
	ch := testharness.SharedClickHouse(b)
	var rep Report
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := ch.NewDatabase(b)
		conn := ch.Conn(b, db)
		if _, err := migrate.Apply(context.Background(), conn, db, schema.Files, nil); err != nil {
			b.Fatalf("apply schema: %v", err)
		}
		b.StartTimer()
		var err error
		rep, err = Load(context.Background(), conn, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.TotalRows())/rep.Elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rep.TotalRows()), "rows")
	b.ReportMetric(float64(rep.PeakRSS>>20), "peakRSS_MiB")
}

// BenchmarkLoadReal loads the whole real corpus (four snapshots, 170k
// commits): go test -run '^$' -bench LoadReal -benchtime 1x ./seed/
func BenchmarkLoadReal(b *testing.B) {
	dir := FindDataDir()
	if dir == "" {
		b.Skip("real data not present")
	}
	benchLoad(b, Options{Source: SourceReal, DataDir: dir})
}

// BenchmarkLoadSynthetic loads the synthetic data at scale 5.
func BenchmarkLoadSynthetic(b *testing.B) {
	benchLoad(b, Options{Source: SourceSynthetic, Scale: 5})
}

// BenchmarkBuildReal builds every row of the real corpus without a
// database (parser and generator cost only).
func BenchmarkBuildReal(b *testing.B) {
	dir := FindDataDir()
	if dir == "" {
		b.Skip("real data not present")
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(768 << 20))
	var rep Report
	for i := 0; i < b.N; i++ {
		var err error
		rep, err = DryRun(context.Background(), Options{Source: SourceReal, DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.TotalRows())/rep.Elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rep.PeakRSS>>20), "peakRSS_MiB")
}
