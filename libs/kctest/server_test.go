package kctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/Nerzal/gocloak/v13"
	"github.com/golang-jwt/jwt/v5"

	"altrepo/libs/kctest"
)

func start(t *testing.T) (*kctest.Server, *httptest.Server, *gocloak.GoCloak) {
	t.Helper()
	kc := kctest.NewServer(kctest.DemoConfig())
	ts := httptest.NewServer(kc.Handler())
	t.Cleanup(ts.Close)
	return kc, ts, gocloak.NewClient(ts.URL)
}

func login(t *testing.T, gc *gocloak.GoCloak, user string) *gocloak.JWT {
	t.Helper()
	tok, err := gc.Login(context.Background(), kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, user, user+"-pass")
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return tok
}

func TestLoginAndDecode(t *testing.T) {
	_, ts, gc := start(t)
	ctx := context.Background()
	tok := login(t, gc, "api_expert")
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatal("missing tokens")
	}
	if tok.ExpiresIn != 300 || tok.RefreshExpiresIn != 1800 || tok.TokenType != "Bearer" {
		t.Fatalf("unexpected lifetimes: expires_in %d refresh %d type %q", tok.ExpiresIn, tok.RefreshExpiresIn, tok.TokenType)
	}
	_, claims, err := gc.DecodeAccessToken(ctx, tok.AccessToken, kctest.DemoRealm)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	c := *claims
	if c["iss"] != ts.URL+"/realms/altrepo" {
		t.Errorf("iss = %v", c["iss"])
	}
	if c["azp"] != kctest.DemoClientID || c["preferred_username"] != "api_expert" || c["name"] != "Expert Demo" {
		t.Errorf("claims = %v", c)
	}
	ra := c["resource_access"].(map[string]any)[kctest.DemoClientID].(map[string]any)["roles"].([]any)
	if len(ra) != 12 {
		t.Errorf("expert client roles = %d, want 12", len(ra))
	}
	if g := c["groups"].([]any); len(g) != 1 || g[0] != "api_expert" {
		t.Errorf("groups = %v", g)
	}
	for _, k := range []string{"exp", "iat", "nbf", "sub", "email", "jti"} {
		if _, ok := c[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}
}

func TestDeployRealmUsers(t *testing.T) {
	_, _, gc := start(t)
	tok := login(t, gc, "expert-demo")
	_, claims, err := gc.DecodeAccessToken(context.Background(), tok.AccessToken, kctest.DemoRealm)
	if err != nil || (*claims)["preferred_username"] != "expert-demo" || (*claims)["email"] != "expert-demo@example.org" {
		t.Fatalf("expert-demo: %v %v", err, claims)
	}
}

