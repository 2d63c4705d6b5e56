package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"altrepo/gateway/internal/routes"
	"altrepo/libs/api"
)

// TestWithLibsAPIService puts the gateway in front of a real libs/api
// service: proxying, the service's own 404 body, request IDs and the
// merged OpenAPI fragment.
func TestWithLibsAPIService(t *testing.T) {
	svc := &api.Service{
		Name: "packages", Title: "packages", Version: "test", Log: quietLogger(),
		Routes: []*api.Route{{
			Method: "GET", Path: "/api/package/ping_test", Summary: "test route", Tag: "package",
			Handler: func(ctx context.Context, r *api.Request) (*api.Response, error) {
				return &api.Response{Raw: map[string]string{"hello": "world"}}, nil
			},
		}},
	}
	h, err := svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(h)
	defer up.Close()
	f := newFixture(t, nil, func(o *Options) {
		o.Services[routes.Packages], _ = url.Parse(up.URL)
	})

	res, body := f.do(t, "GET", "/api/package/ping_test", map[string]string{"X-Request-ID": "it-1"})
	if res.StatusCode != 200 || !strings.Contains(body, `"hello"`) {
		t.Fatalf("proxied route: %d %s", res.StatusCode, body)
	}
	if v := res.Header.Values("X-Request-ID"); len(v) != 1 || v[0] != "it-1" {
		t.Errorf("request id %q", v)
	}
	res, body = f.do(t, "GET", "/api/package/no_such_route", nil)
	if res.StatusCode != 404 || !strings.Contains(body, "The requested URL was not found") {
		t.Errorf("service 404: %d %s", res.StatusCode, body)
	}
	_, body = f.do(t, "GET", "/api/openapi.json?refresh=1", nil)
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Paths["/api/package/ping_test"] == nil {
		t.Errorf("merged document lacks the service's route: %s", body)
	}
	if res, _ := f.do(t, "GET", "/readyz", nil); res.StatusCode != http.StatusOK {
		t.Errorf("/readyz %d", res.StatusCode)
	}
}
