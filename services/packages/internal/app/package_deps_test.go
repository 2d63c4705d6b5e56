package app

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"altrepo/services/packages/internal/testenv"
)

// pkgDepsTMisconflictSubject finds a binary of sisyphus (default archs)
// sharing a non-directory file with a binary of another name.
func pkgDepsTMisconflictSubject(t *testing.T, env *testenv.Env) (input string, others []string) {
	pkgs := depsTQuery(t, env, `SELECT pkg_hash, pkg_name FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)
		  AND pkg_arch IN ('x86_64', 'i586', 'aarch64', 'armh', 'ppc64le', 'noarch') AND NOT (pkg_name LIKE '%-debuginfo')`)
	name := map[any]string{}
	for _, p := range pkgs {
		name[p["pkg_hash"]] = p["pkg_name"].(string)
	}
	files := depsTQuery(t, env, `SELECT pkg_hash, file_hashname FROM Files WHERE file_class != 'directory'
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)`)
	owners := map[any][]string{}
	for _, f := range files {
		if n, ok := name[f["pkg_hash"]]; ok && !slices.Contains(owners[f["file_hashname"]], n) {
			owners[f["file_hashname"]] = append(owners[f["file_hashname"]], n)
		}
	}
	shared := map[string][]string{}
	for _, ns := range owners {
		for _, a := range ns {
			for _, b := range ns {
				if a != b && !slices.Contains(shared[a], b) {
					shared[a] = append(shared[a], b)
				}
			}
		}
	}
	var names []string
	for n := range shared {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		for _, n := range name {
			names = append(names, n)
		}
		sort.Strings(names)
		return names[0], nil
	}
	return names[0], shared[names[0]]
}

func TestPackageMisconflict(t *testing.T) {
	env := testenv.Get(t)
	input, others := pkgDepsTMisconflictSubject(t, env)
	body := getStatus(t, env, 200, "/api/package/misconflict?branch=sisyphus&packages="+url.QueryEscape(input))
	got := objectList(t, body, "conflicts")
	if depsTStr(body["length"]) != fmt.Sprint(len(got)) {
		t.Errorf("length %v for %d", body["length"], len(got))
	}
	t.Logf("%s shares files with %v; %d misconflicts", input, others, len(got))
	for _, c := range got {
		if c["input_package"] != input || !slices.Contains(others, c["conflict_package"].(string)) {
			t.Errorf("conflict %v", c)
		}
		if len(c["archs"].([]any)) == 0 || len(c["files_with_conflict"].([]any)) == 0 {
			t.Errorf("conflict without archs or files: %v", c)
		}
		for _, f := range c["files_with_conflict"].([]any) {
			rows := depsTQuery(t, env, `SELECT count() AS cnt FROM Files WHERE file_hashname = murmurHash3_64(?)
				AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_name IN (?, ?))`,
				f, input, c["conflict_package"])
			if fmt.Sprint(rows[0]["cnt"]) == "0" {
				t.Errorf("file %v is not in %s / %v", f, input, c["conflict_package"])
			}
		}
		ver := depsTQuery(t, env, `SELECT pkg_version FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_name = ?`, c["conflict_package"])
		if len(ver) == 0 || ver[0]["pkg_version"] != c["version"] {
			t.Errorf("version of %v = %v, want %v", c["conflict_package"], c["version"], ver)
		}
	}
	getStatus(t, env, 400, "/api/package/misconflict?branch=nosuch&packages="+url.QueryEscape(input))
	getStatus(t, env, 400, "/api/package/misconflict?branch=sisyphus&packages="+url.QueryEscape(input)+"&archs=nosucharch")
	nf := getStatus(t, env, 404, "/api/package/misconflict?branch=sisyphus&packages=no-such-pkg&archs=x86_64")
	if nf["message"] != "Packages ['no-such-pkg'] not in package set 'sisyphus' for archs ['x86_64', 'noarch']" {
		t.Errorf("404 body = %v", nf)
	}
	nf = getStatus(t, env, 404, "/api/package/misconflict?branch=sisyphus&packages="+url.QueryEscape(input)+",no-such-pkg")
	if msg := nf["message"].(string); !strings.HasPrefix(msg, "Packages ({'no-such-pkg'}) not in package set 'sisyphus' for archs ['x86_64', 'i586'") {
		t.Errorf("404 body = %v", nf)
	}
}

