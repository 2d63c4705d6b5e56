package deps

import (
	"context"

	"altrepo/libs/chdb"
)

// Pair is an ordered pair of package hashes.
type Pair [2]uint64

// ConflictDeps are the dependencies the conflict filter looks at for one
// package: its conflicts (obsoletes included) and its provides.
type ConflictDeps struct {
	Conflicts []Dep
	Provides  []Dep
}

// FilterConflicts returns, for each candidate pair (A, B) in order, the
// declared relations between the two packages (§5): (A, B) when a conflict
// or obsolete of A matches a provide of B, (B, A) when one of B matches a
// provide of A; each at most once per input pair.
func FilterConflicts(pairs []Pair, deps map[uint64]*ConflictDeps) []Pair {
	var out []Pair
	byName := map[uint64]map[string][]Dep{}
	provides := func(h uint64) map[string][]Dep {
		m, ok := byName[h]
		if !ok {
			m = map[string][]Dep{}
			if d := deps[h]; d != nil {
				for _, p := range d.Provides {
					m[p.Name] = append(m[p.Name], p)
				}
			}
			byName[h] = m
		}
		return m
	}
	declares := func(a, b uint64) bool {
		da := deps[a]
		if da == nil || len(da.Conflicts) == 0 {
			return false
		}
		pb := provides(b)
		for _, c := range da.Conflicts {
			for _, p := range pb[c.Name] {
				if Overlap(p, c) {
					return true
				}
			}
		}
		return false
	}
	for _, p := range pairs {
		ab := declares(p[0], p[1])
		ba := declares(p[1], p[0])
		if ab {
			out = append(out, Pair{p[0], p[1]})
		}
		if ba && (!ab || p[0] != p[1]) {
			out = append(out, Pair{p[1], p[0]})
		}
	}
	return out
}

const sqlConflictDeps = `
SELECT DISTINCT pkg_hash, toString(dp_type) AS dp_type, dp_name, dp_version, dp_flag
FROM Depends
WHERE pkg_hash IN ? AND toString(dp_type) IN ('conflict', 'provide', 'obsolete')`

// LoadConflictDeps reads the conflict, obsolete and provide rows of the
// given packages from Depends.
func LoadConflictDeps(ctx context.Context, db *chdb.DB, hashes []uint64) (map[uint64]*ConflictDeps, error) {
	out := map[uint64]*ConflictDeps{}
	if len(hashes) == 0 {
		return out, nil
	}
	var rows []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Type    string `ch:"dp_type"`
		Name    string `ch:"dp_name"`
		Version string `ch:"dp_version"`
		Flag    uint32 `ch:"dp_flag"`
	}
	if err := SelectIn(ctx, db, "conflict_filter_depends", &rows, sqlConflictDeps, hashes, ListArg); err != nil {
		return nil, err
	}
	for _, r := range rows {
		d := out[r.Hash]
		if d == nil {
			d = &ConflictDeps{}
			out[r.Hash] = d
		}
		dep := Dep{Name: r.Name, Version: r.Version, Flags: r.Flag}
		if r.Type == "provide" {
			d.Provides = append(d.Provides, dep)
		} else {
			d.Conflicts = append(d.Conflicts, dep)
		}
	}
	return out, nil
}

// DeclaredConflicts runs the conflict filter on candidate pairs, reading
// the packages' dependencies from the database (ConflictFilter.detect_conflict).
func DeclaredConflicts(ctx context.Context, db *chdb.DB, pairs []Pair) ([]Pair, error) {
	seen := map[uint64]bool{}
	var hashes []uint64
	for _, p := range pairs {
		for _, h := range p {
			if !seen[h] {
				seen[h] = true
				hashes = append(hashes, h)
			}
		}
	}
	deps, err := LoadConflictDeps(ctx, db, hashes)
	if err != nil {
		return nil, err
	}
	return FilterConflicts(pairs, deps), nil
}
