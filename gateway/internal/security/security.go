// Package security holds the gateway's table of protected routes (generated
// from the contract) and the Guard that checks a request before it is
// forwarded. The gateway fails closed: a protected route is never forwarded
// unless a Guard has accepted the request.
package security

//go:generate go run ./gen -out requirements_gen.go

import (
	"net/http"
	"strings"

	"altrepo/gateway/internal/httpx"
)

// Scheme is an authentication scheme of the contract.
type Scheme int

const (
	// SchemeBearer is a token in the Authorization header (local or Keycloak JWT).
	SchemeBearer Scheme = iota + 1
	// SchemeBasicAdmin is HTTP Basic with the configured admin user.
	SchemeBasicAdmin
)

func (s Scheme) String() string {
	switch s {
	case SchemeBearer:
		return "Bearer"
	case SchemeBasicAdmin:
		return "BasicAuth"
	}
	return "unknown"
}

// Requirement is what one (method, path pattern) of the contract needs.
type Requirement struct {
	Method string
	// Pattern is the contract path with {name} for a path parameter.
	Pattern string
	Scheme  Scheme
	// Role must be held by the token ("" = any valid token).
	Role string
	// ValidateRole is false for routes that accept any valid token.
	ValidateRole bool
	// RoleSetting names the [KEYCLOAK] key that holds the role name, if any.
	RoleSetting string
}

// Table finds the requirement of a request.
type Table struct {
	reqs []Requirement
	segs [][]string
}

// Contract returns the table generated from the contract.
func Contract() *Table { return NewTable(contractRequirements) }

// NewTable builds a table from requirements.
func NewTable(reqs []Requirement) *Table {
	t := &Table{reqs: append([]Requirement(nil), reqs...)}
	for _, r := range t.reqs {
		t.segs = append(t.segs, strings.Split(strings.Trim(r.Pattern, "/"), "/"))
	}
	return t
}

// Requirements returns a copy of the table's entries.
func (t *Table) Requirements() []Requirement { return append([]Requirement(nil), t.reqs...) }

// Lookup returns the index and requirement of method and path. HEAD is
// checked as GET; a trailing slash is ignored; a {name} pattern segment
// matches any single segment.
func (t *Table) Lookup(method, path string) (int, Requirement, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, r := range t.reqs {
		if r.Method != method || len(t.segs[i]) != len(segs) {
			continue
		}
		if matchSegs(t.segs[i], segs) {
			return i, r, true
		}
	}
	return -1, Requirement{}, false
}

func matchSegs(pattern, segs []string) bool {
	for j, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			continue
		}
		if p != segs[j] {
			return false
		}
	}
	return true
}

// Guard checks a request against a requirement before next runs. An
// implementation must answer the request itself (401/403) when the check
// fails, and must not call next in that case.
type Guard interface {
	Wrap(req Requirement, next http.Handler) http.Handler
}

// GuardFunc adapts a function to the Guard interface.
type GuardFunc func(req Requirement, next http.Handler) http.Handler

// Wrap calls f.
func (f GuardFunc) Wrap(req Requirement, next http.Handler) http.Handler { return f(req, next) }

// DenyAll is the fail-closed guard used while no verifier is configured:
// every protected request is answered 401 and never forwarded.
type DenyAll struct{}

// Wrap ignores next.
func (DenyAll) Wrap(req Requirement, _ http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			// The reference's messages for a missing header.
			if req.Scheme == SchemeBasicAdmin {
				httpx.Message(w, http.StatusUnauthorized, "Unauthorized")
			} else {
				httpx.Message(w, http.StatusUnauthorized, "Authentication token is required")
			}
			return
		}
		httpx.Message(w, http.StatusUnauthorized, "Authentication is not available at the gateway")
	})
}
