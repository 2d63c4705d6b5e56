// Package commitlog reads sisyphus-commits.tsv(.xz): one row per build task
// that reached Sisyphus, newest first.
package commitlog

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ulikunitz/xz"
)

// ImportTaskID is the task of the first commit, the initial import of the
// repository: it is the initial state, not a build task.
const ImportTaskID = 74782

// Commit is one row of the commit log.
type Commit struct {
	Time        time.Time
	AuthorName  string
	AuthorEmail string
	Nick        string // part of the e-mail before '@'
	Subject     string
	TaskID      uint32
	// First package built by the task, from the subject (empty when the
	// subject does not name one).
	Name, Version, Release string
	More                   int      // "+N more" packages
	Delete                 bool     // "Delete <nvr>": the task removed packages
	Files                  []string // spec paths, one per subtask
	Import                 bool     // the initial import commit
}

// Dirs returns the source package directory of every spec path.
func (c *Commit) Dirs() []string {
	out := make([]string, 0, len(c.Files))
	for _, f := range c.Files {
		parts := strings.Split(f, "/")
		if len(parts) >= 2 {
			out = append(out, parts[len(parts)-2])
		}
	}
	return out
}

var subjectRe = regexp.MustCompile(`^(\d+):\s+(Delete\s+)?(\S+?)(?:\s+\+(\d+) more)?\s*$`)

// ParseSubject parses "360618: altmediawriter-1.0.5-alt2.1 +5 more".
func ParseSubject(s string) (task uint32, name, version, release string, more int, del, ok bool) {
	m := subjectRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		// "74782: Import task with 13598 packages" and other free text.
		if i := strings.IndexByte(s, ':'); i > 0 {
			if n, err := strconv.ParseUint(s[:i], 10, 32); err == nil {
				return uint32(n), "", "", "", 0, false, true
			}
		}
		return 0, "", "", "", 0, false, false
	}
	n, err := strconv.ParseUint(m[1], 10, 32)
	if err != nil {
		return 0, "", "", "", 0, false, false
	}
	task = uint32(n)
	del = m[2] != ""
	if m[4] != "" {
		more, _ = strconv.Atoi(m[4])
	}
	nvr := m[3]
	j := strings.LastIndexByte(nvr, '-')
	if j <= 0 {
		return task, "", "", "", more, del, true
	}
	i := strings.LastIndexByte(nvr[:j], '-')
	if i <= 0 {
		return task, "", "", "", more, del, true
	}
	return task, nvr[:i], nvr[i+1 : j], nvr[j+1:], more, del, true
}

// Open opens a commit log, transparently decompressing *.xz.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open commit log: %w", err)
	}
	if !strings.HasSuffix(path, ".xz") {
		return f, nil
	}
	xr, err := xz.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xz commit log: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{xr, f}, nil
}

// Stats counts rows read and skipped.
type Stats struct {
	Rows    int
	Skipped map[string]int
}

// Read parses the log (header line first). limit > 0 keeps only the first
// limit build commits (newest) plus the import commit.
func Read(r io.Reader, limit int) ([]Commit, Stats, error) {
	st := Stats{Skipped: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []Commit
	header := true
	builds := 0
	for sc.Scan() {
		line := sc.Text()
		if header {
			header = false
			if strings.HasPrefix(line, "commit_time\t") {
				continue
			}
		}
		st.Rows++
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			st.Skipped["too few columns"]++
			continue
		}
		ts, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			st.Skipped["bad commit_time"]++
			continue
		}
		task, name, ver, rel, more, del, ok := ParseSubject(f[3])
		if !ok {
			st.Skipped["bad subject"]++
			continue
		}
		c := Commit{
			Time: time.Unix(ts, 0).UTC(), AuthorName: f[1], AuthorEmail: f[2], Subject: f[3],
			TaskID: task, Name: name, Version: ver, Release: rel, More: more, Delete: del,
			Import: task == ImportTaskID,
		}
		c.Nick = c.AuthorEmail
		if at := strings.IndexByte(c.Nick, '@'); at >= 0 {
			c.Nick = c.Nick[:at]
		}
		if len(f) >= 5 && f[4] != "" {
			c.Files = strings.Split(f[4], ",")
		}
		if !c.Import {
			if limit > 0 && builds >= limit {
				continue
			}
			builds++
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, st, fmt.Errorf("read commit log: %w", err)
	}
	return out, st, nil
}

// ReadFile opens and reads a commit log file.
func ReadFile(path string, limit int) ([]Commit, Stats, error) {
	rc, err := Open(path)
	if err != nil {
		return nil, Stats{}, err
	}
	defer rc.Close()
	return Read(rc, limit)
}
