package authn

import (
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"unicode/utf8"
)

// RequireBasicAdmin returns middleware for the admin Basic scheme of the
// upload endpoints: user is ADMIN_USER, sha512hex is ADMIN_PASSWORD (the
// SHA-512 hex digest of the password). Responses follow the reference:
// no header -> 401 "Unauthorized"; undecodable credentials -> 401
// "Token validation error"; wrong user or password -> 401 "authorization
// failed". The scheme word is not checked.
func RequireBasicAdmin(user, sha512hex string) func(http.Handler) http.Handler {
	want := strings.ToLower(strings.TrimSpace(sha512hex))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			StripIdentityHeaders(r.Header)
			h := r.Header.Get("Authorization")
			if h == "" {
				WriteError(w, http.StatusUnauthorized, MsgUnauthorized)
				return
			}
			u, p, ok := parseBasic(h)
			if !ok {
				WriteError(w, http.StatusUnauthorized, MsgTokenValidation)
				return
			}
			sum := sha512.Sum512([]byte(p))
			got := hex.EncodeToString(sum[:])
			userOK := subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1
			passOK := want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
			if !userOK || !passOK {
				WriteError(w, http.StatusUnauthorized, MsgAuthorizationFail)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// parseBasic decodes the second whitespace-separated word as base64
// "user:password" with exactly one colon.
func parseBasic(h string) (string, string, bool) {
	words := strings.Fields(h)
	if len(words) < 2 {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(words[1])
	if err != nil {
		return "", "", false
	}
	if !utf8.Valid(raw) {
		return "", "", false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 2 {
		return "", "", false
	}
	return parts[0], parts[1], true
}
