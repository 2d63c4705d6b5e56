package authn_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Nerzal/gocloak/v13"
	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"altrepo/libs/authn"
	"altrepo/libs/kctest"
	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

const localSecret = "0123456789abcdef-admin-password-digest"

type env struct {
	kc    *kctest.Server
	ts    *httptest.Server
	gc    *gocloak.GoCloak
	v     *authn.Verifier
	rdb   *redis.Client
	clock *testharness.Clock
	logs  *testharness.LogBuffer
}

func setup(t *testing.T, mods ...func(*authn.Config)) *env {
	t.Helper()
	kc := kctest.NewServer(kctest.DemoConfig())
	ts := httptest.NewServer(kc.Handler())
	t.Cleanup(ts.Close)
	kc.SetBaseURL(ts.URL)
	rs := testharness.SharedRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	t.Cleanup(func() { rdb.Close() })
	e := &env{kc: kc, ts: ts, gc: gocloak.NewClient(ts.URL), rdb: rdb, clock: testharness.NewClock(time.Now()), logs: &testharness.LogBuffer{}}
	cfg := authn.Config{
		KeycloakURL: ts.URL,
		Realm:       kctest.DemoRealm,
		ClientID:    kctest.DemoClientID,
		LocalSecret: localSecret,
		Redis:       rdb,
		Leeway:      10 * time.Second,
		Logger:      slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:         e.clock.Now,
	}
	for _, m := range mods {
		m(&cfg)
	}
	v, err := authn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.v = v
	return e
}

func (e *env) login(t *testing.T, user string) *gocloak.JWT {
	t.Helper()
	tok, err := e.gc.Login(context.Background(), kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, user, user+"-pass")
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return tok
}

