package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"altrepo/services/packages/internal/testenv"
)

// depsTQuery runs a discovery query and returns its rows as maps.
func depsTQuery(t *testing.T, env *testenv.Env, sql string, args ...any) []map[string]any {
	t.Helper()
	recs, err := env.DB.Records(context.Background(), "test_discovery", sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out := make([]map[string]any, 0, len(recs))
	for _, rec := range recs {
		m := map[string]any{}
		for _, k := range depsTColumns(sql) {
			v, _ := rec.Get(k)
			m[k] = v
		}
		out = append(out, m)
	}
	return out
}

// depsTColumns extracts the output aliases of a discovery query (each
// selected expression must be a plain column or end with "AS alias").
func depsTColumns(sql string) []string {
	s := sql[strings.Index(strings.ToUpper(sql), "SELECT")+6:]
	if strings.HasPrefix(strings.TrimSpace(strings.ToUpper(s)), "DISTINCT") {
		s = strings.TrimSpace(s)[8:]
	}
	from := strings.Index(strings.ToUpper(s), " FROM ")
	s = s[:from]
	var cols []string
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		part := strings.TrimSpace(s[start:i])
		if j := strings.LastIndex(strings.ToUpper(part), " AS "); j >= 0 {
			part = strings.TrimSpace(part[j+4:])
		}
		cols = append(cols, part)
		start = i + 1
	}
	return cols
}

func depsTStr(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func TestDependenciesBinaryPackage(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT pkg_hash, count() AS cnt FROM Depends
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)
		GROUP BY pkg_hash ORDER BY cnt DESC, pkg_hash LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no dependencies in the test data")
	}
	hash := depsTStr(rows[0]["pkg_hash"])
	body := getStatus(t, env, 200, "/api/dependencies/binary_package_dependencies/"+hash)
	if body["request_args"] != hash {
		t.Errorf("request_args = %v", body["request_args"])
	}
	want := depsTQuery(t, env, `SELECT dp_name, dp_version, dp_flag, toString(dp_type) AS dp_type FROM Depends WHERE pkg_hash = ?
		ORDER BY dp_name, dp_version, dp_type, dp_flag`, rows[0]["pkg_hash"])
	got := objectList(t, body, "dependencies")
	if depsTStr(body["length"]) != fmt.Sprint(len(want)) || len(got) != len(want) {
		t.Fatalf("length %v, %d elements, want %d", body["length"], len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g["name"] != w["dp_name"] || g["version"] != w["dp_version"] || g["type"] != w["dp_type"] || depsTStr(g["flag"]) != fmt.Sprint(w["dp_flag"]) {
			t.Errorf("element %d = %v, want %v", i, g, w)
		}
		if _, ok := g["flag_decoded"].([]any); !ok {
			t.Errorf("flag_decoded = %v", g["flag_decoded"])
		}
	}
	nf := getStatus(t, env, 404, "/api/dependencies/binary_package_dependencies/1")
	if nf["message"] != "No data found in database for given parameters" || depsTStr(nf["details"].(map[string]any)["args"]) != "1" {
		t.Errorf("404 body = %v", nf)
	}
	getStatus(t, env, 404, "/api/dependencies/binary_package_dependencies/abc")
}

