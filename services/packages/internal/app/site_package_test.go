package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/testenv"
)

func spStr(v any) string { return fmt.Sprint(v) }

func spList(t *testing.T, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %#v", v)
	}
	return l
}

type spTestPkg struct {
	Hash        uint64      `ch:"pkg_hash"`
	Name        string      `ch:"pkg_name"`
	Version     string      `ch:"pkg_version"`
	Release     string      `ch:"pkg_release"`
	Arch        string      `ch:"pkg_arch"`
	Buildtime   uint32      `ch:"pkg_buildtime"`
	License     string      `ch:"pkg_license"`
	Group       string      `ch:"pkg_group_"`
	Summary     string      `ch:"pkg_summary"`
	Packager    string      `ch:"pkg_packager"`
	Email       string      `ch:"pkg_packager_email"`
	SrcHash     uint64      `ch:"pkg_srcrpm_hash"`
	Filename    string      `ch:"pkg_filename"`
	Filesize    uint64      `ch:"pkg_filesize"`
	ChEVR       []string    `ch:"ch_evr"`
	ChDate      []time.Time `ch:"ch_date"`
	ChNames     []string    `ch:"ch_name"`
	Src         uint8       `ch:"pkg_sourcepackage"`
	ChlogHashes []uint64    `ch:"ch_hash"`
}

const spTestPkgCols = `pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_buildtime,
	toString(pkg_license) AS pkg_license, pkg_group_, pkg_summary, toString(pkg_packager) AS pkg_packager,
	toString(pkg_packager_email) AS pkg_packager_email, pkg_srcrpm_hash, pkg_filename, pkg_filesize,
	pkg_changelog.evr AS ch_evr, pkg_changelog.date AS ch_date, pkg_changelog.name AS ch_name, pkg_sourcepackage,
	pkg_changelog.hash AS ch_hash`

func spTestPackage(t *testing.T, env *testenv.Env, hash uint64) spTestPkg {
	t.Helper()
	var p []spTestPkg
	dbSelect(t, env, &p, "SELECT "+spTestPkgCols+" FROM Packages WHERE pkg_hash = ? LIMIT 1", hash)
	if len(p) == 0 {
		t.Fatalf("package %d not found", hash)
	}
	return p[0]
}

func TestSitePackageHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"Dmitry V. Levin <ldv@altlinux.org>":          "ldv",
		"Eugeny A. Rostovtsev <real at altlinux.org>": "real",
		"no brackets":   "no brackets",
		"<<x@y>>":       "x",
		"Name <nomail>": "nomail>",
	} {
		if got := spNicknameFromPackager(in); got != want {
			t.Errorf("spNicknameFromPackager(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Dmitry V. Levin <ldv@altlinux.org>":          "ldv",
		"Eugeny A. Rostovtsev <real at altlinux.org>": "real",
		"A <a@b@c>":     "a@b",
		"no mail":       "",
		"Name <nomail>": "",
	} {
		if got := spChangelogNick(in); got != want {
			t.Errorf("spChangelogNick(%q) = %q, want %q", in, got, want)
		}
	}
	if got := spPackagerNick("ldv@altlinux.org"); got != "ldv" {
		t.Errorf("packager nick %q", got)
	}
	if got := spPackagerNick("ldv at altlinux"); got != "ldv at altlinu" {
		t.Errorf("packager nick without @ %q", got)
	}
	git := lookup.Text("gitalt_base")
	for _, c := range []struct {
		st   spSubtask
		want string
	}{
		{spSubtask{Type: "copy"}, "foo"},
		{spSubtask{Type: "delete", SrpmNm: "foo", SrpmEVR: "1:2.0-alt1"}, git + "/srpms/f/foo.git?a=tree;hb=2.0-alt1"},
		{spSubtask{Type: "delete"}, "foo"},
		{spSubtask{Type: "gear", Dir: "/gears/f/foo.git", TagID: "abc"}, git + "/gears/f/foo.git?a=tree;hb=abc"},
		{spSubtask{Type: "gear"}, git + "/gears/f/foo.git"},
		{spSubtask{Type: "srpm", SrpmNm: "foo", SrpmEVR: "2.0-alt1"}, git + "/srpms/f/foo.git?a=tree;hb=2.0-alt1"},
		{spSubtask{Type: "rebuild"}, ""},
	} {
		if got := spGear("foo", c.st); got != c.want {
			t.Errorf("spGear(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
	updated := time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)
	want := lookup.Text("beehive_base") + "/logs/Sisyphus/x86_64/archive/2024/0131/error/foo-1:2.0-alt1"
	if got := beehiveLogURL("sisyphus", "x86_64", updated, "foo", 1, "2.0", "alt1"); got != want {
		t.Errorf("beehive url %q, want %q", got, want)
	}
	if got := beehiveLogURL("p10", "i586", updated, "foo", 0, "2.0", "alt1"); !strings.HasSuffix(got, "/logs/p10/i586/archive/2024/0131/error/foo-2.0-alt1") {
		t.Errorf("beehive url %q", got)
	}
}

func TestSitePackageFindBuildTask(t *testing.T) {
	d1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d2 := d1.Add(time.Hour)
	d3 := d2.Add(time.Hour)
	tasks := []spTask{{"p10", 30, d3}, {"sisyphus", 20, d2}, {"sisyphus", 10, d1}}
	subs := []spSubtask{
		{Repo: "p10", TaskID: 30, ID: 100, Type: "copy", Changed: d3},
		{Repo: "sisyphus", TaskID: 20, ID: 200, Type: "gear", TagID: "t", Changed: d2},
		{Repo: "sisyphus", TaskID: 10, ID: 100, Type: "gear", Changed: d1},
	}
	// Newest task of the branch, not a copy.
	b := spFindBuildTask("foo", "sisyphus", tasks, subs)
	if b.Task != 20 || b.Subtask != 200 || b.Date != "2024-01-01T01:00:00" || len(b.Tasks) != 1 || b.Tasks[0]["type"] != "build" ||
		!strings.HasSuffix(b.Gear, "/gears/f/foo.git?a=tree;hb=t") {
		t.Errorf("sisyphus: %+v", b)
	}
	// p10: its task is a copy -> walk: copy entry, then the build in sisyphus.
	b = spFindBuildTask("foo", "p10", tasks, subs)
	if b.Task != 20 || len(b.Tasks) != 2 || b.Tasks[0]["type"] != "copy" || b.Tasks[1]["type"] != "build" || b.Tasks[0]["id"] != uint32(30) {
		t.Errorf("p10: %+v", b)
	}
	// Unknown branch: the newest non-copy task of another branch.
	b = spFindBuildTask("foo", "p11", tasks, subs)
	if b.Task != 20 || len(b.Tasks) != 1 {
		t.Errorf("p11: %+v", b)
	}
	if b = spFindBuildTask("foo", "p11", nil, nil); b.Task != 0 || b.Date != "" || b.Gear != "" || len(b.Tasks) != 0 {
		t.Errorf("none: %+v", b)
	}
	if s, ok := spFindBuildSubtask("p10", tasks, subs); !ok || s.TaskID != 30 {
		t.Errorf("find_build_subtask p10: %+v %v", s, ok)
	}
	if s, ok := spFindBuildSubtask("p11", tasks, subs); !ok || s.TaskID != 20 {
		t.Errorf("find_build_subtask p11: %+v %v", s, ok)
	}
}

// TestSitePackageInfoSourceWithTask checks a source package built by a task
// of the branch against the database.
func TestSitePackageInfoSourceWithTask(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash    uint64    `ch:"pkg_hash"`
		TaskID  uint32    `ch:"task_id"`
		Changed time.Time `ch:"task_changed"`
	}
	// A source of sisyphus whose adding task built binaries in TaskIterations.
	dbSelect(t, env, &pick, `SELECT pkg_hash, task_id, task_changed FROM BranchPackageHistory
		WHERE pkgset_name = 'sisyphus' AND tplan_action = 'add' AND pkg_sourcepackage = 1
		  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		  AND pkg_hash IN (SELECT titer_srcrpm_hash FROM TaskIterations WHERE notEmpty(titer_pkgs_hash))
		ORDER BY task_changed DESC, pkg_hash LIMIT 1`)
	if len(pick) == 0 {
		t.Skip("no source package with a build task in the data")
	}
	hash := pick[0].Hash
	p := spTestPackage(t, env, hash)
	url := fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus", hash)
	body := getOK(t, env, url)
	for k, want := range map[string]string{"pkghash": strconv.FormatUint(hash, 10), "name": p.Name, "version": p.Version,
		"release": p.Release, "arch": p.Arch, "license": p.License, "category": p.Group, "summary": p.Summary,
		"packager": p.Packager, "packager_nickname": strings.SplitN(p.Email, "@", 2)[0],
		"task": fmt.Sprint(pick[0].TaskID), "task_date": pick[0].Changed.Format("2006-01-02T15:04:05")} {
		if spStr(body[k]) != want {
			t.Errorf("%s = %v, want %q", k, body[k], want)
		}
	}
	if ra := body["request_args"].(map[string]any); ra["branch"] != "sisyphus" || spStr(ra["changelog_last"]) != "3" || ra["package_type"] != "source" {
		t.Errorf("request_args = %v", ra)
	}
	tasks := spList(t, body["tasks"])
	if len(tasks) != 1 || tasks[0].(map[string]any)["type"] != "build" || spStr(tasks[0].(map[string]any)["id"]) != fmt.Sprint(pick[0].TaskID) {
		t.Errorf("tasks = %v", tasks)
	}
	if g := body["gear"].(string); !strings.HasPrefix(g, lookup.Text("gitalt_base")+"/") || !strings.Contains(g, "/"+p.Name+".git") {
		t.Errorf("gear = %q", g)
	}
	// Changelog: the newest entries of the package.
	cl := spList(t, body["changelog"])
	if len(cl) == 0 || len(cl) > 3 {
		t.Fatalf("changelog = %v", cl)
	}
	first := cl[0].(map[string]any)
	if first["evr"] != p.ChEVR[0] || first["date"] != p.ChDate[0].Format("2006-01-02T15:04:05") || first["name"] != p.ChNames[0] {
		t.Errorf("changelog[0] = %v, want %s %v", first, p.ChEVR[0], p.ChDate[0])
	}
	// Binaries of the task: every listed hash is a binary of this source.
	archs := spList(t, body["package_archs"])
	if len(archs) == 0 {
		t.Fatalf("package_archs empty")
	}
	var binHashes []uint64
	for _, e := range archs {
		m := e.(map[string]any)
		as, hs := spList(t, m["archs"]), spList(t, m["pkghash"])
		if len(as) == 0 || len(as) != len(hs) {
			t.Errorf("package_archs entry %v", m)
		}
		for i, h := range hs {
			n, err := strconv.ParseUint(h.(string), 10, 64)
			if err != nil {
				t.Fatalf("pkghash %v", h)
			}
			bp := spTestPackage(t, env, n)
			if bp.SrcHash != hash || bp.Name != m["name"] || bp.Arch != as[i] {
				t.Errorf("binary %d: %s %s srcrpm %d, entry %v", n, bp.Name, bp.Arch, bp.SrcHash, m)
			}
			binHashes = append(binHashes, n)
		}
	}
	// buildtime = the max buildtime of the first binary name.
	var bt []struct {
		B uint32 `ch:"b"`
	}
	dbSelect(t, env, &bt, `SELECT max(pkg_buildtime) AS b FROM Packages WHERE pkg_name = ? AND pkg_hash IN ?`,
		archs[0].(map[string]any)["name"], inList(binHashes))
	if spStr(body["buildtime"]) != fmt.Sprint(bt[0].B) {
		t.Errorf("buildtime = %v, want %d", body["buildtime"], bt[0].B)
	}
	// Dependencies: every require of the source.
	var nreq []struct {
		N uint64 `ch:"n"`
	}
	dbSelect(t, env, &nreq, `SELECT count() AS n FROM Depends WHERE pkg_hash = ? AND dp_type = 'require'`, hash)
	dl := spList(t, body["dependencies"])
	if uint64(len(dl)) != nreq[0].N {
		t.Errorf("%d dependencies, want %d", len(dl), nreq[0].N)
	}
	for _, d := range dl {
		m := d.(map[string]any)
		if m["type"] != "require" || m["flag_decoded"] == nil {
			t.Errorf("dependency %v", m)
		}
	}
	// ACL = the newest list of the branch.
	var acl []struct {
		L []string `ch:"acl_list"`
	}
	dbSelect(t, env, &acl, `SELECT acl_list FROM last_acl WHERE acl_branch = 'sisyphus' AND acl_for = ?`, p.Name)
	gotACL := spList(t, body["acl"])
	if len(acl) > 0 && fmt.Sprint(gotACL) != fmt.Sprint(acl[0].L) || len(acl) == 0 && len(gotACL) != 0 {
		t.Errorf("acl = %v, want %v", gotACL, acl)
	}
	// Maintainers: altlinux changelog authors.
	for _, m := range spList(t, body["maintainers"]) {
		found := false
		for _, n := range p.ChNames {
			if strings.Contains(n, "altlinux") && spNicknameFromPackager(n) == m {
				found = true
			}
		}
		if !found {
			t.Errorf("maintainer %v not in changelog", m)
		}
	}
	// Beehive rows of the last run of the branch.
	var bh []struct {
		N uint64 `ch:"n"`
	}
	dbSelect(t, env, &bh, `SELECT count() AS n FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' AND pkg_hash = ?
		AND (bh_arch, bh_updated) IN (SELECT bh_arch, max(bh_updated) FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' GROUP BY bh_arch)`, hash)
	if got := spList(t, body["beehive"]); uint64(len(got)) != bh[0].N {
		t.Errorf("beehive = %v, want %d rows", got, bh[0].N)
	}
	spList(t, body["new_version"])
	spList(t, body["license_tokens"])

	// changelog_last bounds the entries.
	code, body := env.Get(t, url+"&changelog_last=1")
	if code != 200 || len(spList(t, body["changelog"])) != 1 {
		t.Errorf("changelog_last=1: %d %v", code, body["changelog"])
	}
	expectCodes(t, env, map[string]int{
		url + "&changelog_last=0":   400,
		url + "&changelog_last=101": 400,
		url + "&package_type=bogus": 400,
		url + "&nope=1":             400,
		fmt.Sprintf("/api/site/package_info/%d?branch=nope", hash): 400,
		fmt.Sprintf("/api/site/package_info/%d", hash):             400,
		url + "&package_type=binary":                               404,
		"/api/site/package_info/1?branch=sisyphus":                 404,
		"/api/site/package_info/abc?branch=sisyphus":               404,
	})
	code, body = env.Get(t, url+"&changelog_last=0")
	if vm := spList(t, body["validation_message"]); code != 400 || vm[0] != "changelog history length should be in range 1 to 100" {
		t.Errorf("400 body %v", body)
	}
	code, body = env.Get(t, "/api/site/package_info/1?branch=sisyphus")
	if code != 404 || body["message"] != "No data found in DB for package 1" {
		t.Errorf("404 body %v", body)
	}
}

// TestSitePackageInfoSourceWithoutTask checks the branch-state path.
func TestSitePackageInfoSourceWithoutTask(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 1
		AND pkg_hash NOT IN (SELECT pkg_hash FROM BranchPackageHistory)
		AND pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_sourcepackage = 0)
		ORDER BY pkg_hash LIMIT 1`)
	if len(pick) == 0 {
		t.Skip("no p10 source without task")
	}
	hash := pick[0].Hash
	body := getOK(t, env, fmt.Sprintf("/api/site/package_info/%d?branch=p10&changelog_last=2", hash))
	if spStr(body["task"]) != "0" || body["task_date"] != "" || body["gear"] != "" || len(spList(t, body["tasks"])) != 0 {
		t.Errorf("task fields: %v %v %v %v", body["task"], body["task_date"], body["gear"], body["tasks"])
	}
	// Binaries of the source in the branch, by name.
	var bins []struct {
		Name string `ch:"pkg_name"`
		N    uint64 `ch:"n"`
	}
	dbSelect(t, env, &bins, `SELECT pkg_name, uniqExact(toString(pkg_arch)) AS n FROM Packages WHERE pkg_srcrpm_hash = ? AND pkg_sourcepackage = 0
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10') GROUP BY pkg_name ORDER BY pkg_name`, hash)
	archs := spList(t, body["package_archs"])
	if len(archs) != len(bins) {
		t.Fatalf("package_archs %v, want %v", archs, bins)
	}
	for i, e := range archs {
		m := e.(map[string]any)
		if m["name"] != bins[i].Name || uint64(len(spList(t, m["archs"]))) != bins[i].N {
			t.Errorf("entry %v, want %+v", m, bins[i])
		}
		as := spList(t, m["archs"])
		for j := 1; j < len(as); j++ {
			if as[j-1].(string) <= as[j].(string) {
				t.Errorf("archs not descending: %v", as)
			}
		}
	}
	if len(spList(t, body["changelog"])) > 2 {
		t.Errorf("changelog_last=2: %v", body["changelog"])
	}
	// p10 is a Beehive branch: rows of this hash in the last run.
	spList(t, body["beehive"])
	// Taskless branch: no task lookup at all, no Beehive.
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus_e2k", hash))
	if code != 200 || spStr(body["task"]) != "0" || body["task_date"] != "" || len(spList(t, body["beehive"])) != 0 {
		t.Errorf("taskless: %d %v", code, body)
	}
}

// TestSitePackageInfoBinary checks a binary package card.
func TestSitePackageInfoBinary(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 0 AND toString(pkg_arch) = 'x86_64'
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')
		AND pkg_srcrpm_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)
		ORDER BY pkg_name LIMIT 1`)
	if len(pick) == 0 {
		t.Fatal("no binary")
	}
	p := spTestPackage(t, env, pick[0].Hash)
	src := spTestPackage(t, env, p.SrcHash)
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus&package_type=binary", p.Hash))
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	if body["name"] != p.Name || body["arch"] != "x86_64" || spStr(body["buildtime"]) != fmt.Sprint(p.Buildtime) {
		t.Errorf("body %v", body)
	}
	archs := spList(t, body["package_archs"])
	if len(archs) != 1 {
		t.Fatalf("package_archs %v", archs)
	}
	m := archs[0].(map[string]any)
	if m["name"] != src.Name || fmt.Sprint(m["archs"]) != "[src]" || fmt.Sprint(m["pkghash"]) != fmt.Sprintf("[%d]", src.Hash) {
		t.Errorf("package_archs %v, want source %s %d", m, src.Name, src.Hash)
	}
	if len(spList(t, body["dependencies"])) != 0 {
		t.Errorf("binary dependencies %v", body["dependencies"])
	}
	if g := body["gear"].(string); g != "" && !strings.Contains(g, "/"+src.Name+".git") {
		t.Errorf("gear %q, want the source's", g)
	}
	if code, _ := env.Get(t, fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus", p.Hash)); code != 404 {
		t.Errorf("binary hash as source: %d", code)
	}
}

func TestSitePackageInfoBrief(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1`)
	src := spTestPackage(t, env, pick[0].Hash)
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_info_brief/%d", src.Hash))
	if code != 200 || body["name"] != src.Name || body["version"] != src.Version || body["release"] != src.Release ||
		body["arch"] != "srpm" || body["type"] != "source" || body["summary"] != src.Summary {
		t.Errorf("source: %d %v", code, body)
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM Packages WHERE pkg_srcrpm_hash = ? AND pkg_sourcepackage = 0 LIMIT 1`, src.Hash)
	if len(pick) > 0 {
		bin := spTestPackage(t, env, pick[0].Hash)
		code, body = env.Get(t, fmt.Sprintf("/api/site/package_info_brief/%d", bin.Hash))
		if code != 200 || body["name"] != bin.Name || body["arch"] != bin.Arch || body["type"] != "binary" {
			t.Errorf("binary: %d %v", code, body)
		}
	}
	code, body = env.Get(t, "/api/site/package_info_brief/1")
	if code != 404 || body["message"] != "No information was found in the database about the package with hash 1." ||
		fmt.Sprint(body["details"]) != "map[args:map[]]" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{"/api/site/package_info_brief/x": 404})
}

func TestSiteBinaryPackageArchsAndVersions(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Name string `ch:"pkg_name"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0
		GROUP BY pkg_name HAVING count() > 1 ORDER BY pkg_name LIMIT 1`)
	if len(pick) == 0 {
		t.Fatal("no binary")
	}
	name := pick[0].Name
	var pkgs []struct {
		Hash uint64 `ch:"pkg_hash"`
		Arch string `ch:"pkg_arch"`
	}
	dbSelect(t, env, &pkgs, `SELECT DISTINCT pkg_hash, toString(pkg_arch) AS pkg_arch FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_name = ? AND pkg_sourcepackage = 0`, name)
	var vers []struct {
		B string `ch:"pkgset_name"`
		V string `ch:"pkg_version"`
		R string `ch:"pkg_release"`
	}
	dbSelect(t, env, &vers, `SELECT DISTINCT pkgset_name, pkg_version, pkg_release FROM static_last_packages WHERE pkg_name = ? AND pkg_sourcepackage = 0`, name)
	body := getOK(t, env, "/api/site/binary_package_archs_and_versions?branch=sisyphus&name="+name)
	got := spList(t, body["packages"])
	if len(got) != len(pkgs) || spStr(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Errorf("packages %v, want %v", got, pkgs)
	}
	for _, g := range got {
		m := g.(map[string]any)
		ok := false
		for _, p := range pkgs {
			if m["hash"] == strconv.FormatUint(p.Hash, 10) && m["arch"] == p.Arch && m["name"] == name {
				ok = true
			}
		}
		if !ok {
			t.Errorf("package %v not in the branch", m)
		}
	}
	vl := spList(t, body["versions"])
	if len(vl) != len(vers) {
		t.Errorf("versions %v, want %v", vl, vers)
	}
	for _, v := range vl {
		if m := v.(map[string]any); m["pkghash"] != nil || m["branch"] == "" {
			t.Errorf("version %v", m)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/site/binary_package_archs_and_versions?branch=sisyphus&name=no-such-zzz": 404,
		"/api/site/binary_package_archs_and_versions?branch=nope&name=" + name:         400,
		"/api/site/binary_package_archs_and_versions?name=" + name:                     400,
		"/api/site/binary_package_archs_and_versions?branch=sisyphus&name=a":           400,
	})
}

func TestSitePackageChangelog(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1 AND length(pkg_changelog.hash) > 3 ORDER BY pkg_name LIMIT 1`)
	if len(pick) == 0 {
		t.Fatal("no package with changelog")
	}
	p := spTestPackage(t, env, pick[0].Hash)
	body := getOK(t, env, fmt.Sprintf("/api/site/package_changelog/%d?changelog_last=1000", p.Hash))
	cl := spList(t, body["changelog"])
	if body["pkghash"] != strconv.FormatUint(p.Hash, 10) || spStr(body["length"]) != fmt.Sprint(len(cl)) || len(cl) == 0 || len(cl) > len(p.ChEVR) {
		t.Fatalf("body %v", body)
	}
	first := cl[0].(map[string]any)
	// plain date text here
	if first["date"] != p.ChDate[0].Format("2006-01-02 15:04:05") || first["evr"] != p.ChEVR[0] || first["nick"] != spChangelogNick(p.ChNames[0]) {
		t.Errorf("first entry %v, want %v %s", first, p.ChDate[0], p.ChEVR[0])
	}
	var text []struct {
		T string `ch:"chlog_text"`
	}
	dbSelect(t, env, &text, `SELECT chlog_text FROM Changelog WHERE chlog_hash = ?`, p.ChlogHashes[0])
	if len(text) > 0 && first["message"] != text[0].T {
		t.Errorf("message %q, want %q", first["message"], text[0].T)
	}
	for i := 1; i < len(cl); i++ {
		if cl[i-1].(map[string]any)["date"].(string) < cl[i].(map[string]any)["date"].(string) {
			t.Errorf("not newest first: %v", cl)
		}
	}
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_changelog/%d", p.Hash))
	if code != 200 || len(spList(t, body["changelog"])) > 3 {
		t.Errorf("default 3: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/package_changelog/1")
	if code != 404 || body["message"] != "No packages found in last packages with hash 1" {
		t.Errorf("404 %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		fmt.Sprintf("/api/site/package_changelog/%d?changelog_last=0", p.Hash):    400,
		fmt.Sprintf("/api/site/package_changelog/%d?changelog_last=1001", p.Hash): 400,
		fmt.Sprintf("/api/site/package_changelog/%d?x=1", p.Hash):                 400,
	})
}

