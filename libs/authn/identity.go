package authn

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Providers of an Identity.
const (
	ProviderKeycloak = "keycloak"
	ProviderLDAP     = "ldap"
)

// Identity is the authenticated caller.
type Identity struct {
	// Subject is the Keycloak sub, or the nickname for local tokens.
	Subject string
	// User is preferred_username (Keycloak) or nickname (local).
	User        string
	DisplayName string
	// Group is the access group: CVE_ADMIN, CVE_EXPERT or CVE_USER.
	Group string
	// Roles are sorted and de-duplicated.
	Roles []string
	// Provider is ProviderKeycloak or ProviderLDAP.
	Provider string
	// TokenID is the jti (Keycloak) or the ns claim (local tokens).
	TokenID string
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time
}

// HasRole reports whether the identity holds role.
func (id Identity) HasRole(role string) bool { return slices.Contains(id.Roles, role) }

// APIGroup returns the API group name of the identity's access group
// ("api_admin", ...), or "".
func (id Identity) APIGroup() string {
	if g, ok := GroupByName(id.Group); ok {
		return g.APIGroup
	}
	return ""
}

// Identity propagation headers, set by the gateway on upstream requests.
const (
	HeaderSubject     = "X-Altrepo-Subject"
	HeaderUser        = "X-Altrepo-User"
	HeaderDisplayName = "X-Altrepo-Display-Name"
	HeaderGroup       = "X-Altrepo-Group"
	HeaderRoles       = "X-Altrepo-Roles"
	HeaderProvider    = "X-Altrepo-Provider"
	HeaderTokenID     = "X-Altrepo-Token-Id"
	HeaderExpires     = "X-Altrepo-Token-Expires"
)

// IdentityHeaders lists every header StripIdentityHeaders removes.
var IdentityHeaders = []string{
	HeaderSubject, HeaderUser, HeaderDisplayName, HeaderGroup,
	HeaderRoles, HeaderProvider, HeaderTokenID, HeaderExpires,
}

// StripIdentityHeaders removes the identity headers (any spelling; Go
// canonicalizes header keys) so that clients can never forge them. The
// gateway calls it on every incoming request.
func StripIdentityHeaders(h http.Header) {
	for _, k := range IdentityHeaders {
		h.Del(k)
	}
	// Non-canonical keys put into the map directly.
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-altrepo-") && slices.Contains(IdentityHeaders, http.CanonicalHeaderKey(k)) {
			delete(h, k)
		}
	}
}

// SetHeaders writes the identity into h (replacing earlier values). The
// display name is percent-encoded because it may hold non-ASCII text.
func (id Identity) SetHeaders(h http.Header) {
	StripIdentityHeaders(h)
	h.Set(HeaderSubject, id.Subject)
	h.Set(HeaderUser, id.User)
	h.Set(HeaderDisplayName, url.PathEscape(id.DisplayName))
	h.Set(HeaderGroup, id.Group)
	h.Set(HeaderRoles, strings.Join(id.Roles, ","))
	h.Set(HeaderProvider, id.Provider)
	h.Set(HeaderTokenID, id.TokenID)
	if !id.ExpiresAt.IsZero() {
		h.Set(HeaderExpires, strconv.FormatInt(id.ExpiresAt.Unix(), 10))
	}
}

// IdentityFromHeaders reads an identity set by SetHeaders; ok is false when
// no user header is present. Upstream services trust these headers only
// because the gateway strips them from client requests.
func IdentityFromHeaders(h http.Header) (Identity, bool) {
	user := h.Get(HeaderUser)
	if user == "" {
		return Identity{}, false
	}
	id := Identity{
		Subject:  h.Get(HeaderSubject),
		User:     user,
		Group:    h.Get(HeaderGroup),
		Provider: h.Get(HeaderProvider),
		TokenID:  h.Get(HeaderTokenID),
	}
	if dn, err := url.PathUnescape(h.Get(HeaderDisplayName)); err == nil {
		id.DisplayName = dn
	}
	if r := h.Get(HeaderRoles); r != "" {
		id.Roles = normalizeRoles(strings.Split(r, ","))
	}
	if e, err := strconv.ParseInt(h.Get(HeaderExpires), 10, 64); err == nil {
		id.ExpiresAt = time.Unix(e, 0)
	}
	return id, true
}

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity stored by the middleware.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(Identity)
	return id, ok
}