func TestDependenciesPackagesByDependency(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT dp_name, count() AS cnt FROM last_depends
		WHERE pkgset_name = 'sisyphus' AND toString(dp_type) = 'require' AND match(dp_name, '^[A-Za-z0-9_./()+:-]{2,}$')
		GROUP BY dp_name ORDER BY cnt DESC, dp_name LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no requires in the test data")
	}
	name := rows[0]["dp_name"].(string)
	body := getStatus(t, env, 200, "/api/dependencies/packages_by_dependency?branch=sisyphus&dp_type=require&dp_name="+url.QueryEscape(name))
	want := depsTQuery(t, env, `SELECT DISTINCT pkg_hash FROM Depends WHERE dp_name = ? AND toString(dp_type) = 'require'
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')`, name)
	got := objectList(t, body, "packages")
	if len(got) != len(want) {
		t.Fatalf("%d packages, want %d", len(got), len(want))
	}
	var names []string
	for _, p := range got {
		names = append(names, p["name"].(string))
		if !slices.Contains(p["dp_types"].([]any), any("require")) {
			t.Errorf("dp_types = %v", p["dp_types"])
		}
		if depsTStr(p["sourcepackage"]) == "1" && p["arch"] != "source" {
			t.Errorf("source arch = %v", p["arch"])
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("packages not ordered by name: %v", names)
	}
	branches := objectList(t, body, "branches")
	counts := depsTQuery(t, env, `SELECT pkgset_name, count(pkg_hash) AS cnt FROM last_depends WHERE dp_name = ? AND toString(dp_type) = 'require' GROUP BY pkgset_name`, name)
	if len(branches) != len(counts) || branches[0]["branch"] != "sisyphus" {
		t.Errorf("branches = %v, want %v", branches, counts)
	}
	for _, c := range counts {
		for _, b := range branches {
			if b["branch"] == c["pkgset_name"] && depsTStr(b["count"]) != fmt.Sprint(c["cnt"]) {
				t.Errorf("count of %v = %v, want %v", b["branch"], b["count"], c["cnt"])
			}
		}
	}
	// No DONE task follows the snapshots of the test data: the last state
	// is the snapshot.
	last := getStatus(t, env, 200, "/api/dependencies/packages_by_dependency?branch=sisyphus&dp_type=require&last_state=true&dp_name="+url.QueryEscape(name))
	if got := objectList(t, last, "packages"); len(got) != len(want) {
		t.Errorf("last_state: %d packages, want %d", len(got), len(want))
	}
	getStatus(t, env, 400, "/api/dependencies/packages_by_dependency?branch=nosuchbranch&dp_name=foo")
	getStatus(t, env, 400, "/api/dependencies/packages_by_dependency?branch=sisyphus&dp_name=foo&dp_type=bad")
	nf := getStatus(t, env, 404, "/api/dependencies/packages_by_dependency?branch=sisyphus&dp_name=no-such-dependency-xyz")
	if nf["message"] != "No data found in database for given parameters" {
		t.Errorf("404 body = %v", nf)
	}
}

func TestDependenciesSourcePackage(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT pkg_hash, pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1
		AND pkg_hash IN (SELECT pkg_hash FROM Depends WHERE toString(dp_type) = 'require') ORDER BY pkg_name LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no source with build requires")
	}
	hash := depsTStr(rows[0]["pkg_hash"])
	body := getStatus(t, env, 200, "/api/dependencies/source_package_dependencies/"+hash+"?branch=sisyphus")
	info := body["package_info"].(map[string]any)
	if info["name"] != rows[0]["pkg_name"] {
		t.Errorf("package_info = %v", info)
	}
	reqs := depsTQuery(t, env, `SELECT dp_name FROM Depends WHERE pkg_hash = ? AND toString(dp_type) = 'require'`, rows[0]["pkg_hash"])
	deps := objectList(t, body, "dependencies")
	if len(deps) != len(reqs) {
		t.Errorf("%d dependencies, want %d", len(deps), len(reqs))
	}
	for _, d := range deps {
		if d["type"] != "require" {
			t.Errorf("dependency %v", d)
		}
	}
	prov := objectList(t, body, "provided_by_src")
	if depsTStr(body["length"]) != fmt.Sprint(len(prov)) {
		t.Errorf("length %v for %d", body["length"], len(prov))
	}
	for _, p := range prov {
		in := depsTQuery(t, env, `SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND toString(pkg_hash) = ?`, p["pkghash"])
		if len(in) != 1 || in[0]["pkg_name"] != p["name"] {
			t.Errorf("provided_by_src %v not a sisyphus source", p)
		}
	}
	v := getStatus(t, env, 400, "/api/dependencies/source_package_dependencies/"+hash+"?branch=sisyphus&depth=2")
	if msgs, _ := v["validation_message"].([]any); len(msgs) != 1 || msgs[0] != "Depth level other than 1 is not supported yet" {
		t.Errorf("400 body = %v", v)
	}
	getStatus(t, env, 400, "/api/dependencies/source_package_dependencies/"+hash+"?branch=nosuch")
	getStatus(t, env, 404, "/api/dependencies/source_package_dependencies/1?branch=sisyphus")
}

