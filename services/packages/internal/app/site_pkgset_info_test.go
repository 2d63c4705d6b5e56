package app

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/testenv"
)

// spiStat reads lv_pkgset_stat rows.
func spiStat(t *testing.T, env *testenv.Env, where string, args ...any) []spiStatRow {
	t.Helper()
	var rows []spiStatRow
	sql := `SELECT toString(pkgset_name) AS pkgset_name, toString(pkg_arch) AS pkg_arch, toUInt64(cnt) AS cnt FROM lv_pkgset_stat ` + where
	dbSelect(t, env, &rows, sql, args...)
	return rows
}

// spiJSONList returns body[key] as a list of objects, checking "length".
func spiJSONList(t *testing.T, body map[string]any, key string) []map[string]any {
	t.Helper()
	out := objectList(t, body, key)
	if l, ok := body["length"]; ok && fmt.Sprint(l) != fmt.Sprint(len(out)) {
		t.Errorf("length %v != %d elements of %s", l, len(out), key)
	}
	return out
}

func TestSpiOrderArchs(t *testing.T) {
	got := spiOrderArchs([]string{"srpm", "aarch64", "x86_64-i586", "noarch", "i586", "x86_64", "armh", "ppc64le"})
	want := []string{"x86_64", "i586", "noarch", "aarch64", "armh", "ppc64le", "srpm"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := spiOrderArchs(nil); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
}

func TestSpiSummary(t *testing.T) {
	rows := []spiStatRow{{"p10", "srpm", 5}, {"sisyphus", "x86_64", 3}, {"sisyphus", "noarch", 3}, {"sisyphus", "srpm", 9}}
	got := spiSummary(rows)
	if len(got) != 2 || got[0].(model.Map)["branch"] != "sisyphus" || got[1].(model.Map)["branch"] != "p10" {
		t.Fatalf("%v", got)
	}
	counts := got[0].(model.Map)["packages_count"].([]model.Record)
	var archs []string
	for _, c := range counts {
		archs = append(archs, c.(model.Map)["arch"].(string))
	}
	if fmt.Sprint(archs) != "[srpm x86_64 noarch]" {
		t.Errorf("archs by count descending (stable): %v", archs)
	}
}

func TestSiteAllPkgsetsWithSrcCount(t *testing.T) {
	env := testenv.Get(t)
	rows := spiStat(t, env, "WHERE pkg_arch = 'srpm'")
	body := getOK(t, env, "/api/site/all_pkgsets_with_src_count")
	got := spiJSONList(t, body, "branches")
	want := map[string]uint64{}
	var names []string
	for _, r := range rows {
		want[r.Branch] = r.Count
		names = append(names, r.Branch)
	}
	order := lookup.SortBranches(names)
	if len(got) != len(order) || len(got) == 0 {
		t.Fatalf("branches %v, want %v", got, order)
	}
	for i, b := range got {
		if b["branch"] != order[i] || fmt.Sprint(b["count"]) != fmt.Sprint(want[order[i]]) {
			t.Errorf("branch %d = %v, want %s %d", i, b, order[i], want[order[i]])
		}
	}
}

func TestSiteAllPkgsetsSummary(t *testing.T) {
	env := testenv.Get(t)
	rows := spiStat(t, env, "")
	body := getOK(t, env, "/api/site/all_pkgsets_summary")
	got := spiJSONList(t, body, "branches")
	per := map[string]map[string]uint64{}
	for _, r := range rows {
		if per[r.Branch] == nil {
			per[r.Branch] = map[string]uint64{}
		}
		per[r.Branch][r.Arch] = r.Count
	}
	if len(got) != len(per) || got[0]["branch"] != "sisyphus" {
		t.Fatalf("branches = %v", got)
	}
	for _, b := range got {
		counts := b["packages_count"].([]any)
		if len(counts) != len(per[b["branch"].(string)]) {
			t.Errorf("%v: %d archs, want %d", b["branch"], len(counts), len(per[b["branch"].(string)]))
		}
		prev := int64(-1)
		for _, c := range counts {
			m := c.(map[string]any)
			n := spiMustInt(t, m["count"])
			if fmt.Sprint(per[b["branch"].(string)][m["arch"].(string)]) != fmt.Sprint(n) {
				t.Errorf("%v %v: count %v", b["branch"], m["arch"], n)
			}
			if prev >= 0 && n > prev {
				t.Errorf("%v: counts not descending", b["branch"])
			}
			prev = n
		}
	}
}

func spiMustInt(t *testing.T, v any) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(fmt.Sprint(v), &n); err != nil {
		t.Fatalf("not an integer: %v", v)
	}
	return n
}

