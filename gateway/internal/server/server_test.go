package server

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"altrepo/gateway/internal/httpx"
	"altrepo/gateway/internal/routes"
	"altrepo/gateway/internal/security"
	"altrepo/libs/logging"
)

// upstream is a stand-in service that records what it received.
type upstream struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newUpstream(t testing.TB, name string, h http.HandlerFunc) *upstream {
	u := &upstream{name: name}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.reqs = append(u.reqs, r.Clone(r.Context()))
		u.mu.Unlock()
		w.Header().Set("X-Upstream", name)
		if h != nil {
			h(w, r)
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"service": name, "path": r.URL.Path})
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) last(t *testing.T) *http.Request {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.reqs) == 0 {
		t.Fatalf("%s received no request", u.name)
	}
	return u.reqs[len(u.reqs)-1]
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

type fixture struct {
	gw   *httptest.Server
	up   map[string]*upstream
	opts Options
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newFixture starts the five services (handlers by name may be given) and
// a gateway in front of them; mod may adjust the options.
func newFixture(t testing.TB, handlers map[string]http.HandlerFunc, mod func(*Options)) *fixture {
	t.Helper()
	f := &fixture{up: map[string]*upstream{}}
	services := map[string]*url.URL{}
	for _, name := range []string{routes.Packages, routes.Tasks, routes.Bugs, routes.Images, routes.Auth} {
		u := newUpstream(t, name, handlers[name])
		f.up[name] = u
		services[name], _ = url.Parse(u.srv.URL)
	}
	tab, err := routes.New(routes.Default())
	if err != nil {
		t.Fatal(err)
	}
	f.opts = Options{Logger: quietLogger(), Routes: tab, Services: services, CORSOrigins: []string{"*"}, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&f.opts)
	}
	g, err := New(f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.gw = httptest.NewServer(g)
	t.Cleanup(f.gw.Close)
	return f
}

func (f *fixture) do(t *testing.T, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.gw.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestRouting(t *testing.T) {
	f := newFixture(t, nil, nil)
	cases := map[string]string{
		"/api/package/package_info?name=bash":        routes.Packages,
		"/api/packageset/active_packagesets":         routes.Packages,
		"/api/license/info":                          routes.Packages,
		"/api/export/branch_tree":                    routes.Packages,
		"/api/task/task_info/123":                    routes.Tasks,
		"/api/task/progress/last_tasks":              routes.Tasks,
		"/api/site/last_packages":                    routes.Tasks,
		"/api/site/tasks_by_package":                 routes.Tasks,
		"/api/site/package_versions_from_tasks":      routes.Tasks,
		"/api/site/package_versions_from_images":     routes.Images,
		"/api/site/package_versions":                 routes.Packages,
		"/api/site/last_packages_by_branch":          routes.Packages,
		"/api/site/all_maintainers":                  routes.Packages,
		"/api/errata/search":                         routes.Bugs,
		"/api/vuln/cve":                              routes.Bugs,
		"/api/bug/bugzilla_by_package":               routes.Bugs,
		"/api/image/active_images":                   routes.Images,
		"/manage/errata/errata_branches_unprotected": routes.Bugs,
		"/api/auth/refresh-token":                    routes.Auth,
	}
	for path, want := range cases {
		res, body := f.do(t, "GET", path, nil)
		if res.StatusCode != 200 || res.Header.Get("X-Upstream") != want {
			t.Errorf("GET %s: %d from %q, want 200 from %s (%s)", path, res.StatusCode, res.Header.Get("X-Upstream"), want, body)
		}
	}
	// Query strings pass through untouched.
	f.do(t, "GET", "/api/package/package_info?name=bash&branch=sisyphus", nil)
	if q := f.up[routes.Packages].last(t).URL.RawQuery; q != "name=bash&branch=sisyphus" {
		t.Errorf("query string %q", q)
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		res, _ := f.do(t, m, "/manage/auth/login", nil)
		if res.Header.Get("X-Upstream") != routes.Auth {
			t.Errorf("%s /manage/auth/login went to %q", m, res.Header.Get("X-Upstream"))
		}
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, path := range []string{"/api/nosuch", "/api/nosuch/x", "/api/packagesetx", "/favicon.ico", "/manage/comments%2F1"} {
		res, body := f.do(t, "GET", path, nil)
		var got map[string]string
		_ = json.Unmarshal([]byte(body), &got)
		if res.StatusCode != 404 || got["message"] != httpx.NotFoundMessage {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, body)
		}
	}
	// Unclean paths are redirected to their clean form, never forwarded.
	for _, path := range []string{"/api/package/../../manage/task/list", "/api//package/x"} {
		res, body := f.do(t, "GET", path, nil)
		if res.StatusCode < 300 || res.StatusCode > 404 {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, body)
		}
	}
	for name, u := range f.up {
		if u.count() != 0 {
			t.Errorf("%s was called for an unknown path", name)
		}
	}
}

func TestRootRoutes(t *testing.T) {
	f := newFixture(t, nil, nil)
	res, _ := f.do(t, "GET", "/", nil)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/api/" {
		t.Errorf("GET /: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := f.do(t, "GET", "/api/version", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `"name":"ALTRepo API"`) || !strings.Contains(body, `"version":"1.24.7"`) {
		t.Errorf("/api/version: %d %s", res.StatusCode, body)
	}
	res, body = f.do(t, "GET", "/manage/version", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "vulnerability management") {
		t.Errorf("/manage/version: %d %s", res.StatusCode, body)
	}
	res, body = f.do(t, "GET", "/api/ping", nil)
	if res.StatusCode != 200 || strings.TrimSpace(body) != `{"message":"pong"}` {
		t.Errorf("/api/ping: %d %s", res.StatusCode, body)
	}
	for _, p := range []string{"/api/license", "/manage/license"} {
		res, body = f.do(t, "GET", p, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
			!strings.Contains(body, "GNU AFFERO GENERAL PUBLIC LICENSE") {
			t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
		}
		res2, _ := f.do(t, "GET", p, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		if res2.StatusCode != http.StatusNotModified {
			t.Errorf("%s conditional GET: %d", p, res2.StatusCode)
		}
	}
	res, body = f.do(t, "POST", "/api/license", nil)
	if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, "not allowed") {
		t.Errorf("POST /api/license: %d %s", res.StatusCode, body)
	}
	for name, u := range f.up {
		if u.count() != 0 {
			t.Errorf("%s was called for a root route", name)
		}
	}
}

func TestUpstreamDown(t *testing.T) {
	f := newFixture(t, nil, nil)
	f.up[routes.Bugs].srv.Close()
	res, body := f.do(t, "GET", "/api/errata/search", nil)
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, `"message"`) ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("down upstream: %d %s", res.StatusCode, body)
	}
}

func TestUpstreamTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	f := newFixture(t, map[string]http.HandlerFunc{routes.Tasks: slow}, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	res, body := f.do(t, "GET", "/api/task/needs_approval", nil)
	if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, `"message"`) {
		t.Errorf("slow upstream: %d %s", res.StatusCode, body)
	}
}

func TestRequestIDAndForwarding(t *testing.T) {
	f := newFixture(t, nil, nil)
	res, _ := f.do(t, "GET", "/api/package/package_info", map[string]string{
		"X-Request-ID": "client-id-1", "X-Altrepo-User": "mallory", "x-altrepo-roles": "manage_list",
		"X-Altrepo-Anything": "x",
	})
	got := f.up[routes.Packages].last(t)
	if got.Header.Get("X-Request-ID") != "client-id-1" {
		t.Errorf("upstream saw request id %q", got.Header.Get("X-Request-ID"))
	}
	if v := res.Header.Values("X-Request-ID"); len(v) != 1 || v[0] != "client-id-1" {
		t.Errorf("client got request id %q", v)
	}
	for k := range got.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-altrepo-") {
			t.Errorf("identity header %s reached the service", k)
		}
	}
	if got.Header.Get("X-Forwarded-For") == "" || got.Header.Get("X-Forwarded-Proto") != "http" ||
		got.Header.Get("X-Forwarded-Host") == "" {
		t.Errorf("forwarding headers: %v", got.Header)
	}
	// Without a client ID the gateway makes one and both sides see it.
	res, _ = f.do(t, "GET", "/api/package/package_info", nil)
	id := res.Header.Get("X-Request-ID")
	if id == "" || f.up[routes.Packages].last(t).Header.Get("X-Request-ID") != id {
		t.Errorf("generated id %q not propagated", id)
	}
}

func TestStreaming(t *testing.T) {
	release := make(chan struct{})
	stream := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, "first line\n")
		w.(http.Flusher).Flush()
		<-release // the rest comes only after the client saw the first line
		_, _ = io.WriteString(w, "second line\n")
	}
	f := newFixture(t, map[string]http.HandlerFunc{routes.Packages: stream}, nil)
	res, err := http.Get(f.gw.URL + "/api/export/branch_binary_packages/sisyphus")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first line\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(release)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second line\n" {
		t.Errorf("rest %q", rest)
	}
}

