// Package build turns a source (branch snapshots of spec files and a commit
// log) into the rows of the ALTRepo tables and writes them to a rows.Sink.
//
// Every value is derived from the input only (no clock, no randomness):
// the same input gives byte-identical rows in the same order.
package build

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"altrepo/tools/internal/commitlog"
	"altrepo/tools/internal/rows"
	"altrepo/tools/internal/source"
	"altrepo/tools/internal/spec"
	"altrepo/tools/internal/tarspec"
)

// historicalBinaryTasks is how many of the newest build commits get binary
// packages for builds that are in no snapshot (older ones list only the
// source, keeping Packages small).
const historicalBinaryTasks = 10000

// DefaultArchs are the binary architectures built for arch-dependent
// packages (lookup.json default_archs without noarch).
var DefaultArchs = []string{"x86_64", "i586", "aarch64", "armh", "ppc64le"}

// Options tunes a build.
type Options struct {
	// Limit > 0 takes only the first Limit spec files of every snapshot and
	// the newest Limit build commits.
	Limit int
	// Branches restricts the snapshots loaded (empty = all).
	Branches []string
	Logger   *slog.Logger
}

// Report summarises a build.
type Report struct {
	Source    string
	SpecFiles int            // spec files read
	Skipped   map[string]int // skip reason -> files
	Rows      map[string]int64
	Branches  []string
}

// flusher is implemented by sinks that can send chosen tables now (needed
// before inserts that fire materialized views reading those tables).
type flusher interface {
	FlushTables(names ...string) error
}

// orderer is implemented by sinks that send batches asynchronously: every
// batch of after must wait for the rows of first appended before it.
type orderer interface {
	SendBefore(first, after string)
}

// Builder holds the state of one build.
type Builder struct {
	ctx  context.Context
	sink rows.Sink
	opts Options
	log  *slog.Logger
	rep  Report

	commitByNVR map[string]*commitlog.Commit

	seenPkg   map[uint64]struct{}
	seenChlog map[uint64]struct{}
	seenFN    map[uint64]struct{}

	srcByNVR map[string]*srcInfo // "name-version-release" of sources
	hist     map[string]*nameHist
	errata   map[string]*errataCand

	branchDates  map[string]time.Time
	imageSamples map[string][]binRef       // branch -> binaries for images
	groupMembers map[string]map[string]int // ACL group -> leader -> packages (current branch)
	loadedTasks  map[uint32]bool           // tasks written (errata link only to these)
}

// binRef is a binary package built from a source.
type binRef struct {
	hash uint64
	name string
	arch string
	dg   [32]byte // sha256 stand-in
}

// srcInfo describes a loaded source package.
type srcInfo struct {
	hash      uint64
	name      string
	epoch     uint32
	version   string
	release   string
	buildtime uint32
	sha256    [32]byte
	bins      []binRef
	top       spec.ChangelogEntry // newest changelog entry (Text kept)
	group     string
	acl       []string
	branch    string // first branch the package was seen in
}

// nameHist is what is known of a source package name from the newest spec
// seen: its metadata and changelog (parallel arrays, newest first), used to
// make historical builds. Historical packages use suffixes of the arrays.
type nameHist struct {
	newest      time.Time
	summary     string
	description string
	group       string
	license     string
	url         string
	packager    string
	email       string
	dates       []time.Time
	names       []string
	evrs        []string
	hashes      []uint64
	bins        []histBin // binary packages of the newest spec
}

// histBin is a binary package of a spec and the archs it is built for.
type histBin struct {
	name    string
	summary string
	group   string
	archs   []string
}

// since returns the index of the newest entry dated no later than t.
func (h *nameHist) since(t time.Time) int {
	for i, d := range h.dates {
		if !d.After(t) {
			return i
		}
	}
	return len(h.dates)
}

// errataCand is a changelog entry naming CVEs or bugs.
type errataCand struct {
	name  string
	evr   string
	date  time.Time
	nick  string
	email string
	text  string
	cves  []string
	bugs  []uint32
}

