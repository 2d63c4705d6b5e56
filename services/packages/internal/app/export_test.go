package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/libs/testharness"
	"altrepo/services/packages/internal/testenv"
)

// ---- unit tests ----

func TestExportPoMsgid(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:               "msgid \"plain\"\n",
		`50% "quoted" \ back`: "msgid \"50%% \\\"quoted\\\" \\\\ back\"\n",
		"two\nlines":          "msgid \"\"\n\"two\\n\"\n\"lines\"\n",
		"trailing\n":          "msgid \"\"\n\"trailing\\n\"\n\"\"\n",
	} {
		if got := exportPoMsgid(in); got != want {
			t.Errorf("%q:\n%s\nwant\n%s", in, got, want)
		}
	}
}

func TestExportPotFile(t *testing.T) {
	now := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	rows := []exportPoRow{
		{Name: "a", URL: "http://a", Summary: "Same", Description: "Desc A"},
		{Name: "a-devel", URL: "", Summary: "Same", Description: "Desc A"},
		{Name: "a-doc", URL: "", Summary: "Desc A", Description: "Doc"},
	}
	got := exportPotFile(rows, now)
	if !strings.HasPrefix(got, "# SOME DESCRIPTIVE TITLE\n") || !strings.Contains(got, `"POT-Creation-Date: 2024-03-04 05:06+0300\n"`) {
		t.Errorf("header:\n%s", got)
	}
	body := got[strings.Index(got, "\"Content-Transfer-Encoding: 8bit\\n\"\n\n")+len("\"Content-Transfer-Encoding: 8bit\\n\"\n\n"):]
	want := "#: a\n#. homepage: http://a\n#. summary\nmsgid \"Same\"\nmsgstr \"\"\n\n" +
		"#: a\n#. homepage: http://a\n#. description\nmsgid \"Desc A\"\nmsgstr \"\"\n\n" +
		"#: a-doc\n#. homepage:\n#. description\nmsgid \"Doc\"\nmsgstr \"\"\n\n"
	if body != want {
		t.Errorf("entries:\n%s\nwant\n%s", body, want)
	}
}

func TestExportPoBuckets(t *testing.T) {
	rows := []exportPoRow{{Name: "z", Src: "zlib"}, {Name: "B", Src: "Bash"}, {Name: "b", Src: "bash"}, {Name: "a", Src: "Attr"}}
	keys, buckets := exportPoBuckets(rows)
	if fmt.Sprint(keys) != "[a b z]" || len(buckets["b"]) != 2 || buckets["b"][0].Name != "B" {
		t.Errorf("keys %v buckets %v", keys, buckets)
	}
}

func TestExportBeehiveLogURL(t *testing.T) {
	u := beehiveLogURL("sisyphus", "x86_64", time.Date(2024, 1, 31, 1, 2, 3, 0, time.UTC), "foo", 2, "1.0", "alt1")
	if u != lookup.Text("beehive_base")+"/logs/Sisyphus/x86_64/archive/2024/0131/error/foo-2:1.0-alt1" {
		t.Errorf("%s", u)
	}
	u = beehiveLogURL("p10", "i586", time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC), "bar", 0, "2", "alt3")
	if !strings.HasSuffix(u, "/logs/p10/i586/archive/2024/1105/error/bar-2-alt3") {
		t.Errorf("%s", u)
	}
}

func TestExportLastModified(t *testing.T) {
	if got := exportLastModified(time.Date(2024, 10, 24, 20, 18, 19, 0, time.UTC)); time.Local == time.UTC && got != "Thu, 24 Oct 2024 20:18:19 GMT" {
		t.Errorf("%s", got)
	}
}

// ---- integration tests ----

