// Package source describes where the data tool takes its input from: branch
// snapshots (streams of spec files) and the commit log.
package source

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"altrepo/tools/internal/commitlog"
	"altrepo/tools/internal/tarspec"
)

// Snapshot is one branch state: the spec files of every source package.
type Snapshot struct {
	Branch string
	Date   time.Time
	// Walk streams the spec files; limit > 0 keeps the first limit files.
	Walk func(limit int, fn func(tarspec.File) error) error
}

// Source is a complete input.
type Source struct {
	Kind      string     // "real" or "synthetic"
	Snapshots []Snapshot // oldest first
	// Commits returns the commit log, newest first; limit > 0 keeps the
	// newest limit build commits (plus the import commit).
	Commits func(limit int) ([]commitlog.Commit, error)
}

// snapshotFiles maps the snapshot names of SNAPSHOTS.tsv to branches.
var snapshotBranch = map[string]string{"sisyphus": "sisyphus", "p11": "p11", "p10": "p10", "p9": "p9"}

// Real opens the data directory (see /work/shared/data/README.md).
func Real(dataDir string) (*Source, error) {
	f, err := os.Open(filepath.Join(dataDir, "specs", "SNAPSHOTS.tsv"))
	if err != nil {
		return nil, fmt.Errorf("open snapshot list: %w", err)
	}
	defer f.Close()
	var snaps []Snapshot
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 3 || fields[0] == "snapshot" {
			continue
		}
		branch, ok := snapshotBranch[fields[0]]
		if !ok {
			continue
		}
		date, err := time.Parse(time.RFC3339, fields[2])
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: bad time %q: %w", fields[0], fields[2], err)
		}
		path := filepath.Join(dataDir, "specs", fields[0]+".tar.xz")
		snaps = append(snaps, Snapshot{
			Branch: branch,
			Date:   date.UTC(),
			Walk: func(limit int, fn func(tarspec.File) error) error {
				return tarspec.Walk(path, limit, fn)
			},
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read snapshot list: %w", err)
	}
	if len(snaps) == 0 {
		return nil, fmt.Errorf("no snapshots listed in %s", dataDir)
	}
	sortSnapshots(snaps)
	logPath := filepath.Join(dataDir, "sisyphus-commits.tsv.xz")
	return &Source{
		Kind:      "real",
		Snapshots: snaps,
		Commits: func(limit int) ([]commitlog.Commit, error) {
			cs, _, err := commitlog.ReadFile(logPath, limit)
			return cs, err
		},
	}, nil
}

func sortSnapshots(s []Snapshot) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Date.Before(s[j-1].Date); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Exists reports whether dataDir looks like the real data directory.
func Exists(dataDir string) bool {
	if dataDir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dataDir, "specs", "SNAPSHOTS.tsv"))
	return err == nil
}