func TestProtectedRoutesFailClosed(t *testing.T) {
	f := newFixture(t, nil, nil)
	cases := []struct{ method, path, auth string }{
		{"GET", "/manage/task/list", ""},
		{"GET", "/manage/task/list", "eyJhbGciOi.fake.token"},
		{"HEAD", "/manage/task/list", ""},
		{"POST", "/manage/comments", ""},
		{"PUT", "/manage/comments/5", ""},
		{"POST", "/api/package/repocop", ""},
		{"POST", "/api/package/repocop", "Basic YWRtaW46eA=="},
		{"POST", "/api/auth/logout", ""},
		{"GET", "/manage/antivirus_scan/issues", ""},
	}
	for _, c := range cases {
		res, body := f.do(t, c.method, c.path, map[string]string{"Authorization": c.auth})
		if res.StatusCode != http.StatusUnauthorized || (c.method != "HEAD" && !strings.Contains(body, `"message"`)) {
			t.Errorf("%s %s (auth %q): %d %s", c.method, c.path, c.auth, res.StatusCode, body)
		}
	}
	for name, u := range f.up {
		if u.count() != 0 {
			t.Errorf("%s received an unchecked protected request", name)
		}
	}
	// Unprotected neighbours still pass.
	if res, _ := f.do(t, "GET", "/api/package/repocop", nil); res.StatusCode != 200 {
		t.Errorf("GET /api/package/repocop: %d", res.StatusCode)
	}
}

