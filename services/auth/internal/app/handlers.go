package app

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/authn"
	"altrepo/libs/model"
	"altrepo/services/auth/internal/ldapauth"
	"altrepo/services/auth/internal/store"
)

// Answer texts.
const (
	msgLDAPAuthn        = "LDAP authentication failed"
	msgLDAPAuthz        = "LDAP authorization failed"
	msgKeycloakAuthz    = "Keycloak authorization failed"
	msgKeycloakDown     = "Keycloak server is unavailable"
	msgLDAPDown         = "LDAP server is unavailable"
	msgStoreDown        = "Token storage is unavailable"
	msgUserNotAuth      = "User not authorized"
	msgSessionExpired   = "Session is expired"
	msgLoggedOut        = "Logged out"
	msgInvalidAccess    = "Invalid access token"
	msgTokenBlacklisted = "Token is blacklisted"
	msgNoRefreshCookie  = "User is not authorized"
	msgAccessNotValid   = "Access token is not valid"
)

func worker(code int, msg string) error { return apierr.Worker(code, msg, model.Ordered{}) }

func unavailable(msg string, cause error) error {
	e := apierr.Worker(http.StatusServiceUnavailable, msg, model.Ordered{})
	e.Cause = cause
	return e
}

func (a *App) login(ctx context.Context, r *api.Request) (*api.Response, error) {
	nick, pw := r.String("nickname"), r.String("password")
	if r.String("auth_provider") == "keycloak" {
		return a.loginKeycloak(ctx, r, nick, pw)
	}
	return a.loginLDAP(ctx, r, nick, pw)
}

func (a *App) loginLDAP(ctx context.Context, r *api.Request, nick, pw string) (*api.Response, error) {
	if a.cfg.LDAP == nil {
		return nil, unavailable(msgLDAPDown, errors.New("LDAP is not configured"))
	}
	res, err := a.cfg.LDAP.Authenticate(ctx, nick, pw)
	switch {
	case errors.Is(err, ldapauth.ErrInvalidCredentials):
		a.cfg.Log.InfoContext(ctx, "ldap login refused", "user", nick)
		return nil, worker(http.StatusUnauthorized, msgLDAPAuthn)
	case errors.Is(err, ldapauth.ErrNotAuthorized):
		a.cfg.Log.InfoContext(ctx, "ldap login without group", "user", nick)
		return nil, worker(http.StatusUnauthorized, msgLDAPAuthz)
	case err != nil:
		return nil, unavailable(msgLDAPDown, err)
	}
	// Access groups -> API group names and roles (behavior/auth.md 4.1 step 4).
	var apiGroups, roles []string
	seen := map[string]bool{}
	for _, name := range res.AccessGroups {
		g, ok := authn.GroupByName(name)
		if !ok {
			continue // API_ADMIN / API_USER carry no roles
		}
		apiGroups = append(apiGroups, g.APIGroup)
		for _, role := range g.Roles {
			if !seen[role] {
				seen[role] = true
				roles = append(roles, role)
			}
		}
	}
	sort.Strings(apiGroups)
	sort.Strings(roles)
	var group *string
	if g, ok := authn.RankByGroups(apiGroups); ok {
		group = &g.APIGroup
	}
	if roles == nil {
		roles = []string{}
	}

	now := a.cfg.Now()
	fp := authn.Fingerprint(r.HTTP)
	refresh := uuid.NewString()
	sess := store.Session{Nickname: nick, Fingerprint: fp, Expires: int64(a.cfg.RefreshTTL / time.Second), CreateAt: now.Unix()}
	if err := a.cfg.Store.AddSession(ctx, nick, refresh, sess, a.cfg.MaxSessions); err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	access, err := authn.SignLocal(a.cfg.Secret, authn.LocalClaims{
		Nickname: nick, DisplayName: res.DisplayName, Fingerprint: fp, Group: group, Roles: roles,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(now.Add(a.cfg.AccessTTL))},
	})
	if err != nil {
		return nil, apierr.Internal(err)
	}
	a.cfg.Log.InfoContext(ctx, "login", "provider", "ldap", "user", nick, "roles", len(roles))
	resp := tokens(access, refresh)
	resp.Header = a.setCookie(refresh, ctime(now.Local().Add(a.cfg.RefreshTTL)))
	return resp, nil
}