func TestSiteBinaryPackageScripts(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash   uint64 `ch:"pkg_hash"`
		Name   string `ch:"pkg_name"`
		Arch   string `ch:"pkg_arch"`
		Postin string `ch:"pkg_postin"`
		Src    uint64 `ch:"pkg_srcrpm_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash, pkg_name, toString(pkg_arch) AS pkg_arch, pkg_postin, pkg_srcrpm_hash FROM Packages
		WHERE pkg_sourcepackage = 0 ORDER BY pkg_postin = '', pkg_name LIMIT 1`)
	p := pick[0]
	body := getOK(t, env, fmt.Sprintf("/api/site/binary_package_scripts/%d", p.Hash))
	sc := spList(t, body["scripts"])
	if body["pkg_name"] != p.Name || body["pkg_arch"] != p.Arch || spStr(body["request_args"]) != fmt.Sprint(p.Hash) ||
		spStr(body["length"]) != "1" || len(sc) != 1 || sc[0].(map[string]any)["postin"] != p.Postin {
		t.Errorf("body %v, want %+v", body, p)
	}
	for _, k := range []string{"prein", "postin", "preun", "postun", "pretrans", "posttrans"} {
		if _, ok := sc[0].(map[string]any)[k].(string); !ok {
			t.Errorf("script %s = %v", k, sc[0])
		}
	}
	code, body := env.Get(t, fmt.Sprintf("/api/site/binary_package_scripts/%d", p.Src))
	if code != 404 || body["message"] != fmt.Sprintf("No information found in DB for package hash %d", p.Src) ||
		spStr(body["details"].(map[string]any)["args"]) != fmt.Sprint(p.Src) {
		t.Errorf("source hash: %d %v", code, body)
	}
}

