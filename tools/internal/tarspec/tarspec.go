// Package tarspec streams spec files out of an xz-compressed snapshot tarball
// (<letter>/<source package dir>/<name>.spec) without unpacking it to disk.
package tarspec

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ulikunitz/xz"
)

// maxSpecSize bounds one spec file read into memory.
const maxSpecSize = 8 << 20

// File is one spec file of a snapshot.
type File struct {
	Path    string // path inside the tarball
	Dir     string // source package directory name
	ModTime time.Time
	Data    []byte
}

// Walk calls fn for every *.spec file of the tarball at path, in archive
// order. limit > 0 stops after that many spec files. Returning an error from
// fn stops the walk with that error.
func Walk(path string, limit int, fn func(File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open snapshot: %w", err)
	}
	defer f.Close()
	xr, err := xz.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fmt.Errorf("xz reader %s: %w", path, err)
	}
	tr := tar.NewReader(xr)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar %s: %w", path, err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".spec") {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(h.Name, "./"), "/")
		dir := ""
		if len(parts) >= 2 {
			dir = parts[len(parts)-2]
		}
		if h.Size > maxSpecSize {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("read %s in %s: %w", h.Name, path, err)
		}
		if err := fn(File{Path: h.Name, Dir: dir, ModTime: h.ModTime, Data: data}); err != nil {
			return err
		}
		n++
		if limit > 0 && n >= limit {
			return nil
		}
	}
}
