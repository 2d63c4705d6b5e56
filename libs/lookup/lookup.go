// Package lookup holds the reference's lookup tables (known branches,
// architectures, image editions, ...) and validator catalogue, as recorded in
// the contract's lookup.json (copied here as data and embedded).
package lookup

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed lookup.json
var raw []byte

// ValidatorSpec describes one named parameter validator of the reference.
type ValidatorSpec struct {
	Type      string   `json:"type"`
	Pattern   string   `json:"pattern"`
	Format    string   `json:"format"`
	EnumRef   string   `json:"enum_ref"`
	EnumExtra []string `json:"enum_extra"`
	Compare   string   `json:"enum_compare"`
	Min       *int64   `json:"min"`
	Max       *int64   `json:"max"`
}

type table struct {
	Source string          `json:"source"`
	Values json.RawMessage `json:"values"`
}

var data struct {
	Tables          map[string]table         `json:"tables"`
	BranchSortOrder table                    `json:"branch_sorting_order"`
	Validators      map[string]ValidatorSpec `json:"validators"`
}

func init() {
	if err := json.Unmarshal(raw, &data); err != nil {
		panic(fmt.Sprintf("lookup: embedded lookup.json: %v", err))
	}
}

// List returns a table whose values are a list of strings; it panics on an
// unknown name, which is a programming error caught by tests.
func List(name string) []string {
	t, ok := data.Tables[name]
	if !ok {
		panic("lookup: unknown table " + name)
	}
	var out []string
	if err := json.Unmarshal(t.Values, &out); err != nil {
		panic(fmt.Sprintf("lookup: table %s is not a list of strings: %v", name, err))
	}
	return out
}

// Text returns a table whose value is a single string.
func Text(name string) string {
	t, ok := data.Tables[name]
	if !ok {
		panic("lookup: unknown table " + name)
	}
	var s string
	if err := json.Unmarshal(t.Values, &s); err != nil {
		panic(fmt.Sprintf("lookup: table %s is not a string: %v", name, err))
	}
	return s
}

// Map returns a table whose values map names to lists of strings.
func Map(name string) map[string][]string {
	t, ok := data.Tables[name]
	if !ok {
		panic("lookup: unknown table " + name)
	}
	out := map[string][]string{}
	if err := json.Unmarshal(t.Values, &out); err != nil {
		panic(fmt.Sprintf("lookup: table %s is not a map of lists: %v", name, err))
	}
	return out
}

// Has reports whether name is a table.
func Has(name string) bool { _, ok := data.Tables[name]; return ok }

// Validator returns the named validator's description.
func Validator(name string) (ValidatorSpec, bool) {
	v, ok := data.Validators[name]
	return v, ok
}

// BranchSortingOrder is the reference's display order of branches.
func BranchSortingOrder() []string {
	var out []string
	_ = json.Unmarshal(data.BranchSortOrder.Values, &out)
	return out
}

// SortBranches orders names as the reference does: known branches in
// BranchSortingOrder first, then the rest in descending code-point order,
// duplicates removed.
func SortBranches(names []string) []string {
	seen := map[string]bool{}
	var known, rest []string
	order := BranchSortingOrder()
	in := map[string]bool{}
	for _, n := range names {
		in[n] = true
	}
	for _, b := range order {
		if in[b] && !seen[b] {
			known = append(known, b)
			seen[b] = true
		}
	}
	for _, n := range names {
		if !seen[n] {
			rest = append(rest, n)
			seen[n] = true
		}
	}
	slices.Sort(rest)
	slices.Reverse(rest)
	return append(known, rest...)
}