func TestRepologyExport(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	var src []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Hash    uint64 `ch:"pkg_hash"`
	}
	dbSelect(t, env, &src, `SELECT pkg_name, pkg_version, pkg_hash FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1`)
	body := getOK(t, env, "/api/export/repology/sisyphus")
	if body["branch"] != "sisyphus" || len(body["date"].(string)) != 19 || len(body["stats"].([]any)) == 0 {
		t.Errorf("head %v %v %v", body["branch"], body["date"], body["stats"])
	}
	pkgs := body["packages"].([]any)
	if len(pkgs) != len(src) || len(pkgs) == 0 {
		t.Fatalf("%d packages, want %d", len(pkgs), len(src))
	}
	byName := map[string]map[string]any{}
	for _, p := range pkgs {
		m := p.(map[string]any)
		byName[m["name"].(string)] = m
	}
	// A source with binaries: compare the binary names with the database.
	var bins []struct {
		Src   string   `ch:"src"`
		Names []string `ch:"names"`
	}
	if err := env.DB.Select(ctx, "t", &bins, `SELECT src, arraySort(groupUniqArray(pkg_name)) AS names FROM (
		SELECT pkg_name, pkg_srcrpm_hash FROM Packages WHERE pkg_sourcepackage = 0
			AND pkg_srcrpm_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
			AND toString(pkg_arch) IN (SELECT pkg_arch FROM lv_pkgset_stat WHERE pkgset_name = 'sisyphus' AND pkg_arch != 'srpm'))
		INNER JOIN (SELECT pkg_hash AS pkg_srcrpm_hash, pkg_name AS src FROM Packages WHERE pkg_sourcepackage = 1) USING pkg_srcrpm_hash
		GROUP BY src ORDER BY length(names) DESC, src LIMIT 1`); err != nil || len(bins) == 0 {
		t.Fatalf("binaries: %v", err)
	}
	p := byName[bins[0].Src]
	if p == nil {
		t.Fatalf("package %s missing", bins[0].Src)
	}
	var names []string
	for _, b := range p["binaries"].([]any) {
		names = append(names, b.(map[string]any)["name"].(string))
	}
	if !sort.StringsAreSorted(names) || fmt.Sprint(names) != fmt.Sprint(bins[0].Names) {
		t.Errorf("%s binaries %v, want %v", bins[0].Src, names, bins[0].Names)
	}
	base := lookup.Text("packages_base")
	if p["homepage"] != base+"/sisyphus/srpms/"+bins[0].Src+"/" || p["recipe"] != base+"/sisyphus/srpms/"+bins[0].Src+"/specfiles/" ||
		!strings.HasPrefix(p["recipe_raw"].(string), base+"/sisyphus/srpms/"+bins[0].Src+"/specfiles/") ||
		p["bugzilla"] != lookup.Text("bugzilla_base")+"/buglist.cgi?quicksearch="+bins[0].Src {
		t.Errorf("links %v", p)
	}
	if _, ok := p["CPE"].([]any); !ok {
		t.Errorf("CPE %v", p["CPE"])
	}
	// CPE mapping, when the data has one.
	var cpe []struct {
		Name string   `ch:"alt_name"`
		CPEs []string `ch:"cpes"`
	}
	if err := env.DB.Select(ctx, "t", &cpe, sqlRepologyCPE+" LIMIT 1", inStrings(lookup.List("repology_branches"))); err != nil {
		t.Fatal(err)
	}
	if len(cpe) > 0 && byName[cpe[0].Name] != nil && fmt.Sprint(byName[cpe[0].Name]["CPE"]) != fmt.Sprint(cpe[0].CPEs) {
		t.Errorf("CPE of %s = %v, want %v", cpe[0].Name, byName[cpe[0].Name]["CPE"], cpe[0].CPEs)
	}
	code, body := env.Get(t, "/api/export/repology/p8")
	if code != 400 || len(body["validation_message"].([]any)) != 2 {
		t.Errorf("p8: %d %v", code, body)
	}
	// A Repology branch without data.
	var loaded []struct {
		N string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &loaded, "SELECT DISTINCT pkgset_name FROM static_last_packages")
	for _, b := range lookup.List("repology_export_branches") {
		found := false
		for _, l := range loaded {
			found = found || l.N == b
		}
		if !found {
			code, body := env.Get(t, "/api/export/repology/"+b)
			if code != 404 || body["message"] != "No data found for branch '"+b+"'" {
				t.Errorf("%s: %d %v", b, code, body)
			}
			break
		}
	}
}

