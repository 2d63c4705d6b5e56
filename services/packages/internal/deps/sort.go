package deps

import "fmt"

// SortResult is the outcome of SortDependencies.
type SortResult struct {
	// Sorted lists the names so that dependencies come before dependents.
	Sorted []string
	// Cycles maps a name to the names it has a dependency cycle with, in
	// discovery order (the reference's circle_deps[name].keys()).
	Cycles map[string][]string
}

// SortDependencies orders packages topologically (§6). names gives the
// packages in their input order; deps maps each to the names it depends on.
// The lists of deps are modified in place: the edge of a two-package cycle
// is removed from the package with the shorter (or equal) list, as the
// reference does, and callers read the reduced lists afterwards. A name in a
// list that is not among names is an error.
func SortDependencies(names []string, deps map[string][]string) (SortResult, error) {
	res := SortResult{Cycles: map[string][]string{}}
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	// 1. two-package cycles, with the partners' original list lengths.
	type partner struct {
		name string
		size int
	}
	var circleOrder []string
	circle := map[string][]partner{}
	for _, p := range names {
		for _, d := range deps[p] {
			if _, ok := index[d]; !ok || d == p || !contains(deps[d], p) {
				continue
			}
			if _, ok := circle[p]; !ok {
				circleOrder = append(circleOrder, p)
			}
			found := false
			for i := range circle[p] {
				if circle[p][i].name == d {
					circle[p][i].size = len(deps[d])
					found = true
				}
			}
			if !found {
				circle[p] = append(circle[p], partner{d, len(deps[d])})
			}
		}
	}
	// 2. break them.
	for _, p := range circleOrder {
		for _, d := range circle[p] {
			back := 0
			for _, q := range circle[d.name] {
				if q.name == p {
					back = q.size
				}
			}
			if d.size >= back {
				deps[d.name] = removeFirst(deps[d.name], p)
			}
		}
		for _, d := range circle[p] {
			res.Cycles[p] = append(res.Cycles[p], d.name)
		}
	}
	// 3.-5. graph: edge dependency -> dependent, in the reference's order.
	var revOrder []string
	rev := map[string][]string{}
	for _, p := range names {
		for _, d := range deps[p] {
			if _, ok := rev[d]; !ok {
				revOrder = append(revOrder, d)
			}
			rev[d] = append(rev[d], p)
		}
	}
	n := len(names)
	edges := make([][]int, n+1)
	for _, d := range revOrder {
		from, ok := index[d]
		if !ok {
			return res, fmt.Errorf("deps: %q is not among the sorted packages", d)
		}
		for _, k := range rev[d] {
			edges[from] = append(edges[from], index[k])
		}
	}
	// 6. reverse DFS finish order.
	visited := make([]bool, n+1)
	finish := make([]int, 0, n+1)
	var visit func(v int)
	visit = func(v int) {
		visited[v] = true
		for _, w := range edges[v] {
			if !visited[w] {
				visit(w)
			}
		}
		finish = append(finish, v)
	}
	for v := 0; v <= n; v++ {
		if !visited[v] {
			visit(v)
		}
	}
	for i := len(finish) - 1; i >= 0; i-- {
		if finish[i] != n {
			res.Sorted = append(res.Sorted, names[finish[i]])
		}
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func removeFirst(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}
