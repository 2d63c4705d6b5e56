package lookup

import (
	"slices"
	"testing"
)

func TestTables(t *testing.T) {
	if b := List("known_branches"); !slices.Contains(b, "sisyphus") || !slices.Contains(b, "p10") {
		t.Errorf("known_branches = %v", b)
	}
	if a := List("default_archs"); len(a) != 6 || a[0] != "x86_64" {
		t.Errorf("default_archs = %v", a)
	}
	if Text("beehive_base") == "" {
		t.Error("beehive_base empty")
	}
	if m := Map("branch_wds_default_archs"); len(m["sisyphus_e2k"]) == 0 {
		t.Errorf("branch_wds_default_archs = %v", m)
	}
	if v, ok := Validator("pkg_name_type"); !ok || v.Pattern == "" {
		t.Errorf("pkg_name_type = %+v", v)
	}
}

func TestSortBranches(t *testing.T) {
	got := SortBranches([]string{"zz", "p10", "sisyphus", "aa", "p10", "p9"})
	want := []string{"sisyphus", "p10", "p9", "zz", "aa"}
	if !slices.Equal(got, want) {
		t.Errorf("SortBranches = %v, want %v", got, want)
	}
}