func TestSiteLastPackagesWithCVEFixed(t *testing.T) {
	env := testenv.Get(t)
	var want []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &want, `SELECT DISTINCT pkg_hash FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		  AND pkg_changelog.hash[1] IN (SELECT chlog_hash FROM Changelog WHERE match(chlog_text, 'CVE-\\d{4}-\\d{4,7}'))`)
	code, body := env.Get(t, "/api/site/last_packages_with_cve_fixed?branch=sisyphus")
	if len(want) == 0 {
		if code != 404 || body["message"] != "No packages with recent CVE fixes from sisyphus found" {
			t.Errorf("no CVE fixes: %d %v", code, body)
		}
		return
	}
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	pk := spList(t, body["packages"])
	if len(pk) < len(want) || spStr(body["length"]) != fmt.Sprint(len(pk)) {
		t.Errorf("%d packages, want %d", len(pk), len(want))
	}
	prev := int64(1 << 62)
	for _, x := range pk {
		m := x.(map[string]any)
		if !strings.Contains(m["changelog_text"].(string), "CVE-") || !strings.Contains(m["changelog_date"].(string), "T") {
			t.Errorf("package %v", m)
		}
		bt, _ := strconv.ParseInt(spStr(m["buildtime"]), 10, 64)
		if bt > prev {
			t.Errorf("not ordered by buildtime desc")
		}
		prev = bt
	}
	expectCodes(t, env, map[string]int{
		"/api/site/last_packages_with_cve_fixed?branch=nope": 400,
		"/api/site/last_packages_with_cve_fixed":             400,
		"/api/site/last_packages_with_cve_fixed?branch=c7":   404,
	})
}

func TestSiteSourcePackageVersions(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Name string `ch:"pkg_name"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_name FROM static_last_packages WHERE pkg_sourcepackage = 1 GROUP BY pkg_name ORDER BY uniqExact(pkgset_name) DESC, pkg_name LIMIT 1`)
	name := pick[0].Name
	var rows []struct {
		B string `ch:"pkgset_name"`
		V string `ch:"pkg_version"`
		H uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &rows, `SELECT pkgset_name, pkg_version, pkg_hash FROM static_last_packages WHERE pkg_name = ? AND pkg_sourcepackage = 1`, name)
	for _, url := range []string{"/api/site/source_package_versions?name=" + name, "/api/site/package_versions?name=" + name} {
		code, body := env.Get(t, url)
		if code != 200 {
			t.Fatalf("%s: %d %v", url, code, body)
		}
		var branches []string
		for _, v := range spList(t, body["versions"]) {
			m := v.(map[string]any)
			branches = append(branches, m["branch"].(string))
			ok := false
			for _, r := range rows {
				if r.B == m["branch"] && r.V == m["version"] && strconv.FormatUint(r.H, 10) == m["pkghash"] {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: version %v not in DB", url, m)
			}
		}
		var want []string
		for _, r := range rows {
			want = append(want, r.B)
		}
		if want = lookup.SortBranches(want); !slices.Equal(branches, want) {
			t.Errorf("%s: branches %v, want %v", url, branches, want)
		}
	}
	code, body := env.Get(t, "/api/site/source_package_versions?name=no-such-zzz")
	if code != 404 || body["message"] != "No information found for no-such-zzz in DB" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/source_package_versions":          400,
		"/api/site/source_package_versions?name=a":   400,
		"/api/site/package_versions?name=no-such-zz": 404,
	})
}

func TestSitePackageVersionsBinary(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Name string `ch:"pkg_name"`
		Arch string `ch:"pkg_arch"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_name, toString(pkg_arch) AS pkg_arch FROM last_packages WHERE pkg_sourcepackage = 0
		GROUP BY pkg_name, pkg_arch ORDER BY uniqExact(pkgset_name) DESC, pkg_name LIMIT 1`)
	p := pick[0]
	var rows []struct {
		B string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &rows, `SELECT DISTINCT pkgset_name FROM last_packages WHERE pkg_name = ? AND toString(pkg_arch) = ? AND pkg_sourcepackage = 0`, p.Name, p.Arch)
	body := getOK(t, env, "/api/site/package_versions?package_type=binary&name="+p.Name+"&arch="+p.Arch)
	if got := spList(t, body["versions"]); len(got) != len(rows) {
		t.Errorf("versions %v, want branches %v", got, rows)
	}
	code, body := env.Get(t, "/api/site/package_versions?package_type=binary&name="+p.Name)
	if vm, _ := body["validation_message"].([]any); code != 400 || len(vm) != 2 || vm[0] != "package architecture should be specified for binary package" ||
		!strings.HasPrefix(vm[1].(string), "allowed archs are : ['noarch', ") {
		t.Errorf("no arch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/package_versions?package_type=binary&arch=bogus&name=" + p.Name: 400,
		"/api/site/package_versions?package_type=binary&arch=e2k&name=" + p.Name:   404,
	})
}

