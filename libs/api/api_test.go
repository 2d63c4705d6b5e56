package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"altrepo/libs/apierr"
	"altrepo/libs/model"
)

var pkgModel = &model.Model{Name: "TestPkgs", Fields: []model.Field{
	{Name: "request_args", Kind: model.Raw},
	{Name: "length", Kind: model.Integer},
	{Name: "packages", Kind: model.List, Model: &model.Model{Name: "TestPkg", Fields: []model.Field{
		{Name: "hash", Attr: "pkg_hash", Kind: model.String}, {Name: "name", Kind: model.String}}}},
}}

func testService(t *testing.T) http.Handler {
	t.Helper()
	s := &Service{Name: "test", Title: "t", Version: "1", Routes: []*Route{
		{Method: "GET", Path: "/api/test/pkgs", Strict: true, Model: pkgModel, Codes: []int{200, 400, 404},
			Params: []Param{
				{Name: "branch", Validator: "branch_name_type", Required: true},
				{Name: "archs", Validator: "arch_name_type", List: true},
				{Name: "limit", Type: "integer", Default: int64(10)},
				{Name: "full", Type: "boolean", Validator: "inputs.boolean", Default: false},
				{Name: "kind", Choices: []string{"source", "binary"}, Default: "source"},
			},
			Handler: func(ctx context.Context, r *Request) (*Response, error) {
				if r.String("branch") == "p9" {
					return nil, apierr.NotFound(r.Args)
				}
				if r.String("branch") == "p8" {
					return nil, apierr.Validation(r.Args, "no p8 here")
				}
				if r.String("branch") == "p7" {
					return nil, fmt.Errorf("boom")
				}
				pk := []model.Record{model.Map{"pkg_hash": uint64(1) << 63, "name": "bash"}}
				return OK(model.Map{"request_args": r.Args, "length": len(pk), "packages": pk}), nil
			}},
		{Method: "GET", Path: "/api/test/info/{pkghash}", Params: []Param{{Name: "pkghash", In: "path", Type: "integer", Converter: "int"}},
			Handler: func(ctx context.Context, r *Request) (*Response, error) {
				return &Response{Raw: map[string]any{"hash": fmt.Sprint(r.PathUint("pkghash"))}}, nil
			}},
		{Method: "GET", Path: "/api/test/stream",
			Handler: func(ctx context.Context, r *Request) (*Response, error) {
				return &Response{Stream: func(ctx context.Context, s *Stream) error {
					s.Raw(`{"items":[`)
					for i := 0; i < 3; i++ {
						if i > 0 {
							s.Raw(",")
						}
						s.Value(i)
					}
					s.Raw(`],"length":`)
					s.Value(s.Count())
					s.Raw("}")
					return nil
				}}, nil
			}},
		{Method: "GET", Path: "/api/test/unimplemented"},
	}}
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t *testing.T, h http.Handler, method, url string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, strings.TrimSpace(string(body))
}

