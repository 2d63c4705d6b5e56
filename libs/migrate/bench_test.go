package migrate

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"altrepo/libs/testharness"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
)

// Benchmark data: 1M Packages rows, 3 branches x 2 snapshots of 100k
// packages each (sources every 5th hash).
const (
	benchPackages = 1_000_000
	benchSnapshot = 100_000
)

var (
	benchOnce sync.Once
	benchConn driver.Conn
	benchErr  error
	benchLoad time.Duration
)

func benchDB(b *testing.B) driver.Conn {
	b.Helper()
	ch := testharness.SharedClickHouse(b)
	benchOnce.Do(func() {
		ctx := context.Background()
		db := testharness.UniqueName("bench_")
		conn, err := ch.Open("default")
		if err != nil {
			benchErr = err
			return
		}
		if err = conn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
			benchErr = err
			return
		}
		conn.Close()
		if benchConn, err = ch.Open(db); err != nil {
			benchErr = err
			return
		}
		if _, err = Apply(ctx, benchConn, db, schemaFS(), nil); err != nil {
			benchErr = err
			return
		}
		benchErr = benchConn.Exec(ctx, fmt.Sprintf(`INSERT INTO Packages (pkg_hash, pkg_name, pkg_arch, pkg_version, pkg_release, pkg_sourcepackage, pkg_sourcerpm, pkg_srcrpm_hash, pkg_filename, pkg_summary, pkg_description)
			SELECT number + 1, concat('pkg', toString(intDiv(number, 5))), if(number %% 5 = 0, 'x86_64', if(number %% 5 = 4, 'noarch', 'x86_64')),
				toString(number %% 17), 'alt1', number %% 5 = 0, if(number %% 5 = 0, '', concat('pkg', toString(intDiv(number, 5)), '-1-alt1.src.rpm')),
				if(number %% 5 = 0, 0, number - number %% 5 + 1), concat('pkg', toString(number), '.rpm'), 'summary text of the package', 'a longer description text of the package, repeated'
			FROM system.numbers LIMIT %d`, benchPackages))
		if benchErr != nil {
			return
		}
		start := time.Now()
		for i, branch := range []string{"sisyphus", "p11", "p10"} {
			for s := 0; s < 2; s++ {
				offset := (i*2 + s) * benchSnapshot / 2
				root, srpm, arch := uuid.New(), uuid.New(), uuid.New()
				date := time.Date(2024, 1, 1+s, 0, 0, 0, 0, time.UTC)
				if benchErr = benchConn.Exec(ctx, fmt.Sprintf("INSERT INTO PackageSet (pkgset_uuid, pkg_hash) SELECT if(number %% 5 = 0, toUUID('%s'), toUUID('%s')), number + 1 FROM system.numbers LIMIT %d, %d", srpm, arch, offset, benchSnapshot)); benchErr != nil {
					return
				}
				date = date.Add(time.Duration(i) * time.Hour)
				nodes := []node{
					{uuid: root, ruuid: root, depth: 0, name: branch, date: date, kv: map[string]string{"class": "repository"}},
					{uuid: srpm, puuid: root, ruuid: root, depth: 1, name: "srpm", date: date},
					{uuid: arch, puuid: root, ruuid: root, depth: 1, name: "x86_64", date: date},
				}
				if benchErr = insertNodesErr(benchConn, nodes[1:]); benchErr != nil {
					return
				}
				if benchErr = insertNodesErr(benchConn, nodes[:1]); benchErr != nil {
					return
				}
			}
		}
		benchLoad = time.Since(start)
	})
	if benchErr != nil {
		b.Fatalf("bench setup: %v", benchErr)
	}
	return benchConn
}

func insertNodesErr(conn driver.Conn, nodes []node) error {
	batch, err := conn.PrepareBatch(context.Background(), "INSERT INTO PackageSetName (pkgset_uuid, pkgset_puuid, pkgset_ruuid, pkgset_depth, pkgset_nodename, pkgset_date, pkgset_kv.k, pkgset_kv.v)")
	if err != nil {
		return err
	}
	for _, n := range nodes {
		keys, vals := []string{}, []string{}
		for k, v := range n.kv {
			keys = append(keys, k)
			vals = append(vals, v)
		}
		if err := batch.Append(n.uuid, n.puuid, n.ruuid, n.depth, n.name, n.date, keys, vals); err != nil {
			return err
		}
	}
	return batch.Send()
}

func benchQuery(b *testing.B, query string, wantRows uint64) {
	conn := benchDB(b)
	ctx := context.Background()
	for b.Loop() {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM ("+query+")").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if wantRows > 0 && n != wantRows {
			b.Fatalf("%s: %d rows, want %d", query, n, wantRows)
		}
	}
	b.ReportMetric(benchLoad.Seconds()/6, "s/snapshot-load")
}

func BenchmarkStaticLastPackagesBranch(b *testing.B) {
	benchQuery(b, "SELECT pkg_hash, pkg_name FROM static_last_packages WHERE pkgset_name = 'p11'", benchSnapshot)
}

func BenchmarkStaticLastPackagesByName(b *testing.B) {
	benchQuery(b, "SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p11' AND pkg_name = 'pkg40000'", 0)
}

func BenchmarkLastPackagesByName(b *testing.B) {
	benchQuery(b, "SELECT pkg_hash, pkg_version, pkg_summary FROM last_packages WHERE pkgset_name = 'p11' AND pkg_name = 'pkg40000'", 0)
}

func BenchmarkLastPackagesBranch(b *testing.B) {
	benchQuery(b, "SELECT pkg_hash, pkg_version FROM last_packages WHERE pkgset_name = 'p11'", benchSnapshot)
}

func BenchmarkPkgsetStat(b *testing.B) {
	benchQuery(b, "SELECT * FROM lv_pkgset_stat", 0)
}
