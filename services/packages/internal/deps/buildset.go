package deps

import (
	"context"
	"slices"
	"sort"
)

// BuildSource gives the build-dependency resolver its data (§7.1): the
// dependency snapshot of one branch restricted to an arch list.
type BuildSource interface {
	// Requires returns the distinct require rows (names starting with
	// "rpmlib" excluded) of the given packages.
	Requires(ctx context.Context, hashes []uint64) (map[uint64][]Dep, error)
	// Providers returns the binary packages of the branch (in the arch
	// list) providing any of names, each with its distinct provide rows
	// restricted to those names.
	Providers(ctx context.Context, names []string) (map[uint64][]Dep, error)
	// Names returns, in database order, the binary name and source
	// package name of each hash.
	Names(ctx context.Context, hashes []uint64) ([]ProviderName, error)
}

// ProviderName names a provider package.
type ProviderName struct {
	Hash   uint64
	Name   string
	Source string
}

// AmbiguousProvide is one provider listed for an ambiguous requirement.
type AmbiguousProvide struct {
	Name string
	Used bool
}

// Ambiguity is a requirement satisfied by several packages and how it was
// resolved.
type Ambiguity struct {
	Requires string
	Provides []AmbiguousProvide
}

// PackageAmbiguities are the ambiguities of one processed package.
type PackageAmbiguities struct {
	Hash        uint64
	Ambiguities []Ambiguity
}

// BuildSet is the outcome of ResolveBuildSet.
type BuildSet struct {
	// Sources are the top-level source hashes that have requirements, in
	// input order.
	Sources []uint64
	// Deps maps each of Sources to its whole dependency set.
	Deps map[uint64]map[uint64]bool
	// Tree maps every processed package to its direct dependencies.
	Tree map[uint64]map[uint64]bool
	// Ambiguous lists the packages with ambiguous provides, in discovery order.
	Ambiguous []PackageAmbiguities
}

// ResolveBuildSet computes the recursive dependency set of source packages
// (§7): each step matches the requirements of a set of packages to
// providers with Overlap, resolves requirements satisfied by several
// packages the way apt does (the package named like the requirement, else
// the greatest (source name, binary name)) and excludes the losers; the
// recursion adds to every source the dependencies of the packages newly in
// its set until nothing new appears.
func ResolveBuildSet(ctx context.Context, src BuildSource, sources []uint64) (*BuildSet, error) {
	bs := &BuildSet{Deps: map[uint64]map[uint64]bool{}, Tree: map[uint64]map[uint64]bool{}}
	ambIndex := map[uint64]int{}
	step := func(hashes []uint64) ([]uint64, map[uint64]map[uint64]bool, error) {
		order, res, amb, err := resolveStep(ctx, src, hashes)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range amb {
			if i, ok := ambIndex[a.Hash]; ok {
				bs.Ambiguous[i] = a
				continue
			}
			ambIndex[a.Hash] = len(bs.Ambiguous)
			bs.Ambiguous = append(bs.Ambiguous, a)
		}
		for k, v := range res {
			t := bs.Tree[k]
			if t == nil {
				t = map[uint64]bool{}
				bs.Tree[k] = t
			}
			for h := range v {
				t[h] = true
			}
		}
		return order, res, nil
	}
	order, first, err := step(sources)
	if err != nil {
		return nil, err
	}
	frontier := map[uint64]bool{}
	for _, s := range order {
		if _, done := bs.Deps[s]; done {
			continue
		}
		set := map[uint64]bool{}
		for h := range first[s] {
			set[h] = true
			frontier[h] = true
		}
		bs.Sources = append(bs.Sources, s)
		bs.Deps[s] = set
	}
	for len(frontier) > 0 {
		hashes := sortedKeys(frontier)
		order, res, err := step(hashes)
		if err != nil {
			return nil, err
		}
		next := map[uint64]bool{}
		for _, k := range order {
			v := res[k]
			for _, s := range bs.Sources {
				set := bs.Deps[s]
				if !set[k] {
					continue
				}
				for h := range v {
					if !set[h] {
						set[h] = true
						next[h] = true
					}
				}
			}
		}
		frontier = next
	}
	return bs, nil
}

