package routes

import (
	"strings"
	"testing"

	"altrepo/gateway/internal/contract"
)

func mustDefault(t *testing.T) *Table {
	t.Helper()
	tab, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestMatchRepresentative(t *testing.T) {
	tab := mustDefault(t)
	cases := map[string]string{
		"/api/package/package_info":                       Packages,
		"/api/packageset/active_packagesets":              Packages,
		"/api/license/info":                               Packages,
		"/api/task/task_info/1":                           Tasks,
		"/api/task/progress/last_tasks":                   Tasks,
		"/api/site/last_packages":                         Tasks,
		"/api/site/last_packages_by_tasks":                Tasks,
		"/api/site/last_packages_by_branch":               Packages,
		"/api/site/last_packages_with_cve_fixed":          Packages,
		"/api/site/package_versions":                      Packages,
		"/api/site/package_versions_from_tasks":           Tasks,
		"/api/site/package_versions_from_images":          Images,
		"/api/site/tasks_history":                         Packages,
		"/api/errata/search":                              Bugs,
		"/api/image/image_info":                           Images,
		"/manage/antivirus_scan/issues":                   Images,
		"/manage/auth/login":                              Auth,
		"/api/auth/login":                                 Auth,
		"/manage/task/list":                               Bugs,
		"/manage/vuln/cve":                                Bugs,
		"/api/vuln/task/5":                                Bugs,
		"/api/dependencies/binary_package_dependencies/1": Packages,
	}
	for path, want := range cases {
		r, ok := tab.Match(path)
		if !ok || r.Service != want {
			t.Errorf("Match(%q) = %+v, %v; want %s", path, r, ok, want)
		}
	}
	for _, path := range []string{"/api/nosuch/x", "/api/packagesetx", "/api", "/other"} {
		if r, ok := tab.Match(path); ok {
			t.Errorf("Match(%q) = %+v; want no route", path, r)
		}
	}
}

func TestOverrides(t *testing.T) {
	// Config keys come upper-cased from the INI parser.
	tab, err := New(WithOverrides(map[string]string{"/API/SITE/ALL_PKGSETS": "tasks", "/API/NEWTHING": "Images"}))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := tab.Match("/api/site/all_pkgsets"); r.Service != Tasks {
		t.Errorf("override not applied: %+v", r)
	}
	if r, _ := tab.Match("/api/site/all_pkgsets_summary"); r.Service != Packages {
		t.Errorf("override leaked onto a longer name: %+v", r)
	}
	if r, _ := tab.Match("/api/newthing/x"); r.Service != Images {
		t.Errorf("new prefix: %+v", r)
	}
	if _, err := New([]Route{{"api/x", "bugs"}}); err == nil {
		t.Error("prefix without leading slash accepted")
	}
	if _, err := New([]Route{{"/", "bugs"}}); err == nil {
		t.Error("root prefix accepted")
	}
}

// TestContractPaths checks every path of the contract against the module
// that owns it upstream.
func TestContractPaths(t *testing.T) {
	eps := contract.LoadForTest(t)
	if len(eps) < 200 {
		t.Fatalf("only %d endpoints in the contract", len(eps))
	}
	tab := mustDefault(t)
	for _, ep := range eps {
		want, ok := contract.ServiceOf[ep.Module]
		if !ok {
			t.Errorf("%s %s: module %q has no intended service", ep.Method, ep.Path, ep.Module)
			continue
		}
		if want == "gateway" {
			continue // root routes, served before the table is consulted
		}
		// Path parameters become a sample segment value.
		p := ep.Path
		for strings.Contains(p, "{") {
			i := strings.Index(p, "{")
			j := strings.Index(p[i:], "}")
			p = p[:i] + "1" + p[i+j+1:]
		}
		r, ok := tab.Match(p)
		if !ok || r.Service != want {
			t.Errorf("%s %s (module %s): routed to %q, want %q", ep.Method, ep.Path, ep.Module, r.Service, want)
		}
	}
}