func TestGuardForwardsAccepted(t *testing.T) {
	var seen []security.Requirement
	allow := security.GuardFunc(func(req security.Requirement, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, req)
			r.Header.Set("X-Altrepo-User", "alice")
			next.ServeHTTP(w, r)
		})
	})
	f := newFixture(t, nil, func(o *Options) { o.Guard = allow })
	res, _ := f.do(t, "GET", "/manage/vuln/cve", map[string]string{"X-Altrepo-User": "mallory"})
	if res.StatusCode != 200 || res.Header.Get("X-Upstream") != routes.Bugs {
		t.Fatalf("accepted request: %d from %q", res.StatusCode, res.Header.Get("X-Upstream"))
	}
	if u := f.up[routes.Bugs].last(t).Header.Get("X-Altrepo-User"); u != "alice" {
		t.Errorf("identity header %q, want the guard's", u)
	}
	if len(seen) != 1 || seen[0].Role != "manage_list" {
		t.Errorf("guard saw %+v", seen)
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, map[string]http.HandlerFunc{routes.Packages: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*") // the gateway's answer wins
		w.Header().Set("Access-Control-Expose-Headers", "X-Total-Count")
		w.WriteHeader(200)
	}}, nil)
	res, body := f.do(t, "OPTIONS", "/api/package/package_info", map[string]string{
		"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "x-fields, authorization",
	})
	h := res.Header
	if res.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "https://example.org" ||
		h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("Access-Control-Allow-Headers") != "x-fields, authorization" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "DELETE") || h.Get("Vary") != "Origin" {
		t.Errorf("preflight: %d %v %q", res.StatusCode, h, body)
	}
	if f.up[routes.Packages].count() != 0 {
		t.Error("preflight was forwarded")
	}
	// Preflight of a protected route is not an auth failure.
	if res, _ := f.do(t, "OPTIONS", "/manage/task/list", map[string]string{"Origin": "https://x", "Access-Control-Request-Method": "GET"}); res.StatusCode != 200 {
		t.Errorf("protected preflight: %d", res.StatusCode)
	}
	res, _ = f.do(t, "GET", "/api/package/package_info", map[string]string{"Origin": "https://example.org"})
	if v := res.Header.Values("Access-Control-Allow-Origin"); len(v) != 1 || v[0] != "https://example.org" {
		t.Errorf("simple request origin %q", v)
	}
	if res.Header.Get("Access-Control-Expose-Headers") != "X-Total-Count" {
		t.Error("service's Expose-Headers dropped")
	}
	res, _ = f.do(t, "GET", "/api/version", nil)
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS headers without Origin")
	}

	g := newFixture(t, nil, func(o *Options) { o.CORSOrigins = []string{"https://good.example"} })
	res, _ = g.do(t, "GET", "/api/version", map[string]string{"Origin": "https://evil.example"})
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("origin outside CORS_ORIGINS allowed")
	}
	res, _ = g.do(t, "GET", "/api/version", map[string]string{"Origin": "https://good.example"})
	if res.Header.Get("Access-Control-Allow-Origin") != "https://good.example" {
		t.Error("listed origin refused")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, nil, func(o *Options) {
		o.RateLimit = func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.Message(w, http.StatusTooManyRequests, "limited")
			})
		}
	})
	f.up[routes.Images].srv.Close()
	res, body := f.do(t, "GET", "/healthz", nil)
	if res.StatusCode != 200 {
		t.Errorf("/healthz: %d", res.StatusCode)
	}
	res, body = f.do(t, "GET", "/readyz", nil)
	var ready struct {
		Services map[string]struct{ Reachable bool } `json:"services"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil || res.StatusCode != 200 {
		t.Fatalf("/readyz: %d %s", res.StatusCode, body)
	}
	if ready.Services[routes.Images].Reachable || !ready.Services[routes.Packages].Reachable {
		t.Errorf("/readyz reachability: %s", body)
	}
	// The rate limiter applies to the API, never to the probes.
	if res, _ := f.do(t, "GET", "/api/ping", nil); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("rate limiter not applied: %d", res.StatusCode)
	}
	res, body = f.do(t, "GET", "/metrics", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `route="/api/ping"`) {
		t.Errorf("/metrics lacks the route label: %d", res.StatusCode)
	}
	if strings.Contains(body, "package_info?") {
		t.Error("raw path in metrics")
	}
}

func TestMetricsUseRoutePrefix(t *testing.T) {
	f := newFixture(t, nil, nil)
	f.do(t, "GET", "/api/package/specfile_by_hash/12345", nil)
	_, body := f.do(t, "GET", "/metrics", nil)
	if !strings.Contains(body, `route="/api/package"`) || strings.Contains(body, "12345") {
		t.Error("metrics should carry the route prefix, not the path")
	}
}

func TestSwaggerUIAndDocuments(t *testing.T) {
	frag := `{"openapi":"3.1.0","paths":{"/api/package/package_info":{"get":{"responses":{"200":{"description":"ok"}}}},` +
		`"/manage/task/list":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	f := newFixture(t, map[string]http.HandlerFunc{routes.Packages: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			io.WriteString(w, frag)
			return
		}
		w.WriteHeader(404)
	}}, nil)
	for _, p := range []string{"/api/", "/manage/"} {
		res, body := f.do(t, "GET", p, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "/swaggerui/swagger-ui-bundle.js") || !strings.Contains(body, `"openapi.json"`) {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
	for _, a := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png"} {
		if res, body := f.do(t, "GET", "/swaggerui/"+a, nil); res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("asset %s: %d", a, res.StatusCode)
		}
	}
	if res, _ := f.do(t, "GET", "/api", nil); res.StatusCode != http.StatusMovedPermanently {
		t.Errorf("/api: %d", res.StatusCode)
	}
	for _, p := range []string{"/api/openapi.json", "/api/swagger.json"} {
		res, body := f.do(t, "GET", p+"?refresh=1", nil)
		if res.StatusCode != 200 || !strings.Contains(body, "/api/package/package_info") || strings.Contains(body, "/manage/task/list") ||
			!strings.Contains(body, `"Bearer"`) || !strings.Contains(body, "/api/version") {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
	for _, p := range []string{"/manage/openapi.json", "/manage/swagger.json"} {
		res, body := f.do(t, "GET", p, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "/manage/task/list") || strings.Contains(body, "/api/package/package_info") {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
}

func TestTrustForwarded(t *testing.T) {
	f := newFixture(t, nil, func(o *Options) { o.TrustForwarded = true })
	f.do(t, "GET", "/api/package/package_info", map[string]string{
		"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "packages.altlinux.org",
	})
	h := f.up[routes.Packages].last(t).Header
	if h.Get("X-Forwarded-For") != "203.0.113.7, 127.0.0.1" || h.Get("X-Forwarded-Proto") != "https" ||
		h.Get("X-Forwarded-Host") != "packages.altlinux.org" {
		t.Errorf("trusted chain not kept: %v", h)
	}
	g := newFixture(t, nil, nil)
	g.do(t, "GET", "/api/package/package_info", map[string]string{"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
	h = g.up[routes.Packages].last(t).Header
	if h.Get("X-Forwarded-For") != "127.0.0.1" || h.Get("X-Forwarded-Proto") != "http" {
		t.Errorf("untrusted headers kept: %v", h)
	}
}

func TestAccessLogHidesCredentials(t *testing.T) {
	var buf syncBuffer
	f := newFixture(t, nil, func(o *Options) { o.Logger = logging.New(&buf, "INFO", "json", ServiceName) })
	const secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"
	f.do(t, "GET", "/manage/task/list?token=abc", map[string]string{"Authorization": secret, "X-Request-ID": "log-1"})
	f.do(t, "POST", "/api/auth/login", map[string]string{"Authorization": "Basic YWRtaW46czNjcmV0"})
	out := buf.String()
	for _, leak := range []string{secret, "YWRtaW46czNjcmV0", "token=abc"} {
		if strings.Contains(out, leak) {
			t.Errorf("log contains %q", leak)
		}
	}
	var rec map[string]any
	line := strings.SplitN(out, "\n", 2)[0]
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	if rec["request_id"] != "log-1" || rec["route"] != "/manage" || rec["status"] != float64(401) ||
		rec["method"] != "GET" || rec["bytes"] == nil || rec["duration"] == nil {
		t.Errorf("access log record %v", rec)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
