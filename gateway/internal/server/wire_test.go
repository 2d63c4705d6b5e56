package server

import (
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"altrepo/gateway/internal/routes"
	"altrepo/libs/authn"
	"altrepo/libs/config"
)

func sha512hex(s string) string {
	sum := sha512.Sum512([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fingerprintOf is authn.Fingerprint for a client at ip with Go's default
// User-Agent and no Accept-Language.
func fingerprintOf(ip string) string {
	sum := md5.Sum([]byte(ip + "|Go-http-client/1.1|"))
	return hex.EncodeToString(sum[:])
}

func TestWireAuthn(t *testing.T) {
	secret := sha512hex("s3cret")
	ini := "[OTHER]\nADMIN_PASSWORD = " + secret + "\n"
	bugs := newUpstream(t, routes.Bugs, nil)
	pkgs := newUpstream(t, routes.Packages, nil)
	cfg := parse(t, ini, nil)
	s, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]*upstream{routes.Bugs: bugs, routes.Packages: pkgs} {
		s.Services[name], _ = url.Parse(u.srv.URL)
	}
	f := wired(t, cfg, s)

	token := func(ip string) string {
		group := "CVE_USER"
		tok, err := authn.SignLocal(secret, authn.LocalClaims{
			Nickname: "alice", Fingerprint: fingerprintOf(ip), Group: &group, Roles: []string{"manage_list"},
			RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))},
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	res, body := f.do(t, "GET", "/manage/task/list", map[string]string{"Authorization": token("127.0.0.1")})
	if res.StatusCode != 200 || bugs.last(t).Header.Get(authn.HeaderUser) != "alice" {
		t.Fatalf("valid token: %d %s", res.StatusCode, body)
	}
	// A spoofed X-Forwarded-For does not change the fingerprint: the
	// token bound to another address stays refused.
	n := bugs.count()
	res, _ = f.do(t, "GET", "/manage/task/list", map[string]string{"Authorization": token("10.9.9.9"), "X-Forwarded-For": "10.9.9.9"})
	if res.StatusCode != http.StatusUnauthorized || bugs.count() != n {
		t.Errorf("token of another address accepted: %d", res.StatusCode)
	}
	if got := bugs.last(t).Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("upstream X-Forwarded-For %q", got)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:s3cret"))
	if res, _ := f.do(t, "POST", "/api/package/repocop", map[string]string{"Authorization": basic}); res.StatusCode != 200 {
		t.Errorf("admin basic: %d", res.StatusCode)
	}
	wrong := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:nope"))
	n = pkgs.count()
	if res, _ := f.do(t, "POST", "/api/package/repocop", map[string]string{"Authorization": wrong}); res.StatusCode != 401 || pkgs.count() != n {
		t.Errorf("wrong basic: %d", res.StatusCode)
	}
}

func TestWireRateLimitNeedsRedis(t *testing.T) {
	cfg := parse(t, "[GATEWAY]\nRATE_LIMIT = 10\n", nil)
	s, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, closeFn, err := Wire(context.Background(), cfg, s, quietLogger())
	closeFn()
	if err == nil {
		t.Error("RATE_LIMIT without REDIS_URL accepted")
	}
}

// wired starts a gateway built by Wire from cfg and s.
func wired(t *testing.T, cfg *config.Config, s *Settings) *fixture {
	t.Helper()
	o, closeFn, err := Wire(context.Background(), cfg, s, quietLogger())
	t.Cleanup(closeFn)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(g)
	t.Cleanup(gw.Close)
	return &fixture{gw: gw}
}
