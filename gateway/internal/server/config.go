package server

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"altrepo/gateway/internal/routes"
	"altrepo/gateway/internal/security"
	"altrepo/libs/config"
)

// Settings are the gateway's configuration values.
type Settings struct {
	Routes          *routes.Table
	Services        map[string]*url.URL
	CORSOrigins     []string
	Timeout         time.Duration
	TrustForwarded  bool
	OpenAPIRefresh  time.Duration
	ShutdownTimeout time.Duration
	RateLimit       int
	RateWindow      time.Duration
}

// FromConfig reads the gateway's settings.
func FromConfig(cfg *config.Config) (*Settings, error) {
	s := &Settings{CORSOrigins: cfg.List("APPLICATION", "CORS_ORIGINS")}
	var err error
	if s.Timeout, err = cfg.Seconds("GATEWAY", "READ_TIMEOUT"); err != nil {
		return nil, err
	}
	if s.RateWindow, err = cfg.Seconds("GATEWAY", "RATE_WINDOW"); err != nil {
		return nil, err
	}
	if s.OpenAPIRefresh, err = cfg.Seconds("GATEWAY", "OPENAPI_REFRESH"); err != nil {
		return nil, err
	}
	if s.OpenAPIRefresh <= 0 {
		s.OpenAPIRefresh = time.Minute
	}
	if s.RateLimit, err = cfg.Int("GATEWAY", "RATE_LIMIT"); err != nil {
		return nil, err
	}
	if s.TrustForwarded, err = cfg.Bool("GATEWAY", "TRUST_FORWARDED"); err != nil {
		return nil, err
	}
	if s.ShutdownTimeout, err = cfg.Seconds("APPLICATION", "SHUTDOWN_TIMEOUT"); err != nil {
		return nil, err
	}
	if s.ShutdownTimeout <= 0 {
		s.ShutdownTimeout = 10 * time.Second
	}

	// Services: the five known ones plus any extra key of [SERVICES].
	names := map[string]bool{routes.Packages: true, routes.Tasks: true, routes.Bugs: true, routes.Images: true, routes.Auth: true}
	for k := range cfg.Section("SERVICES") {
		names[strings.ToLower(k)] = true
	}
	s.Services = map[string]*url.URL{}
	for name := range names {
		raw := strings.TrimSpace(cfg.String("SERVICES", name))
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("config: [SERVICES] %s: not an http(s) base URL: %q", strings.ToUpper(name), raw)
		}
		s.Services[name] = u
	}
	if s.Routes, err = routes.New(routes.WithOverrides(cfg.Section("ROUTES"))); err != nil {
		return nil, fmt.Errorf("config: [ROUTES]: %w", err)
	}
	return s, nil
}

// ServiceList is "name=url" of every service, sorted (logs).
func (s *Settings) ServiceList() []string {
	var out []string
	for n, u := range s.Services {
		out = append(out, n+"="+u.String())
	}
	sort.Strings(out)
	return out
}

// Options turns the settings into server options with the fail-closed
// guard and no rate limit; Wire replaces both from the configuration.
func (s *Settings) Options(log *slog.Logger) Options {
	return Options{
		Logger:         log,
		Routes:         s.Routes,
		Services:       s.Services,
		Security:       security.Contract(),
		Guard:          security.DenyAll{},
		CORSOrigins:    s.CORSOrigins,
		Timeout:        s.Timeout,
		TrustForwarded: s.TrustForwarded,
	}
}
