package security

import (
	"net/http"

	"altrepo/libs/authn"
)

// Authn is the Guard backed by libs/authn: Bearer routes verify the token
// (and role) with Verifier, BasicAuth routes check the configured admin.
// The verified identity travels upstream in the X-Altrepo-* headers.
type Authn struct {
	// Verifier checks tokens; nil makes every Bearer route fail closed.
	Verifier *authn.Verifier
	// AdminUser and AdminPasswordSHA512 are [OTHER] ADMIN_USER and
	// ADMIN_PASSWORD; an empty digest refuses every Basic request.
	AdminUser, AdminPasswordSHA512 string
	// ManageListRole replaces the role of routes whose role comes from
	// KEYCLOAK_MANAGE_LIST_ROLE ("" keeps the contract's manage_list).
	ManageListRole string
}

// Wrap returns next behind the check req asks for.
func (g Authn) Wrap(req Requirement, next http.Handler) http.Handler {
	switch req.Scheme {
	case SchemeBasicAdmin:
		return authn.RequireBasicAdmin(g.AdminUser, g.AdminPasswordSHA512)(next)
	case SchemeBearer:
		if g.Verifier == nil {
			return DenyAll{}.Wrap(req, next)
		}
		role := ""
		if req.ValidateRole {
			role = req.Role
			if req.RoleSetting == "KEYCLOAK_MANAGE_LIST_ROLE" && g.ManageListRole != "" {
				role = g.ManageListRole
			}
		}
		return g.Verifier.Require(role)(next)
	}
	return DenyAll{}.Wrap(req, next)
}
