package app

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/testenv"
)

// ---- unit tests ----

func TestSpsRelevanceSort(t *testing.T) {
	names := []string{"python3-module-requests", "zlib", "req", "aaa-req", "requests", "B-req-x", "Req"}
	// scores for "req": req 3, Req 3 (stable: after req), requests 8,
	// B-req-x 7+256*2=519, aaa-req 7+256*4=1031, python3-module-requests
	// 23+256*15=3863; zlib has no match.
	got := spsRelevanceSort(names, []string{"REQ"}, nil)
	want := []string{"req", "Req", "requests", "B-req-x", "aaa-req", "python3-module-requests", "zlib"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Two words: the positions add up; names failing the predicate go to
	// the code-point sorted tail.
	got = spsRelevanceSort([]string{"py-req", "req-py", "python", "Zed-py-req", "a-py-req"}, []string{"py", "req"},
		func(n string) bool { return n != "req-py" })
	// py-req: 6+256*(0+3)=774; Zed-py-req: 10+256*(4+7)=2826; a-py-req: 8+256*(2+5)=1800
	want = []string{"py-req", "a-py-req", "Zed-py-req", "python", "req-py"}
	if !slices.Equal(got, want) {
		t.Errorf("two words: got %v, want %v", got, want)
	}
}

func TestSpsGroups(t *testing.T) {
	for g, want := range map[string]bool{
		"Development":         true, // parent of known groups
		"Development/":        true,
		"Development/Python3": true,
		"Shells":              true,
		"Develop":             false,
		"Nope":                false,
	} {
		if got := spsGroupKnown(g); got != want {
			t.Errorf("spsGroupKnown(%q) = %v", g, got)
		}
	}
	for _, c := range []struct {
		group, category string
		match           bool
	}{
		{"Other", "Development/Other", true}, // unanchored at the start, as upstream
		{"Development", "Development/Python3", true},
		{"Development", "development/c++", true},
		{"Development/C++", "Development/C++", true},
		{"Development/C", "Development/C++", false},
		{"Development/C", "Development/C", true},
		{"Games", "Development/Other", false},
	} {
		re := regexp.MustCompile(spsGroupPattern(c.group))
		if got := re.MatchString(c.category); got != c.match {
			t.Errorf("%q ~ %q = %v", c.group, c.category, got)
		}
	}
	if p := spsGroupPattern("Development/C++"); p != `(?i)Development\/C\+\+(\/[\w\+\ \-]+|$)+` {
		t.Errorf("pattern %s", p)
	}
}

func TestSpsNameCond(t *testing.T) {
	got := spsNameCond("pkg_name", []string{"Py", "lib_x", "o'k"})
	want := `(positionCaseInsensitiveUTF8(pkg_name, 'Py') > 0 AND lowerUTF8(pkg_name) LIKE '%lib_x%' AND positionCaseInsensitiveUTF8(pkg_name, 'o\'k') > 0)`
	if got != want {
		t.Errorf("got %s", got)
	}
	snaps := []spsSnap{{"sisyphus", "2024-10-24 20:24:34"}, {"p10", "2021-08-01 19:51:08"}}
	if got := spsSnapCond(snaps, "p10"); got != "((pkgset_name = 'p10' AND pkgset_date = toDateTime('2021-08-01 19:51:08')))" {
		t.Errorf("snap p10: %s", got)
	}
	if got := spsSnapCond(snaps, "p9"); got != "0" {
		t.Errorf("snap p9: %s", got)
	}
	if got := spsSnapCond(snaps, ""); !strings.Contains(got, "sisyphus") || !strings.Contains(got, " OR ") {
		t.Errorf("snap all: %s", got)
	}
}

func TestSpsFastMerge(t *testing.T) {
	rows := []spsFastRow{
		{Name: "foo", Source: 1, Branches: []string{"p10", "sisyphus"}},
		{Name: "libfoo", Source: 1, Branches: []string{"sisyphus"}},
		{Name: "foo", Source: 0, Branches: []string{"sisyphus"}},
		{Name: "foo-utils", Source: 0, Branches: []string{"p9", "p10"}},
	}
	del := []spsFastRow{
		{Name: "foo-old", Branches: []string{"p9"}},
		{Name: "libfoo", Branches: []string{"p9"}},     // present as source: merged
		{Name: "foo-utils", Branches: []string{"p11"}}, // present only as binary: appended
	}
	var got []string
	for _, e := range spsFastMerge(rows, del, []string{"foo"}) {
		got = append(got, fmt.Sprintf("%s/%s/%s", e.name, e.kind, strings.Join(e.branches, ",")))
	}
	// relevance: foo 3, foo-utils 9, libfoo 6+256*3; deleted: foo-old 7.
	want := []string{
		"foo/source/sisyphus,p10", "foo/binary/sisyphus",
		"foo-utils/binary/p10,p9",
		"libfoo/source/sisyphus,p9",
		"foo-old/source/p9",
		"foo-utils/source/p11",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// ---- integration tests ----

type spsSrc struct {
	Name    string `ch:"pkg_name"`
	Hash    uint64 `ch:"pkg_hash"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
}

const spsPickSource = `SELECT pkg_name, pkg_hash, pkg_version, pkg_release FROM static_last_packages
	WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND length(pkg_name) > 3 AND match(pkg_name, '^[A-Za-z0-9][A-Za-z0-9_.+-]+$') ORDER BY pkg_name LIMIT 1`

func TestSiteRepositoryPackages(t *testing.T) {
	env := testenv.Get(t)
	type grp struct {
		Group string `ch:"pkg_group_"`
		N     uint64 `ch:"n"`
	}
	g := pickRow[grp](t, env, `SELECT pkg_group_, count() AS n FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		GROUP BY pkg_group_ ORDER BY n DESC, pkg_group_ LIMIT 1`)
	code, body := env.Get(t, "/api/site/repository_packages?branch=sisyphus&group="+url.QueryEscape(g.Group))
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	// Expected: sources of the branch whose group is the category or one of
	// its subcategories (unanchored at the start).
	var all []struct {
		Name  string `ch:"pkg_name"`
		Group string `ch:"pkg_group_"`
		Hash  uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &all, `SELECT DISTINCT pkg_name, pkg_group_, pkg_hash FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		AND pkg_name NOT LIKE '%-debuginfo'`)
	re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(g.Group) + `(/[\w+ -]+|$)`)
	want := map[string]bool{}
	for _, p := range all {
		if re.MatchString(p.Group) {
			want[fmt.Sprint(p.Hash)] = true
		}
	}
	pkgs := body["packages"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) || len(pkgs) != len(want) {
		t.Fatalf("length %v, %d packages, want %d", body["length"], len(pkgs), len(want))
	}
	prev := ""
	for _, p := range pkgs {
		m := p.(map[string]any)
		if !want[m["hash"].(string)] {
			t.Errorf("unexpected %v", m)
		}
		if !re.MatchString(m["category"].(string)) || m["task_id"] != nil || m["task_owner"] != nil {
			t.Errorf("element %v", m)
		}
		if n := m["name"].(string); n < prev {
			t.Errorf("not ordered: %s after %s", n, prev)
		} else {
			prev = n
		}
	}
	// The changelog of the first package is its last changelog text.
	first := pkgs[0].(map[string]any)
	type cl struct {
		Text string `ch:"chlog_text"`
	}
	var cls []cl
	dbSelect(t, env, &cls, `SELECT chlog_text FROM SrcPackagesLastChangelog WHERE pkg_hash = toUInt64(?)`, first["hash"])
	if len(cls) > 0 && first["changelog"] != cls[0].Text {
		t.Errorf("changelog %q, want %q", first["changelog"], cls[0].Text)
	}
	if _, ok := body["subcategories"].([]any); !ok {
		t.Errorf("subcategories %v", body["subcategories"])
	}
	// A parent category lists its subcategories.
	if i := strings.Index(g.Group, "/"); i > 0 {
		code, body = env.Get(t, "/api/site/repository_packages?branch=sisyphus&package_type=all&group="+url.QueryEscape(g.Group[:i]))
		if code != 200 || !slices.Contains(body["subcategories"].([]any), any(g.Group)) {
			t.Errorf("parent %s: %d subcategories %v", g.Group[:i], code, body["subcategories"])
		}
	}
	// Binary packages only.
	code, body = env.Get(t, "/api/site/repository_packages?branch=sisyphus&package_type=binary")
	if code != 200 {
		t.Fatalf("binary: %d", code)
	}
	for _, p := range body["packages"].([]any)[:3] {
		if m := p.(map[string]any); m["changelog"] != "" || strings.HasSuffix(m["name"].(string), "-debuginfo") {
			t.Errorf("binary element %v", m)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/site/repository_packages?branch=sisyphus&group=Nope":           400,
		"/api/site/repository_packages?branch=sisyphus&group=bad_group":      400,
		"/api/site/repository_packages?branch=sisyphus&buildtime=-1":         400,
		"/api/site/repository_packages?branch=nope":                          400,
		"/api/site/repository_packages?branch=sisyphus&package_type=x":       400,
		"/api/site/repository_packages?branch=sisyphus&buildtime=2147483647": 404,
		"/api/site/repository_packages?branch=sisyphus&x=1":                  400,
		"/api/site/repository_packages?branch=" + spsUnloadedBranch(t, env):  404,
	})
}

// spsUnloadedBranch is a known branch without data.
func spsUnloadedBranch(t testing.TB, env *testenv.Env) string {
	var rows []struct {
		Name string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &rows, `SELECT DISTINCT pkgset_name FROM last_packages_stage1`)
	loaded := map[string]bool{}
	for _, r := range rows {
		loaded[r.Name] = true
	}
	for _, b := range lookup.List("known_branches") {
		if !loaded[b] {
			return b
		}
	}
	t.Skip("every known branch is loaded")
	return ""
}

func TestSitePkghashByName(t *testing.T) {
	env := testenv.Get(t)
	p := pickRow[spsSrc](t, env, spsPickSource)
	code, body := env.Get(t, "/api/site/pkghash_by_name?branch=sisyphus&name="+p.Name)
	if code != 200 || body["pkghash"] != fmt.Sprint(p.Hash) || body["version"] != p.Version || body["release"] != p.Release {
		t.Errorf("%d %v, want %+v", code, body, p)
	}
	code, body = env.Get(t, "/api/site/pkghash_by_name?branch=sisyphus&name=no-such-package-zz")
	if code != 404 || body["message"] != "Package 'no-such-package-zz' not found in package set 'sisyphus'" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/pkghash_by_name?branch=sisyphus&name=a":     400,
		"/api/site/pkghash_by_name?branch=nope&name=" + p.Name: 400,
		"/api/site/pkghash_by_name?name=" + p.Name:             400,
	})
}

func TestSitePkghashByBinaryName(t *testing.T) {
	env := testenv.Get(t)
	type bin struct {
		spsSrc
		Arch string `ch:"pkg_arch"`
	}
	p := pickRow[bin](t, env, `SELECT pkg_name, pkg_hash, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND pkg_arch = 'x86_64' AND match(pkg_name, '^[A-Za-z0-9][A-Za-z0-9_.+-]+$') ORDER BY pkg_name LIMIT 1`)
	code, body := env.Get(t, "/api/site/pkghash_by_binary_name?branch=sisyphus&arch=x86_64&name="+p.Name)
	if code != 200 || body["pkghash"] != fmt.Sprint(p.Hash) || body["version"] != p.Version || body["release"] != p.Release {
		t.Errorf("%d %v, want %+v", code, body, p)
	}
	code, body = env.Get(t, "/api/site/pkghash_by_binary_name?branch=sisyphus&arch=ppc64le&name=no-such-package-zz")
	if code != 404 || body["message"] != "Package 'no-such-package-zz' architecture ppc64le not found in package set 'sisyphus'" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/pkghash_by_binary_name?branch=sisyphus&arch=nope&name=" + p.Name: 400,
		"/api/site/pkghash_by_binary_name?branch=sisyphus&name=" + p.Name:           400,
	})
}

func TestSitePkghashByNVR(t *testing.T) {
	env := testenv.Get(t)
	p := pickRow[spsSrc](t, env, spsPickSource)
	type mx struct {
		H uint64 `ch:"h"`
	}
	want := pickRow[mx](t, env, `SELECT max(pkg_hash) AS h FROM Packages WHERE pkg_name = ? AND pkg_version = ? AND pkg_release = ? AND pkg_sourcepackage = 1
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')`, p.Name, p.Version, p.Release)
	u := fmt.Sprintf("/api/site/pkghash_by_nvr?branch=sisyphus&name=%s&version=%s&release=%s", p.Name, url.QueryEscape(p.Version), url.QueryEscape(p.Release))
	code, body := env.Get(t, u)
	if code != 200 || body["pkghash"] != fmt.Sprint(want.H) {
		t.Errorf("%d %v, want %d", code, body, want.H)
	}
	code, body = env.Get(t, fmt.Sprintf("/api/site/pkghash_by_nvr?branch=sisyphus&name=%s&version=0.0.0.0&release=alt0", p.Name))
	if code != 404 || body["message"] != fmt.Sprintf("Package '%s-0.0.0.0-alt0' not found in database for branch sisyphus", p.Name) {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/pkghash_by_nvr?branch=sisyphus&name=" + p.Name + "&version=1-2&release=alt1": 400,
		"/api/site/pkghash_by_nvr?branch=sisyphus&name=" + p.Name:                               400,
	})
}

func TestSitePackagesetsByHash(t *testing.T) {
	env := testenv.Get(t)
	p := pickRow[spsSrc](t, env, spsPickSource)
	var want []struct {
		Name string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &want, `SELECT DISTINCT pkgset_name FROM static_last_packages WHERE pkg_hash = ?`, p.Hash)
	code, body := env.Get(t, fmt.Sprintf("/api/site/packagesets_by_hash/%d", p.Hash))
	if code != 200 || body["pkghash"] != fmt.Sprint(p.Hash) {
		t.Fatalf("%d %v", code, body)
	}
	got := body["branches"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(got)) || got[0] != "sisyphus" {
		t.Errorf("branches %v", got)
	}
	for _, w := range want {
		if !slices.Contains(got, any(w.Name)) {
			t.Errorf("branch %s missing from %v", w.Name, got)
		}
	}
	code, body = env.Get(t, "/api/site/packagesets_by_hash/1")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{"/api/site/packagesets_by_hash/abc": 404})
}

func TestSiteFindSourcePackage(t *testing.T) {
	env := testenv.Get(t)
	type bin struct {
		Name string `ch:"pkg_name"`
		Src  uint64 `ch:"pkg_srcrpm_hash"`
	}
	b := pickRow[bin](t, env, `SELECT pkg_name, pkg_srcrpm_hash FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND match(pkg_name, '^[A-Za-z0-9][A-Za-z0-9_.+-]+$') ORDER BY pkg_name LIMIT 1`)
	src := pickRow[spsSrc](t, env, `SELECT pkg_name, pkg_hash, pkg_version, pkg_release FROM Packages WHERE pkg_hash = ? LIMIT 1`, b.Src)
	code, body := env.Get(t, "/api/site/find_source_package?branch=sisyphus&name="+b.Name)
	if code != 200 || body["source_package"] != src.Name {
		t.Errorf("%d %v, want %s", code, body, src.Name)
	}
	// A source name finds itself.
	code, body = env.Get(t, "/api/site/find_source_package?branch=sisyphus&name="+src.Name)
	if code != 200 || body["source_package"] != src.Name {
		t.Errorf("source: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/find_source_package?branch=sisyphus&name=no-such-package-zz")
	if code != 404 || body["message"] != "No information found for no-such-package-zz in DB" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/find_source_package?branch=sisyphus&name=a%20b": 400,
		"/api/site/find_source_package?name=" + b.Name:             400,
	})
}

