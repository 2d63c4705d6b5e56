package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `
# comment
[DATABASE]
host = ch.example
Port: 9440
; another comment
[application]
CORS_ORIGINS = https://a.example,
  https://b.example
[FEATURES]
fast_search = true
`

func TestParseCaseInsensitiveAndContinuation(t *testing.T) {
	c, err := Parse(strings.NewReader(sample), "x")
	if err != nil {
		t.Fatal(err)
	}
	c.WithEnv(nil)
	if got := c.String("database", "HOST"); got != "ch.example" {
		t.Errorf("HOST = %q", got)
	}
	if n, err := c.Int("DATABASE", "port"); err != nil || n != 9440 {
		t.Errorf("PORT = %d, %v", n, err)
	}
	if got := c.List("APPLICATION", "CORS_ORIGINS"); len(got) != 2 || got[1] != "https://b.example" {
		t.Errorf("CORS_ORIGINS = %q", got)
	}
	if got := c.String("DATABASE", "TRY_TIMEOUT"); got != "5" {
		t.Errorf("default TRY_TIMEOUT = %q", got)
	}
	if got := c.Section("features"); got["FAST_SEARCH"] != "true" {
		t.Errorf("FEATURES = %v", got)
	}
}

func TestEnvOverride(t *testing.T) {
	c, _ := Parse(strings.NewReader(sample), "x")
	env := map[string]string{"ALTREPO_DATABASE_HOST": "from-env"}
	c.WithEnv(func(k string) string { return env[k] })
	if got := c.String("DATABASE", "HOST"); got != "from-env" {
		t.Errorf("HOST = %q, want env override", got)
	}
	if EnvName("database", "try_timeout") != "ALTREPO_DATABASE_TRY_TIMEOUT" {
		t.Error(EnvName("database", "try_timeout"))
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"key = outside", "[OPEN\nk=v", "[S]\nnovalue"} {
		if _, err := Parse(strings.NewReader(bad), "bad"); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Error("explicit missing file accepted")
	}
}

func TestTypedErrors(t *testing.T) {
	c, _ := Parse(strings.NewReader("[DATABASE]\nPORT = abc\n[OTHER]\nSQL_DEBUG = maybe\n"), "x")
	c.WithEnv(nil)
	if _, err := c.Int("DATABASE", "PORT"); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Errorf("Int error = %v", err)
	}
	if _, err := c.Bool("OTHER", "SQL_DEBUG"); err == nil {
		t.Error("Bool accepted 'maybe'")
	}
}

// The sample config committed under deploy/ documents every key.
func TestSampleFileIsCurrent(t *testing.T) {
	var b strings.Builder
	if err := WriteSample(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "deploy", "api.conf.sample")
	if os.Getenv("ALTREPO_UPDATE_SAMPLE") == "1" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read sample (regenerate with ALTREPO_UPDATE_SAMPLE=1 go test ./libs/config): %v", err)
	}
	if string(got) != b.String() {
		t.Fatal("deploy/api.conf.sample is stale: run ALTREPO_UPDATE_SAMPLE=1 go test ./libs/config")
	}
	c, err := Parse(strings.NewReader(string(got)), "sample")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys {
		if _, ok := c.Lookup(k.Section, k.Name); !ok {
			t.Errorf("sample lacks [%s] %s", k.Section, k.Name)
		}
	}
}