func (a *App) loginKeycloak(ctx context.Context, r *api.Request, nick, pw string) (*api.Response, error) {
	k := a.cfg.Keycloak
	if k == nil {
		return nil, worker(http.StatusUnauthorized, msgKeycloakAuthz)
	}
	tok, err := a.gc.Login(ctx, k.ClientID, k.ClientSecret, k.Realm, nick, pw)
	if err != nil {
		if keycloakDown(err) {
			return nil, unavailable(msgKeycloakDown, err)
		}
		a.cfg.Log.InfoContext(ctx, "keycloak login refused", "user", nick, "err", err)
		return nil, worker(http.StatusUnauthorized, msgKeycloakAuthz)
	}
	id, err := a.cfg.Verifier.VerifyKeycloakToken(ctx, tok.AccessToken)
	if err != nil {
		a.cfg.Log.WarnContext(ctx, "keycloak token did not verify", "user", nick, "err", err)
		return nil, worker(http.StatusUnauthorized, msgKeycloakAuthz)
	}
	if len(id.Roles) == 0 {
		a.cfg.Log.InfoContext(ctx, "keycloak login without client roles", "user", nick)
		return nil, worker(http.StatusUnauthorized, msgKeycloakAuthz)
	}
	// Sessions are keyed by the token's user name (what refresh and logout
	// read back), not by the typed nickname whose case may differ.
	sess := store.Session{Nickname: nick, Fingerprint: authn.Fingerprint(r.HTTP),
		Expires: int64(tok.RefreshExpiresIn), CreateAt: a.cfg.Now().Unix()}
	if err := a.cfg.Store.AddSession(ctx, id.User, tok.RefreshToken, sess, a.cfg.MaxSessions); err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	a.cfg.Log.InfoContext(ctx, "login", "provider", "keycloak", "user", id.User, "roles", len(id.Roles))
	resp := tokens(tok.AccessToken, tok.RefreshToken)
	resp.Header = a.setCookie(tok.RefreshToken, strconv.Itoa(tok.RefreshExpiresIn))
	return resp, nil
}

// decoded is the part of a submitted access token refresh-token needs.
type decoded struct {
	user  string
	local *authn.LocalClaims
	exp   time.Time
}

// decodeForRefresh: local tokens are verified without expiry; Keycloak
// tokens are only decoded (the refresh grant at Keycloak decides).
func (a *App) decodeForRefresh(token string) (decoded, bool) {
	if authn.IsLocalToken(token) {
		c, err := authn.ParseLocal(a.cfg.Secret, token, true, 0, nil)
		if err != nil {
			return decoded{}, false
		}
		d := decoded{user: c.Nickname, local: c}
		if c.ExpiresAt != nil {
			d.exp = c.ExpiresAt.Time
		}
		return d, true
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return decoded{}, false
	}
	user, _ := claims["preferred_username"].(string)
	if user == "" {
		return decoded{}, false
	}
	d := decoded{user: user}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		d.exp = exp.Time
	}
	return d, true
}