// Run builds every table from src into sink.
func Run(ctx context.Context, src *source.Source, sink rows.Sink, opts Options) (Report, error) {
	b := &Builder{
		ctx: ctx, sink: sink, opts: opts, log: opts.Logger,
		rep:          Report{Source: src.Kind, Skipped: map[string]int{}},
		commitByNVR:  map[string]*commitlog.Commit{},
		seenPkg:      map[uint64]struct{}{},
		seenChlog:    map[uint64]struct{}{},
		seenFN:       map[uint64]struct{}{},
		srcByNVR:     map[string]*srcInfo{},
		hist:         map[string]*nameHist{},
		errata:       map[string]*errataCand{},
		branchDates:  map[string]time.Time{},
		imageSamples: map[string][]binRef{},
		groupMembers: map[string]map[string]int{},
		loadedTasks:  map[uint32]bool{},
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if o, ok := sink.(orderer); ok {
		// mv_src_packages_last_changelog reads Changelog when Packages rows
		// arrive (deploy/schema/README.md, insertion order).
		o.SendBefore(tChangelog, tPackages)
	}
	if l, ok := sink.(interface{ SetMaxBatchBytes(string, int) }); ok {
		// Packages fires two materialized views; on 18.16 one of them reads
		// the whole table per INSERT, so Packages goes in few big batches.
		l.SetMaxBatchBytes(tPackages, 24<<20)
	}
	commits, err := src.Commits(0)
	if err != nil {
		return b.rep, fmt.Errorf("read commits: %w", err)
	}
	// Oldest first from here on.
	sort.SliceStable(commits, func(i, j int) bool { return commits[i].Time.Before(commits[j].Time) })
	for i := range commits {
		c := &commits[i]
		if c.Name == "" || c.Delete || c.Import {
			continue
		}
		key := c.Name + "-" + c.Version + "-" + c.Release
		if _, ok := b.commitByNVR[key]; !ok {
			b.commitByNVR[key] = c
		}
	}
	want := map[string]bool{}
	for _, br := range opts.Branches {
		want[br] = true
	}
	for _, snap := range src.Snapshots {
		if len(want) > 0 && !want[snap.Branch] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return b.rep, err
		}
		if err := b.loadSnapshot(snap, commits); err != nil {
			return b.rep, fmt.Errorf("branch %s: %w", snap.Branch, err)
		}
		b.rep.Branches = append(b.rep.Branches, snap.Branch)
	}
	if err := b.loadTasks(taskCommits(commits, opts.Limit)); err != nil {
		return b.rep, fmt.Errorf("tasks: %w", err)
	}
	if err := b.loadErrata(); err != nil {
		return b.rep, fmt.Errorf("errata: %w", err)
	}
	if err := b.loadImages(); err != nil {
		return b.rep, fmt.Errorf("images: %w", err)
	}
	if err := b.loadStatic(); err != nil {
		return b.rep, fmt.Errorf("static tables: %w", err)
	}
	if err := sink.Flush(); err != nil {
		return b.rep, fmt.Errorf("flush: %w", err)
	}
	b.rep.Rows = sink.Counts()
	return b.rep, nil
}