func TestSitePkgsetsSummaryStatus(t *testing.T) {
	env := testenv.Get(t)
	code, body := env.Get(t, "/api/site/pkgsets_summary_status")
	var rs []struct {
		Name string `ch:"pkgset_name"`
	}
	dbSelect(t, env, &rs, `SELECT DISTINCT toString(pkgset_name) AS pkgset_name FROM RepositoryStatus`)
	if len(rs) == 0 {
		if code != 404 {
			t.Fatalf("no RepositoryStatus rows: %d %v", code, body)
		}
		return
	}
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	branches := spiJSONList(t, body, "branches")
	status := body["status"].([]any)
	if len(status) != len(rs) || len(branches) == 0 {
		t.Fatalf("status %d entries, want %d", len(status), len(rs))
	}
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	order := lookup.SortBranches(names)
	// Compare the first branch's values with the latest row of the table.
	first := status[0].(map[string]any)
	if first["branch"] != order[0] {
		t.Fatalf("first status %v, want %s", first, order[0])
	}
	var latest []struct {
		Show uint8  `ch:"show"`
		EN   string `ch:"en"`
		Img  uint64 `ch:"img"`
	}
	dbSelect(t, env, &latest, `SELECT argMax(rs_show, ts) AS show, argMax(rs_description_en, ts) AS en,
		(SELECT count() FROM (SELECT argMax(toString(img_show), ts) AS s FROM ImageStatus WHERE img_branch = ? GROUP BY img_edition) WHERE s = 'show') AS img
		FROM RepositoryStatus WHERE pkgset_name = ?`, order[0], order[0])
	l := latest[0]
	hasImg := 0
	if l.Img > 0 {
		hasImg = 1
	}
	if fmt.Sprint(first["show"]) != fmt.Sprint(l.Show) || first["description_en"] != l.EN || fmt.Sprint(first["has_images"]) != fmt.Sprint(hasImg) {
		t.Errorf("status %v, want show %d en %q images %d", first, l.Show, l.EN, hasImg)
	}
	if s, _ := first["start_date"].(string); len(s) != 19 || s[10] != 'T' {
		t.Errorf("start_date %q is not ISO", first["start_date"])
	}
}

func TestSiteAllPkgsetArchs(t *testing.T) {
	env := testenv.Get(t)
	rows := spiStat(t, env, "WHERE pkgset_name = 'sisyphus'")
	body := getOK(t, env, "/api/site/all_pkgset_archs?branch=sisyphus")
	var archs []string
	for _, r := range rows {
		archs = append(archs, r.Arch)
	}
	want := spiOrderArchs(archs)
	got := spiJSONList(t, body, "archs")
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("archs %v, want %v", got, want)
	}
	for i, a := range got {
		if a["arch"] != want[i] || fmt.Sprint(a["count"]) != "0" {
			t.Errorf("arch %d = %v, want %s", i, a, want[i])
		}
	}
	// A known branch without data: empty list, 200.
	code, body := env.Get(t, "/api/site/all_pkgset_archs?branch=c6")
	if code != 200 || fmt.Sprint(body["length"]) != "0" {
		t.Errorf("empty branch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/all_pkgset_archs":                   400,
		"/api/site/all_pkgset_archs?branch=nope":       400,
		"/api/site/all_pkgset_archs?branch=p10&bogus=": 400,
	})
}

func TestSiteAllPkgsetArchsWithSrcCount(t *testing.T) {
	env := testenv.Get(t)
	rows := spiStat(t, env, "WHERE pkgset_name = 'p10' AND pkg_arch != 'srpm'")
	body := getOK(t, env, "/api/site/all_pkgset_archs_with_src_count?branch=p10")
	got := spiJSONList(t, body, "archs")
	want := map[string]uint64{}
	for _, r := range rows {
		want[r.Arch] = r.Count
	}
	if len(got) != len(want) {
		t.Fatalf("%d archs, want %d", len(got), len(want))
	}
	prev := int64(1 << 62)
	for _, a := range got {
		n := spiMustInt(t, a["count"])
		if a["arch"] == "srpm" || fmt.Sprint(want[a["arch"].(string)]) != fmt.Sprint(n) || n > prev {
			t.Errorf("arch %v (want %d, descending)", a, want[a["arch"].(string)])
		}
		prev = n
	}
	expectCodes(t, env, map[string]int{
		"/api/site/all_pkgset_archs_with_src_count?branch=c6":   404,
		"/api/site/all_pkgset_archs_with_src_count?branch=zzz":  400,
		"/api/site/all_pkgset_archs_with_src_count?branchx=p10": 400,
	})
}

