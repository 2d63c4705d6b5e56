package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/testenv"
)

// smPickNick is the packager nickname with the most sources in sisyphus.
func smPickNick(t testing.TB, env *testenv.Env) string {
	type pk struct {
		Nick string `ch:"nick"`
	}
	return pickRow[pk](t, env, `SELECT splitByChar('@', toString(pkg_packager_email))[1] AS nick FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(toString(pkg_packager_email), '^[a-z][a-z0-9-]+@')
		GROUP BY nick ORDER BY count() DESC, nick LIMIT 1`).Nick
}

func TestSmNickSQL(t *testing.T) {
	env := testenv.Get(t)
	var rows []struct {
		E string `ch:"e"`
		N string `ch:"n"`
	}
	dbSelect(t, env, &rows, `SELECT pkg_packager_email AS e, `+smNick+` AS n
		FROM (SELECT arrayJoin(['ldv@altlinux.org', 'real at altlinux.org', '', 'x']) AS pkg_packager_email)`)
	want := map[string]string{"ldv@altlinux.org": "ldv", "real at altlinux.org": "real at altlinux.or", "": "", "x": ""}
	for _, r := range rows {
		if want[r.E] != r.N {
			t.Errorf("nick(%q) = %q, want %q", r.E, r.N, want[r.E])
		}
	}
}

func TestSiteAllMaintainers(t *testing.T) {
	env := testenv.Get(t)
	nick := smPickNick(t, env)
	type cnt struct {
		N uint64 `ch:"n"`
	}
	want := pickRow[cnt](t, env, `SELECT countDistinct(pkg_hash) AS n FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND pkg_packager_email LIKE ?`, nick+"@%")
	for _, path := range []string{"all_maintainers", "all_maintainers_with_nicknames"} {
		code, body := env.Get(t, "/api/site/"+path+"?branch=sisyphus")
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, body)
		}
		list := body["maintainers"].([]any)
		if fmt.Sprint(body["length"]) != fmt.Sprint(len(list)) || len(list) == 0 {
			t.Fatalf("%s: %v", path, body["length"])
		}
		found := false
		prev := ""
		for _, m := range list {
			e := m.(map[string]any)
			if e["packager_nickname"] == nick {
				found = true
				if fmt.Sprint(e["count_source_pkg"]) != fmt.Sprint(want.N) || e["packager_name"] == "" {
					t.Errorf("%s: %v, want count %d", path, e, want.N)
				}
			}
			if n := e["packager_name"].(string); n < prev {
				t.Errorf("%s: not ordered: %q after %q", path, n, prev)
			} else {
				prev = n
			}
		}
		if !found {
			t.Errorf("%s: %s missing", path, nick)
		}
	}
	code, body := env.Get(t, "/api/site/all_maintainers?branch="+spsUnloadedBranch(t, env))
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/all_maintainers?branch=nope":         400,
		"/api/site/all_maintainers":                     400,
		"/api/site/all_maintainers?branch=sisyphus&x=1": 400,
	})
}

func TestSiteMaintainerInfo(t *testing.T) {
	env := testenv.Get(t)
	nick := smPickNick(t, env)
	type info struct {
		N    uint64 `ch:"n"`
		Name string `ch:"name"`
	}
	want := pickRow[info](t, env, `SELECT countDistinct(pkg_hash) AS n, any(toString(pkg_packager)) AS name FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND pkg_packager_email LIKE ?`, nick+"@%")
	body := getOK(t, env, "/api/site/maintainer_info?branch=sisyphus&maintainer_nickname="+nick)
	inf := body["information"].(map[string]any)
	if inf["packager_nickname"] != nick || fmt.Sprint(inf["count_source_pkg"]) != fmt.Sprint(want.N) || inf["packager_name"] == "" {
		t.Errorf("information %v, want %+v", inf, want)
	}
	code, body := env.Get(t, "/api/site/maintainer_info?branch=sisyphus&maintainer_nickname=nobody-zz")
	if code != 404 || body["message"] != "No data found in database for nobody-zz on sisyphus" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/maintainer_info?branch=sisyphus&maintainer_nickname=a":   400,
		"/api/site/maintainer_info?branch=sisyphus":                         400,
		"/api/site/maintainer_info?branch=nope&maintainer_nickname=" + nick: 400,
	})
}

