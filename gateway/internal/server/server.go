// Package server assembles the gateway: root routes, Swagger UI and the
// merged OpenAPI documents, the guarded reverse proxies of the services,
// CORS, rate limiting, access log, metrics and health endpoints.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"altrepo/gateway/internal/httpx"
	"altrepo/gateway/internal/openapi"
	"altrepo/gateway/internal/proxy"
	"altrepo/gateway/internal/root"
	"altrepo/gateway/internal/routes"
	"altrepo/gateway/internal/security"
	"altrepo/gateway/internal/swaggerui"
	"altrepo/libs/metrics"
	"altrepo/libs/reqid"
)

// Options configure the gateway handler.
type Options struct {
	Logger *slog.Logger
	// Routes maps path prefixes to service names.
	Routes *routes.Table
	// Services maps service names to base URLs.
	Services map[string]*url.URL
	// Security lists the protected routes; Guard checks them.
	Security *security.Table
	Guard    security.Guard
	// CORSOrigins is [APPLICATION] CORS_ORIGINS ("*" echoes any Origin).
	CORSOrigins []string
	// Timeout is [GATEWAY] READ_TIMEOUT.
	Timeout        time.Duration
	TrustForwarded bool
	// RateLimit wraps everything except /healthz, /readyz and /metrics (nil = off).
	RateLimit func(http.Handler) http.Handler
	// OpenAPI merges the services' fragments (nil = built from Services).
	OpenAPI *openapi.Aggregator
	// Transport is used for the proxies (tests; nil = default).
	Transport http.RoundTripper
	// ProbeTimeout bounds each service probe of /readyz (default 1s; the
	// probes run concurrently, well inside a 3 s readiness probe).
	ProbeTimeout time.Duration
}

// Gateway is the assembled handler.
type Gateway struct {
	o       Options
	handler http.Handler
	proxies map[string]http.Handler         // by service
	guarded map[int]map[string]http.Handler // requirement index -> service -> handler
	probe   *http.Client
	OpenAPI *openapi.Aggregator
}

// ServiceName is the metrics/log label of the gateway.
const ServiceName = "gateway"

// New validates the options and builds the gateway.
func New(o Options) (*Gateway, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Routes == nil {
		return nil, fmt.Errorf("server: no route table")
	}
	if o.Security == nil {
		o.Security = security.Contract()
	}
	if o.Guard == nil {
		o.Guard = security.DenyAll{}
	}
	if o.ProbeTimeout == 0 {
		o.ProbeTimeout = time.Second
	}
	for _, svc := range o.Routes.Services() {
		if o.Services[svc] == nil {
			return nil, fmt.Errorf("server: route table names service %q, which has no base URL in [SERVICES]", svc)
		}
	}
	g := &Gateway{
		o:       o,
		proxies: map[string]http.Handler{},
		guarded: map[int]map[string]http.Handler{},
		probe:   &http.Client{Timeout: o.ProbeTimeout, Transport: o.Transport},
	}
	names := make([]string, 0, len(o.Services))
	for name := range o.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g.proxies[name] = proxy.New(proxy.Options{
			Service: name, Target: o.Services[name], Timeout: o.Timeout,
			TrustForwarded: o.TrustForwarded, Transport: o.Transport, Logger: o.Logger,
			OnError: func(service, kind string) { upstreamErrors.WithLabelValues(service, kind).Inc() },
		})
	}
	for i, req := range o.Security.Requirements() {
		g.guarded[i] = map[string]http.Handler{}
		for name, p := range g.proxies {
			g.guarded[i][name] = o.Guard.Wrap(req, p)
		}
	}
	if o.OpenAPI == nil {
		var srcs []openapi.Source
		for _, name := range names {
			srcs = append(srcs, openapi.Source{Name: name, URL: o.Services[name].JoinPath("openapi.json").String()})
		}
		o.OpenAPI = openapi.New(openapi.Options{
			Sources: srcs, Logger: o.Logger, Extra: root.Paths(),
			Client: &http.Client{Timeout: 5 * time.Second, Transport: o.Transport},
			API:    openapi.Info{Title: root.APITitle, Version: root.APIVersion, Description: root.APIDescription},
			Manage: openapi.Info{Title: root.ManageTitle, Version: root.ManageVersion, Description: root.ManageDescription},
		})
	}
	g.OpenAPI = o.OpenAPI
	g.o = o
	g.handler = g.build()
	return g, nil
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// build wires the middleware chain:
// request ID -> access log/metrics -> forwarded-header policy -> identity
// strip -> CORS -> rate limit -> dispatch (guard, proxy).
func (g *Gateway) build() http.Handler {
	var app http.Handler = http.HandlerFunc(g.dispatch)
	if g.o.RateLimit != nil {
		app = g.o.RateLimit(app)
	}
	app = cors(g.o.CORSOrigins, app)
	app = stripIdentity(app)
	app = forwarded(g.o.TrustForwarded, app)

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", labeled("/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	mux.Handle("GET /readyz", labeled("/readyz", http.HandlerFunc(g.ready)))
	mux.Handle("GET /metrics", labeled("/metrics", metrics.Handler()))
	mux.Handle("/", app)
	return reqid.Middleware(accessLog(g.o.Logger, mux))
}