func TestPackageBuildDependencySet(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1
		AND pkg_hash IN (SELECT pkg_hash FROM Depends WHERE toString(dp_type) = 'require' AND dp_name IN (
			SELECT dp_name FROM Depends WHERE toString(dp_type) = 'provide'
			  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)))
		ORDER BY pkg_name LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no source with satisfiable build requires")
	}
	name := rows[0]["pkg_name"].(string)
	body := getStatus(t, env, 200, "/api/package/build_dependency_set?branch=sisyphus&packages="+url.QueryEscape(name))
	pkgs := objectList(t, body, "packages")
	if len(pkgs) != 1 || pkgs[0]["package"] != name || depsTStr(body["length"]) != "1" {
		t.Fatalf("packages = %v", pkgs)
	}
	depends := pkgs[0]["depends"].([]any)
	if len(depends) == 0 || depsTStr(pkgs[0]["length"]) != fmt.Sprint(len(depends)) {
		t.Errorf("depends = %v (length %v)", depends, pkgs[0]["length"])
	}
	var names []string
	for _, d := range depends {
		dm := d.(map[string]any)
		names = append(names, dm["name"].(string))
		in := depsTQuery(t, env, `SELECT pkg_version, pkg_release FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND pkg_name = ?`, dm["name"])
		if len(in) == 0 || in[0]["pkg_version"] != dm["version"] || in[0]["pkg_release"] != dm["release"] {
			t.Errorf("dependency %v is not a sisyphus binary (%v)", dm, in)
		}
		for _, a := range dm["archs"].([]any) {
			if a != "x86_64" && a != "noarch" {
				t.Errorf("arch %v of %v", a, dm["name"])
			}
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("depends not sorted by name: %v", names)
	}
	for _, a := range objectList(t, body, "ambiguous_dependencies") {
		for _, p := range a["ambiguous_provides"].([]any) {
			pm := p.(map[string]any)
			used := 0
			for _, x := range pm["provides"].([]any) {
				if x.(map[string]any)["used"] == true {
					used++
				}
			}
			if used != 1 || depsTStr(pm["provides_count"]) != fmt.Sprint(len(pm["provides"].([]any))) {
				t.Errorf("ambiguity %v", pm)
			}
		}
	}
	getStatus(t, env, 400, "/api/package/build_dependency_set?branch=sisyphus&packages="+url.QueryEscape(name)+"&arch=nosucharch")
	getStatus(t, env, 400, "/api/package/build_dependency_set?branch=sisyphus")
	nf := getStatus(t, env, 404, "/api/package/build_dependency_set?branch=sisyphus&packages=no-such-src,other-src")
	if nf["message"] != "Source packages ['no-such-src', 'other-src'] not found in package set 'sisyphus'" {
		t.Errorf("404 body = %v", nf)
	}
}

func TestPackageWhatDependsSrc(t *testing.T) {
	env := testenv.Get(t)
	name := depsTWhatDependsSubject(t, env)
	body := getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&packages="+url.QueryEscape(name))
	got := objectList(t, body, "dependencies")
	if depsTStr(body["length"]) != fmt.Sprint(len(got)) || len(got) < 2 {
		t.Fatalf("length %v for %d: %v", body["length"], len(got), got)
	}
	pos := map[string]int{}
	for i, g := range got {
		pos[g["name"].(string)] = i
		if g["name"] == name {
			if depsTStr(g["depth"]) != "0" {
				t.Errorf("input depth %v", g["depth"])
			}
		} else if depsTStr(g["depth"]) != "1" {
			t.Errorf("depth of %v = %v", g["name"], g["depth"])
		}
		src := depsTQuery(t, env, `SELECT pkg_version, pkg_release FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND pkg_name = ?`, g["name"])
		if len(src) == 0 || src[0]["pkg_version"] != g["version"] || g["branch"] != "sisyphus" {
			t.Errorf("element %v is not a sisyphus source (%v)", g, src)
		}
		if !strings.HasSuffix(g["sourcerpm"].(string), ".src.rpm") {
			t.Errorf("sourcerpm %v", g["sourcerpm"])
		}
	}
	if _, ok := pos[name]; !ok {
		t.Fatalf("input %s missing from %v", name, pos)
	}
	// Dependencies come first, unless they form a cycle.
	for _, g := range got {
		for _, r := range g["requires"].([]any) {
			if p, ok := pos[r.(string)]; ok && p > pos[g["name"].(string)] && len(g["cycle"].([]any)) == 0 {
				t.Errorf("%v listed before its dependency %v", g["name"], r)
			}
		}
	}
	// use_last_tasks: same state in the test data (no DONE task after the snapshots).
	lt := getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&use_last_tasks=true&packages="+url.QueryEscape(name))
	if l := objectList(t, lt, "dependencies"); len(l) != len(got) {
		t.Errorf("use_last_tasks: %d elements, want %d", len(l), len(got))
	}
	// archs echo gains noarch.
	b2 := getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&archs=x86_64&packages="+url.QueryEscape(name))
	if archs := b2["request_args"].(map[string]any)["archs"].([]any); len(archs) != 2 || archs[1] != "noarch" {
		t.Errorf("request_args.archs = %v", archs)
	}
	// finite_package keeps the names nobody depends on.
	getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&finite_package=true&packages="+url.QueryEscape(name))
	// leaf: the input itself is always a key.
	leaf := getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&packages="+url.QueryEscape(name)+"&leaf="+url.QueryEscape(name))
	if l := objectList(t, leaf, "dependencies"); len(l) != 1 || l[0]["name"] != name {
		t.Errorf("leaf answer = %v", l)
	}
	v := getStatus(t, env, 400, "/api/package/what_depends_src?branch=sisyphus&depth=7&packages="+url.QueryEscape(name))
	if msgs, _ := v["validation_message"].([]any); len(msgs) != 1 || msgs[0] != "dependency depth should be in range (1...5)" {
		t.Errorf("400 body = %v", v)
	}
	v = getStatus(t, env, 400, "/api/package/what_depends_src?branch=sisyphus&filter_by_source=abc&filter_by_package=def&packages="+url.QueryEscape(name))
	if msgs, _ := v["validation_message"].([]any); len(msgs) != 1 || msgs[0] != "Parameters 'filter_by_src' and 'filter_by_package' can't be used together" {
		t.Errorf("400 body = %v", v)
	}
	nf := getStatus(t, env, 404, "/api/package/what_depends_src?branch=sisyphus&packages="+url.QueryEscape(name)+"&leaf=no-such-leaf")
	if nf["message"] != fmt.Sprintf("Package no-such-leaf not in dependencies list for ['%s']", name) {
		t.Errorf("404 body = %v", nf)
	}
	// Nothing depends on an unknown package: empty answer with the
	// reference's object of nulls.
	empty := getStatus(t, env, 200, "/api/package/what_depends_src?branch=sisyphus&packages=no-such-src")
	if depsTStr(empty["length"]) != "0" {
		t.Errorf("empty answer = %v", empty)
	}
}
