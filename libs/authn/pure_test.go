package authn

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestRankByRoles(t *testing.T) {
	cases := []struct {
		roles []string
		want  string
	}{
		{AccessGroups[0].Roles, "CVE_ADMIN"},
		{AccessGroups[1].Roles, "CVE_EXPERT"},
		{append(slices.Clone(AccessGroups[1].Roles), "user_aliases_create"), "CVE_EXPERT"},
		{[]string{"manage_list"}, "CVE_USER"},
		{[]string{"manage_list", "comments_create"}, "CVE_USER"},
		{[]string{"comments_create"}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		g, ok := RankByRoles(c.roles)
		if g.Name != c.want || ok != (c.want != "") {
			t.Errorf("RankByRoles(%v) = %q, %v; want %q", c.roles, g.Name, ok, c.want)
		}
	}
	if len(AccessGroups[0].Roles) != 20 || len(AccessGroups[1].Roles) != 12 || len(AccessGroups[2].Roles) != 1 {
		t.Fatal("role table sizes differ from the contract (20/12/1)")
	}
}

func TestRankByGroups(t *testing.T) {
	cases := []struct {
		groups []string
		want   string
	}{
		{[]string{"api_user", "api_admin"}, "CVE_ADMIN"},
		{[]string{"/org/api_expert"}, "CVE_EXPERT"},
		{[]string{"CVE_USER"}, "CVE_USER"},
		{[]string{"API_ADMIN", "other"}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		g, ok := RankByGroups(c.groups)
		if g.Name != c.want || ok != (c.want != "") {
			t.Errorf("RankByGroups(%v) = %q; want %q", c.groups, g.Name, c.want)
		}
	}
}

func TestNormalizeAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"ru-RU, ru;q=0.9, en-US;q=0.8,en;q=0.7": "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
		"fr;q=0.2, de":                          "de,fr;q=0.2",
		"en;q=1.0, *;q=0.1":                     "en,*;q=0.1",
		"":                                      "",
	}
	for in, want := range cases {
		if got := NormalizeAcceptLanguage(in); got != want {
			t.Errorf("NormalizeAcceptLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:4242"
	r.Header.Set("User-Agent", "curl/8")
	if ClientIP(r) != "10.0.0.5" {
		t.Fatalf("ClientIP = %q", ClientIP(r))
	}
	a := Fingerprint(r)
	r.Header.Set("X-Forwarded-For", " 192.0.2.1 , 10.0.0.1")
	if ClientIP(r) != "192.0.2.1" {
		t.Fatalf("ClientIP with XFF = %q", ClientIP(r))
	}
	b := Fingerprint(r)
	if a == b || len(a) != 32 {
		t.Fatalf("fingerprints %q %q", a, b)
	}
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.Header.Set("X-Forwarded-For", "192.0.2.1")
	r2.Header.Set("User-Agent", "curl/8")
	if Fingerprint(r2) != b {
		t.Fatal("same ip/ua/lang must give the same fingerprint")
	}
	r2.Header.Set("Accept-Language", "de")
	if Fingerprint(r2) == b {
		t.Fatal("accept-language must change the fingerprint")
	}
}

func TestIdentityHeaders(t *testing.T) {
	id := Identity{Subject: "s-1", User: "alice", DisplayName: "Алиса Ж., 100%", Group: "CVE_EXPERT",
		Roles: []string{"a", "b"}, Provider: ProviderKeycloak, TokenID: "jti-1"}
	h := http.Header{}
	h.Set("X-Altrepo-User", "mallory")
	h["x-altrepo-group"] = []string{"CVE_ADMIN"} // non-canonical key
	h.Set("X-Other", "keep")
	StripIdentityHeaders(h)
	if h.Get("X-Altrepo-User") != "" || len(h["x-altrepo-group"]) != 0 || h.Get("X-Other") != "keep" {
		t.Fatalf("strip left %v", h)
	}
	if _, ok := IdentityFromHeaders(h); ok {
		t.Fatal("identity found after strip")
	}
	id.SetHeaders(h)
	for k, vs := range h {
		for _, v := range vs {
			for _, c := range []byte(v) {
				if c < 0x20 || c > 0x7e {
					t.Fatalf("header %s has non-ASCII value %q", k, v)
				}
			}
		}
	}
	got, ok := IdentityFromHeaders(h)
	if !ok || got.User != "alice" || got.DisplayName != id.DisplayName || got.Group != "CVE_EXPERT" ||
		!slices.Equal(got.Roles, []string{"a", "b"}) || got.Subject != "s-1" || got.TokenID != "jti-1" {
		t.Fatalf("round trip: %+v", got)
	}
	if got.APIGroup() != "api_expert" {
		t.Fatalf("APIGroup = %q", got.APIGroup())
	}
}

func TestTokenFromHeader(t *testing.T) {
	for in, want := range map[string]string{"abc.def.ghi": "abc.def.ghi", "Bearer abc.def.ghi": "abc.def.ghi",
		"bearer  abc": "abc", " ": "", "Bearer": "", "Bearer ": ""} {
		if got := TokenFromHeader(in); got != want {
			t.Errorf("TokenFromHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequireBasicAdmin(t *testing.T) {
	sum := sha512.Sum512([]byte("s3cret"))
	mw := RequireBasicAdmin("admin", hex.EncodeToString(sum[:]))
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(HeaderUser) != "" {
			t.Error("identity header leaked through basic admin")
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		auth   string
		status int
		msg    string
	}{
		{"", 401, MsgUnauthorized},
		{"Basic", 401, MsgTokenValidation},
		{"Basic !!!", 401, MsgTokenValidation},
		{"Basic " + b64("admin"), 401, MsgTokenValidation},
		{"Basic " + b64("admin:s3:cret"), 401, MsgTokenValidation},
		{"Basic " + b64("admin:wrong"), 401, MsgAuthorizationFail},
		{"Basic " + b64("root:s3cret"), 401, MsgAuthorizationFail},
		{"Basic " + b64("admin:s3cret"), 204, ""},
		{"Whatever " + b64("admin:s3cret"), 204, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/api/package/repocop", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		r.Header.Set(HeaderUser, "forged")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%q: status %d, want %d", c.auth, w.Code, c.status)
			continue
		}
		if c.msg != "" {
			var body map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["message"] != c.msg || len(body) != 1 {
				t.Errorf("%q: body %s, want message %q", c.auth, w.Body.String(), c.msg)
			}
			if w.Header().Get("WWW-Authenticate") != "" {
				t.Errorf("%q: unexpected WWW-Authenticate", c.auth)
			}
		}
	}
}