func TestSiteLastPackagesByBranch(t *testing.T) {
	env := testenv.Get(t)
	body := getOK(t, env, "/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=5")
	type date struct {
		D string `ch:"d"`
	}
	d := pickRow[date](t, env, `SELECT replaceOne(toString(max(pkgset_date)), ' ', 'T') AS d FROM static_last_packages WHERE pkgset_name = 'sisyphus'`)
	if body["last_branch_date"] != d.D {
		t.Errorf("last_branch_date %v, want %s", body["last_branch_date"], d.D)
	}
	pkgs := body["packages"].([]any)
	if len(pkgs) == 0 || len(pkgs) > 5 || fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Fatalf("packages %v", pkgs)
	}
	// The newest build of the branch comes first: its source is the first element.
	type newest struct {
		Src uint64 `ch:"pkg_srcrpm_hash"`
		BT  uint32 `ch:"bt"`
	}
	n := pickRow[newest](t, env, `SELECT pkg_srcrpm_hash, pkg_buildtime AS bt FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 ORDER BY pkg_buildtime DESC LIMIT 1`)
	first := pkgs[0].(map[string]any)
	if fmt.Sprint(first["buildtime"]) != fmt.Sprint(n.BT) {
		t.Errorf("first %v, want buildtime %d (source %d)", first, n.BT, n.Src)
	}
	prev := int64(1 << 40)
	for _, p := range pkgs {
		m := p.(map[string]any)
		var bt int64
		fmt.Sscan(fmt.Sprint(m["buildtime"]), &bt)
		if bt > prev {
			t.Errorf("not ordered by build time: %v", pkgs)
		}
		prev = bt
		if m["changelog_date"] != nil && !strings.Contains(m["changelog_date"].(string), "T") {
			t.Errorf("changelog_date %v", m["changelog_date"])
		}
	}
	// By packager: every package is the packager's.
	type pk struct {
		Nick string `ch:"nick"`
	}
	who := pickRow[pk](t, env, `SELECT splitByChar('@', toString(pkg_packager_email))[1] AS nick FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(toString(pkg_packager_email), '^[a-z][a-z0-9-]+@')
		GROUP BY nick ORDER BY count() DESC, nick LIMIT 1`)
	code, body := env.Get(t, "/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=100&packager="+who.Nick)
	if code != 200 {
		t.Fatalf("packager: %d %v", code, body)
	}
	var mine []struct {
		Name string `ch:"pkg_name"`
	}
	dbSelect(t, env, &mine, `SELECT pkg_name FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND pkg_packager_email LIKE ?`, who.Nick+"@%")
	names := map[string]bool{}
	for _, m := range mine {
		names[m.Name] = true
	}
	got := body["packages"].([]any)
	if len(got) != min(100, len(names)) {
		t.Errorf("packager %s: %d packages, want %d", who.Nick, len(got), min(100, len(names)))
	}
	for _, p := range got {
		if n := p.(map[string]any)["name"].(string); !names[n] {
			t.Errorf("%s is not %s's", n, who.Nick)
		}
	}
	code, body = env.Get(t, "/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=5&packager=nobody-zz")
	if code != 404 || body["message"] != "No data found in database for packages" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=0":                          400,
		"/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=10001":                      400,
		"/api/site/last_packages_by_branch?branch=nope&packages_limit=5":                              400,
		"/api/site/last_packages_by_branch?branch=sisyphus&packages_limit=5&packager=a":               400,
		"/api/site/last_packages_by_branch?branch=" + spsUnloadedBranch(t, env) + "&packages_limit=5": 404,
	})
}

