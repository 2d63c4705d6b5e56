package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"altrepo/services/packages/internal/testenv"
)

type pkgInfoPick struct {
	Hash      uint64 `ch:"pkg_hash"`
	Name      string `ch:"pkg_name"`
	Version   string `ch:"pkg_version"`
	Release   string `ch:"pkg_release"`
	Epoch     uint32 `ch:"pkg_epoch"`
	Arch      string `ch:"arch"`
	Disttag   string `ch:"pkg_disttag"`
	Packager  string `ch:"packager"`
	Email     string `ch:"email"`
	SourceRPM string `ch:"pkg_sourcerpm"`
	Filename  string `ch:"pkg_filename"`
	Buildtime uint32 `ch:"pkg_buildtime"`
	Summary   string `ch:"pkg_summary"`
	License   string `ch:"license"`
	Group     string `ch:"pkg_group_"`
	CS        string `ch:"cs"`
	Source    uint8  `ch:"pkg_sourcepackage"`
}

// pkgInfoSubject picks a package of sisyphus whose name is unique there
// for its kind (and arch for binaries), with a changelog (and files for
// binaries).
func pkgInfoSubject(t *testing.T, env *testenv.Env, source bool) pkgInfoPick {
	t.Helper()
	src, arch, files := 0, "AND pkg_arch = 'x86_64'", "AND pkg_hash IN (SELECT pkg_hash FROM Files)"
	if source {
		src, arch, files = 1, "", ""
	}
	var p []pkgInfoPick
	err := env.DB.Select(context.Background(), "pick", &p, fmt.Sprintf(`
		SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_epoch, toString(pkg_arch) AS arch, pkg_disttag,
		       toString(pkg_packager) AS packager, toString(pkg_packager_email) AS email, pkg_sourcerpm, pkg_filename,
		       pkg_buildtime, pkg_summary, toString(pkg_license) AS license, pkg_group_, lower(hex(pkg_cs)) AS cs, pkg_sourcepackage
		FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = %[1]d)
		  AND pkg_sourcepackage = %[1]d %[2]s
		  AND length(pkg_changelog.hash) > 1
		  %[3]s
		  AND pkg_name IN (
		      SELECT pkg_name FROM Packages
		      WHERE pkg_hash IN (SELECT pkg_hash FROM last_packages WHERE pkg_sourcepackage = %[1]d %[2]s)
		      GROUP BY pkg_name HAVING uniqExact(pkg_hash) = 1)
		ORDER BY pkg_name LIMIT 1`, src, arch, files))
	if err != nil || len(p) == 0 {
		t.Fatalf("no package_info subject: %v", err)
	}
	return p[0]
}

func pkgInfoCheck(t *testing.T, m map[string]any, p pkgInfoPick) {
	t.Helper()
	want := map[string]string{
		"name": p.Name, "version": p.Version, "release": p.Release, "epoch": fmt.Sprint(p.Epoch), "disttag": p.Disttag,
		"packager": p.Packager, "packager_email": p.Email, "sourcerpm": p.SourceRPM, "filename": p.Filename,
		"sha1": p.CS, "sourcepackage": fmt.Sprint(p.Source),
	}
	if p.Source == 0 {
		want["arch"] = p.Arch
	}
	for k, v := range want {
		if fmt.Sprint(m[k]) != v {
			t.Errorf("%s = %v, want %q", k, m[k], v)
		}
	}
	if len(p.CS) != 40 {
		t.Errorf("checksum %q is not a SHA-1 in hex", p.CS)
	}
}

func TestPackageInfoAgainstDB(t *testing.T) {
	env := testenv.Get(t)
	p := pkgInfoSubject(t, env, false)
	body := getOK(t, env, "/api/package/package_info?name="+p.Name+"&branch=sisyphus")
	pkgs := body["packages"].([]any)
	if len(pkgs) != 1 || fmt.Sprint(body["length"]) != "1" {
		t.Fatalf("packages %v", pkgs)
	}
	m := pkgs[0].(map[string]any)
	pkgInfoCheck(t, m, p)
	// without full: only the default columns; nested fields are objects of nulls
	if m["buildtime"] != nil || m["summary"] != nil || m["files"] != nil {
		t.Errorf("not requested: buildtime %v summary %v files %v", m["buildtime"], m["summary"], m["files"])
	}
	if d, ok := m["depends"].(map[string]any); !ok || d["require"] != nil || len(d) != 4 {
		t.Errorf("depends = %v", m["depends"])
	}
	if c, ok := m["changelog"].(map[string]any); !ok || c["date"] != nil {
		t.Errorf("changelog = %v", m["changelog"])
	}
	args := body["request_args"].(map[string]any)
	if args["name"] != p.Name || args["arch"] != "x86_64" || args["source"] != false || args["full"] != false || args["sha1"] != nil {
		t.Errorf("request_args %v", args)
	}
	// the same package by its checksum, upper case
	code, body := env.Get(t, "/api/package/package_info?sha1="+strings.ToUpper(p.CS))
	if code != 200 {
		t.Fatalf("by sha1: %d %v", code, body)
	}
	pkgInfoCheck(t, body["packages"].([]any)[0].(map[string]any), p)
	// other filters narrow the same lookup
	code, body = env.Get(t, "/api/package/package_info?name="+p.Name+"&version="+p.Version+"&release="+p.Release+"&branch=sisyphus&arch=x86_64")
	if code != 200 || len(body["packages"].([]any)) != 1 {
		t.Errorf("name+version+release: %d %v", code, body)
	}
}

