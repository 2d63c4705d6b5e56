package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/mscore"
	"altrepo/services/packages/internal/testenv"
)

// ---- unit tests ----

func TestPsParseISO(t *testing.T) {
	for in, want := range map[string]string{
		"2024-01-31":                "2024-01-31 00:00:00",
		"2024-01-31T10:11:12":       "2024-01-31 10:11:12",
		"2024-01-31 10:11:12":       "2024-01-31 10:11:12",
		"2024-01-31T10:11:12.5":     "2024-01-31 10:11:12",
		"2024-01-31T10:11:12+03:00": "2024-01-31 10:11:12",
		"2024-01-31T10:11":          "2024-01-31 10:11:00",
	} {
		got, err := psParseISO(in, time.UTC)
		if err != nil || got.Format("2006-01-02 15:04:05") != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "31.01.2024", "2024-13-01", "yesterday"} {
		if _, err := psParseISO(bad, time.UTC); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPsParseStatusBody(t *testing.T) {
	ru := base64.StdEncoding.EncodeToString([]byte("Описание"))
	ok := `{"branches":[{"pkgset_name":"P10","rs_pkgset_name_bugzilla":"p10","rs_start_date":"2021-08-01","rs_end_date":"2025-12-31T00:00:00",
		"rs_show":1,"rs_description_ru":"` + ru + `","rs_description_en":"ZW4=","rs_mailing_list":"m","rs_mirrors_json":[{"a":1}]}]}`
	rows, msgs := psParseStatusBody(decodeJSON(t, ok), time.UTC)
	if len(msgs) != 0 || len(rows) != 1 {
		t.Fatalf("%v %v", rows, msgs)
	}
	r := rows[0]
	if r.name != "p10" || r.descRU != "Описание" || r.descEN != "en" || r.show != 1 || r.mirrors != `[{"a":1}]` ||
		r.start.Format("2006-01-02") != "2021-08-01" || r.end.Year() != 2025 {
		t.Errorf("row %+v", r)
	}
	bad := `{"branches":[{"pkgset_name":"x","rs_pkgset_name_bugzilla":"x","rs_start_date":"2021-08-01","rs_end_date":"2021-08-01",
		"rs_show":2,"rs_description_ru":"abc","rs_description_en":"ZW4=","rs_mailing_list":"m"}]}`
	_, msgs = psParseStatusBody(decodeJSON(t, bad), time.UTC)
	want := []string{"description must be in base64 format", "allowable values rs_show : 0 or 1",
		"allowable values : ['pkgset_name', 'rs_pkgset_name_bugzilla', 'rs_start_date', 'rs_end_date', 'rs_show', 'rs_description_ru', 'rs_description_en', 'rs_mailing_list', 'rs_mirrors_json']"}
	if fmt.Sprint(msgs) != fmt.Sprint(want) {
		t.Errorf("messages %q, want %q", msgs, want)
	}
}

// ---- integration tests ----

type psPkgRow struct {
	Hash     uint64   `ch:"pkg_hash"`
	Name     string   `ch:"pkg_name"`
	Version  string   `ch:"pkg_version"`
	Release  string   `ch:"pkg_release"`
	Group    string   `ch:"pkg_group_"`
	Packager string   `ch:"email"`
	ACL      []string `ch:"acl"`
}

func TestRepositoryPackages(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	var n []struct {
		N uint64 `ch:"n"`
	}
	count := func(where string) uint64 {
		dbSelect(t, env, &n, `SELECT count(DISTINCT pkg_hash) AS n FROM last_packages
			WHERE pkgset_name = 'sisyphus' AND pkg_name NOT LIKE '%-debuginfo' `+where)
		return n[0].N
	}
	var pick []psPkgRow
	if err := env.DB.Select(ctx, "t", &pick, `SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_group_, toString(pkg_packager_email) AS email,
		(SELECT any(acl_list) FROM last_acl WHERE acl_branch = 'sisyphus' AND acl_for = pkg_name) AS acl
		FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		// correlated subqueries are not supported everywhere: fall back to a join
		if err := env.DB.Select(ctx, "t", &pick, `SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_group_, email, acl FROM (
			SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_group_, toString(pkg_packager_email) AS email
			FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1)
			LEFT JOIN (SELECT acl_for AS pkg_name, acl_list AS acl FROM last_acl WHERE acl_branch = 'sisyphus') USING pkg_name`); err != nil || len(pick) == 0 {
			t.Fatalf("pick: %v", err)
		}
	}
	p := pick[0]
	body := getOK(t, env, "/api/packageset/repository_packages?branch=sisyphus&package_type=source")
	pkgs := spiJSONList(t, body, "packages")
	if uint64(len(pkgs)) != count("AND pkg_sourcepackage = 1") {
		t.Errorf("%d source packages, want %d", len(pkgs), n[0].N)
	}
	first := pkgs[0]
	if first["hash"] != fmt.Sprint(p.Hash) || first["name"] != p.Name || first["version"] != p.Version || first["release"] != p.Release ||
		first["category"] != p.Group || fmt.Sprint(first["maintainers"]) != fmt.Sprint([]string{p.Packager}) ||
		fmt.Sprint(first["acl_list"]) != fmt.Sprint(p.ACL) || fmt.Sprint(first["archs"]) != "[src]" {
		t.Errorf("first package %v, want %+v", first, p)
	}
	if fmt.Sprint(body["done_tasks"]) != "[]" {
		t.Errorf("done_tasks %v", body["done_tasks"])
	}
	for i := 1; i < len(pkgs); i++ {
		if pkgs[i]["name"].(string) < pkgs[i-1]["name"].(string) {
			t.Fatalf("not ordered by name at %d", i)
		}
	}
	code, body := env.Get(t, "/api/packageset/repository_packages?branch=sisyphus")
	if code != 200 || uint64(len(spiJSONList(t, body, "packages"))) != count("") {
		t.Errorf("all: %d, want %d packages", len(body["packages"].([]any)), n[0].N)
	}
	code, body = env.Get(t, "/api/packageset/repository_packages?branch=sisyphus&package_type=binary&archs=x86_64")
	if code != 200 {
		t.Fatalf("binary: %d %v", code, body)
	}
	if fmt.Sprint(body["request_args"].(map[string]any)["archs"]) != "[x86_64 noarch]" {
		t.Errorf("echoed archs %v", body["request_args"])
	}
	bins := spiJSONList(t, body, "packages")
	if uint64(len(bins)) != count("AND pkg_sourcepackage = 0 AND pkg_arch IN ('x86_64', 'noarch')") {
		t.Errorf("%d binaries, want %d", len(bins), n[0].N)
	}
	for _, b := range bins {
		for _, a := range b["archs"].([]any) {
			if a != "x86_64" && a != "noarch" {
				t.Fatalf("binary %v", b)
			}
		}
	}
	code, body = env.Get(t, "/api/packageset/repository_packages?branch=sisyphus&package_type=source&include_done_tasks=true")
	if code != 200 || body["done_tasks"] == nil {
		t.Errorf("include_done_tasks: %d %v", code, body["done_tasks"])
	}
	expectCodes(t, env, map[string]int{
		"/api/packageset/repository_packages?branch=c6":                          404,
		"/api/packageset/repository_packages":                                    400,
		"/api/packageset/repository_packages?branch=zzz":                         400,
		"/api/packageset/repository_packages?branch=p10&package_type=x":          400,
		"/api/packageset/repository_packages?branch=p10&archs=bogus":             400,
		"/api/packageset/repository_packages?branch=p10&include_done_tasks=nope": 400,
	})
}

// The set algebra of the DONE-tasks state: (branch - deleted) + added.
func TestRepositoryPackagesTaskPlanSQL(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	var tasks []struct {
		ID uint32 `ch:"task_id"`
	}
	if err := env.DB.Select(ctx, "t", &tasks, `SELECT DISTINCT task_id FROM task_plan_hashes
		WHERE tplan_hash IN (SELECT tplan_hash FROM TaskPlanPkgHash) ORDER BY task_id DESC LIMIT 5`); err != nil {
		t.Fatal(err)
	}
	if len(tasks) == 0 {
		t.Skip("no task plans")
	}
	var ids []uint32
	for _, x := range tasks {
		ids = append(ids, x.ID)
	}
	list := psUintList(ids)
	hashes := func(col, sql string, args ...any) map[uint64]bool {
		var rows []struct {
			H uint64 `ch:"h"`
		}
		dbSelect(t, env, &rows, "SELECT "+col+" AS h FROM ("+sql+")", args...)
		out := map[uint64]bool{}
		for _, r := range rows {
			out[r.H] = true
		}
		return out
	}
	branch := hashes("pkg_hash", sqlBranchHashes, "sisyphus")
	del := hashes("pkgh_mmh", fmt.Sprintf(sqlTaskPlanHashes, "delete", list))
	add := hashes("pkgh_mmh", fmt.Sprintf(sqlTaskPlanHashes, "add", list))
	want := map[uint64]bool{}
	for h := range branch {
		if !del[h] {
			want[h] = true
		}
	}
	for h := range add {
		want[h] = true
	}
	got := hashes("pkg_hash", fmt.Sprintf(sqlBranchHashesWithTasks, fmt.Sprintf(sqlTaskPlanHashes, "delete", list), fmt.Sprintf(sqlTaskPlanHashes, "add", list)), "sisyphus")
	if len(got) != len(want) || len(add)+len(del) == 0 {
		t.Fatalf("%d hashes, want %d (branch %d, -%d, +%d)", len(got), len(want), len(branch), len(del), len(add))
	}
	for h := range want {
		if !got[h] {
			t.Fatalf("missing %d", h)
		}
	}
}

func TestComparePackagesets(t *testing.T) {
	env := testenv.Get(t)
	type nvr struct{ n, v, r string }
	src := func(branch string) []nvr {
		var rows []struct {
			N string `ch:"pkg_name"`
			V string `ch:"pkg_version"`
			R string `ch:"pkg_release"`
		}
		dbSelect(t, env, &rows, `SELECT pkg_name, pkg_version, pkg_release FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1`, branch)
		out := make([]nvr, 0, len(rows))
		for _, r := range rows {
			out = append(out, nvr{r.N, r.V, r.R})
		}
		return out
	}
	a, b := src("sisyphus"), src("p11")
	inB, byName := map[nvr]bool{}, map[string][]nvr{}
	for _, x := range b {
		inB[x] = true
		byName[x.n] = append(byName[x.n], x)
	}
	want := map[string]bool{}
	for _, x := range a {
		if inB[x] {
			continue
		}
		if others := byName[x.n]; len(others) > 0 {
			for _, o := range others {
				want[fmt.Sprint(x, o)] = true
			}
		} else {
			want[fmt.Sprint(x, nvr{})] = true
		}
	}
	body := getOK(t, env, "/api/packageset/compare_packagesets?pkgset1=sisyphus&pkgset2=p11")
	got := spiJSONList(t, body, "packages")
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d differences, want %d", len(got), len(want))
	}
	for _, e := range got {
		p1, p2 := e["package1"].(map[string]any), e["package2"].(map[string]any)
		key := fmt.Sprint(nvr{p1["name"].(string), p1["version"].(string), p1["release"].(string)},
			nvr{p2["name"].(string), p2["version"].(string), p2["release"].(string)})
		if !want[key] || e["pkgset1"] != "sisyphus" || e["pkgset2"] != "p11" {
			t.Errorf("unexpected %v", e)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/packageset/compare_packagesets?pkgset1=c6&pkgset2=c7":       404,
		"/api/packageset/compare_packagesets?pkgset1=sisyphus":            400,
		"/api/packageset/compare_packagesets?pkgset1=zz&pkgset2=p11":      400,
		"/api/packageset/compare_packagesets?pkgset1=p10&pkgset2=p11&x=1": 400,
	})
}

func TestPkgsetStatusGet(t *testing.T) {
	env := testenv.Get(t)
	var rows []struct {
		Branch  string    `ch:"branch"`
		Start   time.Time `ch:"start_date"`
		Show    uint8     `ch:"show"`
		RU      string    `ch:"description_ru"`
		Mirrors string    `ch:"mirrors_json"`
	}
	dbSelect(t, env, &rows, "SELECT branch, start_date, show, description_ru, mirrors_json FROM ("+sqlPkgsetStatusLatest+")")
	code, body := env.Get(t, "/api/packageset/pkgset_status")
	if len(rows) == 0 {
		if code != 404 {
			t.Fatalf("empty table: %d %v", code, body)
		}
		return
	}
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	got := map[string]map[string]any{}
	for _, b := range body["branches"].([]any) {
		m := b.(map[string]any)
		got[m["branch"].(string)] = m
	}
	if len(got) != len(rows) {
		t.Fatalf("%d branches, want %d", len(got), len(rows))
	}
	for _, r := range rows {
		m := got[r.Branch]
		if m == nil || m["start_date"] != r.Start.Format("2006-01-02T15:04:05") || fmt.Sprint(m["show"]) != fmt.Sprint(r.Show) || m["description_ru"] != r.RU {
			t.Errorf("%s: %v, want %+v", r.Branch, m, r)
		}
		if json.Valid([]byte(r.Mirrors)) {
			b, _ := json.Marshal(m["mirrors_json"])
			if string(psDecodeCompact(t, r.Mirrors)) != string(psDecodeCompact(t, string(b))) {
				t.Errorf("%s: mirrors %s, want %s", r.Branch, b, r.Mirrors)
			}
		}
		if h := fmt.Sprint(m["has_images"]); h != "0" && h != "1" {
			t.Errorf("%s: has_images %v", r.Branch, h)
		}
	}
}

func psDecodeCompact(t *testing.T, s string) []byte {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return b
}

func TestPkgsetStatusPost(t *testing.T) {
	env := testenv.Get(t)
	name := fmt.Sprintf("zz_post_%d", time.Now().UnixNano())
	ru := base64.StdEncoding.EncodeToString([]byte("Тестовая ветка"))
	body := `{"branches":[{"pkgset_name":"` + strings.ToUpper(name) + `","rs_pkgset_name_bugzilla":"ZZ","rs_start_date":"2020-02-03T04:05:06",
		"rs_end_date":"2030-01-01","rs_show":0,"rs_description_ru":"` + ru + `","rs_description_en":"RW5nbGlzaA==",
		"rs_mailing_list":"https://lists.example/zz","rs_mirrors_json":[{"name":"m1","url":"https://m1"}]}]}`
	hdr := map[string]string{"Content-Type": "application/json"}
	rec := env.Do(t, "POST", "/api/packageset/pkgset_status", strings.NewReader(body), hdr)
	if rec.Code != 201 || strings.TrimSpace(rec.Body.String()) != `"data loaded successfully"` {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	var rows []struct {
		Start   time.Time `ch:"rs_start_date"`
		End     time.Time `ch:"rs_end_date"`
		RU      string    `ch:"rs_description_ru"`
		EN      string    `ch:"rs_description_en"`
		Mirrors string    `ch:"rs_mirrors_json"`
		Show    uint8     `ch:"rs_show"`
	}
	dbSelect(t, env, &rows, `SELECT rs_start_date, rs_end_date, rs_description_ru, rs_description_en, rs_mirrors_json, rs_show
		FROM RepositoryStatus WHERE pkgset_name = ?`, name)
	if len(rows) != 1 {
		t.Fatalf("%d rows landed for %s", len(rows), name)
	}
	r := rows[0]
	if r.RU != "Тестовая ветка" || r.EN != "English" || r.Show != 0 || r.Start.Format("2006-01-02 15:04:05") != "2020-02-03 04:05:06" ||
		r.End.Format("2006-01-02") != "2030-01-01" || string(psDecodeCompact(t, r.Mirrors)) != `[{"name":"m1","url":"https://m1"}]` {
		t.Errorf("row %+v", r)
	}
	for _, bad := range []string{
		`{"branches":[{"pkgset_name":"x","rs_pkgset_name_bugzilla":"x","rs_start_date":"2020-01-01","rs_end_date":"2020-01-01","rs_show":0,"rs_description_ru":"abc","rs_description_en":"","rs_mailing_list":"","rs_mirrors_json":[]}]}`,
		`{"branches":[{"pkgset_name":"x","rs_pkgset_name_bugzilla":"x","rs_start_date":"2020-01-01","rs_end_date":"2020-01-01","rs_show":5,"rs_description_ru":"","rs_description_en":"","rs_mailing_list":"","rs_mirrors_json":[]}]}`,
		`{"branches":[{"pkgset_name":"x"}]}`,
		`{"nope":[]}`,
		`not json`,
	} {
		rec := env.Do(t, "POST", "/api/packageset/pkgset_status", strings.NewReader(bad), hdr)
		if rec.Code != 400 {
			t.Errorf("%s: %d %s", bad, rec.Code, rec.Body.String())
		}
	}
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := env.DB.Select(context.Background(), "t", &n, `SELECT count() AS n FROM RepositoryStatus WHERE pkgset_name = 'x'`); err != nil || n[0].N != 0 {
		t.Errorf("a rejected body inserted rows: %v %v", n, err)
	}
}

func TestRepositoryStatistics(t *testing.T) {
	env := testenv.Get(t)
	rows, err := New(env.DB, nil).repoStatRows(context.Background(), "t", "")
	if err != nil {
		t.Fatal(err)
	}
	body := getOK(t, env, "/api/packageset/repository_statistics")
	got := spiJSONList(t, body, "branches")
	var names []string
	byName := map[string]psRepoStatRow{}
	for _, r := range rows {
		if _, ok := byName[r.Branch]; !ok {
			names = append(names, r.Branch)
			byName[r.Branch] = r
		}
	}
	order := lookup.SortBranches(names)
	if len(got) != len(order) || len(got) == 0 {
		t.Fatalf("%d branches, want %v", len(got), order)
	}
	for i, b := range got {
		r := byName[order[i]]
		counts := b["packages_count"].([]any)
		if b["branch"] != order[i] || b["date_update"] != r.Date.Format("2006-01-02T15:04:05") || len(counts) != len(r.Arch) {
			t.Errorf("branch %d: %v", i, b)
			continue
		}
		uuids := map[string]uint64{}
		for j := range r.UUID {
			uuids[r.UUID[j]] = r.Size[j]
		}
		prev := ""
		for _, c := range counts {
			m := c.(map[string]any)
			key := m["arch"].(string) + "\x00" + m["component"].(string)
			if key < prev || fmt.Sprint(m["size"]) != fmt.Sprint(uuids[m["uuid"].(string)]) ||
				m["size_hr"] != bytes2Human(float64(uuids[m["uuid"].(string)])) || (m["component"] == "srpm" && m["arch"] != "srpm") {
				t.Errorf("%s: count %v", order[i], m)
			}
			prev = key
		}
	}
	code, body := env.Get(t, "/api/packageset/repository_statistics?branch=p10")
	if code != 200 || len(spiJSONList(t, body, "branches")) != 1 {
		t.Errorf("p10: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/packageset/repository_statistics?branch=c6":  404,
		"/api/packageset/repository_statistics?branch=zzz": 400,
		"/api/packageset/repository_statistics?x=1":        400,
	})
}

func TestPackagesByUUIDAndComponent(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	rows, err := New(env.DB, nil).repoStatRows(ctx, "t", "p10")
	if err != nil || len(rows) == 0 {
		t.Fatalf("stats: %v", err)
	}
	st := rows[0]
	i := 0
	for j := range st.Component {
		if st.Component[j] == "srpm" {
			i = j
		}
	}
	uuid := st.UUID[i]
	var pkgs []struct {
		Hash   uint64 `ch:"pkg_hash"`
		Name   string `ch:"pkg_name"`
		Source uint8  `ch:"pkg_sourcepackage"`
		Text   string `ch:"text"`
	}
	if err := env.DB.Select(ctx, "t", &pkgs, `SELECT pkg_hash, pkg_name, pkg_sourcepackage, text FROM (
		SELECT pkg_hash, pkg_name, pkg_sourcepackage, pkg_changelog.hash[1] AS chlog_hash FROM Packages
		WHERE pkg_hash IN (SELECT pkg_hash FROM PackageSet WHERE pkgset_uuid = toUUID(?)))
		LEFT JOIN (SELECT chlog_hash, any(chlog_text) AS text FROM Changelog GROUP BY chlog_hash) USING chlog_hash
		ORDER BY pkg_name LIMIT 1`, uuid); err != nil || len(pkgs) == 0 {
		t.Fatalf("pick: %v", err)
	}
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := env.DB.Select(ctx, "t", &n, `SELECT count(DISTINCT pkg_hash) AS n FROM Packages WHERE pkg_hash IN (SELECT pkg_hash FROM PackageSet WHERE pkgset_uuid = toUUID(?))`, uuid); err != nil {
		t.Fatal(err)
	}
	check := func(url string) map[string]any {
		code, body := env.Get(t, url)
		if code != 200 {
			t.Fatalf("%s: %d %v", url, code, body)
		}
		got := spiJSONList(t, body, "packages")
		if uint64(len(got)) != n[0].N {
			t.Errorf("%s: %d packages, want %d", url, len(got), n[0].N)
		}
		found := false
		for _, g := range got {
			if g["hash"] == fmt.Sprint(pkgs[0].Hash) {
				found = true
				kind := "binary"
				if pkgs[0].Source == 1 {
					kind = "source"
				}
				if g["name"] != pkgs[0].Name || g["sourcerpm"] != kind || g["changelog_text"] != pkgs[0].Text {
					t.Errorf("%s: %v, want %+v", url, g, pkgs[0])
				}
			}
		}
		if !found {
			t.Errorf("%s: package %d missing", url, pkgs[0].Hash)
		}
		return body
	}
	check("/api/packageset/packages_by_uuid?uuid=" + uuid)
	body := check("/api/packageset/packages_by_component?branch=p10&arch=srpm&component=srpm")
	if body["request_args"].(map[string]any)["uuid"] != uuid {
		t.Errorf("echoed uuid %v, want %s", body["request_args"], uuid)
	}
	// A component that is not in the statistics: 404 with uuid "".
	missing := ""
	for _, c := range lookup.List("known_repo_components") {
		has := false
		for j := range st.Component {
			has = has || (st.Component[j] == c && st.Arch[j] == "x86_64")
		}
		if !has && c != "srpm" {
			missing = c
			break
		}
	}
	if missing != "" {
		code, body := env.Get(t, "/api/packageset/packages_by_component?branch=p10&arch=x86_64&component="+missing)
		if code != 404 || body["details"].(map[string]any)["args"].(map[string]any)["uuid"] != "" {
			t.Errorf("missing component: %d %v", code, body)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/packageset/packages_by_uuid?uuid=00000000-0000-0000-0000-000000000000":                                        404,
		"/api/packageset/packages_by_uuid?uuid=not-a-uuid":                                                                  400,
		"/api/packageset/packages_by_uuid":                                                                                  400,
		"/api/packageset/packages_by_component?branch=c6&arch=srpm&component=srpm":                                          404,
		"/api/packageset/packages_by_component?branch=p10&arch=srpm&component=nope":                                         400,
		"/api/packageset/packages_by_component?branch=p10&arch=bogus&component=classic":                                     400,
		"/api/packageset/packages_by_component?branch=p10&arch=x86_64&component=classic&" + url.Values{"z": {"1"}}.Encode(): 400,
	})
}

func TestMaintainerScores(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	var names []struct {
		Name string `ch:"pkg_name"`
	}
	dbSelect(t, env, &names, sqlPsScoresPackages, "sisyphus")
	body := getOK(t, env, "/api/packageset/maintainer_scores?branch=sisyphus")
	pkgs := spiJSONList(t, body, "packages")
	if len(pkgs) != len(names) || len(pkgs) == 0 || body["branch"] != "sisyphus" {
		t.Fatalf("%d packages, want %d", len(pkgs), len(names))
	}
	// Pick a package with several changelog authors and check its nicks.
	var pick []struct {
		Name  string   `ch:"pkg_name"`
		Nicks []string `ch:"nicks"`
	}
	if err := env.DB.Select(ctx, "t", &pick, `SELECT pkg_name, arraySort(groupUniqArray(extract(n, '<(.*)@'))) AS nicks
		FROM last_packages ARRAY JOIN pkg_changelog.name AS n
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND extract(n, '<(.*)@') != ''
		GROUP BY pkg_name ORDER BY length(nicks) DESC, pkg_name LIMIT 1`); err != nil || len(pick) == 0 {
		t.Fatalf("pick: %v", err)
	}
	for i, p := range pkgs {
		if p["package"] != names[i].Name {
			t.Fatalf("package %d = %v, want %s", i, p["package"], names[i].Name)
		}
		ms := p["maintainers"].([]any)
		top := 0.0
		prev := math.Inf(1)
		var nicks []string
		for _, m := range ms {
			mm := m.(map[string]any)
			s, _ := mm["score"].(json.Number).Float64()
			if s > prev {
				t.Errorf("%v: scores not descending", p["package"])
			}
			prev = s
			nicks = append(nicks, mm["nick"].(string))
		}
		if len(ms) > 0 {
			top, _ = ms[0].(map[string]any)["score"].(json.Number).Float64()
		}
		want := "orphaned"
		if top >= 1 {
			want = "active"
		} else if top >= 0.3 {
			want = "low_activity"
		}
		if p["status"] != want || (top > 0) != (p["primary_maintainer"] != nil) {
			t.Errorf("%v: status %v primary %v (top %v)", p["package"], p["status"], p["primary_maintainer"], top)
		}
		if p["package"] == pick[0].Name {
			sort.Strings(nicks)
			if fmt.Sprint(nicks) != fmt.Sprint(pick[0].Nicks) {
				t.Errorf("%s: nicks %v, want %v", pick[0].Name, nicks, pick[0].Nicks)
			}
		}
	}
	code, body := env.Get(t, "/api/packageset/maintainer_scores?branch=c6")
	if code != 200 || fmt.Sprint(body["length"]) != "0" {
		t.Errorf("empty branch: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/packageset/maintainer_scores":              400,
		"/api/packageset/maintainer_scores?branch=zzz":   400,
		"/api/packageset/maintainer_scores?branch=p10&x": 400,
	})
}

func TestPsActivePackagesets(t *testing.T) {
	env := testenv.Get(t)
	var shown []struct {
		Name string `ch:"pkgset_name"`
		Show uint8  `ch:"show"`
	}
	if err := env.DB.Select(context.Background(), "t", &shown, `SELECT toString(pkgset_name) AS pkgset_name, argMax(rs_show, ts) AS show FROM RepositoryStatus GROUP BY pkgset_name`); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range shown {
		if s.Show == 1 {
			want = append(want, s.Name)
		}
	}
	if len(want) == 0 {
		want = lookup.List("known_branches")
	}
	want = lookup.SortBranches(want)
	code, body := env.Get(t, "/api/packageset/active_packagesets")
	if code != 200 || fmt.Sprint(body["packagesets"]) != fmt.Sprint(want) || fmt.Sprint(body["length"]) != fmt.Sprint(len(want)) {
		t.Errorf("%d %v, want %v", code, body, want)
	}
	if code, _ := env.Get(t, "/api/packageset/active_packagesets/x"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
}

func TestPsB64Decode(t *testing.T) {
	for in, want := range map[string]string{"ZW4=": "en", "Z W\n4=": "en", "*ZW4=*": "en", "": ""} {
		got, err := psB64Decode(in)
		if err != nil || string(got) != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"abc", "ZW4", "Z"} {
		if _, err := psB64Decode(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// include_done_tasks on a hand-made branch: snapshot {A, B} made by task
// 50; task 100 reached DONE later, deleting B and adding C.
func TestRepositoryPackagesDoneTasks(t *testing.T) {
	db, insert := fixtureDB(t)
	ctx := context.Background()
	sha := func(c byte) string { return strings.Repeat(string(c), 32) }
	src := func(hash uint64, name string) []any {
		return []any{hash, name, "1.0", "alt1", uint8(1), "src", name + "-1.0-alt1.src.rpm", hash, "me@altlinux.org", "Development/Other"}
	}
	insert("INSERT INTO Packages (pkg_hash, pkg_name, pkg_version, pkg_release, pkg_sourcepackage, pkg_arch, pkg_sourcerpm, pkg_srcrpm_hash, pkg_packager_email, pkg_group_)",
		src(1, "aaa"), src(2, "bbb"), src(3, "ccc"))
	insert("INSERT INTO PackageHash (pkgh_mmh, pkgh_md5, pkgh_sha1, pkgh_sha256, pkgh_blake2b)",
		[]any{uint64(2), strings.Repeat("m", 16), strings.Repeat("s", 20), sha('b'), strings.Repeat("x", 64)},
		[]any{uint64(3), strings.Repeat("m", 16), strings.Repeat("s", 20), sha('c'), strings.Repeat("x", 64)})
	root, comp := "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000a2"
	snap := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	insert("INSERT INTO PackageSet (pkgset_uuid, pkg_hash)", []any{comp, uint64(1)}, []any{comp, uint64(2)})
	node := func(uuid, parent string, depth uint8, name string, k, v []string) []any {
		return []any{uuid, parent, root, depth, name, snap, "", uint8(1), k, v}
	}
	const pkgsetCols = "INSERT INTO PackageSetName (pkgset_uuid, pkgset_puuid, pkgset_ruuid, pkgset_depth, pkgset_nodename, pkgset_date, pkgset_tag, pkgset_complete, pkgset_kv.k, pkgset_kv.v)"
	insert(pkgsetCols, node(comp, root, 1, "srpm", []string{}, []string{}))
	insert(pkgsetCols, node(root, "00000000-0000-0000-0000-000000000000", 0, "p10", []string{"class", "task"}, []string{"repository", "50"}))
	insert("INSERT INTO Tasks (task_id, subtask_id, task_repo, task_owner, task_changed)",
		[]any{uint32(50), uint32(1), "p10", "me", snap.Add(-time.Hour)}, []any{uint32(100), uint32(1), "p10", "me", snap.Add(time.Hour)})
	insert("INSERT INTO TaskStates (task_changed, task_id, task_state, task_try, task_prev)",
		[]any{snap.Add(-time.Hour), uint32(50), "DONE", uint16(1), uint32(0)}, []any{snap.Add(time.Hour), uint32(100), "DONE", uint16(1), uint32(50)})
	insert("INSERT INTO TaskIterations (task_id, task_changed, subtask_id, subtask_arch, titer_ts, titer_status, task_try, task_iter)",
		[]any{uint32(100), snap.Add(time.Hour), uint32(1), "x86_64", snap, "built", uint16(1), uint8(1)})
	var plan []struct {
		H uint64 `ch:"h"`
	}
	if err := db.Select(ctx, "t", &plan, "SELECT tplan_hash AS h FROM task_plan_hashes WHERE task_id = 100 AND tplan_arch = 'src'"); err != nil || len(plan) != 1 {
		t.Fatalf("plan hash: %v %v", plan, err)
	}
	insert("INSERT INTO TaskPlanPkgHash (tplan_hash, tplan_action, tplan_sha256)",
		[]any{plan[0].H, "add", sha('c')}, []any{plan[0].H, "delete", sha('b')})

	get := fixtureGet(t, db)
	names := func(body map[string]any) string {
		var out []string
		for _, p := range body["packages"].([]any) {
			out = append(out, p.(map[string]any)["name"].(string))
		}
		return fmt.Sprint(out)
	}
	code, body := get("/api/packageset/repository_packages?branch=p10&package_type=source")
	if code != 200 || names(body) != "[aaa bbb]" || fmt.Sprint(body["done_tasks"]) != "[]" {
		t.Fatalf("snapshot: %d %v", code, body)
	}
	code, body = get("/api/packageset/repository_packages?branch=p10&package_type=source&include_done_tasks=true")
	if code != 200 || names(body) != "[aaa ccc]" || fmt.Sprint(body["done_tasks"]) != "[100]" || fmt.Sprint(body["length"]) != "2" {
		t.Fatalf("with DONE tasks: %d %v", code, body)
	}
	// Binary packages only: none in the computed state.
	code, body = get("/api/packageset/repository_packages?branch=p10&package_type=binary&include_done_tasks=true")
	if code != 404 || body["message"] != "No packages found for computed hashes" {
		t.Errorf("binary: %d %v", code, body)
	}
}

func TestPsParseISOZones(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	for _, c := range []struct {
		in  string
		loc *time.Location
	}{{"2024-01-31T10:11:12+03:00", time.UTC}, {"2024-01-31 10:11:12", msk}, {"2024-01-31T07:11:12Z", msk}} {
		got, err := psParseISO(c.in, c.loc)
		if err != nil || got.UTC().Format("2006-01-02 15:04:05") != "2024-01-31 07:11:12" {
			t.Errorf("%s in %v: %v %v", c.in, c.loc, got, err)
		}
	}
}

// Maintainer scores on a hand-made branch: bug fixes of a component that is
// both a binary and the source name count twice (as upstream).
func TestMaintainerScoresFixture(t *testing.T) {
	db, insert := fixtureDB(t)
	now := time.Now().UTC().Truncate(time.Second)
	day := func(ago int) time.Time { return now.AddDate(0, 0, -ago) }
	insert("INSERT INTO Changelog (chlog_hash, chlog_text)",
		[]any{uint64(1001), "- new version"}, []any{uint64(1002), "- NMU: rebuild with new toolchain"}, []any{uint64(1003), "- fix build"})
	pkg := func(hash, src uint64, name string, source uint8, arch string) []any {
		return []any{hash, name, "1.0", "alt2", source, arch, "foo-1.0-alt2.src.rpm", src,
			[]time.Time{day(1), day(10), day(900)}, []string{"Alice <alice@altlinux.org>", "Bob <bob@altlinux.org>", "Alice <alice@altlinux.org>"},
			[]string{"1.0-alt2", "1.0-alt1.1", "0.9-alt1"}, []uint64{1003, 1002, 1001}}
	}
	cols := "INSERT INTO Packages (pkg_hash, pkg_name, pkg_version, pkg_release, pkg_sourcepackage, pkg_arch, pkg_sourcerpm, pkg_srcrpm_hash, pkg_changelog.date, pkg_changelog.name, pkg_changelog.evr, pkg_changelog.hash)"
	insert(cols, pkg(10, 10, "foo", 1, "src"), pkg(11, 10, "foo", 0, "x86_64"), pkg(12, 10, "libfoo", 0, "x86_64"))
	root, comp := "00000000-0000-0000-0000-0000000000b1", "00000000-0000-0000-0000-0000000000b2"
	insert("INSERT INTO PackageSet (pkgset_uuid, pkg_hash)", []any{comp, uint64(10)}, []any{comp, uint64(11)}, []any{comp, uint64(12)})
	node := func(uuid, parent string, depth uint8, name string, k, v []string) []any {
		return []any{uuid, parent, root, depth, name, day(0), "", uint8(1), k, v}
	}
	const pkgsetCols = "INSERT INTO PackageSetName (pkgset_uuid, pkgset_puuid, pkgset_ruuid, pkgset_depth, pkgset_nodename, pkgset_date, pkgset_tag, pkgset_complete, pkgset_kv.k, pkgset_kv.v)"
	insert(pkgsetCols, node(comp, root, 1, "srpm", []string{}, []string{}))
	insert(pkgsetCols, node(root, "00000000-0000-0000-0000-000000000000", 0, "p10", []string{"class", "task"}, []string{"repository", "1"}))
	bug := func(id uint32, status, res, comp, who string, ago int) []any {
		return []any{id, status, res, comp, who, day(ago)}
	}
	insert("INSERT INTO Bugzilla (bz_id, bz_status, bz_resolution, bz_component, bz_assignee, bz_last_changed)",
		bug(1, "RESOLVED", "FIXED", "foo", "alice@altlinux.org", 5), // binary foo and source foo: counted twice
		bug(2, "CLOSED", "FIXED", "libfoo", "alice@altlinux.org", 400),
		bug(3, "NEW", "", "libfoo", "alice@altlinux.org", 5),
		bug(4, "RESOLVED", "WONTFIX", "foo", "alice@altlinux.org", 5),
		bug(5, "RESOLVED", "FIXED", "foo", "carol@altlinux.org", 5)) // no changelog entry: ignored
	code, body := fixtureGet(t, db)("/api/packageset/maintainer_scores?branch=p10")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	pkgs := body["packages"].([]any)
	if len(pkgs) != 1 {
		t.Fatalf("packages %v", pkgs)
	}
	p := pkgs[0].(map[string]any)
	ms := p["maintainers"].([]any)
	if len(ms) != 2 || p["package"] != "foo" || p["primary_maintainer"] != "alice" || p["status"] != "active" {
		t.Fatalf("package %v", p)
	}
	alice, bob := ms[0].(map[string]any), ms[1].(map[string]any)
	decay := func(ago int) float64 { return math.Exp(-float64(ago) * math.Ln2 / 730) }
	// alice: a patch 1 day ago, an update 900 days ago (not in ACL: halved),
	// 3 fixed bugs (one twice), the newest commit and a recent fix: bonus.
	aliceBase := mscore.Round2(0.5*(1.5*decay(1)+3*decay(900))) + 4*decay(5)*2 + 4*decay(400)
	if alice["nick"] != "alice" || fmt.Sprint(alice["bugfixes"]) != "3" || fmt.Sprint(alice["updates"]) != "1" ||
		fmt.Sprint(alice["patches"]) != "1" || alice["bonus_applied"] != true || fmt.Sprint(alice["in_acl"]) != "false" {
		t.Errorf("alice %v", alice)
	}
	if s, _ := alice["base_score"].(json.Number).Float64(); s != mscore.Round2(aliceBase) {
		t.Errorf("alice base %v, want %v", s, mscore.Round2(aliceBase))
	}
	if s, _ := alice["score"].(json.Number).Float64(); s != mscore.Round2(aliceBase*2.5) {
		t.Errorf("alice score %v, want %v", s, mscore.Round2(aliceBase*2.5))
	}
	// bob: one NMU-looking entry, not in the ACL: weight 0.
	if bob["nick"] != "bob" || fmt.Sprint(bob["nmu"]) != "1" || fmt.Sprint(bob["score"]) != "0.0" || fmt.Sprint(bob["bugfixes"]) != "0" {
		t.Errorf("bob %v", bob)
	}
	if bob["last_activity"] != day(10).Format("2006-01-02") {
		t.Errorf("bob last_activity %v", bob["last_activity"])
	}
}