func TestSiteFindPackages(t *testing.T) {
	env := testenv.Get(t)
	p := pickRow[spsSrc](t, env, spsPickSource)
	body := getOK(t, env, "/api/site/find_packages?name="+p.Name)
	pkgs := body["packages"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Errorf("length %v of %d", body["length"], len(pkgs))
	}
	first := pkgs[0].(map[string]any)
	if first["name"] != p.Name || first["by_binary"] != false {
		t.Fatalf("first %v, want %s", first, p.Name)
	}
	var branches []struct {
		Branch  string `ch:"pkgset_name"`
		Hash    uint64 `ch:"pkg_hash"`
		Version string `ch:"pkg_version"`
	}
	dbSelect(t, env, &branches, `SELECT pkgset_name, pkg_hash, pkg_version FROM static_last_packages
		WHERE pkg_name = ? AND pkg_sourcepackage = 1`, p.Name)
	versions := first["versions"].([]any)
	for _, b := range branches {
		ok := false
		for _, v := range versions {
			m := v.(map[string]any)
			ok = ok || (m["branch"] == b.Branch && m["pkghash"] == fmt.Sprint(b.Hash) && m["version"] == b.Version && m["deleted"] == false)
		}
		if !ok {
			t.Errorf("version %+v missing from %v", b, versions)
		}
	}
	type det struct {
		URL string `ch:"url"`
		BT  uint32 `ch:"bt"`
	}
	d := pickRow[det](t, env, `SELECT toString(pkg_url) AS url, pkg_buildtime AS bt FROM Packages WHERE pkg_hash IN
		(SELECT pkg_hash FROM static_last_packages WHERE pkg_name = ? AND pkg_sourcepackage = 1) ORDER BY pkg_buildtime DESC LIMIT 1`, p.Name)
	if first["url"] != d.URL || fmt.Sprint(first["buildtime"]) != fmt.Sprint(d.BT) {
		t.Errorf("first %v, want url %s buildtime %d", first, d.URL, d.BT)
	}
	// Branch filter: only that branch's versions.
	code, body := env.Get(t, "/api/site/find_packages?branch=sisyphus&name="+p.Name)
	if code != 200 {
		t.Fatalf("branch: %d", code)
	}
	for _, e := range body["packages"].([]any) {
		for _, v := range e.(map[string]any)["versions"].([]any) {
			if v.(map[string]any)["branch"] != "sisyphus" {
				t.Errorf("branch filter: %v", v)
			}
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/site/find_packages?name=" + p.Name + "&arch=srpm":          200,
		"/api/site/find_packages?name=" + p.Name + "&arch=x86_64,noarch": 200,
		"/api/site/find_packages?name=zzqqxxnope":                        404,
		"/api/site/find_packages?name=a":                                 400,
		"/api/site/find_packages?name=" + p.Name + "&arch=vax":           400,
		"/api/site/find_packages?name=" + p.Name + "&branch=nope":        400,
		"/api/site/find_packages":                                        400,
	})
	code, body = env.Get(t, "/api/site/find_packages?name=zzqqxxnope,other")
	if code != 404 || body["message"] != "Packages like 'zzqqxxnope other' not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
}