func TestDependenciesFastLookup(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT dp_name FROM last_depends WHERE pkgset_name = 'sisyphus' AND match(dp_name, '^[a-z]{4}') ORDER BY dp_name LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no dependency names")
	}
	part := strings.ToUpper(rows[0]["dp_name"].(string)[:3])
	body := getStatus(t, env, 200, "/api/dependencies/fast_lookup?branch=sisyphus&limit=3&dp_name="+part)
	got := objectList(t, body, "dependencies")
	if len(got) == 0 || len(got) > 3 {
		t.Fatalf("%d results", len(got))
	}
	for _, g := range got {
		if !strings.Contains(strings.ToUpper(g["dp_name"].(string)), part) {
			t.Errorf("%v does not contain %s", g, part)
		}
	}
	all := depsTQuery(t, env, `SELECT DISTINCT dp_name FROM last_depends WHERE pkgset_name = 'sisyphus' AND positionCaseInsensitiveUTF8(dp_name, ?) > 0 ORDER BY dp_name LIMIT 3`, part)
	for i := range all {
		if got[i]["dp_name"] != all[i]["dp_name"] {
			t.Errorf("result %d = %v, want %v", i, got[i], all[i])
		}
	}
	v := getStatus(t, env, 400, "/api/dependencies/fast_lookup?branch=sisyphus&limit=6000&dp_name="+part)
	if msgs, _ := v["validation_message"].([]any); len(msgs) != 1 || msgs[0] != "limit should be in range 1 to 5000" {
		t.Errorf("400 body = %v", v)
	}
	nf := getStatus(t, env, 404, "/api/dependencies/fast_lookup?branch=sisyphus&dp_name=zzqqxxnothing")
	if nf["message"] != "No data not found in database" {
		t.Errorf("404 body = %v", nf)
	}
}

// depsTWhatDependsSubject finds a source of sisyphus whose x86_64/noarch
// binaries provide something a package (x86_64, noarch or source) of
// another source of sisyphus requires.
func depsTWhatDependsSubject(t *testing.T, env *testenv.Env) string {
	pkgs := depsTQuery(t, env, `SELECT pkg_hash, pkg_name, toString(pkg_arch) AS arch, pkg_sourcepackage, pkg_srcrpm_hash FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus') AND pkg_arch IN ('x86_64', 'noarch', 'src')`)
	srcOf := map[any]any{}
	srcName := map[any]string{}
	binary := map[any]bool{}
	for _, p := range pkgs {
		srcOf[p["pkg_hash"]] = p["pkg_srcrpm_hash"]
		if fmt.Sprint(p["pkg_sourcepackage"]) == "1" {
			srcOf[p["pkg_hash"]] = p["pkg_hash"]
			srcName[p["pkg_hash"]] = p["pkg_name"].(string)
		} else {
			binary[p["pkg_hash"]] = true
		}
	}
	provides := depsTQuery(t, env, `SELECT pkg_hash, dp_name FROM Depends WHERE toString(dp_type) = 'provide'
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0)`)
	providers := map[string][]any{}
	for _, p := range provides {
		if binary[p["pkg_hash"]] {
			providers[p["dp_name"].(string)] = append(providers[p["dp_name"].(string)], srcOf[p["pkg_hash"]])
		}
	}
	requires := depsTQuery(t, env, `SELECT pkg_hash, dp_name FROM Depends WHERE toString(dp_type) = 'require'
		AND dp_version = '' AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')`)
	var names []string
	for _, q := range requires {
		s, ok := srcOf[q["pkg_hash"]]
		if !ok {
			continue
		}
		for _, ps := range providers[q["dp_name"].(string)] {
			if ps != s && srcName[ps] != "" && srcName[ps] != srcName[s] {
				names = append(names, srcName[ps])
			}
		}
	}
	if len(names) == 0 {
		t.Skip("no reverse dependencies in the test data")
	}
	sort.Strings(names)
	return names[0]
}

