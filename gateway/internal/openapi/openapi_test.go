package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const fragPackages = `{
  "openapi": "3.1.0",
  "info": {"title": "packages", "version": "1"},
  "tags": [{"name": "package"}],
  "paths": {
    "/api/package/package_info": {"get": {"tags": ["package"], "responses": {"200": {"description": "ok",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PackageInfoModel"}}}}}}},
    "/api/site/all_pkgsets": {"get": {"responses": {"200": {"description": "ok"}}}}
  },
  "components": {"schemas": {
    "PackageInfoModel": {"type": "object", "properties": {"packages": {"type": "array", "items": {"$ref": "#/components/schemas/PackageElement"}}}},
    "PackageElement": {"type": "object", "properties": {"name": {"type": "string"}}},
    "Shared": {"type": "string"},
    "Unused": {"type": "integer"}
  }, "securitySchemes": {"Bogus": {"type": "http", "scheme": "digest"}}}
}`

const fragBugs = `{
  "openapi": "3.1.0",
  "info": {"title": "bugs", "version": "1"},
  "paths": {
    "/api/errata/search": {"get": {"responses": {"200": {"description": "ok",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shared"}}}}}}},
    "/api/site/all_pkgsets": {"get": {"summary": "duplicate", "responses": {"200": {"description": "dup"}}}},
    "/manage/vuln/cve": {"get": {"security": [{"Bearer": []}], "responses": {"200": {"description": "ok",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CveModel"}}}}}}}
  },
  "components": {"schemas": {
    "Shared": {"type": "number"},
    "CveModel": {"type": "object"}
  }}
}`

func serve(t *testing.T, body string, up *atomic.Bool) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if up != nil && !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/openapi.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func getDoc(t *testing.T, h http.Handler, query string) Doc {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json"+query, nil))
	var d Doc
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("decode: %v (%s)", err, rec.Body)
	}
	return d
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func has(v any, k string) bool { m, _ := v.(map[string]any); _, ok := m[k]; return ok }

func TestMergeTwoFragments(t *testing.T) {
	var logs bytes.Buffer
	bugsUp := &atomic.Bool{}
	bugsUp.Store(true)
	p := serve(t, fragPackages, nil)
	b := serve(t, fragBugs, bugsUp)
	a := New(Options{
		Sources: []Source{{"packages", p.URL + "/openapi.json"}, {"bugs", b.URL + "/openapi.json"}},
		API:     Info{Title: "ALTRepo API", Version: "1.24.7"},
		Manage:  Info{Title: "ALTRepo vulnerability management API", Version: "0.5.6"},
		Extra:   map[string]any{"/api/version": map[string]any{"get": map[string]any{}}, "/manage/version": map[string]any{"get": map[string]any{}}},
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		// On-demand refreshes are throttled; allow them back to back here.
		MinRetry: time.Nanosecond,
	})
	a.Refresh(context.Background())

	api := getDoc(t, a.Handler(false), "")
	if api["openapi"] != "3.1.0" || api["info"].(map[string]any)["title"] != "ALTRepo API" {
		t.Errorf("header: %v %v", api["openapi"], api["info"])
	}
	paths := api["paths"]
	for _, want := range []string{"/api/package/package_info", "/api/errata/search", "/api/site/all_pkgsets", "/api/version"} {
		if !has(paths, want) {
			t.Errorf("api document lacks %s (has %v)", want, keys(paths))
		}
	}
	if has(paths, "/manage/vuln/cve") || has(paths, "/manage/version") {
		t.Error("management paths in the public document")
	}
	// First fragment wins on conflicts, and the conflict is logged.
	dup := paths.(map[string]any)["/api/site/all_pkgsets"].(map[string]any)["get"].(map[string]any)
	if dup["summary"] != nil {
		t.Error("duplicate path replaced the first one")
	}
	comps := api["components"].(map[string]any)
	schemas := comps["schemas"].(map[string]any)
	if schemas["Shared"].(map[string]any)["type"] != "string" {
		t.Error("duplicate schema replaced the first one")
	}
	if !strings.Contains(logs.String(), "component defined twice") || !strings.Contains(logs.String(), "path defined twice") {
		t.Errorf("conflicts not logged: %s", logs.String())
	}
	// Referenced schemas (also transitively) are kept, unreferenced dropped.
	for _, want := range []string{"PackageInfoModel", "PackageElement", "Shared"} {
		if !has(schemas, want) {
			t.Errorf("schema %s missing", want)
		}
	}
	if has(schemas, "Unused") || has(schemas, "CveModel") {
		t.Errorf("unreferenced schemas kept: %v", keys(schemas))
	}
	sec := comps["securitySchemes"]
	if !has(sec, "Bearer") || !has(sec, "BasicAuth") || has(sec, "Bogus") {
		t.Errorf("security schemes %v", keys(sec))
	}
	if len(api["tags"].([]any)) != 1 {
		t.Errorf("tags %v", api["tags"])
	}

	manage := getDoc(t, a.Handler(true), "")
	if !has(manage["paths"], "/manage/vuln/cve") || !has(manage["paths"], "/manage/version") || has(manage["paths"], "/api/errata/search") {
		t.Errorf("manage paths %v", keys(manage["paths"]))
	}
	if !has(manage["components"].(map[string]any)["schemas"], "CveModel") {
		t.Error("manage document lacks its schema")
	}

	// A service that stops answering contributes nothing; it is back after
	// the next refresh.
	bugsUp.Store(false)
	a.Refresh(context.Background())
	if has(getDoc(t, a.Handler(false), "")["paths"], "/api/errata/search") {
		t.Error("down service still contributes")
	}
	if m := a.Missing(); len(m) != 1 || m[0] != "bugs" {
		t.Errorf("Missing() = %v", m)
	}
	bugsUp.Store(true)
	if !has(getDoc(t, a.Handler(false), "?refresh=1")["paths"], "/api/errata/search") {
		t.Error("on-demand refresh did not bring the service back")
	}
}

func TestOnDemandRefreshThrottled(t *testing.T) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"paths":{}}`)
	}))
	defer s.Close()
	a := New(Options{Sources: []Source{{"x", s.URL + "/openapi.json"}}, MinRetry: time.Hour})
	a.Refresh(context.Background())
	for range 5 {
		getDoc(t, a.Handler(false), "?refresh=1")
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d fetches, want 1 (refresh=1 must be throttled)", n)
	}
}

func TestEmptyBeforeRefresh(t *testing.T) {
	a := New(Options{Sources: []Source{{"x", "http://127.0.0.1:1/openapi.json"}}, Extra: map[string]any{"/api/version": map[string]any{}}})
	rec := httptest.NewRecorder()
	// MinRetry not elapsed since New: no fetch happens, the document is served.
	a.mu.Lock()
	a.last = a.last.AddDate(1, 0, 0)
	a.mu.Unlock()
	a.Handler(false).ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"/api/version"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