func TestSiteFindPackagesByBinary(t *testing.T) {
	env := testenv.Get(t)
	// A binary (default arch) of a current source whose name does not
	// contain the binary's name.
	type pair struct {
		Bin string `ch:"bin"`
		Src string `ch:"src"`
	}
	var pairs []pair
	dbSelect(t, env, &pairs, `SELECT B.pkg_name AS bin, S.pkg_name AS src FROM
		(SELECT pkg_name, pkg_srcrpm_hash AS pkg_hash FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0
			AND pkg_arch IN ('x86_64', 'noarch') AND match(pkg_name, '^[a-z][a-z0-9+.-]+$')) AS B
		ANY INNER JOIN (SELECT pkg_name, pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1) AS S
		USING pkg_hash WHERE positionCaseInsensitive(S.pkg_name, B.pkg_name) = 0 ORDER BY bin LIMIT 1`)
	if len(pairs) == 0 {
		t.Skip("no binary named differently from its source")
	}
	p := pairs[0]
	body := getOK(t, env, "/api/site/find_packages?branch=sisyphus&name="+p.Bin)
	found := false
	for _, e := range body["packages"].([]any) {
		m := e.(map[string]any)
		if m["name"] == p.Src {
			found = m["by_binary"] == true
		}
	}
	if !found {
		t.Errorf("source %s of %s not found by binary in %v", p.Src, p.Bin, body["packages"])
	}
	// arch=srpm searches sources only.
	code, body := env.Get(t, "/api/site/find_packages?branch=sisyphus&arch=srpm&name="+p.Bin)
	if code == 200 {
		for _, e := range body["packages"].([]any) {
			if m := e.(map[string]any); m["by_binary"] == true {
				t.Errorf("srpm: by binary %v", m)
			}
		}
	}
}

