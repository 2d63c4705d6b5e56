package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"altrepo/services/packages/internal/testenv"
)

func TestFileNsPermissions(t *testing.T) {
	cases := []struct {
		class string
		mode  uint64
		want  string
	}{
		{"file", 0o644, "-rw-r--r--"},
		{"file", 0o755, "-rwxr-xr-x"},
		{"directory", 0o755, "drwxr-xr-x"},
		{"symlink", 0o777, "lrwxrwxrwx"},
		{"file", 0o4755, "-rwsr-xr-x"},
		{"file", 0o4644, "-rwSr--r--"},
		{"file", 0o2755, "-rwxr-sr-x"},
		{"file", 0o2745, "-rwxr-Sr-x"},
		{"directory", 0o1777, "drwxrwxrwt"},
		{"directory", 0o1776, "drwxrwxrwT"},
		{"socket", 0o600, "srw-------"},
		{"block", 0o660, "brw-rw----"},
		{"char", 0o666, "crw-rw-rw-"},
		{"fifo", 0, "p---------"},
		// the mode column also carries the file type bits: ignored
		{"file", 0o100644, "-rw-r--r--"},
	}
	for _, c := range cases {
		got, err := fileNsPermissions(c.class, c.mode)
		if err != nil || got != c.want {
			t.Errorf("fileNsPermissions(%s, %o) = %q, %v; want %q", c.class, c.mode, got, err, c.want)
		}
	}
	if _, err := fileNsPermissions("door", 0o644); err == nil {
		t.Error("unknown class: no error")
	}
}

func TestFileSearchPattern(t *testing.T) {
	if got := fileSearchPattern("sisyphus", "%lib_x%"); got != `sisyphus|%lib\_x%|%|binary|%` {
		t.Errorf("pattern = %q", got)
	}
	names := []string{"/usr/bin/bb", "/b", "/usr/bin/ab", "/ü", "/a"}
	fileNsSortNames(names)
	if strings.Join(names, " ") != "/a /b /ü /usr/bin/ab /usr/bin/bb" {
		t.Errorf("sorted = %v", names)
	}
}

// fileSearchSubject finds a file path of a binary package of sisyphus in
// FileSearch and the package holding it.
func fileSearchSubject(t *testing.T, env *testenv.Env) (path string, hash uint64) {
	t.Helper()
	var rows []struct {
		S    string `ch:"search_string"`
		Lead uint64 `ch:"lead"`
	}
	err := env.DB.Select(context.Background(), "pick", &rows, `
		SELECT search_string, lead FROM FileSearch
		WHERE match(search_string, '^sisyphus\\|/usr/bin/[A-Za-z0-9._-]{3,}\\|[^|]*\\|binary\\|')
		  AND lead IN (SELECT pkg_hash FROM Packages WHERE pkg_sourcepackage = 0)
		ORDER BY search_string LIMIT 1`)
	if err != nil || len(rows) == 0 {
		t.Fatalf("no FileSearch subject: %v", err)
	}
	return strings.Split(rows[0].S, "|")[1], rows[0].Lead
}