func TestSitemapPackages(t *testing.T) {
	env := testenv.Get(t)
	var src []struct {
		Hash      uint64 `ch:"pkg_hash"`
		Name      string `ch:"pkg_name"`
		Buildtime uint32 `ch:"pkg_buildtime"`
	}
	dbSelect(t, env, &src, `SELECT pkg_hash, pkg_name, pkg_buildtime FROM last_packages WHERE pkgset_name = 'p10' AND pkg_sourcepackage = 1`)
	body := getOK(t, env, "/api/export/sitemap_packages/p10")
	want := map[string]string{}
	for _, s := range src {
		want[fmt.Sprint(s.Hash)] = fmt.Sprint(s.Name, " ", s.Buildtime)
	}
	pkgs := body["packages"].([]any)
	if body["branch"] != "p10" || len(pkgs) != len(src) || len(pkgs) == 0 {
		t.Fatalf("%v: %d packages, want %d", body["branch"], len(pkgs), len(src))
	}
	for _, p := range pkgs {
		m := p.(map[string]any)
		if want[m["pkghash"].(string)] != fmt.Sprint(m["name"], " ", m["buildtime"]) {
			t.Errorf("package %v", m)
		}
	}
	code, body := env.Get(t, "/api/export/sitemap_packages/c6")
	if code != 404 || body["message"] != "No data found for branch 'c6'" || fmt.Sprint(body["details"]) != "map[args:map[]]" {
		t.Errorf("c6: %d %v", code, body)
	}
	if code, _ := env.Get(t, "/api/export/sitemap_packages/nope"); code != 400 {
		t.Errorf("nope: %d", code)
	}
}