func TestTransport(t *testing.T) {
	h := testService(t)
	cases := []struct {
		method, url string
		code        int
		want        string
	}{
		{"GET", "/api/test/pkgs?branch=sisyphus&archs=x86_64,noarch", 200,
			`{"request_args":{"branch":"sisyphus","archs":["x86_64","noarch"],"limit":10,"full":false,"kind":"source"},"length":1,"packages":[{"hash":"9223372036854775808","name":"bash"}]}`},
		{"GET", "/api/test/pkgs?branch=nope&limit=x", 400,
			`{"errors":{"branch":"branch invalid branch name: \"nope\"","limit":"limit invalid literal for int() with base 10: 'x'"},"message":"Input payload validation failed"}`},
		{"GET", "/api/test/pkgs", 400, `{"errors":{"branch":"branch Missing required parameter in the query string"},"message":"Input payload validation failed"}`},
		{"GET", "/api/test/pkgs?branch=sisyphus&kind=both", 400, `{"errors":{"kind":"kind The value 'both' is not a valid choice for 'kind'."},"message":"Input payload validation failed"}`},
		{"GET", "/api/test/pkgs?branch=sisyphus&zzz=1&aaa=2", 400, `{"message":"Unknown arguments: aaa, zzz"}`},
		{"GET", "/api/test/pkgs?branch=p9", 404, `{"message":"No data found in database for given parameters","details":{"args":{"branch":"p9","archs":null,"limit":10,"full":false,"kind":"source"}}}`},
		{"GET", "/api/test/pkgs?branch=p8&full=on", 400, `{"message":"Request parameters validation error","args":{"branch":"p8","archs":null,"limit":10,"full":true,"kind":"source"},"validation_message":["no p8 here"]}`},
		{"GET", "/api/test/pkgs?branch=p7", 500, `{"message":"Internal Server Error"}`},
		{"GET", "/api/test/pkgs?branch=sisyphus&full=maybe", 400, `{"errors":{"full":"full invalid literal for boolean(): maybe"},"message":"Input payload validation failed"}`},
		{"POST", "/api/test/pkgs", 405, `{"message":"The method is not allowed for the requested URL."}`},
		{"GET", "/api/test/info/18446744073709551615", 200, `{"hash":"18446744073709551615"}`},
		{"GET", "/api/test/info/18446744073709551616", 404, `{"message":"` + apierr.MsgNotFoundURL + `"}`},
		{"GET", "/api/test/info/-1", 404, `{"message":"` + apierr.MsgNotFoundURL + `"}`},
		{"GET", "/api/test/unimplemented", 404, `{"message":"` + apierr.MsgNotFoundURL + `"}`},
		{"GET", "/api/nothing", 404, `{"message":"` + apierr.MsgNotFoundURL + `"}`},
		{"GET", "/api/test/stream", 200, `{"items":[0,1,2],"length":0}`},
	}
	for _, c := range cases {
		code, body := get(t, h, c.method, c.url)
		if code != c.code || body != c.want {
			t.Errorf("%s %s:\n got %d %s\nwant %d %s", c.method, c.url, code, body, c.code, c.want)
		}
	}
}

func TestOpenAPIListsServedRoutesOnly(t *testing.T) {
	h := testService(t)
	code, body := get(t, h, "GET", "/openapi.json")
	if code != 200 {
		t.Fatal(code)
	}
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Paths["/api/test/unimplemented"]; ok {
		t.Error("unimplemented route documented")
	}
	if _, ok := doc.Paths["/api/test/pkgs"]["get"]; !ok {
		t.Errorf("paths = %v", doc.Paths)
	}
	if _, ok := doc.Components.Schemas["TestPkg"]; !ok {
		t.Errorf("nested schema missing: %v", doc.Components.Schemas)
	}
}

func TestHealthAndReady(t *testing.T) {
	s := &Service{Name: "x", Ready: func(context.Context) error { return fmt.Errorf("clickhouse down") }}
	h, _ := s.Handler()
	if code, _ := get(t, h, "GET", "/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get(t, h, "GET", "/readyz"); code != 503 || !strings.Contains(body, "clickhouse down") {
		t.Errorf("readyz %d %s", code, body)
	}
	if code, body := get(t, h, "GET", "/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics %d", code)
	}
}

func TestXFieldsMask(t *testing.T) {
	h := testService(t)
	req := httptest.NewRequest("GET", "/api/test/pkgs?branch=sisyphus", nil)
	req.Header.Set("X-Fields", "length,packages{name}")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := strings.TrimSpace(rec.Body.String()); got != `{"length":1,"packages":[{"name":"bash"}]}` {
		t.Errorf("masked body %s", got)
	}
	req.Header.Set("X-Fields", "length,packages{name")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Errorf("bad mask: %d %s", rec.Code, rec.Body.String())
	}
}