func TestSiteFindPackagesDeleted(t *testing.T) {
	env := testenv.Get(t)
	var del []struct {
		Branch string `ch:"pkgset_name"`
		Name   string `ch:"pkg_name"`
		Hash   uint64 `ch:"hash"`
	}
	dbSelect(t, env, &del, `SELECT pkgset_name, pkg_name, hash FROM lv_branch_deleted_packages
		WHERE hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1) AND match(pkg_name, '^[A-Za-z0-9][A-Za-z0-9_.+-]+$') ORDER BY pkg_name LIMIT 1`)
	if len(del) == 0 {
		t.Skip("no deleted packages in the data")
	}
	d := del[0]
	body := getOK(t, env, "/api/site/find_packages?branch="+d.Branch+"&name="+d.Name)
	ok := false
	for _, e := range body["packages"].([]any) {
		m := e.(map[string]any)
		if m["name"] != d.Name {
			continue
		}
		for _, v := range m["versions"].([]any) {
			vm := v.(map[string]any)
			ok = ok || (vm["deleted"] == true && vm["branch"] == d.Branch && vm["pkghash"] == fmt.Sprint(d.Hash))
		}
	}
	if !ok {
		t.Errorf("deleted %+v not in %v", d, body["packages"])
	}
	code, body := env.Get(t, "/api/site/fast_packages_search_lookup?branch="+d.Branch+"&name="+d.Name)
	if code != 200 {
		t.Fatalf("fast: %d %v", code, body)
	}
	ok = false
	for _, e := range body["packages"].([]any) {
		m := e.(map[string]any)
		ok = ok || (m["name"] == d.Name && m["sourcepackage"] == "source" && slices.Contains(m["branches"].([]any), any(d.Branch)))
	}
	if !ok {
		t.Errorf("fast: deleted %+v not in %v", d, body["packages"])
	}
}