func TestDependenciesWhatDependsSrc(t *testing.T) {
	env := testenv.Get(t)
	name := depsTWhatDependsSubject(t, env)
	body := getStatus(t, env, 200, "/api/dependencies/what_depends_src?branch=sisyphus&name="+url.QueryEscape(name))
	got := objectList(t, body, "dependencies")
	if depsTStr(body["length"]) != fmt.Sprint(len(got)) || len(got) == 0 {
		t.Errorf("length %v for %d", body["length"], len(got))
	}
	for _, g := range got {
		if g["name"] == name || g["branch"] != "sisyphus" {
			t.Errorf("element %v", g)
		}
		for _, d := range g["depends"].([]any) {
			dm := d.(map[string]any)
			req, prov := dm["requires"].(map[string]any), dm["provides"].(map[string]any)
			if req["dp_name"] != prov["dp_name"] {
				t.Errorf("pair names differ: %v", dm)
			}
			src := depsTQuery(t, env, `SELECT pkg_name FROM Packages WHERE pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE toString(pkg_hash) = ?) LIMIT 1`, prov["pkghash"])
			if len(src) != 1 || src[0]["pkg_name"] != name {
				t.Errorf("provider %v is not a binary of %s", prov, name)
			}
		}
	}
	getStatus(t, env, 400, "/api/dependencies/what_depends_src?branch=sisyphus&name="+url.QueryEscape(name)+"&dp_type=bad")
	getStatus(t, env, 400, "/api/dependencies/what_depends_src?branch=sisyphus&name="+url.QueryEscape(name)+"&unknown=1")
	getStatus(t, env, 404, "/api/dependencies/what_depends_src?branch=sisyphus&name=no-such-package-xyz")
}

func TestDependenciesBackportHelper(t *testing.T) {
	env := testenv.Get(t)
	rows := depsTQuery(t, env, `SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0
		AND pkg_hash IN (SELECT pkg_hash FROM Depends WHERE toString(dp_type) = 'require' AND NOT (dp_name LIKE 'rpmlib%') AND NOT (dp_name LIKE '/%'))
		AND pkg_name NOT IN (SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'p11')
		ORDER BY pkg_name LIMIT 1`)
	if len(rows) == 0 {
		t.Skip("no backport subject")
	}
	name := rows[0]["pkg_name"].(string)
	body := getStatus(t, env, 200, "/api/dependencies/backport_helper?from_branch=sisyphus&into_branch=p11&packages_names="+url.QueryEscape(name))
	levels := objectList(t, body, "dependencies")
	if depsTStr(body["maxdepth"]) != fmt.Sprint(len(levels)) {
		t.Errorf("maxdepth %v for %d levels", body["maxdepth"], len(levels))
	}
	total := 0
	for i, lv := range levels {
		if depsTStr(lv["depth"]) != fmt.Sprint(len(levels)-i) {
			t.Errorf("level %d depth %v", i, lv["depth"])
		}
		for _, p := range lv["packages"].([]any) {
			pm := p.(map[string]any)
			total++
			if pm["arch"] == "src" {
				t.Errorf("source package in levels: %v", pm)
			}
			in := depsTQuery(t, env, `SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_name = ?`, pm["name"])
			if len(in) == 0 {
				t.Errorf("%v is not in sisyphus", pm)
			}
		}
	}
	if depsTStr(body["count"]) != fmt.Sprint(total) {
		t.Errorf("count %v for %d packages", body["count"], total)
	}
	v := getStatus(t, env, 400, "/api/dependencies/backport_helper?from_branch=p9&into_branch=sisyphus&packages_names="+url.QueryEscape(name))
	if msgs, _ := v["validation_message"].([]any); len(msgs) != 1 || msgs[0] != "Branch p9 not inherited from  sisyphus" {
		t.Errorf("400 body = %v", v)
	}
	getStatus(t, env, 400, "/api/dependencies/backport_helper?from_branch=sisyphus&into_branch=p11&packages_names=x&archs=nosucharch")
	empty := getStatus(t, env, 200, "/api/dependencies/backport_helper?from_branch=sisyphus&into_branch=p11&packages_names=no-such-package-xyz")
	if depsTStr(empty["count"]) != "0" || len(objectList(t, empty, "dependencies")) != 0 {
		t.Errorf("empty answer = %v", empty)
	}
}