func TestSitePkgsetCategoriesCount(t *testing.T) {
	env := testenv.Get(t)
	for _, ptype := range []string{"source", "binary", "all"} {
		var rows []struct {
			Group string `ch:"category"`
			N     uint64 `ch:"count"`
		}
		dbSelect(t, env, &rows, fmt.Sprintf(`SELECT pkg_group_ AS category, count() AS count FROM last_packages
			WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage IN %s AND pkg_name NOT LIKE '%%-debuginfo' GROUP BY pkg_group_ ORDER BY pkg_group_`, sourceIn(ptype)))
		code, body := env.Get(t, "/api/site/pkgset_categories_count?branch=sisyphus&package_type="+ptype)
		if code != 200 {
			t.Fatalf("%s: %d %v", ptype, code, body)
		}
		got := spiJSONList(t, body, "categories")
		if len(got) != len(rows) || len(got) == 0 {
			t.Fatalf("%s: %d categories, want %d", ptype, len(got), len(rows))
		}
		for i, c := range got {
			if c["category"] != rows[i].Group || fmt.Sprint(c["count"]) != fmt.Sprint(rows[i].N) {
				t.Errorf("%s: category %d = %v, want %+v", ptype, i, c, rows[i])
			}
		}
		if body["request_args"].(map[string]any)["package_type"] != ptype {
			t.Errorf("request_args %v", body["request_args"])
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/site/pkgset_categories_count?branch=c6":                    404,
		"/api/site/pkgset_categories_count?branch=p10&package_type=none": 400,
		"/api/site/pkgset_categories_count":                              400,
	})
}

func TestSiteTasksHistory(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	active, err := New(env.DB, nil).psActiveBranches(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	var tasks []struct {
		ID uint32 `ch:"task_id"`
	}
	dbSelect(t, env, &tasks, `SELECT task_id FROM TaskStates WHERE task_state = 'DONE'
		AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = 'sisyphus') GROUP BY task_id ORDER BY max(task_changed) DESC`)
	if len(tasks) < 2 {
		t.Skipf("not enough DONE tasks: %d", len(tasks))
	}
	rec := env.Do(t, "GET", "/api/site/tasks_history", nil, nil)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	body := testenv.Decode(t, rec.Body.String())
	if rec.Header().Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}
	var wantBranches []string
	for _, b := range active {
		if !(spiContainsAny(b, "_e2k", "_riscv64", "_loongarch64")) {
			wantBranches = append(wantBranches, b)
		}
	}
	if fmt.Sprint(body["branches"]) != fmt.Sprint(wantBranches) {
		t.Errorf("branches %v, want %v", body["branches"], wantBranches)
	}
	got := body["tasks"].([]any)
	var sis []string
	for _, x := range got {
		m := x.(map[string]any)
		if m["branch"] == "sisyphus" {
			sis = append(sis, fmt.Sprint(m["id"]))
		}
	}
	if len(sis) != len(tasks) || sis[0] != fmt.Sprint(tasks[0].ID) {
		t.Errorf("sisyphus tasks %d (first %v), want %d (first %d)", len(sis), sis[:1], len(tasks), tasks[0].ID)
	}
	// Bounded by a task: only tasks up to it.
	mid := tasks[len(tasks)/2].ID
	body = getOK(t, env, fmt.Sprintf("/api/site/tasks_history?task_id=%d", mid))
	first := body["tasks"].([]any)[0].(map[string]any)
	if fmt.Sprint(first["id"]) != fmt.Sprint(mid) {
		t.Errorf("bounded: first task %v, want %d", first, mid)
	}
	for _, c := range body["branch_commits"].([]any) {
		m := c.(map[string]any)
		if _, ok := m["task"].(interface{ String() string }); !ok {
			t.Errorf("commit %v", m)
		}
	}
	code, body := env.Get(t, "/api/site/tasks_history?task_id=4294967295")
	if code != 400 || fmt.Sprint(body["validation_message"]) != "[]" {
		t.Errorf("unknown task: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/tasks_history?task_id=0":   400,
		"/api/site/tasks_history?task_id=abc": 400,
		"/api/site/tasks_history?x=1":         400,
	})
}

func spiContainsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
