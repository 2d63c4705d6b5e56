package validate

import (
	"testing"
)

func TestNamedValidators(t *testing.T) {
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"pkg_name_type", "python3-module-foo", true},
		{"pkg_name_type", "gcc++", true},
		{"pkg_name_type", "пакет", true}, // Python's \w is Unicode-aware
		{"pkg_name_type", "a", false},
		{"pkg_name_type", "foo bar", false},
		{"pkg_name_type", "foo\n", false},
		{"pkg_name_type", "foo;drop", false},
		{"branch_name_type", "sisyphus", true},
		{"branch_name_type", "Sisyphus", false},
		{"arch_name_type", "x86_64", true},
		{"arch_name_type", "srpm", false},
		{"arch_name_type_ext", "srpm", true},
		{"task_state_type", "done", true},
		{"task_state_type", "nope", false},
		{"checksum_type", "ABCdef0123", true},
		{"checksum_type", "xyz", false},
		{"positive_integer_type", "12", true},
		{"positive_integer_type", "-1", false},
		{"positive_integer_type", "1.5", false},
		{"task_id_type", "0", false},
		{"task_id_type", "4294967295", true},
		{"task_id_type", "4294967296", false},
		{"date_string_type", "2024-01-31", true},
		{"date_string_type", "2024-13-01", false},
		{"cve_id_type", "CVE-2024-12345", true},
		{"cve_id_type", "CVE-24-1", false},
		{"ghsa_id_type", "GHSA-xxxx-2345-6789", true},
		{"vuln_id_type", "BDU:2024-00001", true},
		{"packager_name_type", "Ivan A. Melnikov", true},
		{"uuid_type", "8a8a8a8a-1111-2222-3333-444455556666", true},
		{"uuid_type", "8A8A8A8A-1111-2222-3333-444455556666", false},
	}
	for _, c := range cases {
		f, err := Named(c.name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s(%q): err = %v, want ok=%v", c.name, c.in, err, c.ok)
		}
	}
	if _, err := Named("no_such_type"); err == nil {
		t.Error("unknown validator accepted")
	}
}

func TestEveryCatalogueValidatorCompiles(t *testing.T) {
	for _, name := range []string{"file_name_wc_type", "general_name_type", "password_type", "image_tag_type", "dp_name_type", "file_search_type", "license_string_type", "sort_type", "errata_id_type", "img_flavor_type"} {
		if _, err := Named(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBoolAndInt(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "On": true, "1": true, "false": false, "": false, "0": false} {
		if got, err := Bool(in); err != nil || got != want {
			t.Errorf("Bool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := Bool("yes"); err == nil {
		t.Error("Bool(yes) accepted")
	}
	for in, want := range map[string]int64{"12": 12, " +3 ": 3, "-4": -4, "1_000": 1000} {
		if got, err := Int(in); err != nil || got != want {
			t.Errorf("Int(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1.0", "abc", "1__0", "_1"} {
		if _, err := Int(in); err == nil {
			t.Errorf("Int(%q) accepted", in)
		}
	}
}
