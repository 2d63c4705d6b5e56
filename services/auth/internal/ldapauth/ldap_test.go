package ldapauth_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"altrepo/services/auth/internal/ldapauth"
	"altrepo/services/auth/internal/ldaptest"
)

func provider(t *testing.T, uri string, groups map[string]string) *ldapauth.Provider {
	t.Helper()
	p, err := ldapauth.New(ldapauth.Config{URI: uri, UserSearch: ldaptest.UserSearch, RequireGroup: ldaptest.RequireGroup, Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAuthenticate(t *testing.T) {
	srv := ldaptest.Start(t)
	groups := map[string]string{"API_ADMIN": "api-admins", "CVE_ADMIN": "cve-admins", "CVE_EXPERT": "cve-experts", "CVE_USER": "cve-experts"}
	p := provider(t, srv.URI, groups)
	ctx := context.Background()
	c, err := srv.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mo, err := c.Search(ldap.NewSearchRequest("uid=alice,ou=people,"+ldaptest.Suffix, ldap.ScopeBaseObject,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"memberOf"}, nil))
	if err != nil || len(mo.Entries) != 1 || mo.Entries[0].GetAttributeValue("memberOf") == "" {
		t.Fatalf("memberof overlay inactive: %v", err)
	}

	res, err := p.Authenticate(ctx, "alice", "alice-pass")
	if err != nil {
		t.Fatalf("alice: %v", err)
	}
	if res.DisplayName != "Алиса Expert" || !slices.Equal(res.AccessGroups, []string{"CVE_EXPERT", "CVE_USER"}) {
		t.Fatalf("alice = %+v", res)
	}
	res, err = p.Authenticate(ctx, "carol", "carol-pass")
	if err != nil || !slices.Equal(res.AccessGroups, []string{"API_ADMIN"}) {
		t.Fatalf("carol = %+v %v", res, err)
	}
	res, err = p.Authenticate(ctx, "dave", "dave-pass")
	if err != nil || !slices.Equal(res.AccessGroups, []string{"CVE_ADMIN"}) || res.DisplayName != "" {
		t.Fatalf("dave = %+v %v", res, err)
	}
	if _, err := p.Authenticate(ctx, "bob", "bob-pass"); !errors.Is(err, ldapauth.ErrNotAuthorized) {
		t.Fatalf("bob: %v", err)
	}
	for _, c := range [][2]string{{"alice", "wrong"}, {"alice", ""}, {"nobody", "x"}} {
		if _, err := p.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ldapauth.ErrInvalidCredentials) {
			t.Fatalf("%v: %v", c, err)
		}
	}
}

func TestCompareFallback(t *testing.T) {
	srv := ldaptest.StartWithoutMemberOf(t)
	// Without the memberof overlay the memberOf search finds nothing; the
	// compare of the group's member attribute decides.
	c, err := srv.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Search(ldap.NewSearchRequest("uid=alice,ou=people,"+ldaptest.Suffix, ldap.ScopeBaseObject,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"memberOf"}, nil))
	if err != nil || len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("memberOf") != "" {
		t.Fatalf("memberOf present without overlay: %v", err)
	}
	p := provider(t, srv.URI, map[string]string{"CVE_USER": "cve-experts", "CVE_ADMIN": "cve-admins"})
	got, err := p.Authenticate(context.Background(), "alice", "alice-pass")
	if err != nil || !slices.Equal(got.AccessGroups, []string{"CVE_USER"}) {
		t.Fatalf("alice = %+v %v", got, err)
	}
	if _, err := p.Authenticate(context.Background(), "bob", "bob-pass"); !errors.Is(err, ldapauth.ErrNotAuthorized) {
		t.Fatalf("bob: %v", err)
	}
}

func TestServerDown(t *testing.T) {
	p := provider(t, "ldap://127.0.0.1:1", map[string]string{"CVE_USER": "x"})
	_, err := p.Authenticate(context.Background(), "alice", "alice-pass")
	if err == nil || errors.Is(err, ldapauth.ErrInvalidCredentials) || errors.Is(err, ldapauth.ErrNotAuthorized) {
		t.Fatalf("server down: %v", err)
	}
}

func TestNewValidation(t *testing.T) {
	if _, err := ldapauth.New(ldapauth.Config{URI: "ldap://x"}); err == nil {
		t.Fatal("missing user search accepted")
	}
	if _, err := ldapauth.New(ldapauth.Config{URI: "ldap://x", UserSearch: "uid=fixed"}); err == nil {
		t.Fatal("template without %(user)s accepted")
	}
}
