package server

import (
	"strings"
	"testing"
	"time"

	"altrepo/libs/config"
)

func parse(t *testing.T, ini string, env map[string]string) *config.Config {
	t.Helper()
	c, err := config.Parse(strings.NewReader(ini), "test.conf")
	if err != nil {
		t.Fatal(err)
	}
	return c.WithEnv(func(k string) string { return env[k] })
}

func TestFromConfig(t *testing.T) {
	c := parse(t, `
[APPLICATION]
CORS_ORIGINS = https://a.example, https://b.example
[GATEWAY]
READ_TIMEOUT = 2.5
TRUST_FORWARDED = yes
[SERVICES]
TASKS = http://tasks.internal:9000
EXTRA = http://extra.internal
[ROUTES]
/api/site/all_pkgsets = extra
`, map[string]string{"ALTREPO_SERVICES_BUGS": "http://bugs.env:1234"})
	s, err := FromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeout != 2500*time.Millisecond || !s.TrustForwarded || len(s.CORSOrigins) != 2 {
		t.Errorf("settings %+v", s)
	}
	if s.Services["tasks"].Host != "tasks.internal:9000" || s.Services["bugs"].Host != "bugs.env:1234" ||
		s.Services["packages"].String() != "http://127.0.0.1:8081" || s.Services["extra"] == nil {
		t.Errorf("services %v", s.ServiceList())
	}
	if r, _ := s.Routes.Match("/api/site/all_pkgsets"); r.Service != "extra" {
		t.Errorf("route override: %+v", r)
	}
	if _, err := New(s.Options(quietLogger())); err != nil {
		t.Errorf("New: %v", err)
	}
}

func TestFromConfigErrors(t *testing.T) {
	for name, ini := range map[string]string{
		"bad url":     "[SERVICES]\nTASKS = tasks:80\n",
		"bad timeout": "[GATEWAY]\nREAD_TIMEOUT = soon\n",
		"bad route":   "[ROUTES]\napi/x = tasks\n",
		"bad limit":   "[GATEWAY]\nRATE_LIMIT = many\n",
	} {
		if _, err := FromConfig(parse(t, ini, nil)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A route naming a service without a URL is refused when the gateway is built.
	s, err := FromConfig(parse(t, "[ROUTES]\n/api/x = nowhere\n", nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(s.Options(quietLogger())); err == nil {
		t.Error("route to an unknown service accepted")
	}
}
