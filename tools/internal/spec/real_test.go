package spec_test

import (
	"os"
	"testing"

	"altrepo/tools/internal/spec"
	"altrepo/tools/internal/tarspec"
)

const sisyphusTarball = "../../../../shared/data/specs/sisyphus.tar.xz"

// TestRealSnapshot parses every spec of the real Sisyphus snapshot.
func TestRealSnapshot(t *testing.T) {
	if _, err := os.Stat(sisyphusTarball); err != nil {
		t.Skip("real data not present")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	var files, failed, pkgs, entries int
	reasons := map[string]int{}
	var mw *spec.Spec
	err := tarspec.Walk(sisyphusTarball, 0, func(f tarspec.File) error {
		files++
		s, err := spec.Parse(f.Data, spec.Options{FallbackName: f.Dir})
		if err != nil {
			failed++
			reasons[spec.Reason(err)]++
			return nil
		}
		pkgs += len(s.Packages)
		entries += len(s.Changelog)
		if f.Dir == "altmediawriter" {
			mw = s
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 19923 {
		t.Errorf("spec files = %d, want 19923 (SNAPSHOTS.tsv)", files)
	}
	if failed*100 > files {
		t.Errorf("%d of %d specs skipped: %v", failed, files, reasons)
	}
	if reasons[spec.ReasonPanic] != 0 {
		t.Errorf("parser panics: %d", reasons[spec.ReasonPanic])
	}
	if entries < 300000 || pkgs < files*2 {
		t.Errorf("changelog entries %d, packages %d", entries, pkgs)
	}
	if mw == nil || mw.Version != "1.0.5" || mw.Release != "alt2.1" || mw.Changelog[0].Nick != "iv" || len(mw.Main().Files) != 5 {
		t.Fatalf("altmediawriter: %+v", mw)
	}
	if p := mw.Main().Files[0].Path; p != "/usr/bin/altmediawriter" {
		t.Errorf("first file %q", p)
	}
	t.Logf("%d files, %d skipped %v, %d packages, %d changelog entries", files, failed, reasons, pkgs, entries)
}