func TestSiteMaintainerBranches(t *testing.T) {
	env := testenv.Get(t)
	nick := smPickNick(t, env)
	var want []struct {
		Branch string `ch:"pkgset_name"`
		N      uint64 `ch:"n"`
	}
	dbSelect(t, env, &want, `SELECT pkgset_name, countDistinct(pkg_hash) AS n FROM last_packages
		WHERE pkg_sourcepackage = 1 AND pkg_packager_email LIKE ? GROUP BY pkgset_name`, nick+"@%")
	body := getOK(t, env, "/api/site/maintainer_branches?maintainer_nickname="+nick)
	got := body["branches"].([]any)
	if len(got) != len(want) || fmt.Sprint(body["length"]) != fmt.Sprint(len(want)) {
		t.Fatalf("branches %v, want %v", got, want)
	}
	var names []string
	for _, w := range want {
		names = append(names, w.Branch)
	}
	order := lookup.SortBranches(names)
	for i, g := range got {
		m := g.(map[string]any)
		if m["branch"] != order[i] {
			t.Errorf("branch %d = %v, want %s", i, m["branch"], order[i])
		}
		for _, w := range want {
			if w.Branch == m["branch"] && fmt.Sprint(m["count"]) != fmt.Sprint(w.N) {
				t.Errorf("%v, want %d", m, w.N)
			}
		}
	}
	code, body := env.Get(t, "/api/site/maintainer_branches?maintainer_nickname=nobody-zz")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{"/api/site/maintainer_branches?maintainer_nickname=a@b": 400})
}

func TestSiteMaintainerPackages(t *testing.T) {
	env := testenv.Get(t)
	nick := smPickNick(t, env)
	var want []struct {
		Name string `ch:"pkg_name"`
	}
	dbSelect(t, env, &want, `SELECT DISTINCT pkg_name FROM last_packages
		WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND pkg_packager_email LIKE ?`, nick+"@%")
	code, body := env.Get(t, "/api/site/maintainer_packages?branch=sisyphus&maintainer_nickname="+nick)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	got := body["packages"].([]any)
	if len(got) != len(want) {
		t.Errorf("%d packages, want %d", len(got), len(want))
	}
	prev := int64(1 << 40)
	for _, p := range got {
		m := p.(map[string]any)
		var bt int64
		fmt.Sscan(fmt.Sprint(m["buildtime"]), &bt)
		if bt > prev {
			t.Errorf("not ordered by build time")
		}
		prev = bt
		if !slices.ContainsFunc(want, func(w struct {
			Name string `ch:"pkg_name"`
		}) bool {
			return w.Name == m["name"]
		}) {
			t.Errorf("unexpected %v", m)
		}
	}
	// ACL modes: every package's sisyphus ACL names the maintainer (by_nick)
	// or has them first (by_nick_leader).
	acl := map[string][]string{}
	var acls []struct {
		For  string   `ch:"acl_for"`
		List []string `ch:"acl_list"`
	}
	dbSelect(t, env, &acls, `SELECT acl_for, argMax(acl_list, acl_date_last) AS acl_list FROM last_acl_stage1
		WHERE acl_branch = 'sisyphus' GROUP BY acl_for`)
	for _, a := range acls {
		acl[a.For] = a.List
	}
	for mode, check := range map[string]func(list []string) bool{
		"by_nick":        func(l []string) bool { return slices.Contains(l, nick) },
		"by_nick_leader": func(l []string) bool { return len(l) > 0 && l[0] == nick },
		"by_nick_leader_and_group": func(l []string) bool {
			return len(l) > 0 && (l[0] == nick || strings.HasPrefix(l[0], "@") && slices.Contains(acl[l[0]], nick))
		},
		"by_nick_or_group": func(l []string) bool {
			return slices.ContainsFunc(l, func(m string) bool { return m == nick || strings.HasPrefix(m, "@") && slices.Contains(acl[m], nick) })
		},
	} {
		code, body := env.Get(t, "/api/site/maintainer_packages?branch=sisyphus&by_acl="+mode+"&maintainer_nickname="+nick)
		if code == 404 {
			continue
		}
		if code != 200 {
			t.Fatalf("%s: %d %v", mode, code, body)
		}
		for _, p := range body["packages"].([]any) {
			n := p.(map[string]any)["name"].(string)
			if !check(acl[n]) {
				t.Errorf("%s: %s has ACL %v", mode, n, acl[n])
			}
		}
	}
	code, body = env.Get(t, "/api/site/maintainer_packages?branch=sisyphus&maintainer_nickname=nobody-zz&by_acl=by_nick")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/maintainer_packages?branch=sisyphus&maintainer_nickname=" + nick + "&by_acl=other": 400,
		"/api/site/maintainer_packages?maintainer_nickname=" + nick:                                   400,
	})
}