func TestSiteFastPackagesSearchLookup(t *testing.T) {
	env := testenv.Get(t)
	p := pickRow[spsSrc](t, env, spsPickSource)
	body := getOK(t, env, "/api/site/fast_packages_search_lookup?name="+p.Name)
	pkgs := body["packages"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Errorf("length %v of %d", body["length"], len(pkgs))
	}
	var want []struct {
		Branch string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &want, `SELECT DISTINCT pkgset_name FROM static_last_packages WHERE pkg_name = ? AND pkg_sourcepackage = 1`, p.Name)
	var wb []string
	for _, w := range want {
		wb = append(wb, w.Branch)
	}
	first := pkgs[0].(map[string]any)
	if first["name"] != p.Name || first["sourcepackage"] != "source" {
		t.Fatalf("first %v", first)
	}
	got := first["branches"].([]any)
	for _, b := range lookup.SortBranches(wb) {
		if !slices.Contains(got, any(b)) {
			t.Errorf("branches %v, want %v", got, lookup.SortBranches(wb))
		}
	}
	for _, e := range pkgs {
		if n := e.(map[string]any)["name"].(string); !strings.Contains(strings.ToLower(n), strings.ToLower(p.Name)) || strings.HasSuffix(n, "-debuginfo") {
			t.Errorf("element %s", n)
		}
	}
	code, body := env.Get(t, "/api/site/fast_packages_search_lookup?name=zzqqxxnope")
	if code != 404 || body["message"] != "Packages like 'zzqqxxnope' not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/fast_packages_search_lookup?name=" + p.Name + "&branch=sisyphus": 200,
		"/api/site/fast_packages_search_lookup?name=" + p.Name + "&branch=nope":     400,
		"/api/site/fast_packages_search_lookup?name=x":                              400,
		"/api/site/fast_packages_search_lookup?name=" + p.Name + "&arch=x86_64":     400,
	})
}

