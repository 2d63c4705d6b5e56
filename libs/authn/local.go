package authn

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// LocalClaims are the claims of a locally issued (LDAP provider) token.
// Only exp of the registered claims is used.
type LocalClaims struct {
	Nickname    string   `json:"nickname"`
	DisplayName string   `json:"display_name"`
	Fingerprint string   `json:"fingerprint"`
	NS          int64    `json:"ns"`
	Group       *string  `json:"group"`
	Roles       []string `json:"roles"`
	Provider    string   `json:"provider"`
	jwt.RegisteredClaims
}

// SignLocal signs claims as a local token: HS256 with secret (the
// configured ADMIN_PASSWORD digest string) and the JOSE header
// {"alg":"HS256","provider":"ldap","typ":"JWT"}. Provider is forced to
// "ldap"; a zero NS is replaced by the current Unix nanoseconds.
func SignLocal(secret string, c LocalClaims) (string, error) {
	if secret == "" {
		return "", errors.New("sign local token: empty secret")
	}
	if c.ExpiresAt == nil {
		return "", errors.New("sign local token: exp is required")
	}
	c.Provider = ProviderLDAP
	if c.NS == 0 {
		c.NS = time.Now().UnixNano()
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["provider"] = ProviderLDAP
	s, err := t.SignedString([]byte(secret))
	if err != nil {
		return "", fmt.Errorf("sign local token: %w", err)
	}
	return s, nil
}

// ParseLocal verifies a local token's signature (HS256 only) and, unless
// skipExpiry is set, its exp (with leeway). now may be nil.
func ParseLocal(secret, token string, skipExpiry bool, leeway time.Duration, now func() time.Time) (*LocalClaims, error) {
	if secret == "" {
		return nil, errors.New("local tokens are not configured")
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"}), jwt.WithLeeway(leeway)}
	if now != nil {
		opts = append(opts, jwt.WithTimeFunc(now))
	}
	if skipExpiry {
		opts = append(opts, jwt.WithoutClaimsValidation())
	} else {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	c := &LocalClaims{}
	if _, err := jwt.ParseWithClaims(token, c, func(*jwt.Token) (any, error) { return []byte(secret), nil }, opts...); err != nil {
		return nil, fmt.Errorf("parse local token: %w", err)
	}
	if c.Nickname == "" {
		return nil, errors.New("parse local token: no nickname")
	}
	return c, nil
}

// IsLocalToken reports whether the unverified JOSE header names the
// provider "ldap" (the reference's rule for telling token kinds apart).
func IsLocalToken(token string) bool {
	t, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		return false
	}
	p, _ := t.Header["provider"].(string)
	return p == ProviderLDAP
}