func sortedKeys(m map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// resolveStep is one FindPackagesDependencies step (§7.2, §7.3). It
// returns the packages that have requirements (input order) with their
// dependency sets after exclusions, and the ambiguities found.
func resolveStep(ctx context.Context, src BuildSource, hashes []uint64) ([]uint64, map[uint64]map[uint64]bool, []PackageAmbiguities, error) {
	reqs, err := src.Requires(ctx, hashes)
	if err != nil {
		return nil, nil, nil, err
	}
	var order []uint64
	nameSet := map[string]bool{}
	for _, h := range hashes {
		if len(reqs[h]) == 0 || slices.Contains(order, h) {
			continue
		}
		order = append(order, h)
		for _, r := range reqs[h] {
			nameSet[r.Name] = true
		}
	}
	res := map[uint64]map[uint64]bool{}
	if len(order) == 0 {
		return order, res, nil, nil
	}
	names := make([]string, 0, len(nameSet))
	for n := range nameSet {
		names = append(names, n)
	}
	sort.Strings(names)
	provs, err := src.Providers(ctx, names)
	if err != nil {
		return nil, nil, nil, err
	}
	// Providers by provided name, in hash order for determinism.
	byName := map[string][]uint64{}
	for _, h := range sortedKeys(boolKeys(provs)) {
		for _, p := range provs[h] {
			list := byName[p.Name]
			if len(list) == 0 || list[len(list)-1] != h {
				byName[p.Name] = append(list, h)
			}
		}
	}
	type dup struct {
		name  string
		hashs []uint64
	}
	duplicated := map[uint64][]dup{}
	var dupOrder []uint64
	for _, h := range order {
		set := map[uint64]bool{}
		res[h] = set
		for _, r := range reqs[h] {
			var sat []uint64
			for _, f := range byName[r.Name] {
				for _, p := range provs[f] {
					if p.Name == r.Name && Overlap(p, r) {
						sat = append(sat, f)
						break
					}
				}
			}
			for _, f := range sat {
				set[f] = true
			}
			if len(sat) > 1 {
				if _, ok := duplicated[h]; !ok {
					dupOrder = append(dupOrder, h)
				}
				replaced := false
				for i := range duplicated[h] {
					if duplicated[h][i].name == r.Name {
						duplicated[h][i].hashs = sat
						replaced = true
					}
				}
				if !replaced {
					duplicated[h] = append(duplicated[h], dup{r.Name, sat})
				}
			}
		}
	}
	if len(dupOrder) == 0 {
		return order, res, nil, nil
	}
	// §7.3 apt-like resolution.
	involved := map[uint64]bool{}
	for _, h := range dupOrder {
		for _, d := range duplicated[h] {
			for _, f := range d.hashs {
				involved[f] = true
			}
		}
	}
	rows, err := src.Names(ctx, sortedKeys(involved))
	if err != nil {
		return nil, nil, nil, err
	}
	last := map[string]ProviderName{}
	for _, r := range rows {
		last[r.Name] = r
	}
	ranked := make([]ProviderName, 0, len(last))
	for _, r := range last {
		ranked = append(ranked, r)
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].Source != ranked[j].Source {
			return ranked[i].Source > ranked[j].Source
		}
		return ranked[i].Name > ranked[j].Name
	})
	excluded := map[uint64]bool{}
	var amb []PackageAmbiguities
	for _, h := range dupOrder {
		pa := PackageAmbiguities{Hash: h}
		for _, d := range duplicated[h] {
			inS := map[uint64]bool{}
			for _, f := range d.hashs {
				inS[f] = true
			}
			a := Ambiguity{Requires: d.name}
			chosen := -1
			for _, r := range ranked {
				if !inS[r.Hash] {
					continue
				}
				if r.Name == d.name && chosen < 0 {
					chosen = len(a.Provides)
				}
				a.Provides = append(a.Provides, AmbiguousProvide{Name: r.Name})
			}
			var chosenHash uint64
			hasChosen := false
			if chosen < 0 && len(a.Provides) > 0 {
				chosen = 0
			}
			if chosen >= 0 {
				a.Provides[chosen].Used = true
				for _, r := range ranked {
					if inS[r.Hash] && r.Name == a.Provides[chosen].Name {
						chosenHash, hasChosen = r.Hash, true
						break
					}
				}
			}
			for f := range inS {
				if !hasChosen || f != chosenHash {
					excluded[f] = true
				}
			}
			pa.Ambiguities = append(pa.Ambiguities, a)
		}
		amb = append(amb, pa)
	}
	for _, set := range res {
		for f := range excluded {
			delete(set, f)
		}
	}
	return order, res, amb, nil
}

func boolKeys(m map[uint64][]Dep) map[uint64]bool {
	out := make(map[uint64]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
