package synth

import (
	"bytes"
	"testing"

	"altrepo/tools/internal/spec"
	"altrepo/tools/internal/tarspec"
)

func collect(t *testing.T, g *Generator, branch string) []tarspec.File {
	t.Helper()
	var out []tarspec.File
	for _, s := range g.Source().Snapshots {
		if s.Branch != branch {
			continue
		}
		if err := s.Walk(0, func(f tarspec.File) error { out = append(out, f); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestSameSeedSameBytes(t *testing.T) {
	a := collect(t, New(DefaultSeed, 1), "sisyphus")
	b := collect(t, New(DefaultSeed, 1), "sisyphus")
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("files %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("file %d differs: %s", i, a[i].Path)
		}
	}
	if c := collect(t, New(DefaultSeed, 2), "sisyphus"); len(c) <= len(a) {
		t.Errorf("scale 2 has %d files, scale 1 %d", len(c), len(a))
	}
}

func TestSpecsParseAndCommitsMatch(t *testing.T) {
	g := New(DefaultSeed, 1)
	files := collect(t, g, "sisyphus")
	parsed, broken, legacy := 0, 0, 0
	versions := map[string]bool{}
	for _, f := range files {
		s, err := spec.Parse(f.Data, spec.Options{FallbackName: f.Dir})
		if err != nil {
			broken++
			continue
		}
		if s.Encoding == "koi8-r" {
			legacy++
		}
		parsed++
		versions[s.Main().Name+"-"+s.Version+"-"+s.Release] = true
	}
	if parsed == 0 || broken == 0 || legacy == 0 {
		t.Fatalf("parsed %d, broken %d, koi8-r %d", parsed, broken, legacy)
	}
	commits, err := g.Source().Commits(0)
	if err != nil {
		t.Fatal(err)
	}
	if !commits[len(commits)-1].Import {
		t.Fatal("the oldest commit must be the import")
	}
	for i := 1; i < len(commits); i++ {
		if commits[i].Time.After(commits[i-1].Time) {
			t.Fatalf("commits not newest first at %d", i)
		}
	}
	// The newest build of a package still in sisyphus is its sisyphus version.
	seen := map[string]bool{}
	matched := 0
	for _, c := range commits {
		if c.Import || c.Delete || seen[c.Name] {
			continue
		}
		seen[c.Name] = true
		if versions[c.Name+"-"+c.Version+"-"+c.Release] {
			matched++
		}
	}
	if matched < parsed/2 {
		t.Errorf("only %d of %d sisyphus packages match their newest commit", matched, parsed)
	}
	limited, _ := g.Source().Commits(10)
	if len(limited) != 11 {
		t.Errorf("limit 10 gave %d commits", len(limited))
	}
}