func (a *App) refresh(ctx context.Context, r *api.Request) (*api.Response, error) {
	token := r.String("access_token")
	cookie := refreshCookie(r.HTTP)
	d, ok := a.decodeForRefresh(token)
	if !ok {
		return nil, apierr.Validation(r.Args, msgInvalidAccess)
	}
	var msgs []string
	listed, err := a.cfg.Store.IsBlacklisted(ctx, token)
	if err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	if listed {
		msgs = append(msgs, msgTokenBlacklisted)
	}
	if cookie == "" {
		msgs = append(msgs, msgNoRefreshCookie)
	}
	if len(msgs) > 0 {
		return nil, apierr.Validation(r.Args, msgs...)
	}

	sess, ok, err := a.cfg.Store.Session(ctx, d.user, cookie)
	if err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	if !ok {
		return nil, apierr.Message(http.StatusUnauthorized, msgUserNotAuth)
	}
	if d.local != nil && sess.Fingerprint != authn.Fingerprint(r.HTTP) {
		a.cfg.Log.InfoContext(ctx, "refresh from another fingerprint", "user", d.user)
		return nil, apierr.Message(http.StatusUnauthorized, msgUserNotAuth)
	}
	now := a.cfg.Now()
	if sess.Expired(now) {
		if err := a.cfg.Store.DeleteSession(ctx, d.user, cookie); err != nil {
			return nil, unavailable(msgStoreDown, err)
		}
		return nil, apierr.Message(http.StatusUnauthorized, msgSessionExpired)
	}

	var access string
	if d.local != nil {
		c := *d.local
		c.NS = 0 // SignLocal stamps a new one
		c.ExpiresAt = jwt.NewNumericDate(now.Add(a.cfg.AccessTTL))
		if access, err = authn.SignLocal(a.cfg.Secret, c); err != nil {
			return nil, apierr.Internal(err)
		}
	} else {
		k := a.cfg.Keycloak
		if k == nil {
			return nil, apierr.Message(http.StatusUnauthorized, msgUserNotAuth)
		}
		tok, err := a.gc.RefreshToken(ctx, cookie, k.ClientID, k.ClientSecret, k.Realm)
		if err != nil {
			if keycloakDown(err) {
				return nil, unavailable(msgKeycloakDown, err)
			}
			a.cfg.Log.InfoContext(ctx, "keycloak refused refresh", "user", d.user, "err", err)
			return nil, apierr.Message(http.StatusUnauthorized, msgSessionExpired)
		}
		access = tok.AccessToken
	}
	// The old token is revoked only once the new one exists.
	if err := a.cfg.Store.Blacklist(ctx, token, d.exp); err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	a.cfg.Log.InfoContext(ctx, "token refreshed", "user", d.user)
	return tokens(access, cookie), nil
}

func (a *App) logout(ctx context.Context, r *api.Request) (*api.Response, error) {
	id, err := a.cfg.Verifier.VerifyRequest(r.HTTP, "")
	if err != nil {
		var ae *authn.Error
		if errors.As(err, &ae) {
			e := apierr.Message(ae.Status, ae.Message)
			return nil, e
		}
		return nil, apierr.Message(http.StatusUnauthorized, authn.MsgInvalidToken)
	}
	token := authn.TokenFromHeader(r.HTTP.Header.Get("Authorization"))
	// The verifier may run without Redis (TOKEN_STORAGE = file): ask the store.
	listed, err := a.cfg.Store.IsBlacklisted(ctx, token)
	if err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	if listed {
		return nil, apierr.Message(http.StatusUnauthorized, msgAccessNotValid)
	}
	cookie := refreshCookie(r.HTTP)
	if id.Provider == authn.ProviderKeycloak && cookie != "" && a.cfg.Keycloak != nil {
		k := a.cfg.Keycloak
		if err := a.gc.Logout(ctx, k.ClientID, k.ClientSecret, k.Realm, cookie); err != nil {
			if keycloakDown(err) {
				return nil, unavailable(msgKeycloakDown, err)
			}
			a.cfg.Log.InfoContext(ctx, "keycloak logout refused", "user", id.User, "err", err)
		}
	}
	if err := a.cfg.Store.Blacklist(ctx, token, id.ExpiresAt); err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	_, ok, err := a.cfg.Store.Session(ctx, id.User, cookie)
	if err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	if cookie == "" || !ok {
		return nil, apierr.Message(http.StatusUnauthorized, msgUserNotAuth)
	}
	if err := a.cfg.Store.DeleteSession(ctx, id.User, cookie); err != nil {
		return nil, unavailable(msgStoreDown, err)
	}
	a.cfg.Log.InfoContext(ctx, "logout", "user", id.User, "provider", id.Provider)
	return api.OK(model.Map{"message": msgLoggedOut}), nil
}