func TestFileSearch(t *testing.T) {
	env := testenv.Get(t)
	path, _ := fileSearchSubject(t, env)
	base := path[strings.LastIndex(path, "/")+1:]
	if utf8.RuneCountInString(base) < 3 {
		base = path
	}
	body := getOK(t, env, "/api/file/search?branch=sisyphus&file_name="+url.QueryEscape(base))
	files := body["files"].([]any)
	if fmt.Sprint(body["length"]) != fmt.Sprint(len(files)) || len(files) == 0 {
		t.Fatalf("length %v, files %d", body["length"], len(files))
	}
	// Every answer row is a FileSearch name containing the input, with its
	// Files attributes; shortest names first.
	found := false
	prevLen, prev := 0, ""
	for _, f := range files {
		m := f.(map[string]any)
		name := m["file_name"].(string)
		if !strings.Contains(name, base) {
			t.Errorf("%s does not contain %s", name, base)
		}
		if name == path {
			found = true
		}
		l := utf8.RuneCountInString(name)
		if l < prevLen || (l == prevLen && name < prev) {
			t.Errorf("order: %s after %s", name, prev)
		}
		prevLen, prev = l, name
		var db []struct {
			H     string `ch:"h"`
			Class string `ch:"c"`
			Mode  uint16 `ch:"file_mode"`
			Link  string `ch:"file_linkto"`
		}
		if err := env.DB.Select(context.Background(), "check", &db, `SELECT toString(file_hashname) AS h, toString(file_class) AS c, file_mode, file_linkto
			FROM Files WHERE file_hashname = murmurHash3_64(?) LIMIT 1`, name); err != nil || len(db) == 0 {
			t.Fatalf("%s not in Files: %v", name, err)
		}
		perm, _ := fileNsPermissions(db[0].Class, uint64(db[0].Mode))
		if m["file_hashname"] != db[0].H || m["file_class"] != db[0].Class || m["file_mode"] != perm || m["symlink"] != db[0].Link {
			t.Errorf("file %v, database %+v (%s)", m, db[0], perm)
		}
	}
	if !found {
		t.Errorf("%s not found by %s", path, base)
	}
	// limit
	code, body := env.Get(t, "/api/file/search?branch=sisyphus&limit=1&file_name="+url.QueryEscape("/usr"))
	if code != 200 || len(body["files"].([]any)) != 1 {
		t.Errorf("limit=1: %d %v", code, body)
	}
	expectCodesMsg(t, env, "No data not found in database", map[string]int{
		"/api/file/search?branch=sisyphus&file_name=/usr&limit=5001":  400,
		"/api/file/search?branch=sisyphus&file_name=/usr&limit=-1":    400,
		"/api/file/search?branch=nope&file_name=/usr":                 400,
		"/api/file/search?branch=sisyphus&file_name=ab":               400,
		"/api/file/search?branch=sisyphus":                            400,
		"/api/file/search?branch=sisyphus&file_name=/usr&bogus=1":     400,
		"/api/file/search?branch=sisyphus&file_name=no-such-file-zzz": 404,
	})
	code, body = env.Get(t, "/api/file/search?branch=sisyphus&file_name=/usr&limit=0")
	if code != 200 || len(body["files"].([]any)) == 0 {
		t.Errorf("limit=0: %d", code)
	}
}

func TestFileFastLookup(t *testing.T) {
	env := testenv.Get(t)
	path, _ := fileSearchSubject(t, env)
	body := getOK(t, env, "/api/file/fast_lookup?branch=sisyphus&file_name="+url.QueryEscape(path))
	files := body["files"].([]any)
	if len(files) == 0 || len(files) > 10 || fmt.Sprint(body["length"]) != fmt.Sprint(len(files)) {
		t.Fatalf("files %v", files)
	}
	// the exact path is the shortest name containing itself
	if files[0].(map[string]any)["file_name"] != path {
		t.Errorf("first = %v, want %s", files[0], path)
	}
	code, body := env.Get(t, "/api/file/fast_lookup?branch=sisyphus&limit=3&file_name=/usr")
	if code != 200 || len(body["files"].([]any)) != 3 {
		t.Errorf("limit=3: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/file/fast_lookup?branch=sisyphus&file_name=/usr&limit=6000":  400,
		"/api/file/fast_lookup?branch=p0&file_name=/usr":                   400,
		"/api/file/fast_lookup?branch=sisyphus&file_name=no-such-file-zzz": 404,
	})
}

func TestFilePackagesByFile(t *testing.T) {
	env := testenv.Get(t)
	path, hash := fileSearchSubject(t, env)
	body := getOK(t, env, "/api/file/packages_by_file?branch=sisyphus&file_name="+url.QueryEscape(path))
	pkgs := body["packages"].([]any)
	var want []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Release string `ch:"pkg_release"`
		Arch    string `ch:"arch"`
	}
	if err := env.DB.Select(context.Background(), "pkg", &want, `SELECT pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS arch FROM Packages WHERE pkg_hash = ? LIMIT 1`, hash); err != nil || len(want) == 0 {
		t.Fatal(err)
	}
	ok := false
	for _, p := range pkgs {
		m := p.(map[string]any)
		if m["hash"] == fmt.Sprint(hash) {
			ok = m["name"] == want[0].Name && m["version"] == want[0].Version && m["release"] == want[0].Release && m["arch"] == want[0].Arch
		}
	}
	if !ok || fmt.Sprint(body["length"]) != fmt.Sprint(len(pkgs)) {
		t.Errorf("packages %v, want %d %+v", pkgs, hash, want[0])
	}
	expectCodes(t, env, map[string]int{
		"/api/file/packages_by_file?branch=sisyphus":                         400,
		"/api/file/packages_by_file?branch=sisyphus&file_name=/a":            400,
		"/api/file/packages_by_file?branch=sisyphus&file_name=/no/such/file": 404,
	})
}
