package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Nerzal/gocloak/v13"
	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"altrepo/libs/api"
	"altrepo/libs/authn"
	"altrepo/libs/kctest"
	"altrepo/libs/testharness"
	"altrepo/services/auth/internal/app"
	"altrepo/services/auth/internal/ldapauth"
	"altrepo/services/auth/internal/ldaptest"
	"altrepo/services/auth/internal/store"
)

func TestMain(m *testing.M) { testharness.Main(m) }

const secret = "c7ad44cbad762a5da0a452f9e854fdc1e0e7a52a38015f23f3eab1d80b931dd472634dfac71cd34ebc35d16ab7fb8a90c81f975113d6c7538dc69dd8de9077ec"

// noSecrets fails when any of the strings (or a JWT part of them) is in the logs.
func (e *env) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	logs := e.logs.String()
	if !strings.Contains(logs, "msg=") {
		t.Fatal("nothing was logged")
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatal("secret found in the logs")
		}
		for _, part := range strings.Split(s, ".") {
			if len(part) > 16 && strings.Contains(logs, part) {
				t.Fatal("token material found in the logs")
			}
		}
	}
}

type env struct {
	logs  *testharness.LogBuffer
	srv   *httptest.Server
	kc    *kctest.Server
	kcURL string
	v     *authn.Verifier
	rdb   *redis.Client
	clock *testharness.Clock
}

type opts struct {
	rdb         *redis.Client
	maxSessions int
}