func TestSiteRepocopByMaintainer(t *testing.T) {
	env := testenv.Get(t)
	type rc struct {
		Src  string `ch:"rc_srcpkg_name"`
		Nick string `ch:"nick"`
	}
	var picks []rc
	dbSelect(t, env, &picks, `SELECT rc_srcpkg_name, nick FROM
		(SELECT rc_srcpkg_name, rc_srcpkg_version AS pkg_version, rc_srcpkg_release AS pkg_release FROM PackagesRepocop
			WHERE pkgset_name = 'sisyphus' AND rc_test_status NOT IN ('ok', 'skip')) AS R
		ANY INNER JOIN (SELECT pkg_name AS rc_srcpkg_name, pkg_version, pkg_release, splitByChar('@', toString(pkg_packager_email))[1] AS nick
			FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1
			AND match(toString(pkg_packager_email), '^[a-z][a-z0-9-]+@')) AS S USING (rc_srcpkg_name, pkg_version, pkg_release)
		ORDER BY rc_srcpkg_name LIMIT 1`)
	if len(picks) == 0 {
		t.Skip("no failing repocop test in sisyphus")
	}
	p := picks[0]
	body := getOK(t, env, "/api/site/repocop_by_maintainer?branch=sisyphus&maintainer_nickname="+p.Nick)
	found := false
	for _, e := range body["packages"].([]any) {
		m := e.(map[string]any)
		if m["test_status"] == "ok" || m["test_status"] == "skip" || m["branch"] != "sisyphus" || !strings.Contains(m["test_date"].(string), "T") {
			t.Errorf("element %v", m)
		}
		found = found || m["srcpkg_name"] == p.Src
	}
	if !found {
		t.Errorf("%s missing from %v", p.Src, body["packages"])
	}
	code, body := env.Get(t, "/api/site/repocop_by_maintainer?branch=sisyphus&maintainer_nickname=nobody-zz")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{"/api/site/repocop_by_maintainer?branch=nope&maintainer_nickname=" + p.Nick: 400})
}

