// Package kctest is a small Keycloak-compatible OpenID Connect server for
// tests and local development.
//
// It speaks the realm endpoints that gocloak and the altrepo verifiers use:
//
//	GET  /realms/{realm}                                          realm info (public key)
//	GET  /realms/{realm}/.well-known/openid-configuration         discovery document
//	GET  /realms/{realm}/protocol/openid-connect/certs            JWKS (RS256)
//	POST /realms/{realm}/protocol/openid-connect/token            grant_type=password|refresh_token|client_credentials
//	POST /realms/{realm}/protocol/openid-connect/token/introspect token introspection
//	POST /realms/{realm}/protocol/openid-connect/logout           end the session of a refresh token
//	GET  /realms/{realm}/protocol/openid-connect/userinfo         claims of a valid access token
//
// The discovery document also names the authorization endpoint (…/auth),
// which is not served: only direct grants are supported.
//
// Access tokens look like Keycloak's: RS256 with a kid, iss =
// <base>/realms/<realm>, aud, azp = client id, exp/iat/nbf, sub,
// preferred_username, name, email, realm_access.roles,
// resource_access.<client>.roles and groups. Users, passwords, groups and
// roles come from Config; DemoConfig returns a documented demo realm.
//
// Use it with httptest:
//
//	kc := kctest.NewServer(kctest.DemoConfig())
//	ts := httptest.NewServer(kc.Handler())
//	defer ts.Close()
//	client := gocloak.NewClient(ts.URL)
//
// or standalone through the command in ./cmd/kcdev.
package kctest

import (
	"sort"
	"time"
)

// Client is an OIDC client registered in the realm.
type Client struct {
	ID string
	// Secret of a confidential client. Empty means a public client, which
	// authenticates with its client_id alone.
	Secret string
}

// User is a realm user.
type User struct {
	// ID is the subject (sub); derived from Username when empty.
	ID        string
	Username  string
	Password  string
	FirstName string
	LastName  string
	Email     string
	// Groups are group names as emitted in the "groups" claim.
	Groups []string
	// RealmRoles go to realm_access.roles.
	RealmRoles []string
	// ClientRoles maps a client id to its roles (resource_access).
	ClientRoles map[string][]string
	// Disabled users cannot log in.
	Disabled bool
}

// Config describes the realm served by a Server.
type Config struct {
	// Realm name; "altrepo" when empty.
	Realm string
	// BaseURL is the public base URL used for the issuer and the discovery
	// document. Empty: derived from each request (scheme + Host), which is
	// what httptest servers need.
	BaseURL string
	Clients []Client
	Users   []User
	// AccessTokenLifetime defaults to 5 minutes.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime (refresh_expires_in) defaults to 30 minutes.
	RefreshTokenLifetime time.Duration
	// Audience is put into the aud claim of access tokens in addition to
	// "account"; when empty the requesting client id is used.
	Audience string
	// KeyBits is the RSA key size; 2048 when zero.
	KeyBits int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Demo realm constants.
const (
	DemoRealm        = "altrepo"
	DemoClientID     = "altrepo-api"
	DemoClientSecret = "altrepo-api-secret"
)

// Roles of the access groups, as in the contract's lookup.json ("auth").
var (
	cveAdminRoles = []string{
		"manage_list", "comments_create", "comments_discard", "comments_enable",
		"cpe_manage_create", "cpe_manage_delete", "cpe_manage_update",
		"default_reasons_create", "default_reasons_disable", "default_reasons_enable",
		"errata_manage_create", "errata_manage_discard", "errata_manage_update",
		"pnc_manage_discard", "pnc_manage_create", "sa_manage_create",
		"sa_manage_discard", "sa_manage_update", "vuln_status_create", "user_aliases_create",
	}
	cveExpertRoles = []string{
		"manage_list", "comments_create", "comments_enable", "cpe_manage_create",
		"cpe_manage_update", "default_reasons_create", "errata_manage_create",
		"errata_manage_update", "pnc_manage_create", "sa_manage_create",
		"sa_manage_update", "vuln_status_create",
	}
	cveUserRoles = []string{"manage_list"}
)

// DemoConfig returns the development realm "altrepo" with the confidential
// client "altrepo-api" (secret "altrepo-api-secret") and these users:
//
//	user        password          group       client roles of altrepo-api
//	api_admin   api_admin-pass    api_admin   the 20 CVE_ADMIN roles
//	api_expert  api_expert-pass   api_expert  the 12 CVE_EXPERT roles
//	api_user    api_user-pass     api_user    manage_list (CVE_USER)
//	api_guest   api_guest-pass    (none)      (none)
//
// plus the users of the deploy/keycloak realm export, with the same groups
// and roles: admin-demo / admin-demo-pass (api_admin), expert-demo /
// expert-demo-pass (api_expert), user-demo / user-demo-pass (api_user).
//
// The passwords are public; never use this configuration outside
// development and tests.
func DemoConfig() Config {
	mk := func(name, first string, group string, roles []string) User {
		u := User{
			Username:  name,
			Password:  name + "-pass",
			FirstName: first,
			LastName:  "Demo",
			Email:     name + "@example.org",
		}
		if group != "" {
			u.Groups = []string{group}
		}
		if roles != nil {
			u.ClientRoles = map[string][]string{DemoClientID: append([]string(nil), roles...)}
		}
		u.RealmRoles = []string{"offline_access", "uma_authorization"}
		return u
	}
	return Config{
		Realm:   DemoRealm,
		Clients: []Client{{ID: DemoClientID, Secret: DemoClientSecret}},
		Users: []User{
			mk("api_admin", "Admin", "api_admin", cveAdminRoles),
			mk("api_expert", "Expert", "api_expert", cveExpertRoles),
			mk("api_user", "User", "api_user", cveUserRoles),
			mk("api_guest", "Guest", "", nil),
			mk("admin-demo", "Admin", "api_admin", cveAdminRoles),
			mk("expert-demo", "Expert", "api_expert", cveExpertRoles),
			mk("user-demo", "User", "api_user", cveUserRoles),
		},
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
