package app

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"altrepo/services/packages/internal/testenv"
)

type aclTestRow struct {
	For    string    `ch:"acl_for"`
	Branch string    `ch:"acl_branch"`
	Date   time.Time `ch:"d"`
	List   []string  `ch:"l"`
}

// aclLatest reads the newest ACL rows (per branch and name) matching cond.
func aclLatest(t *testing.T, env *testenv.Env, cond string, args ...any) []aclTestRow {
	t.Helper()
	var rows []aclTestRow
	dbSelect(t, env, &rows, `
		SELECT acl_for, acl_branch, max(acl_date) AS d, argMax(acl_list, acl_date) AS l
		FROM Acl WHERE `+cond+` GROUP BY acl_for, acl_branch ORDER BY acl_branch, acl_for`, args...)
	return rows
}

func aclStrings(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

func TestAclGroups(t *testing.T) {
	env := testenv.Get(t)
	groups := aclLatest(t, env, "acl_for LIKE '@%'")
	if len(groups) == 0 {
		t.Fatal("no ACL groups in the data")
	}
	branch := groups[0].Branch
	var want []aclTestRow
	for _, g := range groups {
		if g.Branch == branch {
			want = append(want, g)
		}
	}
	code, body := env.Get(t, "/api/acl/groups?branch="+branch)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	got := body["groups"].([]any)
	if len(got) != len(want) || fmt.Sprint(body["length"]) != fmt.Sprint(len(want)) {
		t.Fatalf("%d groups (length %v), %d in the database", len(got), body["length"], len(want))
	}
	for i, w := range want {
		m := got[i].(map[string]any)
		if m["group"] != w.For || m["date"] != w.Date.Format("2006-01-02T15:04:05") || !slices.Equal(aclStrings(m["maintainers"]), w.List) {
			t.Errorf("group %v, want %+v", m, w)
		}
	}
	// one group, with or without '@'
	for _, name := range []string{want[0].For, want[0].For[1:]} {
		code, body = env.Get(t, "/api/acl/groups?branch="+branch+"&name="+name)
		if code != 200 || len(body["groups"].([]any)) != 1 || body["groups"].([]any)[0].(map[string]any)["group"] != want[0].For {
			t.Errorf("name=%s: %d %v", name, code, body)
		}
		if body["request_args"].(map[string]any)["name"] != name {
			t.Errorf("request_args %v", body["request_args"])
		}
	}
	for u, want := range map[string]int{
		"/api/acl/groups?branch=" + branch + "&name=nosuchgroupzzz": 404,
		"/api/acl/groups?branch=p0":                                 400,
		"/api/acl/groups":                                           400,
		"/api/acl/groups?branch=sisyphus&name=Bad-Name":             400,
	} {
		if code, body := env.Get(t, u); code != want {
			t.Errorf("%s: %d %v, want %d", u, code, body, want)
		} else if want == 404 && (body["message"] != "No data not found in database" || body["details"].(map[string]any)["args"] == nil) {
			t.Errorf("%s: %v", u, body)
		}
	}
}

func TestAclByPackages(t *testing.T) {
	env := testenv.Get(t)
	pkgs := aclLatest(t, env, "acl_for NOT LIKE '@%' AND acl_branch = (SELECT any(acl_branch) FROM Acl WHERE acl_for NOT LIKE '@%')")
	if len(pkgs) < 2 {
		t.Fatal("not enough package ACLs")
	}
	branch := pkgs[0].Branch
	a, b := pkgs[0], pkgs[1]
	body := getOK(t, env, "/api/acl/by_packages?branch="+branch+"&packages_names="+b.For+","+a.For+",no-such-pkg-zzz")
	if body["branch"] != branch || body["request_args"] != nil {
		t.Errorf("body %v", body)
	}
	got := body["packages"].([]any)
	if len(got) != 2 {
		t.Fatalf("packages %v", got)
	}
	for i, w := range []aclTestRow{a, b} { // sorted by name
		m := got[i].(map[string]any)
		if m["name"] != w.For || m["updated"] != w.Date.Format("2006-01-02T15:04:05") || !slices.Equal(aclStrings(m["members"]), w.List) {
			t.Errorf("package %v, want %+v", m, w)
		}
	}
	// never 404
	code, body := env.Get(t, "/api/acl/by_packages?branch="+branch+"&packages_names=no-such-pkg-zzz")
	if code != 200 || len(body["packages"].([]any)) != 0 {
		t.Errorf("unknown package: %d %v", code, body)
	}
	for _, u := range []string{"/api/acl/by_packages?branch=p0&packages_names=bash", "/api/acl/by_packages?branch=sisyphus", "/api/acl/by_packages?branch=sisyphus&packages_names=a"} {
		if code, body := env.Get(t, u); code != 400 {
			t.Errorf("%s: %d %v", u, code, body)
		}
	}
}

func TestAclMaintainerGroups(t *testing.T) {
	env := testenv.Get(t)
	groups := aclLatest(t, env, "acl_for LIKE '@%' AND notEmpty(acl_list)")
	if len(groups) == 0 {
		t.Fatal("no ACL groups in the data")
	}
	nick := groups[0].List[0]
	want := map[string][]string{}
	for _, g := range groups {
		if slices.Contains(g.List, nick) {
			want[g.Branch] = append(want[g.Branch], g.For)
		}
	}
	body := getOK(t, env, "/api/acl/maintainer_groups?nickname="+nick)
	if body["nickname"] != nick {
		t.Errorf("nickname %v", body["nickname"])
	}
	got := body["branches"].([]any)
	if len(got) != len(want) {
		t.Fatalf("branches %v, want %v", got, want)
	}
	for _, e := range got {
		m := e.(map[string]any)
		g := aclStrings(m["groups"])
		w := want[m["name"].(string)]
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%v: groups %v, want %v", m["name"], g, w)
		}
	}
	code, body := env.Get(t, "/api/acl/maintainer_groups?nickname="+nick+"&branch="+groups[0].Branch)
	if code != 200 || len(body["branches"].([]any)) != 1 {
		t.Errorf("one branch: %d %v", code, body)
	}
	code, body = env.Get(t, "/api/acl/maintainer_groups?nickname=nosuchnickzzz")
	if code != 200 || len(body["branches"].([]any)) != 0 {
		t.Errorf("unknown nick: %d %v", code, body)
	}
	for _, u := range []string{"/api/acl/maintainer_groups", "/api/acl/maintainer_groups?nickname=x", "/api/acl/maintainer_groups?nickname=ab&branch=p0"} {
		if code, body := env.Get(t, u); code != 400 {
			t.Errorf("%s: %d %v", u, code, body)
		}
	}
}
