package tarspec

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ulikunitz/xz"
)

// WriteTarXZ writes files (path -> content) as an xz-compressed tarball.
func writeTarXZ(t *testing.T, path string, files [][2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xw, err := xz.NewWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(xw)
	for _, fl := range files {
		hdr := &tar.Header{Name: fl[0], Mode: 0o644, Size: int64(len(fl[1])), ModTime: time.Unix(1700000000, 0), Typeflag: tar.TypeReg}
		if fl[0][len(fl[0])-1] == '/' {
			hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(fl[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWalk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap.tar.xz")
	writeTarXZ(t, path, [][2]string{
		{"a/", ""}, {"a/alpha/", ""}, {"a/alpha/alpha.spec", "Name: alpha\n"},
		{"a/alpha/README", "not a spec"}, {"b/beta/beta-x.spec", "Name: beta\n"}, {"c/gamma/g.spec", "Name: gamma\n"},
	})
	var got []File
	if err := Walk(path, 0, func(f File) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Dir != "alpha" || got[1].Dir != "beta" || string(got[2].Data) != "Name: gamma\n" || got[0].ModTime.Unix() != 1700000000 {
		t.Fatalf("files = %+v", got)
	}
	n := 0
	if err := Walk(path, 2, func(File) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("limit 2: %d files, %v", n, err)
	}
	if err := Walk(filepath.Join(t.TempDir(), "missing.tar.xz"), 0, func(File) error { return nil }); err == nil {
		t.Fatal("missing file: no error")
	}
}