// taskCommits returns the commits that become tasks: all but the import,
// the newest limit ones when limit > 0; oldest first.
func taskCommits(commits []commitlog.Commit, limit int) []*commitlog.Commit {
	var out []*commitlog.Commit
	for i := range commits {
		if !commits[i].Import {
			out = append(out, &commits[i])
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}

// lastTaskBefore is the newest build commit at or before t (0 if none).
func lastTaskBefore(commits []commitlog.Commit, t time.Time) uint32 {
	i := sort.Search(len(commits), func(i int) bool { return commits[i].Time.After(t) })
	for j := i - 1; j >= 0; j-- {
		if !commits[j].Import {
			return commits[j].TaskID
		}
	}
	return 0
}

func (b *Builder) table(name string, cols ...string) rows.Table { return b.sink.Table(name, cols...) }

func (b *Builder) flush(names ...string) error {
	if f, ok := b.sink.(flusher); ok {
		return f.FlushTables(names...)
	}
	return nil
}

func (b *Builder) loadSnapshot(snap source.Snapshot, commits []commitlog.Commit) error {
	start := time.Now()
	b.branchDates[snap.Branch] = snap.Date
	branch := snap.Branch
	root := nodeUUID("repo", branch, snap.Date.Format(time.RFC3339))
	comp := map[string]any{}
	compNames := append([]string{"srpm"}, append(append([]string{}, DefaultArchs...), "noarch")...)
	for _, c := range compNames {
		comp[c] = nodeUUID("repo", branch, snap.Date.Format(time.RFC3339), c)
	}
	pset := b.table(tPackageSet, colsPackageSet...)
	files := 0
	err := snap.Walk(b.opts.Limit, func(f tarspec.File) error {
		files++
		b.rep.SpecFiles++
		s, err := spec.Parse(f.Data, spec.Options{FallbackName: f.Dir})
		if err != nil {
			b.rep.Skipped[spec.Reason(err)]++
			return nil
		}
		info, err := b.addSpec(s, f, snap)
		if err != nil {
			return err
		}
		if info.branch == "" {
			info.branch = branch
		}
		if err := b.fileSearchRows(branch, s, info); err != nil {
			return err
		}
		if err := pset.Append(comp["srpm"], info.hash); err != nil {
			return err
		}
		for _, bin := range info.bins {
			if err := pset.Append(comp[bin.arch], bin.hash); err != nil {
				return err
			}
		}
		return b.branchRows(branch, snap.Date, info)
	})
	if err != nil {
		return err
	}
	if err := b.groupRows(branch, snap.Date); err != nil {
		return err
	}
	// Packages and memberships must be stored before the root node fires the
	// StaticLastPackages materialized views.
	if err := b.flush(packageTables...); err != nil {
		return err
	}
	psn := b.table(tPackageSetName, colsPackageSetName...)
	for _, c := range compNames {
		if err := psn.Append(comp[c], root, root, uint8(1), c, snap.Date, "", uint8(1), []string{}, []string{}); err != nil {
			return err
		}
	}
	// The root goes last, in its own INSERT.
	if err := b.flush(tPackageSetName); err != nil {
		return err
	}
	task := lastTaskBefore(commits, snap.Date)
	if err := psn.Append(root, root, root, uint8(0), branch, snap.Date, "", uint8(1),
		[]string{"class", "task"}, []string{"repository", fmt.Sprint(task)}); err != nil {
		return err
	}
	if err := b.flush(tPackageSetName); err != nil {
		return err
	}
	b.log.Info("branch loaded", "branch", branch, "spec_files", files, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// chlogArrays returns the pkg_changelog nested arrays of s and stores the
// texts in Changelog.
func (b *Builder) chlogArrays(entries []spec.ChangelogEntry) ([]time.Time, []string, []string, []uint64, error) {
	n := len(entries)
	dates, names, evrs, hashes := make([]time.Time, n), make([]string, n), make([]string, n), make([]uint64, n)
	ch := b.table(tChangelog, colsChangelog...)
	for i, e := range entries {
		h := h64(e.Text)
		dates[i], names[i], evrs[i], hashes[i] = e.Date, e.Name, e.EVR, h
		if _, ok := b.seenChlog[h]; !ok {
			b.seenChlog[h] = struct{}{}
			if err := ch.Append(h, e.Text); err != nil {
				return nil, nil, nil, nil, err
			}
		}
	}
	return dates, names, evrs, hashes, nil
}

func archList(s *spec.Spec, pk *spec.Package) []string {
	if pk.BuildArch == "noarch" {
		return []string{"noarch"}
	}
	var out []string
	for _, a := range DefaultArchs {
		if len(s.ExclusiveArch) > 0 && !archIn(a, s.ExclusiveArch) {
			continue
		}
		if archIn(a, s.ExcludeArch) {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		out = []string{"x86_64"}
	}
	return out
}

func archIn(a string, list []string) bool {
	for _, x := range list {
		x = strings.TrimPrefix(x, "%")
		if x == a || (a == "i586" && (x == "ix86" || x == "i686" || x == "i386")) || (a == "armh" && (x == "arm" || x == "armv7hl")) {
			return true
		}
	}
	return false
}

func cloneStrings(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.Clone(s)
	}
	return out
}