func TestSiteBeehiveErrorsByMaintainer(t *testing.T) {
	env := testenv.Get(t)
	type bh struct {
		Name string `ch:"pkg_name"`
		Nick string `ch:"nick"`
		Arch string `ch:"bh_arch"`
	}
	var picks []bh
	dbSelect(t, env, &picks, `SELECT pkg_name, nick, bh_arch FROM
		(SELECT pkg_hash, toString(bh_arch) AS bh_arch FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' AND bh_status = 'error'
			AND (bh_arch, bh_updated) IN (SELECT bh_arch, max(bh_updated) FROM BeehiveStatus WHERE pkgset_name = 'sisyphus' GROUP BY bh_arch)) AS B
		ANY INNER JOIN (SELECT pkg_hash, pkg_name, splitByChar('@', toString(pkg_packager_email))[1] AS nick FROM last_packages
			WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(toString(pkg_packager_email), '^[a-z][a-z0-9-]+@')) AS S
		USING pkg_hash ORDER BY pkg_name LIMIT 1`)
	if len(picks) == 0 {
		t.Skip("no beehive errors in sisyphus")
	}
	p := picks[0]
	body := getOK(t, env, "/api/site/beehive_errors_by_maintainer?branch=sisyphus&maintainer_nickname="+p.Nick)
	found := false
	for _, e := range body["beehive"].([]any) {
		m := e.(map[string]any)
		if m["name"] == p.Name && m["arch"] == p.Arch {
			found = true
			prefix := lookup.Text("beehive_base") + "/logs/Sisyphus/" + p.Arch + "/archive/"
			if !strings.HasPrefix(m["url"].(string), prefix) || !strings.Contains(m["url"].(string), "/error/"+p.Name+"-") ||
				!strings.Contains(m["updated"].(string), "T") || m["branch"] != "sisyphus" {
				t.Errorf("element %v", m)
			}
		}
	}
	if !found {
		t.Errorf("%+v missing from %v", p, body["beehive"])
	}
	code, body := env.Get(t, "/api/site/beehive_errors_by_maintainer?branch=sisyphus&maintainer_nickname=nobody-zz")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{"/api/site/beehive_errors_by_maintainer?branch=sisyphus&maintainer_nickname=" + p.Nick + "&by_acl=x": 400})
}

func TestSiteWatchByMaintainer(t *testing.T) {
	env := testenv.Get(t)
	type w struct {
		Name string `ch:"pkg_name"`
		Nick string `ch:"nick"`
		New  string `ch:"new_version"`
	}
	var picks []w
	dbSelect(t, env, &picks, `SELECT pkg_name, nick, new_version FROM
		(SELECT pkg_name, argMax(new_version, date_update) AS new_version FROM PackagesWatch
			WHERE toDate(date_update) = (SELECT max(toDate(date_update)) FROM PackagesWatch) AND url NOT LIKE 'watch_file_error%'
			GROUP BY pkg_name) AS W
		ANY INNER JOIN (SELECT pkg_name, splitByChar('@', toString(pkg_packager_email))[1] AS nick FROM last_packages
			WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 AND match(toString(pkg_packager_email), '^[a-z][a-z0-9-]+@')) AS S
		USING pkg_name ORDER BY pkg_name LIMIT 1`)
	if len(picks) == 0 {
		t.Skip("no watch records for sisyphus packages")
	}
	p := picks[0]
	body := getOK(t, env, "/api/site/watch_by_maintainer?maintainer_nickname="+p.Nick)
	found := false
	for _, e := range body["packages"].([]any) {
		m := e.(map[string]any)
		if m["pkg_name"] == p.Name {
			found = m["new_version"] == p.New && m["repology_name"] != nil && !strings.Contains(m["date_update"].(string), "T")
		}
	}
	if !found {
		t.Errorf("%+v missing from %v", p, body["packages"])
	}
	code, body := env.Get(t, "/api/site/watch_by_maintainer?maintainer_nickname=nobody-zz&by_acl=by_nick_leader")
	if code != 404 || body["message"] != "No data not found in database" {
		t.Errorf("404: %d %v", code, body)
	}
	expectCodes(t, env, map[string]int{
		"/api/site/watch_by_maintainer?maintainer_nickname=" + p.Nick + "&branch=sisyphus": 400,
		"/api/site/watch_by_maintainer": 400,
	})
}
