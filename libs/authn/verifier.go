package authn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"
)

// Config configures a Verifier. See README.md for the mapping to the
// reference's configuration keys.
type Config struct {
	// KeycloakURL is KEYCLOAK_SERVER_URL (e.g. https://sso.example.org);
	// empty disables Keycloak tokens.
	KeycloakURL string
	// Realm is KEYCLOAK_REALM.
	Realm string
	// ClientID is KEYCLOAK_CLIENT_ID: tokens must name it in aud or azp,
	// and roles are its client roles (resource_access.<ClientID>.roles).
	ClientID string
	// Issuer overrides the expected iss (default KeycloakURL/realms/Realm),
	// for a Keycloak whose public URL differs from the internal one.
	Issuer string
	// JWKSURL overrides the key set URL (default
	// KeycloakURL/realms/Realm/protocol/openid-connect/certs).
	JWKSURL string
	// HTTPClient fetches the JWKS; see NewKeycloakHTTPClient for the TLS
	// settings. Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// JWKSMinRefresh is the minimum interval between two key set fetches
	// (default 30 s); JWKSMaxAge is how long a fetched set is used before
	// it is refreshed (default 15 min; the old set is kept if the refresh
	// fails).
	JWKSMinRefresh time.Duration
	JWKSMaxAge     time.Duration

	// LocalSecret is [OTHER] ADMIN_PASSWORD (the SHA-512 hex string), the
	// HS256 key of local tokens; empty disables local tokens.
	LocalSecret string

	// Redis holds the token blacklist ([REDIS] REDIS_URL); nil disables
	// blacklist checks.
	Redis redis.UniversalClient
	// AccessTokenTTL is EXPIRES_ACCESS_TOKEN, the TTL of blacklist entries
	// (default 300 s).
	AccessTokenTTL time.Duration
	// BlacklistFailOpen accepts tokens when the blacklist cannot be read
	// (Redis down). Default false: such requests get 503.
	BlacklistFailOpen bool

	// Leeway tolerates clock skew for exp and nbf (default 10 s).
	Leeway time.Duration
	// Logger defaults to a discarding logger. Tokens are never logged.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Verifier verifies access tokens.
type Verifier struct {
	cfg       Config
	issuer    string
	jwks      *jwksCache
	blacklist *Blacklist
	log       *slog.Logger
}

// New validates cfg and returns a Verifier. It does not contact Keycloak;
// call Prefetch to load the key set eagerly.
func New(cfg Config) (*Verifier, error) {
	if cfg.KeycloakURL == "" && cfg.LocalSecret == "" {
		return nil, errors.New("authn: neither Keycloak nor local tokens configured")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 10 * time.Second
	}
	if cfg.JWKSMinRefresh <= 0 {
		cfg.JWKSMinRefresh = 30 * time.Second
	}
	if cfg.JWKSMaxAge <= 0 {
		cfg.JWKSMaxAge = 15 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	v := &Verifier{cfg: cfg, log: log}
	if cfg.KeycloakURL != "" {
		if cfg.Realm == "" || cfg.ClientID == "" {
			return nil, errors.New("authn: KEYCLOAK_REALM and KEYCLOAK_CLIENT_ID are required with KEYCLOAK_SERVER_URL")
		}
		base := strings.TrimRight(cfg.KeycloakURL, "/") + "/realms/" + cfg.Realm
		v.issuer = base
		if cfg.Issuer != "" {
			v.issuer = cfg.Issuer
		}
		url := base + "/protocol/openid-connect/certs"
		if cfg.JWKSURL != "" {
			url = cfg.JWKSURL
		}
		v.jwks = &jwksCache{url: url, client: cfg.HTTPClient, minInterval: cfg.JWKSMinRefresh, maxAge: cfg.JWKSMaxAge, now: cfg.Now}
	}
	if cfg.Redis != nil {
		v.blacklist = NewBlacklist(cfg.Redis, cfg.AccessTokenTTL)
	}
	return v, nil
}

// Prefetch loads the Keycloak key set (no-op without Keycloak).
func (v *Verifier) Prefetch(ctx context.Context) error {
	if v.jwks == nil {
		return nil
	}
	if err := v.jwks.refresh(ctx, true); err != nil {
		return fmt.Errorf("authn prefetch: %w", err)
	}
	return nil
}

// Blacklist returns the verifier's blacklist (nil without Redis).
func (v *Verifier) Blacklist() *Blacklist { return v.blacklist }

// TokenFromHeader extracts the token from an Authorization value: the bare
// JWT (what the reference's clients send) or "Bearer <jwt>".
func TokenFromHeader(value string) string {
	value = strings.TrimSpace(value)
	if len(value) > 7 && strings.EqualFold(value[:7], "bearer ") {
		value = strings.TrimSpace(value[7:])
	} else if strings.EqualFold(value, "bearer") {
		value = ""
	}
	return value
}

// VerifyRequest verifies the request's Authorization header and requires
// role ("" = any valid token whose roles or groups rank into an access
// group). The request fingerprint binds local tokens.
func (v *Verifier) VerifyRequest(r *http.Request, role string) (Identity, error) {
	return v.Verify(r.Context(), r.Header.Get("Authorization"), Fingerprint(r), role)
}

// Verify verifies an Authorization header value. Failures are *Error.
func (v *Verifier) Verify(ctx context.Context, authorization, fingerprint, role string) (Identity, error) {
	token := TokenFromHeader(authorization)
	if token == "" {
		return Identity{}, fail(http.StatusUnauthorized, MsgTokenRequired, nil)
	}
	var (
		id       Identity
		groups   []string
		boundTo  string
		isLocal  = IsLocalToken(token)
		err      error
		provider = ProviderKeycloak
	)
	if isLocal {
		provider = ProviderLDAP
		id, groups, boundTo, err = v.parseLocal(token)
	} else {
		id, groups, err = v.parseKeycloak(ctx, token)
	}
	if err != nil {
		v.log.InfoContext(ctx, "access token rejected", "provider", provider, "err", err)
		return Identity{}, err
	}
	if err := v.checkBlacklist(ctx, token, id, isLocal, boundTo, fingerprint); err != nil {
		v.log.InfoContext(ctx, "access token rejected", "provider", provider, "user", id.User, "err", err)
		return Identity{}, err
	}
	if role != "" && !id.HasRole(role) {
		v.log.InfoContext(ctx, "access denied", "user", id.User, "role", role)
		return Identity{}, fail(http.StatusForbidden, MsgAccessDenied, fmt.Errorf("missing role %q", role))
	}
	g, ok := RankByRoles(id.Roles)
	if !ok {
		g, ok = RankByGroups(groups)
	}
	if !ok {
		v.log.InfoContext(ctx, "access denied", "user", id.User, "reason", "no access group")
		return Identity{}, fail(http.StatusForbidden, MsgAccessDenied, errors.New("no access group"))
	}
	id.Group = g.Name
	return id, nil
}

// VerifyKeycloakToken checks a Keycloak access token's signature and
// claims only (no blacklist, role or group requirement); Group is set when
// the roles or groups rank into an access group. services/auth uses it at
// login.
func (v *Verifier) VerifyKeycloakToken(ctx context.Context, token string) (Identity, error) {
	id, groups, err := v.parseKeycloak(ctx, TokenFromHeader(token))
	if err != nil {
		return Identity{}, err
	}
	g, ok := RankByRoles(id.Roles)
	if !ok {
		g, ok = RankByGroups(groups)
	}
	if ok {
		id.Group = g.Name
	}
	return id, nil
}

func (v *Verifier) checkBlacklist(ctx context.Context, token string, id Identity, isLocal bool, boundTo, fingerprint string) error {
	if v.blacklist != nil {
		listed, err := v.blacklist.Contains(ctx, token)
		switch {
		case err != nil && v.cfg.BlacklistFailOpen:
			v.log.WarnContext(ctx, "token blacklist unavailable, accepting token (fail-open)", "user", id.User, "err", err)
		case err != nil:
			return fail(http.StatusServiceUnavailable, MsgUnavailable, err)
		case listed:
			return fail(http.StatusUnauthorized, MsgTokenBlacklisted, nil)
		}
	}
	if isLocal && boundTo != fingerprint {
		if v.blacklist != nil {
			if err := v.blacklist.Add(ctx, token, id.ExpiresAt); err != nil {
				v.log.WarnContext(ctx, "could not blacklist token with foreign fingerprint", "user", id.User, "err", err)
			}
		}
		return fail(http.StatusUnauthorized, MsgTokenBlacklisted, errors.New("fingerprint mismatch"))
	}
	return nil
}

func (v *Verifier) parseLocal(token string) (Identity, []string, string, error) {
	if v.cfg.LocalSecret == "" {
		return Identity{}, nil, "", fail(http.StatusUnauthorized, MsgInvalidToken, errors.New("local tokens disabled"))
	}
	c, err := ParseLocal(v.cfg.LocalSecret, token, false, v.cfg.Leeway, v.cfg.Now)
	if err != nil {
		// Expired local tokens are reported as invalid, like the reference.
		return Identity{}, nil, "", fail(http.StatusUnauthorized, MsgInvalidToken, err)
	}
	id := Identity{
		Subject:     c.Nickname,
		User:        c.Nickname,
		DisplayName: c.DisplayName,
		Roles:       normalizeRoles(c.Roles),
		Provider:    ProviderLDAP,
		TokenID:     strconv.FormatInt(c.NS, 10),
		ExpiresAt:   c.ExpiresAt.Time,
	}
	var groups []string
	if c.Group != nil {
		groups = []string{*c.Group}
	}
	return id, groups, c.Fingerprint, nil
}

func (v *Verifier) parseKeycloak(ctx context.Context, token string) (Identity, []string, error) {
	if v.jwks == nil {
		return Identity{}, nil, fail(http.StatusUnauthorized, MsgInvalidToken, errors.New("keycloak tokens disabled"))
	}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(v.issuer),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.cfg.Now),
	)
	_, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		return v.jwks.key(ctx, kid)
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Identity{}, nil, fail(http.StatusUnauthorized, MsgTokenExpired, err)
		}
		return Identity{}, nil, fail(http.StatusUnauthorized, MsgInvalidToken, err)
	}
	if typ, ok := claims["typ"].(string); ok && !strings.EqualFold(typ, "Bearer") {
		return Identity{}, nil, fail(http.StatusUnauthorized, MsgInvalidToken, fmt.Errorf("token type %q is not an access token", typ))
	}
	aud, _ := claims.GetAudience()
	azp, _ := claims["azp"].(string)
	audOK := azp == v.cfg.ClientID
	for _, a := range aud {
		audOK = audOK || a == v.cfg.ClientID
	}
	if !audOK {
		return Identity{}, nil, fail(http.StatusUnauthorized, MsgInvalidToken, errors.New("token not issued for this client"))
	}
	user, _ := claims["preferred_username"].(string)
	if user == "" {
		return Identity{}, nil, fail(http.StatusUnauthorized, MsgInvalidToken, errors.New("no preferred_username"))
	}
	sub, _ := claims["sub"].(string)
	name, _ := claims["name"].(string)
	jti, _ := claims["jti"].(string)
	exp, _ := claims.GetExpirationTime()
	var roles []string
	if ra, ok := claims["resource_access"].(map[string]any); ok {
		if cl, ok := ra[v.cfg.ClientID].(map[string]any); ok {
			roles = stringList(cl["roles"])
		}
	}
	id := Identity{
		Subject:     sub,
		User:        user,
		DisplayName: name,
		Roles:       normalizeRoles(roles),
		Provider:    ProviderKeycloak,
		TokenID:     jti,
	}
	if exp != nil {
		id.ExpiresAt = exp.Time
	}
	return id, stringList(claims["groups"]), nil
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Require returns middleware that lets a request through only with a
// valid token holding role ("" = any valid token ranking into an access
// group). It strips client-supplied identity headers, then sets the
// verified identity in the request headers (for the upstream) and context.
func (v *Verifier) Require(role string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			StripIdentityHeaders(r.Header)
			id, err := v.VerifyRequest(r, role)
			if err != nil {
				var ae *Error
				if !errors.As(err, &ae) {
					ae = fail(http.StatusUnauthorized, MsgInvalidToken, err)
				}
				WriteError(w, ae.Status, ae.Message)
				return
			}
			r = r.WithContext(NewContext(r.Context(), id))
			id.SetHeaders(r.Header)
			next.ServeHTTP(w, r)
		})
	}
}
