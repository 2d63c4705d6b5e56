package security

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"altrepo/libs/authn"
)

const testSecret = "0123456789abcdef"

func localToken(t *testing.T, roles []string, group string, r *http.Request) string {
	t.Helper()
	tok, err := authn.SignLocal(testSecret, authn.LocalClaims{
		Nickname: "alice", DisplayName: "Alice", Fingerprint: authn.Fingerprint(r),
		Group: &group, Roles: roles,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute))},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAuthnGuard(t *testing.T) {
	v, err := authn.New(authn.Config{LocalSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512([]byte("s3cret"))
	g := Authn{Verifier: v, AdminUser: "admin", AdminPasswordSHA512: hex.EncodeToString(sum[:])}
	var forwarded *http.Request
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { forwarded = r })

	listRoute := Requirement{Method: "GET", Pattern: "/manage/task/list", Scheme: SchemeBearer, Role: "manage_list", ValidateRole: true, RoleSetting: "KEYCLOAK_MANAGE_LIST_ROLE"}
	createRoute := Requirement{Method: "POST", Pattern: "/manage/comments", Scheme: SchemeBearer, Role: "comments_create", ValidateRole: true}
	basicRoute := Requirement{Method: "POST", Pattern: "/api/package/repocop", Scheme: SchemeBasicAdmin}

	call := func(req Requirement, auth string, sign func(*http.Request) string) int {
		forwarded = nil
		r := httptest.NewRequest(req.Method, req.Pattern, nil)
		r.Header.Set("User-Agent", "test")
		if sign != nil {
			auth = sign(r)
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		g.Wrap(req, next).ServeHTTP(rec, r)
		if rec.Code != 200 && (forwarded != nil || !strings.Contains(rec.Body.String(), `"message"`)) {
			t.Errorf("%s: rejected with %d %s but forwarded=%v", req.Pattern, rec.Code, rec.Body, forwarded != nil)
		}
		return rec.Code
	}
	expert := func(r *http.Request) string {
		return localToken(t, []string{"manage_list"}, "CVE_USER", r)
	}
	if c := call(listRoute, "", nil); c != 401 {
		t.Errorf("no token: %d", c)
	}
	if c := call(listRoute, "garbage", nil); c != 401 {
		t.Errorf("bad token: %d", c)
	}
	if c := call(listRoute, "", expert); c != 200 || forwarded.Header.Get(authn.HeaderUser) != "alice" {
		t.Errorf("valid token: %d", c)
	}
	if c := call(createRoute, "", expert); c != 403 {
		t.Errorf("missing role: %d", c)
	}
	if c := call(basicRoute, "", nil); c != 401 {
		t.Errorf("basic without header: %d", c)
	}
	if c := call(basicRoute, "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:wrong")), nil); c != 401 {
		t.Errorf("basic wrong password: %d", c)
	}
	if c := call(basicRoute, "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:s3cret")), nil); c != 200 {
		t.Errorf("basic admin: %d", c)
	}
	// Without a verifier Bearer routes fail closed.
	g.Verifier = nil
	if c := call(listRoute, "", expert); c != 401 {
		t.Errorf("no verifier: %d", c)
	}
}