func TestPackageInfoFull(t *testing.T) {
	env := testenv.Get(t)
	p := pkgInfoSubject(t, env, false)
	body := getOK(t, env, "/api/package/package_info?name="+p.Name+"&branch=sisyphus&full=true")
	m := body["packages"].([]any)[0].(map[string]any)
	pkgInfoCheck(t, m, p)
	if fmt.Sprint(m["buildtime"]) != fmt.Sprint(p.Buildtime) || m["summary"] != p.Summary || m["license"] != p.License || m["group"] != p.Group {
		t.Errorf("full fields: buildtime %v summary %v license %v group %v, want %+v", m["buildtime"], m["summary"], m["license"], m["group"], p)
	}
	// changelog in stored order with its texts
	var chlog []struct {
		Date string `ch:"d"`
		Name string `ch:"n"`
		EVR  string `ch:"e"`
		Text string `ch:"chlog_text"`
	}
	dbSelect(t, env, &chlog, `
		SELECT d, n, e, chlog_text FROM (
		    SELECT idx, toString(toDate(pkg_changelog.date)) AS d, pkg_changelog.name AS n, pkg_changelog.evr AS e, pkg_changelog.hash AS chlog_hash
		    FROM (SELECT * FROM Packages WHERE pkg_hash = ? LIMIT 1)
		    ARRAY JOIN pkg_changelog, arrayEnumerate(pkg_changelog.hash) AS idx
		) LEFT JOIN (SELECT chlog_hash, any(chlog_text) AS chlog_text FROM Changelog GROUP BY chlog_hash) USING chlog_hash
		ORDER BY idx`, p.Hash)
	got := m["changelog"].([]any)
	if len(got) != len(chlog) {
		t.Fatalf("%d changelog entries, %d in the database", len(got), len(chlog))
	}
	for i, c := range chlog {
		e := got[i].(map[string]any)
		if e["date"] != c.Date || e["name"] != c.Name || e["evr"] != c.EVR || e["message"] != c.Text {
			t.Errorf("changelog %d = %v, want %+v", i, e, c)
		}
	}
	// files as a set
	var files []struct {
		Name string `ch:"fn_name"`
	}
	dbSelect(t, env, &files, `SELECT DISTINCT fn_name FROM FileNames WHERE fn_hash IN (SELECT file_hashname FROM Files WHERE pkg_hash = ?)`, p.Hash)
	var wantFiles, gotFiles []string
	for _, f := range files {
		wantFiles = append(wantFiles, f.Name)
	}
	for _, f := range m["files"].([]any) {
		gotFiles = append(gotFiles, f.(string))
	}
	slices.Sort(wantFiles)
	slices.Sort(gotFiles)
	if !slices.Equal(gotFiles, wantFiles) {
		t.Errorf("files %v, want %v", gotFiles, wantFiles)
	}
	// dependencies grouped by type
	var deps []struct {
		Type string `ch:"t"`
		Name string `ch:"dp_name"`
	}
	dbSelect(t, env, &deps, `SELECT DISTINCT toString(dp_type) AS t, dp_name FROM Depends WHERE pkg_hash = ?`, p.Hash)
	want := map[string][]string{}
	for _, d := range deps {
		want[d.Type] = append(want[d.Type], d.Name)
	}
	dm := m["depends"].(map[string]any)
	for _, typ := range []string{"require", "provide", "conflict", "obsolete"} {
		w := want[typ]
		if w == nil {
			if dm[typ] != nil {
				t.Errorf("depends[%s] = %v, want null", typ, dm[typ])
			}
			continue
		}
		var g []string
		for _, n := range dm[typ].([]any) {
			g = append(g, n.(string))
		}
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("depends[%s] = %v, want %v", typ, g, w)
		}
	}
}

func TestPackageInfoSource(t *testing.T) {
	env := testenv.Get(t)
	p := pkgInfoSubject(t, env, true)
	// arch is ignored for sources (its default would exclude them)
	body := getOK(t, env, "/api/package/package_info?name="+p.Name+"&branch=sisyphus&source=true&arch=i586")
	pkgs := body["packages"].([]any)
	if len(pkgs) != 1 {
		t.Fatalf("packages %v", pkgs)
	}
	pkgInfoCheck(t, pkgs[0].(map[string]any), p)
}

func TestPackageInfoErrors(t *testing.T) {
	env := testenv.Get(t)
	for u, want := range map[string]int{
		"/api/package/package_info?name=a":                                  400,
		"/api/package/package_info?name=bash&branch=nope":                   400,
		"/api/package/package_info?name=bash&arch=bogus":                    400,
		"/api/package/package_info?name=bash&full=maybe":                    400,
		"/api/package/package_info?sha1=xyz":                                400,
		"/api/package/package_info?name=bash&bogus=1":                       400,
		"/api/package/package_info?name=no-such-package-zzz":                404,
		"/api/package/package_info?sha1=0123456789abcdef0123456789abcdef01": 404,
	} {
		code, body := env.Get(t, u)
		if code != want {
			t.Errorf("%s: %d %v, want %d", u, code, body, want)
			continue
		}
		if want == 404 && (body["message"] != "No packages found in last packages for given parameters" || body["details"].(map[string]any)["args"] == nil) {
			t.Errorf("%s: %v", u, body)
		}
	}
}
