package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"altrepo/services/packages/internal/mscore"
	"altrepo/services/packages/internal/testenv"
)

// ---------------------------------------------------------------- unit tests

func TestPmPyRepr(t *testing.T) {
	m := map[string]any{"rc_test_date": "bad", "pkg_name": "it's", "zz": json.Number("1"), "aa": nil, "pkg_version": "a\\b\n"}
	got := pmPyRepr(m, pmRepocopColumns)
	want := `{'pkg_name': "it's", 'pkg_version': 'a\\b\n', 'rc_test_date': 'bad', 'aa': None, 'zz': 1}`
	if got != want {
		t.Errorf("repr = %s\nwant   %s", got, want)
	}
}

func TestPmParseISO(t *testing.T) {
	loc := time.FixedZone("X", 3*3600)
	for in, want := range map[string]string{
		"2024-01-02T03:04:05":       "2024-01-02T03:04:05+03:00",
		"2024-01-02 03:04:05":       "2024-01-02T03:04:05+03:00",
		"2024-01-02":                "2024-01-02T00:00:00+03:00",
		"2024-01-02T03:04:05Z":      "2024-01-02T03:04:05Z",
		"2024-01-02T03:04:05+01:00": "2024-01-02T03:04:05+01:00",
	} {
		got, ok := pmParseISO(in, loc)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%s -> %v %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2024-13-01", "2024-01-02T25:00:00"} {
		if _, ok := pmParseISO(bad, loc); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// ---------------------------------------------------------------- integration

type pmFilePick struct {
	Hash    uint64 `ch:"pkg_hash"`
	Name    string `ch:"pkg_name"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
	Disttag string `ch:"pkg_disttag"`
	Arch    string `ch:"arch"`
	CS      string `ch:"cs"`
	File    string `ch:"fn_name"`
	MD5     string `ch:"md5"`
}

// pmPickFile finds a regular file of a sisyphus x86_64/noarch binary package.
func pmPickFile(t *testing.T, env *testenv.Env) pmFilePick {
	t.Helper()
	var p []pmFilePick
	err := env.DB.Select(context.Background(), "pick", &p, `
		SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_disttag, arch, cs, fn_name, md5
		FROM (
		    SELECT pkg_hash, fn_hash, md5, pkg_name, pkg_version, pkg_release, pkg_disttag, arch, cs
		    FROM (
		        SELECT pkg_hash, file_hashname AS fn_hash, lower(hex(file_md5)) AS md5 FROM Files
		        WHERE file_class = 'file' AND pkg_hash IN (
		            SELECT pkg_hash FROM Packages WHERE pkg_arch IN ('x86_64', 'noarch') AND pkg_sourcepackage = 0
		              AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus'))
		    )
		    INNER JOIN (
		        SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_disttag, toString(pkg_arch) AS arch, lower(hex(pkg_cs)) AS cs
		        FROM Packages
		    ) USING pkg_hash
		)
		INNER JOIN (SELECT fn_hash, fn_name FROM FileNames) USING fn_hash
		WHERE match(fn_name, '^/usr/[A-Za-z0-9/._-]+$')
		ORDER BY fn_name LIMIT 1`)
	if err != nil || len(p) == 0 {
		t.Fatalf("no file subject: %v", err)
	}
	return p[0]
}

func pmFindPackage(t *testing.T, pkgs []any, hashName, name string) map[string]any {
	t.Helper()
	for _, p := range pkgs {
		m := p.(map[string]any)
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("package %s not in %v", name, pkgs)
	return nil
}

func pmCheckByFile(t *testing.T, m map[string]any, p pmFilePick) {
	t.Helper()
	if m["version"] != p.Version || m["release"] != p.Release || m["disttag"] != p.Disttag || m["arch"] != p.Arch ||
		m["sha1"] != p.CS || m["branch"] != "sisyphus" || len(p.CS) != 40 {
		t.Errorf("package %v, want %+v", m, p)
	}
	if !slices.Contains(m["files"].([]any), any(p.File)) {
		t.Errorf("files %v lack %s", m["files"], p.File)
	}
}

func TestPmPackageByFileName(t *testing.T) {
	env := testenv.Get(t)
	p := pmPickFile(t, env)
	body := getOK(t, env, "/api/package/package_by_file_name?branch=sisyphus&file="+url.QueryEscape(p.File))
	pmCheckByFile(t, pmFindPackage(t, body["packages"].([]any), "", p.Name), p)
	args := body["request_args"].(map[string]any)
	if args["branch"] != "sisyphus" || fmt.Sprint(args["arch"]) != "[x86_64 noarch]" || args["files"] != p.File || body["not_found"] == nil {
		t.Errorf("request_args %v not_found %v", args, body["not_found"])
	}
	// wildcard: the directory and the last 2 characters of the name
	dir := p.File[:strings.LastIndex(p.File, "/")+1]
	wc := dir + "*" + p.File[len(p.File)-2:]
	code, body := env.Get(t, "/api/package/package_by_file_name?branch=sisyphus&file="+url.QueryEscape(wc))
	if code != 200 {
		t.Fatalf("%s: %d %v", wc, code, body)
	}
	pmCheckByFile(t, pmFindPackage(t, body["packages"].([]any), "", p.Name), p)
	for _, pk := range body["packages"].([]any) {
		for _, f := range pk.(map[string]any)["files"].([]any) {
			if s := f.(string); !strings.HasPrefix(s, dir) || !strings.HasSuffix(s, p.File[len(p.File)-2:]) {
				t.Errorf("%s does not match %s", s, wc)
			}
		}
	}
	if body["request_args"].(map[string]any)["files"] != dir+"%"+p.File[len(p.File)-2:] {
		t.Errorf("request_args %v", body["request_args"])
	}
	expectCodes(t, env, map[string]int{
		"/api/package/package_by_file_name?branch=sisyphus&file=/no/such/file/zzz": 404,
		"/api/package/package_by_file_name?branch=nope&file=/usr/bin/x":            400,
		"/api/package/package_by_file_name?branch=sisyphus":                        400,
		"/api/package/package_by_file_name?branch=sisyphus&file=/x&arch=bogus":     400,
	})
}

func pmPost(t *testing.T, env *testenv.Env, path string, body any) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if s, ok := body.(string); ok {
		buf.WriteString(s)
	} else if err := json.NewEncoder(&buf).Encode(body); err != nil {
		t.Fatal(err)
	}
	rec := env.Do(t, http.MethodPost, path, &buf, map[string]string{"Content-Type": "application/json"})
	out := decodeJSON(t, rec.Body.String())
	if m, ok := out.(map[string]any); ok {
		return rec.Code, m
	}
	return rec.Code, map[string]any{"": out}
}

func TestPmPackagesByFileNames(t *testing.T) {
	env := testenv.Get(t)
	p := pmPickFile(t, env)
	code, body := pmPost(t, env, "/api/package/packages_by_file_names", map[string]any{
		"files": []string{p.File, "/no/such/file"}, "branch": "sisyphus", "arch": "x86_64"})
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	pmCheckByFile(t, pmFindPackage(t, body["packages"].([]any), "", p.Name), p)
	if fmt.Sprint(body["not_found"]) != "[/no/such/file]" {
		t.Errorf("not_found %v", body["not_found"])
	}
	args := body["request_args"].(map[string]any)
	if fmt.Sprint(args["files"]) != "2" || fmt.Sprint(args["arch"]) != "[x86_64 noarch]" {
		t.Errorf("request_args %v", args)
	}
	// without arch: every known arch
	code, body = pmPost(t, env, "/api/package/packages_by_file_names", map[string]any{"files": []string{p.File}, "branch": "sisyphus"})
	if code != 200 || len(body["request_args"].(map[string]any)["arch"].([]any)) < 10 || fmt.Sprint(body["not_found"]) != "[]" {
		t.Errorf("no arch: %d %v", code, body)
	}
	code, body = pmPost(t, env, "/api/package/packages_by_file_names", map[string]any{"files": []string{"/a*b", "x"}, "branch": "p0", "arch": "zz"})
	want := []any{"Invalid file name: /a*b. wildcard symbols are not allowed", "Invalid file name: x", "Invalid branch name: p0", "Invalid architecture name: zz"}
	if code != 400 || !slices.Equal(body["validation_message"].([]any), want) {
		t.Errorf("validation: %d %v", code, body)
	}
	for _, bad := range []string{`{"files": "x", "branch": "sisyphus"}`, `{"branch": "sisyphus"}`, `[]`, `{`} {
		if code, body := pmPost(t, env, "/api/package/packages_by_file_names", bad); code != 400 {
			t.Errorf("%s: %d %v", bad, code, body)
		}
	}
	if code, body := pmPost(t, env, "/api/package/packages_by_file_names", map[string]any{"files": []string{"/no/such/file"}, "branch": "sisyphus"}); code != 404 {
		t.Errorf("not found: %d %v", code, body)
	}
}

func TestPmPackageByFileMD5(t *testing.T) {
	env := testenv.Get(t)
	p := pmPickFile(t, env)
	body := getOK(t, env, "/api/package/package_by_file_md5?branch=sisyphus&md5="+p.MD5)
	m := pmFindPackage(t, body["packages"].([]any), "", p.Name)
	if m["sha1"] != p.CS || m["version"] != p.Version {
		t.Errorf("package %v", m)
	}
	// every listed file has that checksum
	for _, f := range m["files"].([]any) {
		var n []struct {
			N uint64 `ch:"n"`
		}
		if err := env.DB.Select(context.Background(), "md5", &n, `SELECT count() AS n FROM Files WHERE pkg_hash = ? AND file_hashname = murmurHash3_64(?) AND lower(hex(file_md5)) = ?`, p.Hash, f, p.MD5); err != nil || n[0].N == 0 {
			t.Errorf("%v: md5 differs (%v)", f, err)
		}
	}
	if body["not_found"] != nil {
		t.Errorf("not_found = %v", body["not_found"])
	}
	expectCodes(t, env, map[string]int{
		"/api/package/package_by_file_md5?branch=sisyphus&md5=0123456789abcdef0123456789abcdef": 404,
		"/api/package/package_by_file_md5?branch=sisyphus&md5=xyz":                              400,
		"/api/package/package_by_file_md5?branch=sisyphus":                                      400,
		"/api/package/package_by_file_md5?branch=p0&md5=00":                                     400,
	})
}

func TestPmFindPackageset(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Src     string   `ch:"sourcepkgname"`
		Branch  string   `ch:"pkgset_name"`
		Version string   `ch:"pkg_version"`
		Names   []string `ch:"names"`
	}
	if err := env.DB.Select(context.Background(), "pick", &pick, `
		SELECT sourcepkgname, pkgset_name, pkg_version, groupUniqArray(pkg_name) AS names
		FROM last_packages_with_source
		WHERE pkgset_name = 'sisyphus' AND pkg_name NOT LIKE '%-debuginfo'
		GROUP BY sourcepkgname, pkgset_name, pkg_version ORDER BY sourcepkgname LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	p := pick[0]
	body := getOK(t, env, "/api/package/find_packageset?packages="+p.Src)
	pkgs := body["packages"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Errorf("length %v", body["length"])
	}
	found, prev := false, "9999"
	for _, e := range pkgs {
		m := e.(map[string]any)
		if m["sourcepkgname"] != p.Src {
			t.Errorf("element %v", m)
		}
		if dt := m["pkgset_datetime"].(string); dt > prev {
			t.Errorf("not newest first: %s after %s", dt, prev)
		} else {
			prev = dt
		}
		if m["branch"] == "sisyphus" && m["version"] == p.Version {
			found = true
			got := []string{}
			for _, n := range m["packages"].([]any) {
				got = append(got, n.(string))
			}
			slices.Sort(got)
			slices.Sort(p.Names)
			if !slices.Equal(got, p.Names) || len(m["archs"].([]any)) == 0 || len(m["buildtime"].(string)) != 19 {
				t.Errorf("element %v, want packages %v", m, p.Names)
			}
		}
	}
	if !found {
		t.Errorf("sisyphus %s not in %v", p.Src, pkgs)
	}
	_, body = env.Get(t, "/api/package/find_packageset?packages="+p.Src+"&branches=p9")
	for _, e := range body["packages"].([]any) {
		if e.(map[string]any)["branch"] != "p9" {
			t.Errorf("branches=p9: %v", e)
		}
	}
	expectCodesMsg(t, env, "No results found in last package sets for given parameters", map[string]int{
		"/api/package/find_packageset?packages=no-such-package-zzz": 404,
		"/api/package/find_packageset?packages=a":                   400,
		"/api/package/find_packageset":                              400,
		"/api/package/find_packageset?packages=bash&branches=p0":    400,
	})
}

func TestPmUnpackagedDirs(t *testing.T) {
	env := testenv.Get(t)
	// The packager with the most files in sisyphus binaries.
	var pick []struct {
		Nick string `ch:"nick"`
	}
	if err := env.DB.Select(context.Background(), "pick", &pick, `
		SELECT substring(pkg_packager_email, 1, position(pkg_packager_email, '@') - 1) AS nick
		FROM Files INNER JOIN (
		    SELECT pkg_hash, pkg_packager_email FROM Packages
		    WHERE pkg_sourcepackage = 0 AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus')
		) USING pkg_hash
		WHERE position(pkg_packager_email, '@') > 1
		GROUP BY nick ORDER BY count() DESC, nick LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	nick := pick[0].Nick
	code, body := env.Get(t, "/api/package/unpackaged_dirs?branch=sisyphus&packager="+url.QueryEscape(nick)+"&archs=x86_64")
	if code == 404 {
		t.Skipf("no unpackaged directories for %s in this data", nick)
	}
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	if fmt.Sprint(body["request_args"].(map[string]any)["archs"]) != "[x86_64 noarch]" {
		t.Errorf("request_args %v", body["request_args"])
	}
	pkgs := body["packages"].([]any)
	for _, e := range pkgs[:min(len(pkgs), 20)] {
		m := e.(map[string]any)
		if !strings.HasPrefix(m["email"].(string), nick+"@") {
			t.Errorf("element %v", m)
		}
		// the directory is no directory entry of a sisyphus binary package
		var n []struct {
			Owned uint64 `ch:"owned"`
			Files uint64 `ch:"files"`
		}
		err := env.DB.Select(context.Background(), "check", &n, `
			SELECT
			  (SELECT count() FROM Files WHERE file_class = 'directory' AND file_hashname = murmurHash3_64(?)
			     AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_arch IN ('x86_64', 'noarch')
			        AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0))) AS owned,
			  (SELECT count() FROM Files WHERE file_hashdir = murmurHash3_64(?) AND file_class = 'file'
			     AND pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name = ? AND pkg_version = ?)) AS files`,
			m["directory"], m["directory"], m["package"], m["version"])
		if err != nil || n[0].Owned != 0 || n[0].Files == 0 {
			t.Errorf("%v: %+v %v", m, n, err)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/package/unpackaged_dirs?branch=sisyphus&packager=nosuchpackagerzzz": 404,
		"/api/package/unpackaged_dirs?branch=sisyphus":                            400,
		"/api/package/unpackaged_dirs?branch=p0&packager=x":                       400,
		"/api/package/unpackaged_dirs?branch=sisyphus&packager=x&archs=zz":        400,
	})
}

func TestPmRepocop(t *testing.T) {
	env := testenv.Get(t)
	src := fmt.Sprintf("pmtest-src-%d", time.Now().UnixNano())
	row := func(name, arch, test, status, date string) map[string]any {
		return map[string]any{"pkg_name": name, "pkg_version": "1.0", "pkg_release": "alt1", "pkg_arch": arch,
			"pkgset_name": "sisyphus", "rc_srcpkg_name": src, "rc_srcpkg_version": "1.0", "rc_srcpkg_release": "alt1",
			"rc_test_name": test, "rc_test_status": status, "rc_test_message": status + " message", "rc_test_date": date}
	}
	bin := src + "-bin"
	code, body := pmPost(t, env, "/api/package/repocop", map[string]any{"packages": []any{
		row(src, "src", "t1", "ok", "2024-01-01T10:00:00"),
		row(src, "src", "t1", "fail", "2024-02-01 10:00:00"),
		row(bin, "x86_64", "t2", "warn", "2024-03-01T00:00:00"),
	}})
	if code != 201 || body[""] != "data loaded successfully" {
		t.Fatalf("POST: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/package/repocop?branch=sisyphus&package_name="+src)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	pkgs := body["packages"].([]any)
	if len(pkgs) != 2 || fmt.Sprint(body["length"]) != "2" {
		t.Fatalf("packages %v", pkgs)
	}
	first := pkgs[0].(map[string]any)
	if first["pkg_name"] != src || first["test_name"] != "t1" || first["test_status"] != "fail" ||
		first["test_message"] != "fail message" || first["test_date"] != "2024-02-01T10:00:00" || first["branch"] != "sisyphus" || first["pkg_arch"] != "src" {
		t.Errorf("latest t1 = %v", first)
	}
	if pkgs[1].(map[string]any)["pkg_name"] != bin {
		t.Errorf("second = %v", pkgs[1])
	}
	code, body = env.Get(t, "/api/package/repocop?branch=sisyphus&package_type=binary&package_name="+bin+"&bin_package_arch=x86_64&package_version=1.0")
	if code != 200 || len(body["packages"].([]any)) != 1 || body["packages"].([]any)[0].(map[string]any)["test_status"] != "warn" {
		t.Errorf("binary: %d %v", code, body)
	}
	expectCodesMsg(t, env, "No results found in database for given parameters", map[string]int{
		"/api/package/repocop?branch=sisyphus&package_name=" + src + "&package_version=9.9": 404,
		"/api/package/repocop?branch=p10&package_name=" + src:                               404,
		"/api/package/repocop?branch=sisyphus&package_name=" + src + "&package_type=both":   400,
		"/api/package/repocop?branch=sisyphus":                                              400,
		"/api/package/repocop?branch=p0&package_name=" + src:                                400,
	})
	// Schema-invalid bodies and a bad date: 400, nothing stored.
	bad := row(src, "src", "t9", "ok", "not a date")
	code, body = pmPost(t, env, "/api/package/repocop", map[string]any{"packages": []any{row(src, "src", "t9", "ok", "2024-01-01"), bad}})
	if code != 400 || !strings.HasPrefix(fmt.Sprint(body["validation_message"]), "[Invalid data: {'pkg_name': '"+src+"'") {
		t.Errorf("bad date: %d %v", code, body)
	}
	missing := row(src, "src", "t9", "ok", "2024-01-01")
	delete(missing, "rc_test_name")
	for _, b := range []any{map[string]any{"packages": []any{missing}}, map[string]any{}, map[string]any{"packages": "x"},
		map[string]any{"packages": []any{map[string]any{"pkg_name": 1}}}} {
		if code, body := pmPost(t, env, "/api/package/repocop", b); code != 400 {
			t.Errorf("%v: %d %v", b, code, body)
		}
	}
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := env.DB.Select(context.Background(), "n", &n, `SELECT count() AS n FROM PackagesRepocop WHERE rc_test_name = 't9'`); err != nil || n[0].N != 0 {
		t.Errorf("rejected rows stored: %v %v", n, err)
	}
}

func TestPmSpecfile(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Hash    uint64    `ch:"pkg_hash"`
		Name    string    `ch:"pkg_name"`
		Version string    `ch:"pkg_version"`
		File    string    `ch:"specfile_name"`
		Date    time.Time `ch:"specfile_date"`
		Content string    `ch:"specfile_content"`
	}
	if err := env.DB.Select(context.Background(), "pick", &pick, `
		SELECT pkg_hash, pkg_name, pkg_version, specfile_name, specfile_date, specfile_content FROM Specfiles
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		  AND pkg_name IN (SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		ORDER BY pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	p := pick[0]
	check := func(body map[string]any) {
		t.Helper()
		content, err := base64.StdEncoding.DecodeString(body["specfile_content"].(string))
		if err != nil || string(content) != p.Content {
			t.Errorf("content differs: %v", err)
		}
		if body["pkg_hash"] != fmt.Sprint(p.Hash) || body["pkg_name"] != p.Name || body["pkg_version"] != p.Version ||
			body["specfile_name"] != p.File || body["specfile_date"] != p.Date.Format("2006-01-02T15:04:05") {
			t.Errorf("body %v, want %+v", body, p)
		}
	}
	body := getOK(t, env, fmt.Sprintf("/api/package/specfile_by_hash/%d", p.Hash))
	check(body)
	if fmt.Sprint(body["request_args"]) != "map[]" {
		t.Errorf("request_args %v", body["request_args"])
	}
	code, body := env.Get(t, "/api/package/specfile_by_name?branch=sisyphus&name="+p.Name)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	check(body)
	if code, body := env.Get(t, "/api/package/specfile_by_hash/1"); code != 404 || body["message"] != "No specfile found for package with hash 1" {
		t.Errorf("hash 404: %d %v", code, body)
	}
	if code, _ := env.Get(t, "/api/package/specfile_by_hash/abc"); code != 404 {
		t.Errorf("bad hash: %d", code)
	}
	if code, body := env.Get(t, "/api/package/specfile_by_name?branch=sisyphus&name=no-such-zzz"); code != 404 || body["message"] != "No specfile found for no-such-zzz in sisyphus" {
		t.Errorf("name 404: %d %v", code, body)
	}
	for _, u := range []string{"/api/package/specfile_by_name?branch=sisyphus", "/api/package/specfile_by_name?branch=p0&name=bash"} {
		if code, _ := env.Get(t, u); code != 400 {
			t.Errorf("%s: %d", u, code)
		}
	}
}

func TestPmPackageFiles(t *testing.T) {
	env := testenv.Get(t)
	p := pmPickFile(t, env)
	var files []struct {
		Name  string    `ch:"fn_name"`
		Size  uint32    `ch:"file_size"`
		Class string    `ch:"cls"`
		Link  string    `ch:"file_linkto"`
		Mtime time.Time `ch:"file_mtime"`
		Mode  uint16    `ch:"file_mode"`
	}
	if err := env.DB.Select(context.Background(), "files", &files, `
		SELECT DISTINCT fn_name, file_size, toString(file_class) AS cls, file_linkto, file_mtime, file_mode
		FROM (SELECT file_hashname AS fn_hash, file_size, file_class, file_linkto, file_mtime, file_mode FROM Files WHERE pkg_hash = ?)
		INNER JOIN (SELECT fn_hash, fn_name FROM FileNames) USING fn_hash
		ORDER BY fn_name, cls, file_linkto`, p.Hash); err != nil {
		t.Fatal(err)
	}
	code, body := env.Get(t, fmt.Sprintf("/api/package/package_files/%d", p.Hash))
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	got := body["files"].([]any)
	if len(got) != len(files) || fmt.Sprint(body["length"]) != fmt.Sprint(len(files)) || fmt.Sprint(body["request_args"]) != fmt.Sprint(p.Hash) {
		t.Fatalf("%d files (length %v, args %v), %d in the database", len(got), body["length"], body["request_args"], len(files))
	}
	for i, f := range files {
		m := got[i].(map[string]any)
		perm, _ := fileNsPermissions(f.Class, uint64(f.Mode))
		if m["file_name"] != f.Name || m["file_size"] != bytes2Human(float64(f.Size)) || m["file_class"] != f.Class ||
			m["symlink"] != f.Link || m["file_mtime"] != f.Mtime.Format("2006-01-02T15:04:05") || m["file_mode"] != perm {
			t.Errorf("file %d = %v, want %+v", i, m, f)
		}
	}
	if code, body := env.Get(t, "/api/package/package_files/1"); code != 404 || body["message"] != "No information found in DB for package hash 1" ||
		fmt.Sprint(body["details"]) != "map[args:1]" {
		t.Errorf("404: %d %v", code, body)
	}
	if code, _ := env.Get(t, "/api/package/package_files/-1"); code != 404 {
		t.Errorf("negative hash: %d", code)
	}
}

func TestPmMaintainerScore(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Name  string   `ch:"pkg_name"`
		Names []string `ch:"names"`
	}
	if err := env.DB.Select(context.Background(), "pick", &pick, `
		SELECT pkg_name, pkg_changelog.name AS names FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		  AND length(pkg_changelog.name) > 2
		ORDER BY pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	p := pick[0]
	nicks := map[string]int{}
	for _, n := range p.Names {
		if nick := mscore.Nick(n); nick != "" {
			nicks[nick]++
		}
	}
	body := getOK(t, env, "/api/package/maintainer_score?branch=sisyphus&name="+p.Name)
	if body["package"] != p.Name || body["branch"] != "sisyphus" {
		t.Errorf("body %v", body)
	}
	maint := body["maintainers"].([]any)
	if len(maint) != len(nicks) {
		t.Errorf("maintainers %v, changelog nicks %v", maint, nicks)
	}
	prev := math.Inf(1)
	for _, e := range maint {
		m := e.(map[string]any)
		nick := m["nick"].(string)
		var n int64
		for _, k := range []string{"updates", "patches", "nmu"} {
			v, _ := m[k].(json.Number).Int64()
			n += v
		}
		// NMU entries that are updates count twice (updates and nmu)
		if n < int64(nicks[nick]) {
			t.Errorf("%s: %d counted entries, %d in the changelog", nick, n, nicks[nick])
		}
		score, _ := m["score"].(json.Number).Float64()
		if score > prev {
			t.Errorf("not ordered by score: %v", maint)
		}
		prev = score
		if fmt.Sprint(m["bugfixes_with_update"]) != "0" || len(fmt.Sprint(m["last_activity"])) != 10 {
			t.Errorf("element %v", m)
		}
	}
	top, _ := maint[0].(map[string]any)["score"].(json.Number).Float64()
	want := "orphaned"
	if top >= 1 {
		want = "active"
	} else if top >= 0.3 {
		want = "low_activity"
	}
	if body["status"] != want || (top > 0 && body["primary_maintainer"] != maint[0].(map[string]any)["nick"]) {
		t.Errorf("status %v primary %v, top %v", body["status"], body["primary_maintainer"], maint[0])
	}
	expectCodesMsg(t, env, "No changelog data found for package", map[string]int{
		"/api/package/maintainer_score?branch=sisyphus&name=no-such-zzz": 404,
		"/api/package/maintainer_score?branch=p0&name=bash":              400,
		"/api/package/maintainer_score?branch=sisyphus":                  400,
	})
}