// The name-first search and the subquery form (used for very broad words)
// find the same rows.
func TestSpsSearchPathsAgree(t *testing.T) {
	env := testenv.Get(t)
	a := spsBenchApp(env)
	ctx := context.Background()
	p := pickRow[spsSrc](t, env, spsPickSource)
	var snaps []spsSnap
	dbSelect(t, env, &snaps, sqlSpsSnapshots)
	key := func(rows []spsFoundRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s/%s/%s-%s/%d/%d/%s", r.Branch, r.Name, r.Version, r.Release, r.Hash, r.Buildtime, r.Group))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		words  []string
		branch string
	}{{[]string{p.Name[:3]}, ""}, {[]string{p.Name[:2], p.Name[2:4]}, "sisyphus"}, {[]string{"lib"}, ""}} {
		snap := spsSnapCond(snaps, c.branch)
		src, byBin, del, ok, err := a.spsFindByNames(ctx, snap, c.branch, c.words, false)
		if err != nil || !ok {
			t.Fatalf("%v: %v %v", c.words, ok, err)
		}
		q := spsFindSQL(snap, c.words, nil, c.branch)
		var src2, byBin2, del2 []spsFoundRow
		for _, x := range []struct {
			sql  string
			dest *[]spsFoundRow
		}{{q.sources, &src2}, {q.byBinary, &byBin2}, {q.deleted, &del2}} {
			dbSelect(t, env, x.dest, x.sql)
		}
		if !slices.Equal(key(src), key(src2)) || !slices.Equal(key(del), key(del2)) {
			t.Errorf("%v: sources %d/%d, deleted %d/%d", c.words, len(src), len(src2), len(del), len(del2))
		}
		if !slices.Equal(key(byBin), key(byBin2)) {
			t.Errorf("%v: by binary %v\n%v", c.words, key(byBin), key(byBin2))
		}

		rows, fdel, ok, err := a.spsFastByNames(ctx, snap, c.branch, c.words)
		if err != nil || !ok {
			t.Fatalf("fast %v: %v %v", c.words, ok, err)
		}
		cur, dsql := spsFastSQL(snap, c.words, c.branch)
		var rows2, fdel2 []spsFastRow
		dbSelect(t, env, &rows2, cur)
		dbSelect(t, env, &fdel2, dsql)
		render := func(e []*spsFastElem) []string {
			var out []string
			for _, x := range e {
				out = append(out, x.name+"/"+x.kind+"/"+strings.Join(x.branches, ","))
			}
			return out
		}
		if got, want := render(spsFastMerge(rows, fdel, c.words)), render(spsFastMerge(rows2, fdel2, c.words)); !slices.Equal(got, want) {
			t.Errorf("fast %v:\n%v\n%v", c.words, got, want)
		}
	}
}