func TestDependenciesStateCondition(t *testing.T) {
	env := testenv.Get(t)
	a := New(env.DB, slog.Default())
	ctx := context.Background()
	// No DONE task after the snapshots in the test data: the state is the
	// snapshot itself.
	u, err := a.depsState(ctx, "sisyphus", true)
	if err != nil {
		t.Fatal(err)
	}
	base := depsTQuery(t, env, `SELECT DISTINCT pkg_hash, pkg_sourcepackage FROM static_last_packages WHERE pkgset_name = 'sisyphus'`)
	other := depsTQuery(t, env, `SELECT DISTINCT pkg_hash, pkg_sourcepackage FROM static_last_packages WHERE pkgset_name = 'p9'
		AND pkg_hash NOT IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus') ORDER BY pkg_hash LIMIT 20`)
	if len(base) < 10 || len(other) == 0 {
		t.Skip("not enough data")
	}
	count := func(u *depsUniverse, source int) int {
		cond, args := u.cond(source)
		rows := depsTQuery(t, env, "SELECT uniqExact(pkg_hash) AS cnt FROM Packages WHERE "+cond, args...)
		n := 0
		fmt.Sscan(fmt.Sprint(rows[0]["cnt"]), &n)
		return n
	}
	if u.tasks() || count(u, -1) != len(base) {
		t.Errorf("snapshot state: tasks %v, %d packages, want %d", u.tasks(), count(u, -1), len(base))
	}
	// A state with tasks: some snapshot packages deleted, p9-only ones added.
	d := &depsUniverse{branch: "sisyphus"}
	srcBase := 0
	for i, b := range base {
		if fmt.Sprint(b["pkg_sourcepackage"]) == "1" {
			srcBase++
			if i < 5 {
				srcBase--
			}
		}
		if i < 5 {
			d.del = append(d.del, b["pkg_hash"].(uint64))
		}
	}
	addSrc := 0
	for _, o := range other {
		if fmt.Sprint(o["pkg_sourcepackage"]) == "1" {
			d.addSrc = append(d.addSrc, o["pkg_hash"].(uint64))
			addSrc++
		} else {
			d.addBin = append(d.addBin, o["pkg_hash"].(uint64))
		}
	}
	// Re-adding a deleted package keeps it.
	d.addBin = append(d.addBin, d.del[0])
	want := len(base) - len(d.del) + len(other) + 1
	if got := count(d, -1); got != want {
		t.Errorf("state with tasks: %d packages, want %d", got, want)
	}
	if got := count(d, 1); got > srcBase+addSrc+1 || got < srcBase+addSrc {
		t.Errorf("sources of the state with tasks: %d, want %d", got, srcBase+addSrc)
	}
	// Taskless branches never look at tasks.
	if u, err := a.depsState(ctx, "sisyphus_e2k", true); err != nil || u.tasks() {
		t.Errorf("taskless branch state: %v %v", u, err)
	}
}
