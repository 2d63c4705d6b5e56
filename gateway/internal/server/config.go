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
	AdminUser       string
	AdminPassword   string // SHA-512 hex digest
	ManageListRole  string
}

// gateway keys with their defaults (also documented in README.md).
var gatewayDefaults = map[string]string{
	"READ_TIMEOUT":    "300",
	"RATE_LIMIT":      "0",
	"RATE_WINDOW":     "60",
	"OPENAPI_REFRESH": "60",
	"TRUST_FORWARDED": "false",
}

func gatewayKey(cfg *config.Config, key string) string {
	if v, ok := cfg.Lookup("GATEWAY", key); ok && strings.TrimSpace(v) != "" {
		return v
	}
	if v := config.Default("GATEWAY", key); v != "" {
		return v
	}
	return gatewayDefaults[key]
}

func seconds(cfg *config.Config, key string) (time.Duration, error) {
	s := strings.TrimSpace(gatewayKey(cfg, key))
	var f float64
	if _, err := fmt.Sscanf(s, "%g", &f); err != nil || f < 0 {
		return 0, fmt.Errorf("config: [GATEWAY] %s: not a number of seconds: %q", key, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// FromConfig reads the gateway's settings.
func FromConfig(cfg *config.Config) (*Settings, error) {
	s := &Settings{
		CORSOrigins:    cfg.List("APPLICATION", "CORS_ORIGINS"),
		AdminUser:      cfg.String("OTHER", "ADMIN_USER"),
		AdminPassword:  cfg.String("OTHER", "ADMIN_PASSWORD"),
		ManageListRole: cfg.String("KEYCLOAK", "KEYCLOAK_MANAGE_LIST_ROLE"),
	}
	var err error
	if s.Timeout, err = seconds(cfg, "READ_TIMEOUT"); err != nil {
		return nil, err
	}
	if s.RateWindow, err = seconds(cfg, "RATE_WINDOW"); err != nil {
		return nil, err
	}
	if s.OpenAPIRefresh, err = seconds(cfg, "OPENAPI_REFRESH"); err != nil {
		return nil, err
	}
	if s.OpenAPIRefresh <= 0 {
		s.OpenAPIRefresh = time.Minute
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(gatewayKey(cfg, "RATE_LIMIT")), "%d", &s.RateLimit); err != nil {
		return nil, fmt.Errorf("config: [GATEWAY] RATE_LIMIT: not an integer")
	}
	switch strings.ToLower(strings.TrimSpace(gatewayKey(cfg, "TRUST_FORWARDED"))) {
	case "1", "true", "yes", "on":
		s.TrustForwarded = true
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
// guard; callers replace Guard and RateLimit when they have better ones.
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