func (e *env) mint(t *testing.T, user string, mod func(jwt.MapClaims)) string {
	t.Helper()
	c, err := e.kc.AccessTokenClaims(user, kctest.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(c)
	}
	s, err := e.kc.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantErr asserts err is an *authn.Error with status and message.
func wantErr(t *testing.T, name string, err error, status int, msg string) {
	t.Helper()
	var ae *authn.Error
	if !errors.As(err, &ae) {
		t.Errorf("%s: error %v, want %d %q", name, err, status, msg)
		return
	}
	if ae.Status != status || ae.Message != msg {
		t.Errorf("%s: got %d %q, want %d %q (%v)", name, ae.Status, ae.Message, status, msg, ae.Err)
	}
}

func TestKeycloakToken(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	tok := e.login(t, "api_expert")
	for _, h := range []string{tok.AccessToken, "Bearer " + tok.AccessToken} {
		id, err := e.v.Verify(ctx, h, "", authn.ManageListRole)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if id.User != "api_expert" || id.Group != "CVE_EXPERT" || id.Provider != authn.ProviderKeycloak ||
			len(id.Roles) != 12 || id.DisplayName != "Expert Demo" || id.Subject == "" || id.TokenID == "" ||
			id.ExpiresAt.IsZero() {
			t.Fatalf("identity = %+v", id)
		}
	}
	_, err := e.v.Verify(ctx, tok.AccessToken, "", "sa_manage_discard")
	wantErr(t, "expert lacks admin role", err, 403, authn.MsgAccessDenied)

	guest := e.login(t, "api_guest")
	_, err = e.v.Verify(ctx, guest.AccessToken, "", "")
	wantErr(t, "guest without group", err, 403, authn.MsgAccessDenied)

	_, err = e.v.Verify(ctx, "", "", "")
	wantErr(t, "no token", err, 401, authn.MsgTokenRequired)
	_, err = e.v.Verify(ctx, "Bearer ", "", "")
	wantErr(t, "empty bearer", err, 401, authn.MsgTokenRequired)

	// Group from the groups claim when roles rank nowhere.
	noRoles := e.mint(t, "api_user", func(c jwt.MapClaims) { delete(c, "resource_access") })
	id, err := e.v.Verify(ctx, noRoles, "", "")
	if err != nil || id.Group != "CVE_USER" {
		t.Fatalf("groups fallback: %v %+v", err, id)
	}
	_, err = e.v.Verify(ctx, noRoles, "", authn.ManageListRole)
	wantErr(t, "groups never grant roles", err, 403, authn.MsgAccessDenied)
}

func TestAttacks(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	now := time.Now()

	foreignKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(e.kc.PublicKey())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	claims, _ := e.kc.AccessTokenClaims("api_admin", kctest.DemoClientID)

	hsWith := func(key []byte, header map[string]any) string {
		tk := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
		for k, v := range header {
			tk.Header[k] = v
		}
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	b64 := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	algNone := b64(map[string]any{"alg": "none", "typ": "JWT", "kid": e.kc.CurrentKID()}) + "." + b64(claims) + "."
	foreign := func() string {
		tk := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tk.Header["kid"] = "unknown-kid"
		s, _ := tk.SignedString(foreignKey)
		return s
	}()
	foreignSameKID := func() string {
		tk := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tk.Header["kid"] = e.kc.CurrentKID()
		s, _ := tk.SignedString(foreignKey)
		return s
	}()
	login := e.login(t, "api_admin")
	ps256 := func() string {
		tk := jwt.NewWithClaims(jwt.SigningMethodPS256, claims)
		tk.Header["kid"] = e.kc.CurrentKID()
		s, _ := tk.SignedString(foreignKey)
		return s
	}()

	cases := []struct {
		name   string
		token  string
		status int
		msg    string
	}{
		{"expired", e.mint(t, "api_admin", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), 401, authn.MsgTokenExpired},
		{"no exp", e.mint(t, "api_admin", func(c jwt.MapClaims) { delete(c, "exp") }), 401, authn.MsgInvalidToken},
		{"not yet valid", e.mint(t, "api_admin", func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }), 401, authn.MsgInvalidToken},
		{"wrong issuer", e.mint(t, "api_admin", func(c jwt.MapClaims) { c["iss"] = "https://evil.example/realms/altrepo" }), 401, authn.MsgInvalidToken},
		{"wrong audience", e.mint(t, "api_admin", func(c jwt.MapClaims) { c["aud"] = []string{"other"}; c["azp"] = "other" }), 401, authn.MsgInvalidToken},
		{"id token", e.mint(t, "api_admin", func(c jwt.MapClaims) { c["typ"] = "ID" }), 401, authn.MsgInvalidToken},
		{"refresh token", login.RefreshToken, 401, authn.MsgInvalidToken},
		{"alg none", algNone, 401, authn.MsgInvalidToken},
		{"HS256 with public key PEM", hsWith(pubPEM, map[string]any{"kid": e.kc.CurrentKID()}), 401, authn.MsgInvalidToken},
		{"HS256 with public key DER", hsWith(der, map[string]any{"kid": e.kc.CurrentKID()}), 401, authn.MsgInvalidToken},
		{"HS256 with public key as local", hsWith(pubPEM, map[string]any{"provider": "ldap"}), 401, authn.MsgInvalidToken},
		{"PS256", ps256, 401, authn.MsgInvalidToken},
		{"foreign key, known kid", foreignSameKID, 401, authn.MsgInvalidToken},
		{"tampered payload", func() string {
			p := strings.Split(login.AccessToken, ".")
			c := jwt.MapClaims{}
			raw, _ := base64.RawURLEncoding.DecodeString(p[1])
			_ = json.Unmarshal(raw, &c)
			c["preferred_username"] = "someone_else"
			return p[0] + "." + b64(c) + "." + p[2]
		}(), 401, authn.MsgInvalidToken},
		{"garbage", "not-a-jwt", 401, authn.MsgInvalidToken},
	}
	var tokens []string
	for _, c := range cases {
		tokens = append(tokens, c.token)
		_, err := e.v.Verify(ctx, c.token, "", "")
		wantErr(t, c.name, err, c.status, c.msg)
	}

	// Within the leeway an expired token still passes.
	skew := e.mint(t, "api_admin", func(c jwt.MapClaims) { c["exp"] = now.Add(-3 * time.Second).Unix() })
	if _, err := e.v.Verify(ctx, skew, "", ""); err != nil {
		t.Fatalf("token expired within leeway: %v", err)
	}

	// Unknown kid: exactly one refetch, then 401 without further fetches.
	e.clock.Advance(31 * time.Second) // past the default minimum refresh interval
	before := e.kc.CertsRequests()
	for i := 0; i < 5; i++ {
		_, err := e.v.Verify(ctx, foreign, "", "")
		wantErr(t, "unknown kid", err, 401, authn.MsgInvalidToken)
	}
	if got := e.kc.CertsRequests() - before; got != 1 {
		t.Fatalf("unknown kid caused %d JWKS fetches, want 1", got)
	}
	tokens = append(tokens, foreign, login.AccessToken, skew)

	logs := e.logs.String()
	if !strings.Contains(logs, "access token rejected") {
		t.Fatal("rejections were not logged")
	}
	for _, tk := range tokens {
		parts := strings.Split(tk, ".")
		for _, p := range parts {
			if len(p) > 16 && strings.Contains(logs, p) {
				t.Fatalf("token material found in logs")
			}
		}
	}
}

func TestKeyRotation(t *testing.T) {
	e := setup(t, func(c *authn.Config) {
		c.JWKSMinRefresh = time.Minute
		c.JWKSMaxAge = 10 * time.Minute
		c.Leeway = time.Hour
	})
	ctx := context.Background()
	old := e.login(t, "api_user")
	if _, err := e.v.Verify(ctx, old.AccessToken, "", ""); err != nil {
		t.Fatal(err)
	}
	e.kc.Rotate()
	fresh := e.login(t, "api_user")
	// The new kid is unknown, but the last fetch is less than a minute ago.
	_, err := e.v.Verify(ctx, fresh.AccessToken, "", "")
	wantErr(t, "new kid before refresh interval", err, 401, authn.MsgInvalidToken)
	e.clock.Advance(61 * time.Second)
	if _, err := e.v.Verify(ctx, fresh.AccessToken, "", ""); err != nil {
		t.Fatalf("token with rotated key: %v", err)
	}
	if _, err := e.v.Verify(ctx, old.AccessToken, "", ""); err != nil {
		t.Fatalf("old key still published: %v", err)
	}
	e.kc.DropOldKeys()
	e.clock.Advance(11 * time.Minute) // cached set is stale now
	_, err = e.v.Verify(ctx, old.AccessToken, "", "")
	if err == nil {
		t.Fatal("token of a dropped key still accepted after refresh")
	}
	if _, err := e.v.Verify(ctx, fresh.AccessToken, "", ""); err != nil {
		t.Fatalf("current key after drop: %v", err)
	}
}

func TestKeycloakDown(t *testing.T) {
	e := setup(t, func(c *authn.Config) {
		c.JWKSMinRefresh = time.Second
		c.JWKSMaxAge = time.Minute
		c.Leeway = time.Hour
	})
	ctx := context.Background()
	tok := e.login(t, "api_admin")
	if err := e.v.Prefetch(ctx); err != nil {
		t.Fatal(err)
	}
	e.ts.Close()
	e.clock.Advance(5 * time.Minute) // stale cache, refresh fails
	id, err := e.v.Verify(ctx, tok.AccessToken, "", "")
	if err != nil || id.Group != "CVE_ADMIN" {
		t.Fatalf("issued token while Keycloak down: %v", err)
	}
	if err := e.v.Prefetch(ctx); err == nil {
		t.Fatal("prefetch against a closed server succeeded")
	}
}

func TestBlacklist(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	tok := e.login(t, "api_user")
	id, err := e.v.Verify(ctx, tok.AccessToken, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.v.Blacklist().Add(ctx, tok.AccessToken, id.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	_, err = e.v.Verify(ctx, tok.AccessToken, "", "")
	wantErr(t, "blacklisted", err, 401, authn.MsgTokenBlacklisted)
	ttl, err := e.rdb.TTL(ctx, authn.BlacklistKeyPrefix+tok.AccessToken).Result()
	if err != nil || ttl <= 0 || ttl > 300*time.Second {
		t.Fatalf("blacklist TTL = %v, %v", ttl, err)
	}
	exp, _ := e.rdb.HGet(ctx, authn.BlacklistKeyPrefix+tok.AccessToken, "expires_at").Int64()
	if exp != id.ExpiresAt.Unix() {
		t.Fatalf("expires_at = %d, want %d", exp, id.ExpiresAt.Unix())
	}
}

func localToken(t *testing.T, secret, fp string, roles []string, group *string, exp time.Time) string {
	t.Helper()
	s, err := authn.SignLocal(secret, authn.LocalClaims{
		Nickname: "ldapuser", DisplayName: "LDAP User", Fingerprint: fp, Roles: roles, Group: group,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLocalTokens(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	fp := "0cc175b9c0f1b6a831c399e269772661"
	grp := "api_expert"
	tok := localToken(t, localSecret, fp, authn.AccessGroups[1].Roles, &grp, time.Now().Add(5*time.Minute))

	hdr, _, _ := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if hdr.Header["provider"] != "ldap" || hdr.Header["alg"] != "HS256" {
		t.Fatalf("local header = %v", hdr.Header)
	}
	id, err := e.v.Verify(ctx, tok, fp, "errata_manage_create")
	if err != nil || id.Provider != authn.ProviderLDAP || id.Group != "CVE_EXPERT" || id.User != "ldapuser" || id.DisplayName != "LDAP User" {
		t.Fatalf("local verify: %v %+v", err, id)
	}
	_, err = e.v.Verify(ctx, tok, fp, "errata_manage_discard")
	wantErr(t, "local missing role", err, 403, authn.MsgAccessDenied)

	_, err = e.v.Verify(ctx, localToken(t, localSecret, fp, []string{"manage_list"}, nil, time.Now().Add(-time.Minute)), fp, "")
	wantErr(t, "local expired", err, 401, authn.MsgInvalidToken)
	_, err = e.v.Verify(ctx, localToken(t, "other-secret", fp, []string{"manage_list"}, nil, time.Now().Add(time.Minute)), fp, "")
	wantErr(t, "local wrong secret", err, 401, authn.MsgInvalidToken)
	_, err = e.v.Verify(ctx, localToken(t, localSecret, fp, nil, nil, time.Now().Add(time.Minute)), fp, "")
	wantErr(t, "local no roles", err, 403, authn.MsgAccessDenied)

	// Another fingerprint: blacklisted, and stays blacklisted for its owner.
	_, err = e.v.Verify(ctx, tok, "ffffffffffffffffffffffffffffffff", "")
	wantErr(t, "foreign fingerprint", err, 401, authn.MsgTokenBlacklisted)
	_, err = e.v.Verify(ctx, tok, fp, "")
	wantErr(t, "after fingerprint mismatch", err, 401, authn.MsgTokenBlacklisted)

	// Skipping expiry (refresh-token flow) still checks the signature.
	if _, err := authn.ParseLocal(localSecret, localToken(t, localSecret, fp, nil, nil, time.Now().Add(-time.Hour)), true, 0, nil); err != nil {
		t.Fatalf("ParseLocal skipExpiry: %v", err)
	}
	if _, err := authn.ParseLocal("x", tok, true, 0, nil); err == nil {
		t.Fatal("ParseLocal accepted a wrong secret")
	}
}

func deadRedis(t *testing.T) *redis.Client {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisDown(t *testing.T) {
	ctx := context.Background()
	closed := setup(t, func(c *authn.Config) { c.Redis = deadRedis(t) })
	tok := closed.login(t, "api_user")
	_, err := closed.v.Verify(ctx, tok.AccessToken, "", "")
	wantErr(t, "fail-closed", err, 503, authn.MsgUnavailable)

	open := setup(t, func(c *authn.Config) { c.Redis = deadRedis(t); c.BlacklistFailOpen = true })
	tok = open.login(t, "api_user")
	if _, err := open.v.Verify(ctx, tok.AccessToken, "", ""); err != nil {
		t.Fatalf("fail-open: %v", err)
	}
	if !strings.Contains(open.logs.String(), "fail-open") {
		t.Fatal("fail-open acceptance not logged")
	}
}

func TestRequireMiddleware(t *testing.T) {
	e := setup(t)
	var seen http.Header
	var ctxID authn.Identity
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		ctxID, _ = authn.FromContext(r.Context())
		w.WriteHeader(http.StatusOK)
	})
	h := e.v.Require(authn.ManageListRole)(upstream)
	do := func(token string, forge bool) *httptest.ResponseRecorder {
		seen = nil
		r := httptest.NewRequest("GET", "/manage/antivirus_scan/detections", nil)
		if token != "" {
			r.Header.Set("Authorization", token)
		}
		if forge {
			r.Header.Set("X-Altrepo-User", "root")
			r.Header.Set("X-Altrepo-Group", "CVE_ADMIN")
			r.Header.Set("X-Altrepo-Roles", "user_aliases_create")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do("", true)
	if w.Code != 401 || seen != nil || strings.TrimSpace(w.Body.String()) != `{"message":"Authentication token is required"}` {
		t.Fatalf("no token: %d %s", w.Code, w.Body.String())
	}
	if w.Header().Get("WWW-Authenticate") != "" {
		t.Fatal("WWW-Authenticate must not be sent")
	}
	tok := e.login(t, "api_user")
	w = do(tok.AccessToken, true)
	if w.Code != 200 {
		t.Fatalf("valid token: %d %s", w.Code, w.Body.String())
	}
	id, ok := authn.IdentityFromHeaders(seen)
	if !ok || id.User != "api_user" || id.Group != "CVE_USER" || strings.Join(id.Roles, ",") != "manage_list" {
		t.Fatalf("forged headers not replaced: %+v", id)
	}
	if ctxID.User != "api_user" {
		t.Fatalf("context identity = %+v", ctxID)
	}
	h2 := e.v.Require("user_aliases_create")(upstream)
	r := httptest.NewRequest("POST", "/manage/user/aliases", nil)
	r.Header.Set("Authorization", tok.AccessToken)
	w = httptest.NewRecorder()
	seen = nil
	h2.ServeHTTP(w, r)
	if w.Code != 403 || seen != nil || strings.TrimSpace(w.Body.String()) != `{"message":"Access denied"}` {
		t.Fatalf("missing role: %d %s", w.Code, w.Body.String())
	}
}

func BenchmarkVerifyKeycloak(b *testing.B) {
	kc := kctest.NewServer(kctest.DemoConfig())
	ts := httptest.NewServer(kc.Handler())
	defer ts.Close()
	kc.SetBaseURL(ts.URL)
	rdb := redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(b).Addr()})
	defer rdb.Close()
	v, err := authn.New(authn.Config{KeycloakURL: ts.URL, Realm: kctest.DemoRealm, ClientID: kctest.DemoClientID, Redis: rdb})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := kc.MintAccessToken("api_admin", kctest.DemoClientID)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok, "", authn.ManageListRole); err != nil {
			b.Fatal(err)
		}
	}
}
