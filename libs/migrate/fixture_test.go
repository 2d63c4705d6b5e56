package migrate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
)

type pkg struct {
	hash     uint64
	name     string
	version  string
	arch     string
	source   bool
	srcHash  uint64
	filesize uint64
}

func (p pkg) filename() string {
	if p.source {
		return fmt.Sprintf("%s-%s-alt1.src.rpm", p.name, p.version)
	}
	return fmt.Sprintf("%s-%s-alt1.%s.rpm", p.name, p.version, p.arch)
}

func insertPackages(t *testing.T, conn driver.Conn, pkgs []pkg, srcOf map[uint64]pkg) {
	t.Helper()
	ctx := context.Background()
	b, err := conn.PrepareBatch(ctx, "INSERT INTO Packages (pkg_hash, pkg_name, pkg_arch, pkg_version, pkg_release, pkg_sourcepackage, pkg_sourcerpm, pkg_srcrpm_hash, pkg_filename, pkg_filesize, pkg_buildtime, pkg_changelog.date, pkg_changelog.name, pkg_changelog.evr, pkg_changelog.hash)")
	if err != nil {
		t.Fatalf("prepare Packages: %v", err)
	}
	for _, p := range pkgs {
		var src uint8
		sourcerpm := ""
		if p.source {
			src = 1
		} else if s, ok := srcOf[p.srcHash]; ok {
			sourcerpm = s.filename()
		}
		chDate := []time.Time{time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)}
		chName := []string{"Ivan Ivanov <ivan at altlinux.org>", "Old Person <old@altlinux.org>"}
		chEVR := []string{p.version + "-alt1", "0.1-alt1"}
		chHash := []uint64{p.hash*10 + 1, p.hash*10 + 2}
		if err := b.Append(p.hash, p.name, p.arch, p.version, "alt1", src, sourcerpm, p.srcHash, p.filename(), p.filesize, uint32(1700000000), chDate, chName, chEVR, chHash); err != nil {
			t.Fatalf("append Packages: %v", err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("send Packages: %v", err)
	}
}

func insertChangelog(t *testing.T, conn driver.Conn, pkgs []pkg) {
	t.Helper()
	b, err := conn.PrepareBatch(context.Background(), "INSERT INTO Changelog (chlog_hash, chlog_text)")
	if err != nil {
		t.Fatalf("prepare Changelog: %v", err)
	}
	for _, p := range pkgs {
		if err := b.Append(p.hash*10+1, fmt.Sprintf("- %s new", p.name)); err != nil {
			t.Fatal(err)
		}
		if err := b.Append(p.hash*10+2, fmt.Sprintf("- %s old", p.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("send Changelog: %v", err)
	}
}

type node struct {
	uuid, puuid, ruuid uuid.UUID
	depth              uint8
	name               string
	date               time.Time
	kv                 map[string]string
	members            []uint64
}

// snapshot builds the nodes of a repository snapshot: root, srpm and one
// arch with a "classic" component.
func snapshot(branch string, date time.Time, sources, binaries []uint64) []node {
	root := uuid.New()
	srpm := uuid.New()
	arch := uuid.New()
	classic := uuid.New()
	return []node{
		{uuid: root, ruuid: root, depth: 0, name: branch, date: date, kv: map[string]string{"class": "repository", "task": "100"}},
		{uuid: srpm, puuid: root, ruuid: root, depth: 1, name: "srpm", date: date, members: sources},
		{uuid: arch, puuid: root, ruuid: root, depth: 1, name: "x86_64", date: date},
		{uuid: classic, puuid: arch, ruuid: root, depth: 2, name: "classic", date: date, members: binaries},
	}
}

func insertNodes(t *testing.T, conn driver.Conn, nodes []node) {
	t.Helper()
	ctx := context.Background()
	b, err := conn.PrepareBatch(ctx, "INSERT INTO PackageSetName (pkgset_uuid, pkgset_puuid, pkgset_ruuid, pkgset_depth, pkgset_nodename, pkgset_date, pkgset_tag, pkgset_complete, pkgset_kv.k, pkgset_kv.v)")
	if err != nil {
		t.Fatalf("prepare PackageSetName: %v", err)
	}
	for _, n := range nodes {
		keys, vals := []string{}, []string{}
		for k, v := range n.kv {
			keys = append(keys, k)
			vals = append(vals, v)
		}
		if err := b.Append(n.uuid, n.puuid, n.ruuid, n.depth, n.name, n.date, "", uint8(1), keys, vals); err != nil {
			t.Fatalf("append PackageSetName: %v", err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("send PackageSetName: %v", err)
	}
}

func insertMembers(t *testing.T, conn driver.Conn, nodes []node) {
	t.Helper()
	b, err := conn.PrepareBatch(context.Background(), "INSERT INTO PackageSet (pkgset_uuid, pkg_hash)")
	if err != nil {
		t.Fatalf("prepare PackageSet: %v", err)
	}
	for _, n := range nodes {
		for _, h := range n.members {
			if err := b.Append(n.uuid, h); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("send PackageSet: %v", err)
	}
}

// loadSnapshot follows the insertion order of deploy/schema/README.md:
// members and component nodes first, the root node last.
func loadSnapshot(t *testing.T, conn driver.Conn, nodes []node) {
	t.Helper()
	insertMembers(t, conn, nodes)
	insertNodes(t, conn, nodes[1:])
	insertNodes(t, conn, nodes[:1])
}
