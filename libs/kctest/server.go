package kctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signingKey is one realm RSA key.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// session is a user session created by a password grant.
type session struct {
	id       string
	user     string
	clientID string
	scope    string
	expires  time.Time
	active   bool
}

// Server is a Keycloak-compatible OIDC server for one realm.
type Server struct {
	cfg     Config
	users   map[string]*User
	clients map[string]Client

	mu            sync.Mutex
	keys          []*signingKey // the last one signs
	refreshSecret []byte
	sessions      map[string]*session
	baseURL       string

	certsRequests atomic.Int64
	unavailable   atomic.Bool
}

// NewServer creates a server for cfg. It panics when no RSA key can be
// generated (which only happens when the system random source fails).
func NewServer(cfg Config) *Server {
	if cfg.Realm == "" {
		cfg.Realm = DemoRealm
	}
	if cfg.AccessTokenLifetime <= 0 {
		cfg.AccessTokenLifetime = 5 * time.Minute
	}
	if cfg.RefreshTokenLifetime <= 0 {
		cfg.RefreshTokenLifetime = 30 * time.Minute
	}
	if cfg.KeyBits == 0 {
		cfg.KeyBits = 2048
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:      cfg,
		users:    map[string]*User{},
		clients:  map[string]Client{},
		sessions: map[string]*session{},
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
	}
	for i := range cfg.Users {
		u := cfg.Users[i]
		if u.ID == "" {
			u.ID = userID(u.Username)
		}
		s.users[strings.ToLower(u.Username)] = &u
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = c
	}
	s.refreshSecret = make([]byte, 64)
	if _, err := rand.Read(s.refreshSecret); err != nil {
		panic(fmt.Errorf("kctest: refresh secret: %w", err))
	}
	if _, err := s.addKey(); err != nil {
		panic(err)
	}
	return s
}

// userID derives a stable UUID-shaped subject from a user name.
func userID(name string) string {
	var b [16]byte
	copy(b[:], []byte(name+"----------------"))
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newKID returns a random key id whose RS256 JOSE header encodes to
// base64url without '-' or '_' (gocloak decodes the header with the
// standard alphabet).
func newKID() (string, error) {
	for {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("kctest: key id: %w", err)
		}
		kid := hex.EncodeToString(b[:])
		hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": kid, "typ": "JWT"})
		if !strings.ContainsAny(base64.RawURLEncoding.EncodeToString(hdr), "-_") {
			return kid, nil
		}
	}
}

func (s *Server) addKey() (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, s.cfg.KeyBits)
	if err != nil {
		return "", fmt.Errorf("kctest: generate RSA key: %w", err)
	}
	kid, err := newKID()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.keys = append(s.keys, &signingKey{kid: kid, priv: priv})
	s.mu.Unlock()
	return kid, nil
}

// Rotate adds a new signing key and makes it current. The old keys stay
// published in the JWKS until DropOldKeys. It returns the new key id.
func (s *Server) Rotate() string {
	kid, err := s.addKey()
	if err != nil {
		panic(err)
	}
	return kid
}

// DropOldKeys removes every key but the current one from the JWKS; tokens
// signed with the old keys stop validating here.
func (s *Server) DropOldKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = s.keys[len(s.keys)-1:]
}

// CurrentKID returns the id of the current signing key.
func (s *Server) CurrentKID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1].kid
}

// PublicKey returns the current public signing key.
func (s *Server) PublicKey() *rsa.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &s.keys[len(s.keys)-1].priv.PublicKey
}

// CertsRequests returns how many times the JWKS endpoint was requested.
func (s *Server) CertsRequests() int64 { return s.certsRequests.Load() }

// SetUnavailable makes every endpoint answer 503 (true) or serve normally
// (false), to simulate a Keycloak outage without closing the listener.
func (s *Server) SetUnavailable(down bool) { s.unavailable.Store(down) }

// SetBaseURL sets the public base URL (e.g. an httptest server's URL),
// which fixes the issuer.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Realm returns the realm name.
func (s *Server) Realm() string { return s.cfg.Realm }

// Issuer returns the issuer for the configured base URL
// (<base>/realms/<realm>); empty when no base URL is known yet.
func (s *Server) Issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.baseURL == "" {
		return ""
	}
	return s.baseURL + "/realms/" + s.cfg.Realm
}

func (s *Server) issuerFor(r *http.Request) string {
	if iss := s.Issuer(); iss != "" {
		return iss
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + "/realms/" + s.cfg.Realm
}

// Sign signs claims with the current realm key (RS256, with kid), exactly
// as the server signs its own access tokens. Tests use it to craft
// tokens with unusual claims.
func (s *Server) Sign(claims jwt.MapClaims) (string, error) {
	s.mu.Lock()
	k := s.keys[len(s.keys)-1]
	s.mu.Unlock()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = k.kid
	out, err := t.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("kctest: sign: %w", err)
	}
	return out, nil
}

// AccessTokenClaims returns the claims of an access token the server would
// issue now for username and clientID (session id "test-session"), using
// the base URL set with SetBaseURL. Tests modify and Sign them.
func (s *Server) AccessTokenClaims(username, clientID string) (jwt.MapClaims, error) {
	u, ok := s.users[strings.ToLower(username)]
	if !ok {
		return nil, fmt.Errorf("kctest: unknown user %q", username)
	}
	iss := s.Issuer()
	if iss == "" {
		return nil, errors.New("kctest: base URL not set")
	}
	return s.accessClaims(iss, u, clientID, "test-session", "openid profile email"), nil
}

// MintAccessToken issues a signed access token for username without a
// session (userinfo will not accept it, verifiers will).
func (s *Server) MintAccessToken(username, clientID string) (string, error) {
	c, err := s.AccessTokenClaims(username, clientID)
	if err != nil {
		return "", err
	}
	return s.Sign(c)
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func (u *User) displayName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

func (s *Server) accessClaims(iss string, u *User, clientID, sid, scope string) jwt.MapClaims {
	now := s.cfg.Now()
	aud := s.cfg.Audience
	if aud == "" {
		aud = clientID
	}
	resource := map[string]any{
		"account": map[string]any{"roles": []string{"manage-account", "view-profile"}},
	}
	for c, roles := range u.ClientRoles {
		resource[c] = map[string]any{"roles": sortedCopy(roles)}
	}
	return jwt.MapClaims{
		"exp":                now.Add(s.cfg.AccessTokenLifetime).Unix(),
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"auth_time":          now.Unix(),
		"jti":                randomID(),
		"iss":                iss,
		"aud":                []string{aud, "account"},
		"sub":                u.ID,
		"typ":                "Bearer",
		"azp":                clientID,
		"sid":                sid,
		"session_state":      sid,
		"acr":                "1",
		"scope":              scope,
		"email_verified":     true,
		"name":               u.displayName(),
		"preferred_username": strings.ToLower(u.Username),
		"given_name":         u.FirstName,
		"family_name":        u.LastName,
		"email":              u.Email,
		"realm_access":       map[string]any{"roles": sortedCopy(u.RealmRoles)},
		"resource_access":    resource,
		"groups":             sortedCopy(u.Groups),
	}
}

// publicJWK renders an RSA public key as a JWK.
func publicJWK(k *signingKey) map[string]any {
	pub := &k.priv.PublicKey
	return map[string]any{
		"kid": k.kid,
		"kty": "RSA",
		"alg": "RS256",
		"use": "sig",
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}