func setup(t *testing.T, o opts) *env {
	t.Helper()
	kc := kctest.NewServer(kctest.DemoConfig())
	kts := httptest.NewServer(kc.Handler())
	t.Cleanup(kts.Close)
	kc.SetBaseURL(kts.URL)
	ld := ldaptest.Start(t)
	rdb := o.rdb
	if rdb == nil {
		rdb = redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(t).Addr()})
		t.Cleanup(func() { rdb.Close() })
		// Sessions are keyed by user name: start every test clean.
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	lp, err := ldapauth.New(ldapauth.Config{URI: ld.URI, UserSearch: ldaptest.UserSearch, RequireGroup: ldaptest.RequireGroup,
		Groups: map[string]string{"API_ADMIN": "api-admins", "CVE_ADMIN": "cve-admins", "CVE_EXPERT": "cve-experts"}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &testharness.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v, err := authn.New(authn.Config{KeycloakURL: kts.URL, Realm: kctest.DemoRealm, ClientID: kctest.DemoClientID,
		LocalSecret: secret, Redis: rdb, AccessTokenTTL: 300 * time.Second, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	clk := testharness.NewClock(time.Now())
	a, err := app.New(app.Config{
		Secret: secret, AccessTTL: 300 * time.Second, RefreshTTL: 3600 * time.Second, MaxSessions: o.maxSessions,
		CookieOptions: "HttpOnly;", Store: store.NewRedis(rdb, 300*time.Second), LDAP: lp,
		Keycloak: &app.KeycloakConfig{URL: kts.URL, Realm: kctest.DemoRealm, ClientID: kctest.DemoClientID, ClientSecret: kctest.DemoClientSecret},
		Verifier: v, Log: log, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &api.Service{Name: "auth", Routes: a.Routes(), Log: log, Ready: a.Ping}
	h, err := svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{logs: logs, srv: srv, kc: kc, kcURL: kts.URL, v: v, rdb: rdb, clock: clk}
}

type reply struct {
	status int
	body   map[string]any
	header http.Header
}

func (e *env) post(t *testing.T, path string, form url.Values, hdr map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "altrepo-test")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s: body %q: %v", path, raw, err)
	}
	return reply{status: resp.StatusCode, body: body, header: resp.Header}
}

func wantMessage(t *testing.T, name string, r reply, status int, msg string) {
	t.Helper()
	if r.status != status || r.body["message"] != msg {
		t.Fatalf("%s: %d %v, want %d %q", name, r.status, r.body, status, msg)
	}
}

var cookieRe = regexp.MustCompile(`^refresh_token=([0-9a-f-]{36}); Expires=f'[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}'; HttpOnly;$`)

func (e *env) loginLDAP(t *testing.T, user string) (access, refresh string) {
	t.Helper()
	r := e.post(t, "/api/auth/login", url.Values{"nickname": {user}, "password": {user + "-pass"}}, nil)
	if r.status != 200 {
		t.Fatalf("login %s: %d %v", user, r.status, r.body)
	}
	m := cookieRe.FindStringSubmatch(r.header.Get("Set-Cookie"))
	if m == nil || m[1] != r.body["refresh_token"] {
		t.Fatalf("Set-Cookie %q", r.header.Get("Set-Cookie"))
	}
	return r.body["access_token"].(string), m[1]
}

func TestLDAPLoginRefreshLogout(t *testing.T) {
	e := setup(t, opts{maxSessions: 3})
	access, refresh := e.loginLDAP(t, "alice")

	// Claims as the reference issues them.
	c, err := authn.ParseLocal(secret, access, false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nickname != "alice" || c.DisplayName != "Алиса Expert" || c.Group == nil || *c.Group != "api_expert" ||
		len(c.Roles) != 12 || c.Provider != "ldap" || c.NS == 0 {
		t.Fatalf("claims %+v", c)
	}
	// The gateway's verifier accepts it from the same client only.
	fpReq := httptest.NewRequest("POST", "/", nil)
	fpReq.RemoteAddr = "127.0.0.1:1"
	fpReq.Header.Set("User-Agent", "altrepo-test")
	id, err := e.v.Verify(context.Background(), access, authn.Fingerprint(fpReq), authn.ManageListRole)
	if err != nil || id.Group != "CVE_EXPERT" {
		t.Fatalf("verify local token: %v %+v", err, id)
	}

	cookie := map[string]string{"Cookie": "refresh_token=" + refresh}
	r := e.post(t, "/manage/auth/refresh-token", url.Values{"access_token": {access}}, cookie)
	if r.status != 200 || r.body["refresh_token"] != refresh || r.body["access_token"] == access || r.header.Get("Set-Cookie") != "" {
		t.Fatalf("refresh: %d %v", r.status, r.body)
	}
	newAccess := r.body["access_token"].(string)
	nc, err := authn.ParseLocal(secret, newAccess, false, 0, nil)
	if err != nil || nc.Fingerprint != c.Fingerprint || nc.NS == c.NS || strings.Join(nc.Roles, ",") != strings.Join(c.Roles, ",") {
		t.Fatalf("refreshed claims: %v %+v", err, nc)
	}
	// The old token is revoked.
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {access}}, cookie)
	if r.status != 400 || r.body["message"] != "Request parameters validation error" ||
		!strings.Contains(strings.Join(asStrings(r.body["validation_message"]), "|"), "Token is blacklisted") {
		t.Fatalf("refresh with revoked token: %d %v", r.status, r.body)
	}
	if args, _ := r.body["args"].(map[string]any); args["access_token"] != access {
		t.Fatalf("args not echoed: %v", r.body["args"])
	}

	// Validation and session failures.
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {"garbage"}}, cookie)
	if r.status != 400 || strings.Join(asStrings(r.body["validation_message"]), "|") != "Invalid access token" {
		t.Fatalf("garbage: %d %v", r.status, r.body)
	}
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {newAccess}}, nil)
	if r.status != 400 || strings.Join(asStrings(r.body["validation_message"]), "|") != "User is not authorized" {
		t.Fatalf("no cookie: %d %v", r.status, r.body)
	}
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {newAccess}}, map[string]string{"Cookie": "refresh_token=other"})
	wantMessage(t, "unknown session", r, 401, "User not authorized")
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {newAccess}}, map[string]string{"Cookie": "refresh_token=" + refresh, "User-Agent": "thief"})
	wantMessage(t, "foreign fingerprint", r, 401, "User not authorized")
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {newAccess}, "extra": {"1"}}, cookie)
	wantMessage(t, "unknown argument", r, 400, "Unknown arguments: extra")

	// Logout: needs the token, revokes it and drops the session.
	r = e.post(t, "/api/auth/logout", nil, map[string]string{"Cookie": "refresh_token=" + refresh})
	wantMessage(t, "logout without token", r, 401, "Authentication token is required")
	r = e.post(t, "/api/auth/logout", nil, map[string]string{"Authorization": newAccess, "Cookie": "refresh_token=" + refresh})
	wantMessage(t, "logout", r, 200, "Logged out")
	if _, err := e.v.Verify(context.Background(), newAccess, authn.Fingerprint(fpReq), ""); err == nil {
		t.Fatal("token valid after logout")
	}
	r = e.post(t, "/api/auth/logout", nil, map[string]string{"Authorization": newAccess, "Cookie": "refresh_token=" + refresh})
	wantMessage(t, "second logout", r, 401, "Token blacklisted")
	if n, _ := e.rdb.Exists(context.Background(), "refresh-token:alice").Result(); n != 0 {
		t.Fatal("session entry left after logout of the last session")
	}
	e.noSecrets(t, access, newAccess, refresh)
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestLDAPFailures(t *testing.T) {
	e := setup(t, opts{})
	r := e.post(t, "/api/auth/login", url.Values{"nickname": {"alice"}, "password": {"wrong"}}, nil)
	wantMessage(t, "bad password", r, 401, "LDAP authentication failed")
	if d, ok := r.body["details"].(map[string]any); !ok || len(d) != 0 {
		t.Fatalf("details = %v", r.body["details"])
	}
	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"bob"}, "password": {"bob-pass"}}, nil)
	wantMessage(t, "no group", r, 401, "LDAP authorization failed")
	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"a"}, "password": {"x"}}, nil)
	if r.status != 400 {
		t.Fatalf("short nickname: %d %v", r.status, r.body)
	}
	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"alice"}, "password": {"alice-pass"}, "auth_provider": {"saml"}}, nil)
	if r.status != 400 {
		t.Fatalf("bad provider: %d %v", r.status, r.body)
	}
	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"alice"}, "password": {"alice-pass"}, "x": {"1"}}, nil)
	wantMessage(t, "unknown argument", r, 400, "Unknown arguments: x")

	// API_ADMIN only: login works, but the token carries no roles.
	access, _ := e.loginLDAP(t, "carol")
	c, err := authn.ParseLocal(secret, access, false, 0, nil)
	if err != nil || c.Group != nil || len(c.Roles) != 0 {
		t.Fatalf("carol claims %v %+v", err, c)
	}
	r = e.post(t, "/api/auth/logout", nil, map[string]string{"Authorization": access})
	wantMessage(t, "logout without group", r, 403, "Access denied")
}

