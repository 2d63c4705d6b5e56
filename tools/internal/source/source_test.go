package source

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRealSnapshotList(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "specs"), 0o755); err != nil {
		t.Fatal(err)
	}
	list := "snapshot\tcommit\tcommit_time\tspec_files\n" +
		"sisyphus\tabc\t2024-10-24T23:24:34+03:00\t1\n" +
		"p9\tdef\t2019-06-01T22:38:53+03:00\t1\n" +
		"unknown\tx\t2020-01-01T00:00:00Z\t1\n"
	if err := os.WriteFile(filepath.Join(dir, "specs", "SNAPSHOTS.tsv"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	if !Exists(dir) || Exists(filepath.Join(dir, "nope")) || Exists("") {
		t.Fatal("Exists")
	}
	src, err := Real(dir)
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind != "real" || len(src.Snapshots) != 2 || src.Snapshots[0].Branch != "p9" || src.Snapshots[1].Branch != "sisyphus" {
		t.Fatalf("snapshots = %+v", src.Snapshots)
	}
	if got := src.Snapshots[1].Date.Format("2006-01-02T15:04:05Z07:00"); got != "2024-10-24T20:24:34Z" {
		t.Errorf("sisyphus date = %s", got)
	}
	if _, err := src.Commits(0); err == nil {
		t.Error("missing commit log: no error")
	}
	if _, err := Real(filepath.Join(dir, "nope")); err == nil {
		t.Error("missing dir: no error")
	}
}