func TestSitePackageLogBin(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash   uint64 `ch:"h"`
		TaskID uint32 `ch:"task_id"`
	}
	dbSelect(t, env, &pick, `SELECT arrayJoin(titer_pkgs_hash) AS h, task_id FROM TaskIterations
		WHERE (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE')
		ORDER BY h LIMIT 1`)
	if len(pick) > 0 {
		code, body := env.Get(t, fmt.Sprintf("/api/site/package_log_bin/%d", pick[0].Hash))
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		want := fmt.Sprintf("%s/tasks/%v/build/%v/%v/log", lookup.Text("gitalt_base"), body["task_id"], body["subtask_id"], body["subtask_arch"])
		if body["pkg_hash"] != strconv.FormatUint(pick[0].Hash, 10) || body["link"] != want || body["buildlog_hash"] == "" {
			t.Errorf("body %v", body)
		}
		var check []struct {
			N uint64 `ch:"n"`
		}
		dbSelect(t, env, &check, `SELECT count() AS n FROM TaskIterations WHERE task_id = ? AND subtask_id = ? AND toString(subtask_arch) = ?
			AND has(titer_pkgs_hash, ?) AND toString(titer_buildlog_hash) = ?`,
			uint32(spAtoi(body["task_id"])), uint32(spAtoi(body["subtask_id"])), body["subtask_arch"], pick[0].Hash, body["buildlog_hash"])
		if check[0].N == 0 {
			t.Errorf("answer not in TaskIterations: %v", body)
		}
	}
	code, body := env.Get(t, "/api/site/package_log_bin/1")
	if code != 404 || body["message"] != "No data not found in database for 1" || body["details"] != nil {
		t.Errorf("404: %d %v", code, body)
	}
}

func spAtoi(v any) uint64 {
	n, _ := strconv.ParseUint(spStr(v), 10, 64)
	return n
}

