// Package authn verifies the access tokens accepted by the altrepo API:
// Keycloak tokens (RS256, checked against the realm's JWKS) and locally
// issued tokens of the LDAP provider (HS256 with the configured secret,
// bound to the client fingerprint). It resolves the caller's access group
// and roles into an Identity, propagates it to upstream services in
// X-Altrepo-* headers and provides the HTTP middlewares the gateway mounts
// (token authentication and the admin Basic scheme). See README.md for
// configuration and failure behaviour.
package authn

import (
	"slices"
	"sort"
	"strings"
)

// AccessGroup is one of the access groups that carry roles.
type AccessGroup struct {
	// Name is the access group ("CVE_ADMIN", "CVE_EXPERT", "CVE_USER").
	Name string
	// APIGroup is its API group name ("api_admin", "api_expert", "api_user").
	APIGroup string
	// Roles are the exact role strings of the group.
	Roles []string
}

// ManageListRole is the role required by most token-protected routes.
const ManageListRole = "manage_list"

// AccessGroups lists the role-carrying access groups, highest rank first
// (the contract ranks by number of roles: 20 > 12 > 1).
var AccessGroups = []AccessGroup{
	{Name: "CVE_ADMIN", APIGroup: "api_admin", Roles: []string{
		"manage_list", "comments_create", "comments_discard", "comments_enable",
		"cpe_manage_create", "cpe_manage_delete", "cpe_manage_update",
		"default_reasons_create", "default_reasons_disable", "default_reasons_enable",
		"errata_manage_create", "errata_manage_discard", "errata_manage_update",
		"pnc_manage_discard", "pnc_manage_create", "sa_manage_create",
		"sa_manage_discard", "sa_manage_update", "vuln_status_create", "user_aliases_create",
	}},
	{Name: "CVE_EXPERT", APIGroup: "api_expert", Roles: []string{
		"manage_list", "comments_create", "comments_enable", "cpe_manage_create",
		"cpe_manage_update", "default_reasons_create", "errata_manage_create",
		"errata_manage_update", "pnc_manage_create", "sa_manage_create",
		"sa_manage_update", "vuln_status_create",
	}},
	{Name: "CVE_USER", APIGroup: "api_user", Roles: []string{"manage_list"}},
}

// RankByRoles returns the highest-ranked access group whose entire role
// list is contained in roles.
func RankByRoles(roles []string) (AccessGroup, bool) {
	have := make(map[string]bool, len(roles))
	for _, r := range roles {
		have[r] = true
	}
	for _, g := range AccessGroups {
		all := true
		for _, r := range g.Roles {
			if !have[r] {
				all = false
				break
			}
		}
		if all {
			return g, true
		}
	}
	return AccessGroup{}, false
}

// RankByGroups returns the highest-ranked access group named in groups.
// A group may be given as its access group name (CVE_ADMIN), its API group
// name (api_admin) or a Keycloak group path ("/some/api_admin": the last
// segment counts).
func RankByGroups(groups []string) (AccessGroup, bool) {
	for _, g := range AccessGroups {
		for _, name := range groups {
			if i := strings.LastIndex(name, "/"); i >= 0 {
				name = name[i+1:]
			}
			if name == g.APIGroup || name == g.Name {
				return g, true
			}
		}
	}
	return AccessGroup{}, false
}

// GroupByName returns the access group with the given access group or API
// group name.
func GroupByName(name string) (AccessGroup, bool) {
	return RankByGroups([]string{name})
}

// normalizeRoles returns a sorted, de-duplicated copy without empty strings.
func normalizeRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if r != "" {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