// labeled sets the route label of the request (metrics, access log).
func labeled(label string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, label)
		h.ServeHTTP(w, r)
	})
}

var (
	apiUI    = swaggerui.Index(root.APITitle, "openapi.json", "/swaggerui/")
	manageUI = swaggerui.Index(root.ManageTitle, "openapi.json", "/swaggerui/")
	assets   = http.StripPrefix("/swaggerui/", swaggerui.Assets())
)

// dispatch serves the gateway's own routes and proxies the rest.
func (g *Gateway) dispatch(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if own := g.own(p); own != nil {
		setRoute(r, p)
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			own.ServeHTTP(w, r)
		case http.MethodOptions:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			httpx.Message(w, http.StatusMethodNotAllowed, "The method is not allowed for the requested URL.")
		}
		return
	}
	if strings.HasPrefix(p, "/swaggerui/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		setRoute(r, "/swaggerui")
		assets.ServeHTTP(w, r)
		return
	}
	if !routes.HasPrefix(p, "/api") && !routes.HasPrefix(p, "/manage") {
		setRoute(r, "unmatched")
		httpx.NotFound(w)
		return
	}
	// Only canonical paths go upstream: the guard and the service must see
	// the same path ("..", "//" and encoded slashes are refused).
	if !canonical(r) {
		setRoute(r, "unmatched")
		httpx.NotFound(w)
		return
	}
	rt, ok := g.o.Routes.Match(p)
	if !ok {
		setRoute(r, "unmatched")
		httpx.NotFound(w)
		return
	}
	setRoute(r, rt.Prefix)
	h := g.proxies[rt.Service]
	if i, _, protected := g.o.Security.Lookup(r.Method, p); protected {
		h = g.guarded[i][rt.Service]
	}
	h.ServeHTTP(w, r)
}

// own returns the handler of a gateway root route, or nil.
func (g *Gateway) own(p string) http.Handler {
	switch p {
	case "/":
		return root.Redirect()
	case "/api/version":
		return root.Version(root.APITitle, root.APIVersion, root.APIDescription)
	case "/manage/version":
		return root.Version(root.ManageTitle, root.ManageVersion, root.ManageDescription)
	case "/api/ping":
		return root.Ping()
	case "/api/license", "/manage/license":
		return root.LicenseText()
	case "/api/", "/api":
		if p == "/api" {
			return http.RedirectHandler("/api/", http.StatusMovedPermanently)
		}
		return apiUI
	case "/manage/", "/manage":
		if p == "/manage" {
			return http.RedirectHandler("/manage/", http.StatusMovedPermanently)
		}
		return manageUI
	case "/api/openapi.json", "/api/swagger.json":
		return g.OpenAPI.Handler(false)
	case "/manage/openapi.json", "/manage/swagger.json":
		return g.OpenAPI.Handler(true)
	}
	return nil
}

func canonical(r *http.Request) bool {
	if strings.Contains(strings.ToLower(r.URL.RawPath), "%2f") {
		return false
	}
	p := r.URL.Path
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// ready reports per-service reachability; the gateway is ready once its
// tables are loaded, which New guarantees.
func (g *Gateway) ready(w http.ResponseWriter, r *http.Request) {
	type state struct {
		URL       string `json:"url"`
		Reachable bool   `json:"reachable"`
		Error     string `json:"error,omitempty"`
	}
	out := map[string]state{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, u := range g.o.Services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := state{URL: u.String()}
			ctx, cancel := context.WithTimeout(r.Context(), g.o.ProbeTimeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.JoinPath("healthz").String(), nil)
			req.Header.Set(reqid.Header, reqid.From(r.Context()))
			res, err := g.probe.Do(req)
			switch {
			case err != nil:
				st.Error = err.Error()
			case res.StatusCode != http.StatusOK:
				res.Body.Close()
				st.Error = fmt.Sprintf("healthz answered %d", res.StatusCode)
			default:
				res.Body.Close()
				st.Reachable = true
			}
			mu.Lock()
			out[name] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	httpx.JSON(w, http.StatusOK, map[string]any{
		"status": "ready", "routes": len(g.o.Routes.Routes()), "services": out,
		"openapi_missing": g.OpenAPI.Missing(),
	})
}
