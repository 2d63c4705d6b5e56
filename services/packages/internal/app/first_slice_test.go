package app

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/testenv"
)

func TestActivePackagesets(t *testing.T) {
	env := testenv.Get(t)
	body := getOK(t, env, "/api/packageset/active_packagesets")
	names := body["packagesets"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(names)) || len(names) == 0 {
		t.Fatalf("body = %v", body)
	}
	var shown []struct {
		Name string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &shown, sqlActiveBranches)
	want := lookup.List("known_branches")
	if len(shown) > 0 {
		want = nil
		for _, s := range shown {
			want = append(want, s.Name)
		}
	}
	want = lookup.SortBranches(want)
	if len(want) != len(names) || names[0] != want[0] {
		t.Errorf("packagesets = %v, want %v", names, want)
	}
}

func TestAllPkgsets(t *testing.T) {
	env := testenv.Get(t)
	code, body := env.Get(t, "/api/site/all_pkgsets")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	var got []string
	for _, b := range body["branches"].([]any) {
		m := b.(map[string]any)
		got = append(got, m["branch"].(string))
		if fmt.Sprint(m["count"]) != "0" {
			t.Errorf("count = %v", m["count"])
		}
	}
	if len(got) == 0 || got[0] != "sisyphus" || !slices.Contains(got, "p10") {
		t.Errorf("branches = %v", got)
	}
	if code, _ := env.Get(t, "/api/site/all_pkgsets?x=1"); code != 200 {
		// the route parses no arguments: extra ones are ignored, as upstream
		t.Errorf("extra argument: %d", code)
	}
}

func TestPackageInfo(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash    uint64 `ch:"pkg_hash"`
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Arch    string `ch:"pkg_arch"`
		CS      string `ch:"cs"`
	}
	if err := env.DB.Select(context.Background(), "pick", &pick, `SELECT pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_cs AS cs
		FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND pkg_arch = 'x86_64' ORDER BY pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v %v", err, pick)
	}
	p := pick[0]
	body := getOK(t, env, "/api/package/package_info?name="+p.Name+"&branch=sisyphus")
	pk := body["packages"].([]any)[0].(map[string]any)
	if pk["name"] != p.Name || pk["version"] != p.Version || pk["release"] != p.Release || pk["arch"] != p.Arch || pk["sha1"] != p.CS {
		t.Errorf("package = %v, want %+v", pk, p)
	}
	if pk["files"] != nil || pk["changelog"].(map[string]any)["date"] != nil {
		t.Errorf("without full: files/changelog = %v %v", pk["files"], pk["changelog"])
	}
	// Lookup by checksum (the reference's sha1 filter never matched: fixed).
	code, body := env.Get(t, "/api/package/package_info?sha1="+p.CS)
	if code != 200 || body["packages"].([]any)[0].(map[string]any)["name"] != p.Name {
		t.Errorf("by sha1: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/package/package_info?name="+p.Name+"&branch=sisyphus&full=true")
	if code != 200 {
		t.Fatalf("full: %d %v", code, body)
	}
	pk = body["packages"].([]any)[0].(map[string]any)
	if _, ok := pk["changelog"].([]any); !ok {
		t.Errorf("full changelog = %v", pk["changelog"])
	}
	if _, ok := pk["files"].([]any); !ok {
		t.Errorf("full files = %v", pk["files"])
	}
	if dep, ok := pk["depends"].(map[string]any); !ok || len(dep) != 4 {
		t.Errorf("full depends = %v", pk["depends"])
	}
	expectCodes(t, env, map[string]int{
		"/api/package/package_info?name=" + p.Name + "&branch=nope": 400,
		"/api/package/package_info?name=a":                          400,
		"/api/package/package_info?name=bash&nope=1":                400,
		"/api/package/package_info?name=no-such-package-zzz":        404,
	})
}

func TestBranchBinaryPackages(t *testing.T) {
	env := testenv.Get(t)
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := env.DB.Select(context.Background(), "count", &n, `SELECT count() AS n FROM (SELECT DISTINCT pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_arch, pkg_disttag, pkg_buildtime
		FROM Packages WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0) AND pkg_arch = 'noarch')`); err != nil {
		t.Fatal(err)
	}
	code, body := env.Get(t, "/api/export/branch_binary_packages/sisyphus?arch=noarch")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	pkgs := body["packages"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) || uint64(len(pkgs)) != n[0].N {
		t.Errorf("length %v, %d packages, %d in the database", body["length"], len(pkgs), n[0].N)
	}
	prev := ""
	for _, p := range pkgs {
		m := p.(map[string]any)
		if m["arch"] != "noarch" || m["source"] == "" {
			t.Errorf("package %v", m)
		}
		if key := m["name"].(string); key < prev {
			t.Errorf("not ordered by name: %s after %s", key, prev)
		} else {
			prev = key
		}
	}
	if code, body := env.Get(t, "/api/export/branch_binary_packages/p5"); code != 400 || len(body["validation_message"].([]any)) != 2 {
		t.Errorf("unknown branch: %d %v", code, body)
	}
	if code, _ := env.Get(t, "/api/export/branch_binary_packages/sisyphus?arch=bogus"); code != 400 {
		t.Errorf("bad arch: %d", code)
	}
}