func TestSessionLimitAndExpiry(t *testing.T) {
	e := setup(t, opts{maxSessions: 2})
	a1, r1 := e.loginLDAP(t, "dave")
	_, _ = e.loginLDAP(t, "dave")
	_, _ = e.loginLDAP(t, "dave") // third login wipes the first two
	r := e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {a1}}, map[string]string{"Cookie": "refresh_token=" + r1})
	wantMessage(t, "wiped session", r, 401, "User not authorized")

	a4, r4 := e.loginLDAP(t, "dave")
	e.clock.Advance(3601 * time.Second)
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {a4}}, map[string]string{"Cookie": "refresh_token=" + r4})
	wantMessage(t, "expired session", r, 401, "Session is expired")
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {a4}}, map[string]string{"Cookie": "refresh_token=" + r4})
	wantMessage(t, "expired session removed", r, 401, "User not authorized")
}

func TestKeycloakProvider(t *testing.T) {
	e := setup(t, opts{maxSessions: 2})
	form := url.Values{"nickname": {"api_expert"}, "password": {"api_expert-pass"}, "auth_provider": {"keycloak"}}
	r := e.post(t, "/manage/auth/login", form, nil)
	if r.status != 200 {
		t.Fatalf("keycloak login: %d %v", r.status, r.body)
	}
	access, refresh := r.body["access_token"].(string), r.body["refresh_token"].(string)
	if want := "refresh_token=" + refresh + "; Expires=f'1800'; HttpOnly;"; r.header.Get("Set-Cookie") != want {
		t.Fatalf("Set-Cookie %q", r.header.Get("Set-Cookie"))
	}
	if id, err := e.v.Verify(context.Background(), access, "", authn.ManageListRole); err != nil || id.User != "api_expert" {
		t.Fatalf("keycloak token: %v", err)
	}
	cookie := map[string]string{"Cookie": "refresh_token=" + refresh}
	r = e.post(t, "/api/auth/refresh-token", url.Values{"access_token": {access}}, cookie)
	if r.status != 200 || r.body["access_token"] == access || r.body["refresh_token"] != refresh {
		t.Fatalf("keycloak refresh: %d %v", r.status, r.body)
	}
	newAccess := r.body["access_token"].(string)
	r = e.post(t, "/api/auth/logout", nil, map[string]string{"Authorization": newAccess, "Cookie": "refresh_token=" + refresh})
	wantMessage(t, "keycloak logout", r, 200, "Logged out")
	gc := gocloak.NewClient(e.kcURL)
	if _, err := gc.RefreshToken(context.Background(), refresh, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm); err == nil {
		t.Fatal("keycloak session still active after logout")
	}

	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"api_guest"}, "password": {"api_guest-pass"}, "auth_provider": {"keycloak"}}, nil)
	wantMessage(t, "no client roles", r, 401, "Keycloak authorization failed")
	r = e.post(t, "/api/auth/login", url.Values{"nickname": {"api_user"}, "password": {"nope"}, "auth_provider": {"keycloak"}}, nil)
	wantMessage(t, "bad password", r, 401, "Keycloak authorization failed")

	e.kc.SetUnavailable(true)
	r = e.post(t, "/api/auth/login", form, nil)
	wantMessage(t, "keycloak down", r, 503, "Keycloak server is unavailable")
	e.noSecrets(t, access, newAccess, refresh, "api_expert-pass")
}

func TestRedisDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dead := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer dead.Close()
	e := setup(t, opts{rdb: dead})
	r := e.post(t, "/api/auth/login", url.Values{"nickname": {"alice"}, "password": {"alice-pass"}}, nil)
	wantMessage(t, "store down", r, 503, "Token storage is unavailable")
}

func TestClaimsShape(t *testing.T) {
	e := setup(t, opts{})
	access, _ := e.loginLDAP(t, "alice")
	tok, _, err := jwt.NewParser().ParseUnverified(access, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ := json.Marshal(tok.Header)
	if string(hdr) != `{"alg":"HS256","provider":"ldap","typ":"JWT"}` {
		t.Fatalf("header %s", hdr)
	}
	claims := tok.Claims.(jwt.MapClaims)
	for _, k := range []string{"nickname", "display_name", "fingerprint", "exp", "ns", "group", "roles", "provider"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}
	if len(claims) != 8 {
		t.Errorf("claims %v", claims)
	}
}
