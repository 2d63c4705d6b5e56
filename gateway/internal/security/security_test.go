package security

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"altrepo/gateway/internal/contract"
)

func TestLookup(t *testing.T) {
	tab := Contract()
	cases := []struct {
		method, path string
		want         bool
		scheme       Scheme
		role         string
	}{
		{"POST", "/api/package/repocop", true, SchemeBasicAdmin, ""},
		{"GET", "/api/package/repocop", false, 0, ""},
		{"GET", "/manage/task/list", true, SchemeBearer, "manage_list"},
		{"HEAD", "/manage/task/list", true, SchemeBearer, "manage_list"},
		{"GET", "/manage/task/list/", true, SchemeBearer, "manage_list"},
		{"GET", "/manage/task/info/42", true, SchemeBearer, "manage_list"},
		{"PUT", "/manage/comments/7", true, SchemeBearer, "comments_enable"},
		{"DELETE", "/manage/errata/manage", true, SchemeBearer, "errata_manage_discard"},
		{"POST", "/api/auth/logout", true, SchemeBearer, ""},
		{"POST", "/api/auth/login", false, 0, ""},
		{"GET", "/api/package/package_info", false, 0, ""},
	}
	for _, c := range cases {
		_, r, ok := tab.Lookup(c.method, c.path)
		if ok != c.want || (ok && (r.Scheme != c.scheme || r.Role != c.role)) {
			t.Errorf("Lookup(%s %s) = %+v, %v", c.method, c.path, r, ok)
		}
	}
}

func TestDenyAll(t *testing.T) {
	h := DenyAll{}.Wrap(Requirement{Scheme: SchemeBearer}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("protected request forwarded")
	}))
	for _, auth := range []string{"", "eyJ.some.token"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/manage/task/list", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"message"`) {
			t.Errorf("auth %q: %d %s", auth, rec.Code, rec.Body)
		}
	}
}

// TestContractTable checks the committed table against endpoints.json in
// both directions and that regenerating it changes nothing.
func TestContractTable(t *testing.T) {
	eps := contract.LoadForTest(t)
	tab := Contract()
	protected := 0
	for _, ep := range eps {
		_, r, found := tab.Lookup(ep.Method, ep.Path)
		needs := ep.Auth != nil && ep.Auth.Required
		if needs {
			protected++
		}
		if needs != found {
			t.Errorf("%s %s: contract requires auth %v, table %v", ep.Method, ep.Path, needs, found)
			continue
		}
		if !needs {
			continue
		}
		if r.Pattern != ep.Path {
			t.Errorf("%s %s matched pattern %s", ep.Method, ep.Path, r.Pattern)
		}
		if r.Scheme.String() != ep.Auth.Scheme {
			t.Errorf("%s %s: scheme %s, contract %s", ep.Method, ep.Path, r.Scheme, ep.Auth.Scheme)
		}
		if ep.Auth.Scheme == "Bearer" {
			want := ""
			if ep.Auth.Role != nil {
				want = *ep.Auth.Role
			}
			if r.Role != want || r.ValidateRole != ep.Auth.ValidateRole {
				t.Errorf("%s %s: role %q/%v, contract %q/%v", ep.Method, ep.Path, r.Role, r.ValidateRole, want, ep.Auth.ValidateRole)
			}
		}
	}
	if protected != len(tab.Requirements()) {
		t.Errorf("contract has %d protected routes, table %d", protected, len(tab.Requirements()))
	}
	if protected < 80 {
		t.Errorf("only %d protected routes found", protected)
	}
}