func TestBadCredentials(t *testing.T) {
	_, _, gc := start(t)
	ctx := context.Background()
	_, err := gc.Login(ctx, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, "api_user", "wrong")
	var apiErr *gocloak.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusUnauthorized || !strings.Contains(apiErr.Message, "invalid_grant") {
		t.Fatalf("bad password: %v", err)
	}
	_, err = gc.Login(ctx, kctest.DemoClientID, "bad-secret", kctest.DemoRealm, "api_user", "api_user-pass")
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusUnauthorized {
		t.Fatalf("bad client secret: %v", err)
	}
	_, err = gc.Login(ctx, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, "nobody", "x")
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusUnauthorized {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestRefreshUserinfoLogout(t *testing.T) {
	_, _, gc := start(t)
	ctx := context.Background()
	tok := login(t, gc, "api_admin")

	info, err := gc.GetUserInfo(ctx, tok.AccessToken, kctest.DemoRealm)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if gocloak.PString(info.PreferredUsername) != "api_admin" || gocloak.PString(info.Email) != "api_admin@example.org" {
		t.Fatalf("userinfo = %+v", info)
	}

	r2, err := gc.RefreshToken(ctx, tok.RefreshToken, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if r2.AccessToken == tok.AccessToken || r2.AccessToken == "" {
		t.Fatal("refresh returned the same or no access token")
	}

	if err := gc.Logout(ctx, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, tok.RefreshToken); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if _, err := gc.RefreshToken(ctx, tok.RefreshToken, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm); err == nil {
		t.Fatal("refresh after logout succeeded")
	}
	if _, err := gc.GetUserInfo(ctx, r2.AccessToken, kctest.DemoRealm); err == nil {
		t.Fatal("userinfo after logout succeeded")
	}
	if _, err := gc.GetUserInfo(ctx, "garbage", kctest.DemoRealm); err == nil {
		t.Fatal("userinfo with garbage token succeeded")
	}
}

func TestRotation(t *testing.T) {
	kc, _, gc := start(t)
	ctx := context.Background()
	old := login(t, gc, "api_user")
	oldKID := kc.CurrentKID()
	newKID := kc.Rotate()
	if newKID == oldKID || kc.CurrentKID() != newKID {
		t.Fatal("rotate did not switch the key")
	}
	certs, err := gc.GetCerts(ctx, kctest.DemoRealm)
	if err != nil {
		t.Fatalf("certs: %v", err)
	}
	var kids []string
	for _, k := range *certs.Keys {
		kids = append(kids, gocloak.PString(k.Kid))
		if gocloak.PString(k.Alg) != "RS256" || gocloak.PString(k.Kty) != "RSA" {
			t.Errorf("key %+v", k)
		}
	}
	if !slices.Contains(kids, oldKID) || !slices.Contains(kids, newKID) {
		t.Fatalf("published kids %v, want both %s and %s", kids, oldKID, newKID)
	}
	fresh := login(t, gc, "api_user")
	hdr, _, err := jwt.NewParser().ParseUnverified(fresh.AccessToken, jwt.MapClaims{})
	if err != nil || hdr.Header["kid"] != newKID {
		t.Fatalf("new token kid = %v, err %v", hdr.Header["kid"], err)
	}
	// Old token still validates at the userinfo endpoint while published.
	if _, err := gc.GetUserInfo(ctx, old.AccessToken, kctest.DemoRealm); err != nil {
		t.Fatalf("old token before drop: %v", err)
	}
	kc.DropOldKeys()
	if _, err := gc.GetUserInfo(ctx, old.AccessToken, kctest.DemoRealm); err == nil {
		t.Fatal("old token accepted after DropOldKeys")
	}
	if _, err := gc.GetUserInfo(ctx, fresh.AccessToken, kctest.DemoRealm); err != nil {
		t.Fatalf("fresh token after drop: %v", err)
	}
}

func TestDiscoveryIntrospectAndOutage(t *testing.T) {
	kc, ts, gc := start(t)
	ctx := context.Background()
	resp, err := http.Get(ts.URL + "/realms/altrepo/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if disc["issuer"] != ts.URL+"/realms/altrepo" || disc["jwks_uri"] != ts.URL+"/realms/altrepo/protocol/openid-connect/certs" {
		t.Fatalf("discovery = %v", disc)
	}
	iss, err := gc.GetIssuer(ctx, kctest.DemoRealm)
	if err != nil || gocloak.PString(iss.PublicKey) == "" {
		t.Fatalf("issuer: %v %+v", err, iss)
	}

	tok := login(t, gc, "api_user")
	res, err := gc.RetrospectToken(ctx, tok.AccessToken, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm)
	if err != nil || !gocloak.PBool(res.Active) {
		t.Fatalf("introspect active: %v %+v", err, res)
	}
	res, err = gc.RetrospectToken(ctx, "nonsense", kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm)
	if err != nil || gocloak.PBool(res.Active) {
		t.Fatalf("introspect garbage: %v %+v", err, res)
	}

	kc.SetUnavailable(true)
	if _, err := gc.Login(ctx, kctest.DemoClientID, kctest.DemoClientSecret, kctest.DemoRealm, "api_user", "api_user-pass"); err == nil {
		t.Fatal("login succeeded while unavailable")
	}
	kc.SetUnavailable(false)
	login(t, gc, "api_user")

	// Public form-post client authentication works too.
	form := url.Values{"grant_type": {"password"}, "client_id": {kctest.DemoClientID}, "client_secret": {kctest.DemoClientSecret},
		"username": {"api_guest"}, "password": {"api_guest-pass"}}
	pr, err := http.PostForm(ts.URL+"/realms/altrepo/protocol/openid-connect/token", form)
	if err != nil {
		t.Fatal(err)
	}
	pr.Body.Close()
	if pr.StatusCode != http.StatusOK {
		t.Fatalf("form client auth: %d", pr.StatusCode)
	}
}

func TestMintAndSign(t *testing.T) {
	kc, ts, gc := start(t)
	if _, err := kc.MintAccessToken("api_user", kctest.DemoClientID); err == nil {
		t.Fatal("mint without base URL should fail")
	}
	kc.SetBaseURL(ts.URL)
	c, err := kc.AccessTokenClaims("api_admin", kctest.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	c["name"] = "Changed"
	tok, err := kc.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := gc.DecodeAccessToken(context.Background(), tok, kctest.DemoRealm)
	if err != nil || (*got)["name"] != "Changed" {
		t.Fatalf("decode minted: %v %v", err, got)
	}
}