func TestExportBranchBinaryPackages(t *testing.T) {
	env := testenv.Get(t)
	var pick []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Arch    string `ch:"arch"`
		Disttag string `ch:"pkg_disttag"`
		Src     string `ch:"src"`
	}
	if err := env.DB.Select(context.Background(), "t", &pick, `SELECT pkg_name, pkg_version, toString(pkg_arch) AS arch, pkg_disttag,
		arrayStringConcat(arrayPopBack(arrayPopBack(splitByChar('-', pkg_sourcerpm))), '-') AS src
		FROM last_packages WHERE pkgset_name = 'p11' AND pkg_sourcepackage = 0 AND pkg_arch = 'x86_64' ORDER BY pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	body := getOK(t, env, "/api/export/branch_binary_packages/p11")
	pkgs := spiJSONList(t, body, "packages")
	found := false
	prev := ""
	for _, p := range pkgs {
		key := p["arch"].(string) + "\x00" + p["name"].(string)
		if key < prev {
			t.Fatalf("not ordered by (arch, name): %v", p)
		}
		prev = key
		if p["name"] == pick[0].Name && p["arch"] == pick[0].Arch {
			found = true
			if p["version"] != pick[0].Version || p["disttag"] != pick[0].Disttag || p["source"] != pick[0].Src {
				t.Errorf("package %v, want %+v", p, pick[0])
			}
		}
	}
	if !found || body["request_args"] == nil {
		t.Errorf("%s missing", pick[0].Name)
	}
	expectCodes(t, env, map[string]int{
		"/api/export/branch_binary_packages/p11?arch=mipsel": 404,
		"/api/export/branch_binary_packages/c6":              400,
		"/api/export/branch_binary_packages/p11?x=1":         400,
	})
}

func TestTranslationPoFiles(t *testing.T) {
	env := testenv.Get(t)
	var rows []exportPoRow
	if err := env.DB.Select(context.Background(), "t", &rows, sqlPoLast, inStrings([]string{"p10"})); err != nil {
		t.Fatal(err)
	}
	rec := env.Do(t, "GET", "/api/export/translation/packages_po_files?branches=p10", nil, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/zip" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "packages_POT.zip") {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	keys, buckets := exportPoBuckets(rows)
	if len(zr.File) != len(keys) || len(keys) == 0 {
		t.Fatalf("%d files, want %d", len(zr.File), len(keys))
	}
	for i, f := range zr.File {
		if f.Name != "packages_"+keys[i]+".pot" || f.Method != zip.Deflate {
			t.Errorf("member %d: %s", i, f.Name)
		}
	}
	f, _ := zr.File[0].Open()
	data, _ := io.ReadAll(f)
	first := buckets[keys[0]][0]
	if !strings.Contains(string(data), "#: "+first.Name+"\n") || !strings.Contains(string(data), exportPoMsgid(first.Summary)) {
		t.Errorf("first member lacks %s:\n%.500s", first.Name, data)
	}
	// Since a date: every snapshot of the branch after it (here: the loaded one).
	rec = env.Do(t, "GET", "/api/export/translation/packages_po_files?branches=p10&from_date=2000-01-01", nil, nil)
	if rec.Code != 200 {
		t.Errorf("from_date: %d %s", rec.Code, rec.Body.String())
	}
	expectCodes(t, env, map[string]int{
		"/api/export/translation/packages_po_files?branches=p10&from_date=2099-01-01": 404,
		"/api/export/translation/packages_po_files?branches=c6":                       404,
		"/api/export/translation/packages_po_files":                                   400,
		"/api/export/translation/packages_po_files?branches=zzz":                      400,
		"/api/export/translation/packages_po_files?branches=p10&from_date=01.01.2020": 400,
	})
}

func TestBranchTree(t *testing.T) {
	env := testenv.Get(t)
	var tasks []struct {
		ID   uint32 `ch:"task_id"`
		Prev uint32 `ch:"task_prev"`
		Repo string `ch:"task_repo"`
	}
	dbSelect(t, env, &tasks, `SELECT task_id, task_prev, task_repo FROM (
		SELECT task_id, argMin(task_prev, task_changed) AS task_prev, max(task_changed) AS pos FROM TaskStates WHERE task_state = 'DONE' GROUP BY task_id)
		INNER JOIN (SELECT DISTINCT task_id, toString(task_repo) AS task_repo FROM Tasks WHERE task_repo IN ?) USING task_id
		ORDER BY pos DESC, task_id DESC`, inStrings(lookup.List("branch_tree_branches")))
	rec := env.Do(t, "GET", "/api/export/branch_tree", nil, nil)
	if len(tasks) == 0 {
		if rec.Code != 404 {
			t.Fatalf("no tasks: %d", rec.Code)
		}
		return
	}
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if _, err := time.Parse(time.RFC1123, rec.Header().Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", rec.Header().Get("Last-Modified"), err)
	}
	body := testenv.Decode(t, rec.Body.String())
	if fmt.Sprint(body["branches"]) != fmt.Sprint(lookup.List("branch_tree_branches")) {
		t.Errorf("branches %v", body["branches"])
	}
	got := body["tasks"].([]any)
	if len(got) != len(tasks) {
		t.Fatalf("%d tasks, want %d", len(got), len(tasks))
	}
	byID := map[uint32]int{}
	for i, x := range tasks {
		byID[x.ID] = i
		m := got[i].(map[string]any)
		if fmt.Sprint(m["id"]) != fmt.Sprint(x.ID) || fmt.Sprint(m["prev"]) != fmt.Sprint(x.Prev) || m["branch"] != x.Repo {
			t.Fatalf("task %d = %v, want %+v", i, m, x)
		}
		if d, _ := m["date"].(string); len(d) != 19 || d[10] != ' ' {
			t.Fatalf("date %q", m["date"])
		}
	}
	wantPoints := 0
	for _, x := range tasks {
		if i, ok := byID[x.Prev]; ok && tasks[i].Repo != x.Repo {
			wantPoints++
		}
	}
	if pts := body["branch_points"].([]any); len(pts) != wantPoints {
		t.Errorf("%d branch points, want %d", len(pts), wantPoints)
	}
	for _, c := range body["branch_commits"].([]any) {
		m := c.(map[string]any)
		var id uint32
		fmt.Sscan(fmt.Sprint(m["task"]), &id)
		if _, ok := byID[id]; !ok {
			t.Errorf("commit %v of an unknown task", m)
		}
	}
}

func TestBeehiveFTBFS(t *testing.T) {
	env := testenv.Get(t)
	var rows []struct {
		Name string `ch:"pkg_name"`
		Arch string `ch:"arch"`
	}
	dbSelect(t, env, &rows, `SELECT pkg_name, toString(bh_arch) AS arch FROM BeehiveStatus
		WHERE pkgset_name = 'sisyphus' AND bh_status = 'error' AND bh_arch = 'x86_64'
		AND bh_updated = (SELECT max(bh_updated) FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' AND bh_arch = 'x86_64')
		AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)
		ORDER BY pkg_name`)
	code, body := env.Get(t, "/api/export/beehive/ftbfs?branch=sisyphus&arch=x86_64")
	if len(rows) == 0 {
		if code != 404 {
			t.Fatalf("no errors: %d %v", code, body)
		}
		return
	}
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	got := spiJSONList(t, body, "ftbfs")
	if len(got) != len(rows) || fmt.Sprint(body["request_args"].(map[string]any)["arch"]) != "[x86_64]" {
		t.Fatalf("%d rows, want %d; args %v", len(got), len(rows), body["request_args"])
	}
	for i, g := range got {
		if g["name"] != rows[i].Name || g["arch"] != "x86_64" || g["branch"] != "sisyphus" ||
			!strings.HasPrefix(g["url"].(string), lookup.Text("beehive_base")+"/logs/Sisyphus/x86_64/archive/") || len(g["updated"].(string)) != 19 {
			t.Errorf("row %d = %v, want %s", i, g, rows[i].Name)
		}
	}
	code, body = env.Get(t, "/api/export/beehive/ftbfs?branch=sisyphus")
	if code != 200 || fmt.Sprint(body["request_args"].(map[string]any)["arch"]) != fmt.Sprint(lookup.List("known_beehive_archs")) {
		t.Errorf("all archs: %d %v", code, body["request_args"])
	}
	code, body = env.Get(t, "/api/export/beehive/ftbfs?branch=p8&arch=armh")
	if code != 400 || len(body["validation_message"].([]any)) != 2 {
		t.Errorf("p8/armh: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/export/beehive/ftbfs":                        400,
		"/api/export/beehive/ftbfs?branch=sisyphus&arch=x": 400,
	})
	// A Beehive branch without runs.
	var n []struct {
		N uint64 `ch:"n"`
	}
	for _, b := range lookup.List("known_beehive_branches") {
		dbSelect(t, env, &n, "SELECT count() AS n FROM BeehiveStatus WHERE pkgset_name = ?", b)
		if n[0].N == 0 {
			if code, body := env.Get(t, "/api/export/beehive/ftbfs?branch="+b); code != 404 || body["message"] != "No data not found in database" {
				t.Errorf("%s: %d %v", b, code, body)
			}
			break
		}
	}
}

// Branch points and the task map on a hand-made history: tasks 1 <- 2 in
// sisyphus, 3 (built on 2) and 4 in p11; task 2 reached DONE twice.
func TestBranchTreeFixture(t *testing.T) {
	env := testenv.Get(t)
	ch := testharness.SharedClickHouse(t)
	dbName := ch.NewDatabase(t)
	ctx := context.Background()
	db, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: dbName, User: "default", Tries: 1, Service: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tbl := range []string{"Tasks", "TaskStates", "PackageSetName"} {
		if err := db.Exec(ctx, "t", fmt.Sprintf("CREATE TABLE %s.%s AS %s.%s", dbName, tbl, env.Database, tbl)); err != nil {
			t.Fatal(err)
		}
	}
	day := func(d, h int) time.Time { return time.Date(2024, 1, d, h, 0, 0, 0, time.UTC) }
	insert := inserter(t, db)
	insert("INSERT INTO Tasks (task_id, subtask_id, task_repo, task_owner, task_changed)",
		[]any{uint32(1), uint32(1), "sisyphus", "a", day(1, 0)}, []any{uint32(2), uint32(1), "sisyphus", "a", day(2, 0)},
		[]any{uint32(2), uint32(2), "sisyphus", "a", day(2, 0)}, []any{uint32(3), uint32(1), "p11", "b", day(3, 0)},
		[]any{uint32(4), uint32(1), "p11", "b", day(4, 0)}, []any{uint32(5), uint32(1), "p8", "c", day(5, 0)})
	insert("INSERT INTO TaskStates (task_changed, task_id, task_state, task_prev)",
		[]any{day(1, 10), uint32(1), "DONE", uint32(0)}, []any{day(2, 10), uint32(2), "DONE", uint32(1)},
		[]any{day(5, 10), uint32(2), "DONE", uint32(7)}, []any{day(3, 10), uint32(3), "DONE", uint32(2)},
		[]any{day(4, 10), uint32(4), "DONE", uint32(3)}, []any{day(4, 11), uint32(4), "EPERM", uint32(3)},
		[]any{day(6, 10), uint32(6), "DONE", uint32(4)})
	root := func(n int, name string, date time.Time, task string) []any {
		id := fmt.Sprintf("00000000-0000-0000-0000-00000000000%d", n)
		return []any{id, "00000000-0000-0000-0000-000000000000", id, uint8(0), name, date, []string{"class", "task"}, []string{"repository", task}}
	}
	insert("INSERT INTO PackageSetName (pkgset_uuid, pkgset_puuid, pkgset_ruuid, pkgset_depth, pkgset_nodename, pkgset_date, pkgset_kv.k, pkgset_kv.v)",
		root(1, "sisyphus", day(2, 12), "2"), root(2, "p11", day(4, 12), "4"), root(3, "p10", day(4, 13), "99"))
	svc := &api.Service{Name: "t", Routes: New(db, nil).Routes(), MapError: chdb.APIError}
	h, err := svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export/branch_tree", nil))
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	body := testenv.Decode(t, rec.Body.String())
	type task struct{ id, prev, branch, date string }
	asTask := func(v any) task {
		m := v.(map[string]any)
		return task{fmt.Sprint(m["id"]), fmt.Sprint(m["prev"]), fmt.Sprint(m["branch"]), fmt.Sprint(m["date"])}
	}
	var got []task
	for _, x := range body["tasks"].([]any) {
		got = append(got, asTask(x))
	}
	// Task 2: placed by its newest DONE (Jan 5), valued by its oldest (Jan 2, prev 1).
	want := []task{{"2", "1", "sisyphus", "2024-01-02 10:00:00"}, {"4", "3", "p11", "2024-01-04 10:00:00"},
		{"3", "2", "p11", "2024-01-03 10:00:00"}, {"1", "0", "sisyphus", "2024-01-01 10:00:00"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tasks %v\nwant %v", got, want)
	}
	pts := body["branch_points"].([]any)
	if len(pts) != 1 {
		t.Fatalf("branch points %v", pts)
	}
	p := pts[0].(map[string]any)
	if p["branch"] != "p11" || asTask(p["task"]) != want[2] || asTask(p["from_task"]) != want[0] {
		t.Errorf("branch point %v", p)
	}
	commits := fmt.Sprint(body["branch_commits"])
	if commits != "[map[date:2024-01-04 12:00:00 name:p11 task:4] map[date:2024-01-02 12:00:00 name:sisyphus task:2]]" {
		t.Errorf("commits %s", commits)
	}
	if lm := rec.Header().Get("Last-Modified"); time.Local == time.UTC && lm != "Tue, 02 Jan 2024 10:00:00 GMT" {
		t.Errorf("Last-Modified %s", lm)
	}
}

// CPE names: active ALT -> project mappings of the Repology branches joined
// with the active project -> CPE mappings (latest state by ts wins).
func TestRepologyCPEFixture(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	dbName := ch.NewDatabase(t)
	ctx := context.Background()
	db, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: dbName, User: "default", Tries: 1, Service: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, "t", `CREATE TABLE PackagesNameConversion (pkg_name String, pnc_state String, pnc_result String,
		pnc_type String, pnc_source String, ts DateTime) ENGINE = MergeTree ORDER BY pkg_name`); err != nil {
		t.Fatal(err)
	}
	b, err := db.Batch(ctx, "t", "INSERT INTO PackagesNameConversion (pkg_name, pnc_state, pnc_result, pnc_type, pnc_source, ts)")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return time.Date(2024, 1, 1, h, 0, 0, 0, time.UTC) }
	for _, r := range [][]any{
		{"foo", "active", "foo-proj", "altsisyphus", "repology", at(1)},
		{"bar", "active", "bar-proj", "alt_p10", "repology", at(1)},
		{"bar", "inactive", "bar-proj", "alt_p10", "manual", at(2)}, // mapping withdrawn
		{"baz", "active", "foo-proj", "not_a_repology_branch", "repology", at(1)},
		{"foo-proj", "active", "cpe:2.3:a:x:foo:*", "cpe", "manual", at(1)},
		{"foo-proj", "active", "cpe:2.3:a:a:foo:*", "cpe", "manual", at(1)},
		{"foo-proj", "active", "cpe:2.3:a:old:foo:*", "cpe", "manual", at(1)},
		{"foo-proj", "inactive", "cpe:2.3:a:old:foo:*", "cpe", "manual", at(3)},
		{"bar-proj", "active", "cpe:2.3:a:x:bar:*", "cpe", "manual", at(1)},
	} {
		if err := b.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Name string   `ch:"alt_name"`
		CPEs []string `ch:"cpes"`
	}
	if err := db.Select(ctx, "t", &rows, sqlRepologyCPE, inStrings(lookup.List("repology_branches"))); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[{foo [cpe:2.3:a:a:foo:* cpe:2.3:a:x:foo:*]}]" {
		t.Errorf("cpes %v", rows)
	}
}