func TestSitePackageNVRByHash(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1`)
	p := spTestPackage(t, env, pick[0].Hash)
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_nvr_by_hash/%d?name=%s", p.Hash, p.Name))
	if code != 200 || body["name"] != p.Name || body["version"] != p.Version || body["release"] != p.Release ||
		body["is_source"] != true || body["hash"] != strconv.FormatUint(p.Hash, 10) || body["request_args"].(map[string]any)["name"] != p.Name {
		t.Errorf("%d %v", code, body)
	}
	code, body = env.Get(t, fmt.Sprintf("/api/site/package_nvr_by_hash/%d?name=other-name", p.Hash))
	if code != 404 || body["message"] != "Package name mismatching" {
		t.Errorf("mismatch: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/package_nvr_by_hash/1")
	if code != 404 || body["message"] != "No packages found in DB with hash 1" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		fmt.Sprintf("/api/site/package_nvr_by_hash/%d", p.Hash):        200,
		fmt.Sprintf("/api/site/package_nvr_by_hash/%d?name=x", p.Hash): 400,
		fmt.Sprintf("/api/site/package_nvr_by_hash/%d?y=1", p.Hash):    400,
	})
}

func TestSitePackageNameFromRepology(t *testing.T) {
	env := testenv.Get(t)
	// The seeded data has no name conversions: add one for a name no other
	// test uses.
	b, err := env.DB.Batch(context.Background(), "test_pnc", `INSERT INTO PackagesNameConversion (pkg_name, pnc_state, pnc_result, pnc_type, pnc_source)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{{"zz-site-pkg-test", "active", "zz-project", "alt_p10", "repology"}, {"zz-site-pkg-test", "inactive", "zz-old", "altsisyphus", "repology"}} {
		if err := b.Append(row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	code, body := env.Get(t, "/api/site/package_name_from_repology?branch=p10&name=zz-site-pkg-test")
	if code != 200 || body["name"] != "zz-project" || body["repo"] != "alt_p10" || body["request_args"].(map[string]any)["branch"] != "p10" {
		t.Errorf("%d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/package_name_from_repology?branch=sisyphus&name=zz-site-pkg-test")
	if code != 404 || body["message"] != "No packages found in DB with name zz-site-pkg-test" {
		t.Errorf("inactive: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/package_name_from_repology?branch=c10f1&name=zz-site-pkg-test")
	if vm, _ := body["validation_message"].([]any); code != 400 || len(vm) != 2 || vm[0] != "unknown package set name : c10f1" {
		t.Errorf("branch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/package_name_from_repology?branch=p10":             400,
		"/api/site/package_name_from_repology?branch=nope&name=bash":  400,
		"/api/site/package_name_from_repology?branch=p11&name=zz-nop": 404,
	})
}

func TestSiteDeletedPackageInfo(t *testing.T) {
	env := testenv.Get(t)
	// Deleted without a delete subtask in Tasks: lv_branch_deleted_packages.
	var view []struct {
		Name    string    `ch:"pkg_name"`
		Task    uint32    `ch:"task"`
		Changed time.Time `ch:"changed"`
		Hash    uint64    `ch:"hash"`
	}
	dbSelect(t, env, &view, `SELECT pkg_name, task, changed, hash FROM lv_branch_deleted_packages
		WHERE pkgset_name = 'sisyphus'
		  AND pkg_name NOT IN (SELECT subtask_package FROM Tasks WHERE subtask_type = 'delete')
		  AND (task, changed) IN (SELECT task_id, task_changed FROM Tasks)
		  AND hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)
		ORDER BY pkg_name LIMIT 1`)
	if len(view) > 0 {
		v := view[0]
		p := spTestPackage(t, env, v.Hash)
		code, body := env.Get(t, "/api/site/deleted_package_info?branch=sisyphus&name="+v.Name)
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		if body["branch"] != "sisyphus" || body["package"] != v.Name || body["hash"] != strconv.FormatUint(v.Hash, 10) ||
			body["version"] != p.Version || body["release"] != p.Release || spStr(body["task_id"]) != fmt.Sprint(v.Task) ||
			body["task_changed"] != v.Changed.Format("2006-01-02T15:04:05") {
			t.Errorf("body %v, want %+v", body, v)
		}
		if _, ok := body["task_message"].(string); !ok || body["subtask_id"] == nil {
			t.Errorf("task fields %v", body)
		}
		if code, body := env.Get(t, "/api/site/deleted_package_info?branch=p10&name="+v.Name); code != 404 ||
			body["message"] != "No information about deleting package "+v.Name+"  from p10 was found" {
			t.Errorf("other branch: %d %v", code, body)
		}
	}
	// Deleted by a DONE delete subtask.
	var del []struct {
		Name    string    `ch:"subtask_package"`
		TaskID  uint32    `ch:"task_id"`
		Changed time.Time `ch:"task_changed"`
	}
	dbSelect(t, env, &del, `SELECT subtask_package, task_id, max(task_changed) AS task_changed FROM Tasks
		WHERE subtask_type = 'delete' AND subtask_deleted = 0 AND task_repo = 'sisyphus'
		  AND task_id IN (SELECT task_id FROM TaskStates WHERE task_state = 'DONE')
		GROUP BY subtask_package, task_id ORDER BY subtask_package LIMIT 1`)
	if len(del) > 0 {
		d := del[0]
		code, body := env.Get(t, "/api/site/deleted_package_info?branch=sisyphus&name="+d.Name)
		switch code {
		case 200:
			if body["package"] != d.Name || body["task_changed"] == "" {
				t.Errorf("body %v", body)
			}
		case 404:
			if body["message"] != "No information about deleting package "+d.Name+" from sisyphus was found" {
				t.Errorf("404 body %v", body)
			}
		default:
			t.Errorf("delete task: %d %v", code, body)
		}
	}
	code, body := env.Get(t, "/api/site/deleted_package_info?branch=sisyphus&name=no-such-zzz&package_type=binary&arch=x86_64")
	if code != 404 || body["message"] != "No information about deleting package no-such-zzz with x86_64 arch  from sisyphus was found" {
		t.Errorf("binary 404: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/deleted_package_info?branch=sisyphus&name=no-such-zzz")
	if code != 404 || body["message"] != "No information about deleting package no-such-zzz  from sisyphus was found" {
		t.Errorf("source 404: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/deleted_package_info?branch=sisyphus&name=bash&package_type=binary")
	if vm, _ := body["validation_message"].([]any); code != 400 || len(vm) != 1 || !strings.HasPrefix(vm[0].(string), "binary package arch should be in ['noarch', ") {
		t.Errorf("binary without arch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/deleted_package_info?branch=nope&name=bash":              400,
		"/api/site/deleted_package_info?branch=sisyphus":                    400,
		"/api/site/deleted_package_info?branch=sisyphus&name=bash&arch=zz":  400,
		"/api/site/deleted_package_info?branch=sisyphus&name=bash&other=zz": 400,
	})
}

// spTestMD5 reads an MD5 digest.
func spTestMD5(t *testing.T, env *testenv.Env, hash uint64) string {
	var m []struct {
		M string `ch:"pkgh_md5"`
	}
	dbSelect(t, env, &m, `SELECT pkgh_md5 FROM PackageHash_view WHERE pkgh_mmh = ?`, hash)
	if len(m) == 0 {
		return ""
	}
	return m[0].M
}

func TestSitePackageDownloadsTask(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash    uint64 `ch:"h"`
		TaskID  uint32 `ch:"task_id"`
		Subtask uint32 `ch:"subtask_id"`
	}
	dbSelect(t, env, &pick, `SELECT titer_srcrpm_hash AS h, task_id, subtask_id FROM TaskIterations
		WHERE notEmpty(titer_pkgs_hash)
		  AND (task_id, task_changed, titer_srcrpm_hash) IN (SELECT task_id, task_changed, pkg_hash FROM BranchPackageHistory WHERE pkgset_name = 'sisyphus' AND tplan_action = 'add' AND pkg_sourcepackage = 1)
		  AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = 'sisyphus' AND toString(subtask_type) = 'gear')
		ORDER BY task_changed DESC, h LIMIT 1`)
	if len(pick) == 0 {
		t.Skip("no task-built source")
	}
	p := pick[0]
	src := spTestPackage(t, env, p.Hash)
	for _, path := range []string{"package_downloads", "package_downloads_src"} {
		code, body := env.Get(t, fmt.Sprintf("/api/site/%s/%d?branch=sisyphus", path, p.Hash))
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		dl := spList(t, body["downloads"])
		if len(dl) < 2 || dl[0].(map[string]any)["arch"] != "src" || body["pkghash"] != strconv.FormatUint(p.Hash, 10) {
			t.Fatalf("downloads %v", dl)
		}
		seen := map[string]bool{}
		prefix := fmt.Sprintf("%s/%d/build/%d/", lookup.Text("gitalt_tasks_base"), p.TaskID, p.Subtask)
		for i, g := range dl {
			m := g.(map[string]any)
			if seen[m["arch"].(string)] {
				t.Errorf("group %v twice", m["arch"])
			}
			seen[m["arch"].(string)] = true
			for _, e := range spList(t, m["packages"]) {
				pk := e.(map[string]any)
				url := pk["url"].(string)
				if !strings.HasPrefix(url, prefix) || !strings.HasSuffix(url, "/"+pk["name"].(string)) || pk["md5"] == "" || !strings.HasSuffix(pk["size"].(string), "B") {
					t.Errorf("entry %v", pk)
				}
				if i == 0 {
					if pk["name"] != src.Filename || !strings.Contains(url, "/srpm/") || pk["md5"] != spTestMD5(t, env, p.Hash) || pk["size"] != bytes2Human(float64(src.Filesize)) {
						t.Errorf("source entry %v, want %s", pk, src.Filename)
					}
				} else if !strings.Contains(url, "/rpms/") {
					t.Errorf("binary entry %v", pk)
				}
			}
		}
	}
	expectCodes(t, env, map[string]int{
		fmt.Sprintf("/api/site/package_downloads/%d", p.Hash):                   400,
		fmt.Sprintf("/api/site/package_downloads/%d?branch=nope", p.Hash):       400,
		fmt.Sprintf("/api/site/package_downloads_src/%d?branch=p9&x=1", p.Hash): 400,
		"/api/site/package_downloads/1?branch=p10":                              404,
	})
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_downloads/%d?branch=sisyphus_e2k", p.Hash))
	if code != 200 || len(spList(t, body["downloads"])) != 0 {
		t.Errorf("no-downloads branch: %d %v", code, body)
	}
}

func TestSitePackageDownloadsRepo(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 1
		AND pkg_hash NOT IN (SELECT pkg_hash FROM BranchPackageHistory)
		AND pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_sourcepackage = 0 AND toString(pkg_arch) = 'noarch')
		AND pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_sourcepackage = 0 AND toString(pkg_arch) = 'x86_64')
		ORDER BY pkg_hash LIMIT 1`)
	if len(pick) == 0 {
		dbSelect(t, env, &pick, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 1
			AND pkg_hash NOT IN (SELECT pkg_hash FROM BranchPackageHistory) ORDER BY pkg_hash LIMIT 1`)
	}
	hash := pick[0].Hash
	var files []struct {
		Hash uint64 `ch:"pkg_hash"`
		Name string `ch:"pkg_filename"`
		Arch string `ch:"pkg_arch"`
	}
	dbSelect(t, env, &files, `SELECT pkg_hash, pkg_filename, toString(pkg_arch) AS pkg_arch FROM last_packages WHERE pkgset_name = 'p10' AND pkg_srcrpm_hash = ?`, hash)
	body := getOK(t, env, fmt.Sprintf("/api/site/package_downloads/%d?branch=p10", hash))
	base := lookup.Text("public_ftp_base") + "/p10/branch/files/"
	n := 0
	for _, g := range spList(t, body["downloads"]) {
		m := g.(map[string]any)
		for _, e := range spList(t, m["packages"]) {
			pk := e.(map[string]any)
			n++
			ok := false
			for _, f := range files {
				if f.Name != pk["name"] {
					continue
				}
				ok = true
				want := base + f.Arch + "/RPMS/" + f.Name
				if f.Hash == hash {
					want = base + "/SRPMS/" + f.Name
				}
				if pk["url"] != want || pk["md5"] != spTestMD5(t, env, f.Hash) || (f.Hash != hash && m["arch"] != f.Arch) {
					t.Errorf("entry %v in %v, want %s", pk, m["arch"], want)
				}
			}
			if !ok {
				t.Errorf("entry %v not in the branch", pk)
			}
		}
	}
	// every package of the source in the branch is listed (noarch ones too)
	if n != len(files) {
		t.Errorf("%d entries, want %d (%v)", n, len(files), files)
	}
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_downloads/%d?branch=c7", hash))
	if code != 404 || body["message"] != "No package filenames info found in DB" {
		t.Errorf("other branch: %d %v", code, body)
	}
}

func TestSitePackageDownloadsBin(t *testing.T) {
	env := testenv.Get(t)
	// A binary built by a DONE task of sisyphus (task mode).
	var pick []struct {
		Hash    uint64 `ch:"h"`
		TaskID  uint32 `ch:"task_id"`
		Subtask uint32 `ch:"subtask_id"`
		Arch    string `ch:"arch"`
	}
	dbSelect(t, env, &pick, `SELECT arrayJoin(titer_pkgs_hash) AS h, task_id, subtask_id, toString(subtask_arch) AS arch FROM TaskIterations
		WHERE (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE')
		  AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = 'sisyphus')
		ORDER BY task_changed DESC, h LIMIT 1`)
	if len(pick) > 0 {
		p := pick[0]
		bin := spTestPackage(t, env, p.Hash)
		code, body := env.Get(t, fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=sisyphus&arch=%s", p.Hash, p.Arch))
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		dl := spList(t, body["downloads"])
		if len(dl) != 1 {
			t.Fatalf("downloads %v", dl)
		}
		g := dl[0].(map[string]any)
		pk := spList(t, g["packages"])[0].(map[string]any)
		wantGroup := p.Arch
		if bin.Arch == "noarch" {
			wantGroup = "noarch"
		}
		if g["arch"] != wantGroup || pk["name"] != bin.Filename || pk["md5"] != spTestMD5(t, env, p.Hash) ||
			!strings.HasPrefix(pk["url"].(string), fmt.Sprintf("%s/%d/build/", lookup.Text("gitalt_tasks_base"), p.TaskID)) ||
			!strings.HasSuffix(pk["url"].(string), "/rpms/"+bin.Filename) {
			t.Errorf("task mode: %v, want %+v %s", g, p, bin.Filename)
		}
	}
	// A binary of p10 without a task (repo mode).
	var repo []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &repo, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 0
		AND pkg_hash NOT IN (SELECT arrayJoin(titer_pkgs_hash) FROM TaskIterations) ORDER BY pkg_hash LIMIT 1`)
	if len(repo) == 0 {
		t.Fatal("no p10 binary")
	}
	bin := spTestPackage(t, env, repo[0].Hash)
	body := getOK(t, env, fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=p10&arch=%s", bin.Hash, bin.Arch))
	g := spList(t, body["downloads"])[0].(map[string]any)
	pk := spList(t, g["packages"])[0].(map[string]any)
	if g["arch"] != bin.Arch || pk["url"] != lookup.Text("public_ftp_base")+"/p10/branch/files/"+bin.Arch+"/RPMS/"+bin.Filename ||
		pk["size"] != bytes2Human(float64(bin.Filesize)) {
		t.Errorf("repo mode: %v", g)
	}
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=c7&arch=%s", bin.Hash, bin.Arch))
	if code != 404 || body["message"] != "No package info found in DB" {
		t.Errorf("other branch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=p10", bin.Hash):             400,
		fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=p10&arch=bogus", bin.Hash):  400,
		fmt.Sprintf("/api/site/package_downloads_bin/%d?branch=p9_e2k&arch=e2k", bin.Hash): 200,
	})
}

func TestSitePackageMisconflict(t *testing.T) {
	env := testenv.Get(t)
	// Sources whose binaries declare conflicts with packages of the branch.
	var cands []struct {
		Hash uint64 `ch:"pkg_srcrpm_hash"`
	}
	dbSelect(t, env, &cands, `SELECT DISTINCT pkg_srcrpm_hash FROM Packages WHERE pkg_hash IN (
		SELECT pkg_hash FROM Depends WHERE dp_type = 'conflict'
		  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')
		  AND dp_name IN (SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus'))
		ORDER BY pkg_srcrpm_hash LIMIT 40`)
	explicit, implicit := 0, 0
	for _, c := range cands {
		code, body := env.Get(t, fmt.Sprintf("/api/site/package_misconflict/%d?branch=sisyphus", c.Hash))
		if code == 404 {
			continue
		}
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
		list := spList(t, body["conflicts"])
		if spStr(body["length"]) != fmt.Sprint(len(list)) {
			t.Errorf("length %v", body["length"])
		}
		seenExplicit := false
		for _, e := range list {
			m := e.(map[string]any)
			files := spList(t, m["files_with_conflict"])
			if len(files) == 0 || len(spList(t, m["archs"])) == 0 || len(spList(t, m["input_archs"])) == 0 {
				t.Errorf("entry %v", m)
			}
			if m["explicit"] == true {
				explicit++
				seenExplicit = true
				// The input declares a conflict with the conflict package.
				var n []struct {
					N uint64 `ch:"n"`
				}
				dbSelect(t, env, &n, `SELECT count() AS n FROM Depends WHERE dp_type = 'conflict' AND dp_name = ?
					AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name = ? AND pkg_srcrpm_hash = ?)`, m["conflict_package"], m["input_package"], c.Hash)
				if n[0].N == 0 {
					t.Errorf("explicit entry without a declared conflict: %v", m)
				}
				for i := 1; i < len(files); i++ {
					if files[i-1].(string) > files[i].(string) {
						t.Errorf("files not sorted: %v", files)
					}
				}
			} else {
				if seenExplicit {
					t.Errorf("implicit entry after explicit ones: %v", m)
				}
				implicit++
			}
		}
		if explicit > 0 && implicit > 0 {
			break
		}
	}
	if len(cands) > 0 && explicit+implicit == 0 {
		t.Errorf("no misconflicts found for %d candidates", len(cands))
	}
	var src []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &src, `SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_hash LIMIT 1`)
	code, body := env.Get(t, fmt.Sprintf("/api/site/package_misconflict/%d?branch=c7", src[0].Hash))
	if code != 404 {
		t.Errorf("other branch: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/site/package_misconflict/1?branch=sisyphus")
	if code != 404 || body["message"] != "No binary packages data found in database" {
		t.Errorf("unknown hash: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/package_misconflict/1":             400,
		"/api/site/package_misconflict/1?branch=nope": 400,
	})
}

func TestSitePackagePickNewVersion(t *testing.T) {
	d := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	cur := spVersionFact{Kind: "cur", Version: "1.0", Release: "alt1", N: 1}
	add := spVersionFact{Kind: "add", TaskID: 42, Changed: d, Hash: 7, Version: "1.1", Release: "alt1", N: 1}
	got := spPickNewVersion([]spVersionFact{cur, add}, "1.0", "alt1")
	if len(got) != 1 || got[0]["task_id"] != uint32(42) || got[0]["pkghash"] != "7" || got[0]["version"] != "1.1" || got[0]["date"] != d {
		t.Errorf("newer: %v", got)
	}
	for name, rows := range map[string][]spVersionFact{
		"same as branch": {cur, {Kind: "add", TaskID: 42, Version: "1.0", Release: "alt1", N: 1}},
		"not in branch":  {add},
		"no adds":        {cur, {Kind: "add", N: 0}},
		"task 0":         {cur, {Kind: "add", Version: "1.1", Release: "alt1", N: 1}},
	} {
		if got := spPickNewVersion(rows, "1.0", "alt1"); len(got) != 0 {
			t.Errorf("%s: %v", name, got)
		}
	}
	// the package itself is the newest one
	if got := spPickNewVersion([]spVersionFact{cur, add}, "1.1", "alt1"); len(got) != 0 {
		t.Errorf("own version: %v", got)
	}
}

func TestSitePackageResolveArchs(t *testing.T) {
	names := []spArchEntry{{name: "a", buildtime: 5}, {name: "a-doc", buildtime: 3}, {name: "b-data", buildtime: 1}}
	pairs := [][]spArchPair{
		{{"x86_64", 9}, {"x86_64", 8}, {"i586", 7}},
		{{"noarch", 20}, {"noarch", 10}},
		{{"noarch", 30}, {"noarch", 31}},
	}
	// Without a task: {arch: hash}, the later (smaller) hash of a repeated arch.
	got := spResolveArchs(names, pairs, false, nil, nil)
	if len(got) != 3 || fmt.Sprint(got[0].archs, got[0].hashes) != "[x86_64 i586] [8 7]" ||
		fmt.Sprint(got[1].archs, got[1].hashes) != "[noarch] [10]" || got[0].buildtime != 5 {
		t.Errorf("no task: %+v", got)
	}
	// With a task: noarch names resolved through the preferred build arch.
	sets := map[string]map[uint64]bool{"aarch64": {31: true}, "i586": {20: true, 7: true}, "x86_64": {9: true}}
	got = spResolveArchs(names, pairs, true, sets, []string{"aarch64", "i586", "x86_64"})
	// x86_64 is preferred: a-doc (20 built on i586 only) and b-data have no
	// hash there and are left out.
	if len(got) != 1 || got[0].name != "a" {
		t.Errorf("task, x86_64 preferred: %+v", got)
	}
	delete(sets, "x86_64")
	got = spResolveArchs(names, pairs, true, sets, []string{"aarch64", "i586"})
	if len(got) != 2 || got[1].name != "a-doc" || fmt.Sprint(got[1].archs, got[1].hashes) != "[noarch] [20]" {
		t.Errorf("task, i586 preferred: %+v", got)
	}
	delete(sets, "i586")
	got = spResolveArchs(names, pairs, true, sets, []string{"aarch64"})
	if len(got) != 2 || got[1].name != "b-data" || fmt.Sprint(got[1].hashes) != "[31]" {
		t.Errorf("task, other arch: %+v", got)
	}
}

// TestSitePackageBeforeDeletion checks the two sources of the package data
// of deleted_package_info's delete-task path (the seeded delete tasks have
// neither an older snapshot nor a build).
func TestSitePackageBeforeDeletion(t *testing.T) {
	env := testenv.Get(t)
	a := New(env.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	// Snapshot of the day before: a p10 source, deleted "now".
	var src []struct {
		Hash uint64    `ch:"pkg_hash"`
		Name string    `ch:"pkg_name"`
		Date time.Time `ch:"pkgset_date"`
	}
	dbSelect(t, env, &src, `SELECT pkg_hash, pkg_name, pkgset_date FROM static_last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1`)
	s := src[0]
	nvr, err := a.spPackageBefore(ctx, "p10", s.Name, "", false, time.Now())
	if err != nil || len(nvr) != 1 || nvr[0].Hash != s.Hash {
		t.Errorf("snapshot: %v %+v, want %d", err, nvr, s.Hash)
	}
	// Deleted on the snapshot day: no snapshot of the day before, no build.
	if nvr, err = a.spPackageBefore(ctx, "p10", s.Name, "", false, s.Date); err != nil || len(nvr) != 0 {
		t.Errorf("same day: %v %+v", err, nvr)
	}
	// Last DONE build of the branch before the deletion.
	var built []struct {
		Hash    uint64    `ch:"h"`
		Changed time.Time `ch:"task_changed"`
	}
	dbSelect(t, env, &built, `SELECT titer_srcrpm_hash AS h, task_changed FROM TaskIterations
		WHERE (task_id, task_changed) IN (SELECT task_id, task_changed FROM TaskStates WHERE task_state = 'DONE')
		  AND (task_id, subtask_id) IN (SELECT task_id, subtask_id FROM Tasks WHERE task_repo = 'sisyphus' AND subtask_deleted = 0)
		  AND titer_srcrpm_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)
		ORDER BY task_changed DESC, h LIMIT 1`)
	if len(built) == 0 {
		t.Skip("no DONE build")
	}
	p := spTestPackage(t, env, built[0].Hash)
	var snap []struct {
		D time.Time `ch:"d"`
	}
	dbSelect(t, env, &snap, `SELECT max(pkgset_date) AS d FROM PackageSetName WHERE pkgset_depth = 0 AND pkgset_nodename = 'sisyphus'`)
	// deleted on the day of the newest snapshot, after the build
	when := snap[0].D
	if !when.After(built[0].Changed) {
		t.Skip("build after the snapshot")
	}
	nvr, err = a.spPackageBefore(ctx, "sisyphus", p.Name, "", false, when)
	if err != nil || len(nvr) != 1 || nvr[0].Version != p.Version || nvr[0].Release != p.Release {
		t.Errorf("last build: %v %+v, want %s-%s", err, nvr, p.Version, p.Release)
	}
	// Nothing before the first build of the name.
	var first []struct {
		T time.Time `ch:"t"`
	}
	dbSelect(t, env, &first, `SELECT min(task_changed) AS t FROM TaskIterations
		WHERE titer_srcrpm_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name = ? AND pkg_sourcepackage = 1)`, p.Name)
	if nvr, err = a.spPackageBefore(ctx, "sisyphus", p.Name, "", false, first[0].T); err != nil || len(nvr) != 0 {
		t.Errorf("before the first build: %v %+v", err, nvr)
	}
}

// TestSitePackageInfoBeehiveAndLicense checks the Beehive error links and
// the license tokens of package_info against the database.
func TestSitePackageInfoBeehiveAndLicense(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash    uint64    `ch:"pkg_hash"`
		Arch    string    `ch:"arch"`
		Updated time.Time `ch:"bh_updated"`
	}
	dbSelect(t, env, &pick, `SELECT pkg_hash, toString(bh_arch) AS arch, bh_updated FROM BeehiveStatus
		WHERE pkgset_name = 'sisyphus' AND bh_status = 'error'
		  AND (bh_arch, bh_updated) IN (SELECT bh_arch, max(bh_updated) FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' GROUP BY bh_arch)
		  AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 1)
		ORDER BY pkg_name LIMIT 1`)
	if len(pick) == 0 {
		t.Skip("no Beehive error in sisyphus")
	}
	p := spTestPackage(t, env, pick[0].Hash)
	var epoch []struct {
		E uint32 `ch:"pkg_epoch"`
	}
	dbSelect(t, env, &epoch, `SELECT pkg_epoch FROM Packages WHERE pkg_hash = ?`, p.Hash)
	body := getOK(t, env, fmt.Sprintf("/api/site/package_info/%d?branch=sisyphus", p.Hash))
	evr := p.Version
	if epoch[0].E != 0 {
		evr = fmt.Sprintf("%d:%s", epoch[0].E, p.Version)
	}
	want := fmt.Sprintf("%s/logs/Sisyphus/%s/archive/%s/error/%s-%s-%s", lookup.Text("beehive_base"), pick[0].Arch,
		pick[0].Updated.Format("2006/0102"), p.Name, evr, p.Release)
	found := false
	for _, b := range spList(t, body["beehive"]) {
		m := b.(map[string]any)
		if m["status"] == "error" && m["arch"] == pick[0].Arch {
			found = true
			if m["url"] != want || m["updated"] != pick[0].Updated.Format("2006-01-02T15:04:05") {
				t.Errorf("beehive %v, want url %s", m, want)
			}
		} else if m["url"] != "" {
			t.Errorf("success with url: %v", m)
		}
	}
	if !found {
		t.Errorf("beehive %v lacks the %s error", body["beehive"], pick[0].Arch)
	}
	// License tokens: valid tokens of the license string, aliases mapped.
	var cat []struct {
		Token string `ch:"token"`
		ID    string `ch:"spdx_id"`
	}
	dbSelect(t, env, &cat, `SELECT alias AS token, spdx_id FROM LicenseAliases UNION ALL SELECT spdx_id AS token, spdx_id FROM SPDXLicenses`)
	valid := map[string]string{}
	for _, c := range cat {
		if _, ok := valid[c.Token]; !ok || c.Token != c.ID {
			valid[c.Token] = c.ID
		}
	}
	for _, tk := range spList(t, body["license_tokens"]) {
		m := tk.(map[string]any)
		if id, ok := valid[m["token"].(string)]; !ok || id != m["license"] || !strings.Contains(p.License, m["token"].(string)) {
			t.Errorf("token %v (license %q)", m, p.License)
		}
	}
}
