// Package app holds the auth service's routes: POST login, refresh-token
// and logout under /api/auth and /manage/auth (behavior/auth.md section 4).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/Nerzal/gocloak/v13"

	"altrepo/libs/api"
	"altrepo/libs/authn"
	"altrepo/libs/model"
	"altrepo/services/auth/internal/ldapauth"
	"altrepo/services/auth/internal/store"
)

// KeycloakConfig is the [KEYCLOAK] client used for the keycloak provider.
type KeycloakConfig struct {
	URL, Realm, ClientID, ClientSecret string
	// HTTPClient carries the TLS settings (authn.NewKeycloakHTTPClient).
	HTTPClient *http.Client
}

// Config configures the service.
type Config struct {
	// Secret is [OTHER] ADMIN_PASSWORD, the HS256 key of local tokens.
	Secret string
	// AccessTTL is EXPIRES_ACCESS_TOKEN, RefreshTTL EXPIRES_REFRESH_TOKEN.
	AccessTTL, RefreshTTL time.Duration
	// MaxSessions is MAX_REFRESH_SESSIONS_COUNT.
	MaxSessions int
	// CookieOptions is AUTH_COOKIES_OPTIONS.
	CookieOptions string
	Store         store.Store
	// LDAP is nil when [LDAP] is not configured.
	LDAP *ldapauth.Provider
	// Keycloak is nil when [KEYCLOAK] is not configured.
	Keycloak *KeycloakConfig
	// Verifier checks access tokens (logout) and Keycloak tokens (login).
	Verifier *authn.Verifier
	Log      *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// App serves the auth routes.
type App struct {
	cfg Config
	gc  *gocloak.GoCloak
}

// New checks cfg and returns the service.
func New(cfg Config) (*App, error) {
	if cfg.Secret == "" {
		return nil, errors.New("auth: [OTHER] ADMIN_PASSWORD is required")
	}
	if cfg.Store == nil || cfg.Verifier == nil {
		return nil, errors.New("auth: store and verifier are required")
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 300 * time.Second
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 43200 * time.Second
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 2
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &App{cfg: cfg}
	if k := cfg.Keycloak; k != nil {
		if k.URL == "" || k.Realm == "" || k.ClientID == "" {
			return nil, errors.New("auth: KEYCLOAK_SERVER_URL, KEYCLOAK_REALM and KEYCLOAK_CLIENT_ID are required for Keycloak")
		}
		a.gc = gocloak.NewClient(k.URL)
		rc := a.gc.RestyClient().SetTimeout(10 * time.Second)
		if k.HTTPClient != nil && k.HTTPClient.Transport != nil {
			rc.SetTransport(k.HTTPClient.Transport)
		}
	}
	return a, nil
}

// Response models of the contract.
var (
	AuthResponseModel = &model.Model{Name: "AuthResponseModel", Fields: []model.Field{
		{Name: "access_token", Kind: model.String, Required: true},
		{Name: "refresh_token", Kind: model.String, Required: true},
	}}
	AuthLogoutResponseModel = &model.Model{Name: "AuthLogoutResponseModel", Fields: []model.Field{
		{Name: "message", Kind: model.String, Required: true},
	}}
)

// Routes returns the six routes (three under /api/auth, three under
// /manage/auth).
func (a *App) Routes() []*api.Route {
	var out []*api.Route
	for _, prefix := range []string{"/api/auth", "/manage/auth"} {
		out = append(out,
			&api.Route{
				Method: http.MethodPost, Path: prefix + "/login", Tag: "auth",
				Summary: "Log in with LDAP or Keycloak credentials",
				Params: []api.Param{
					{Name: "nickname", In: "form", Validator: "packager_nick_type", Required: true, Help: "User nickname"},
					{Name: "password", In: "form", Validator: "password_type", Required: true, Help: "User password"},
					{Name: "auth_provider", In: "form", Choices: []string{"ldap", "keycloak"}, Default: "ldap", Help: "Authentication provider"},
				},
				Strict: true, Model: AuthResponseModel, Codes: []int{200, 400, 401},
				Handler: a.login,
			},
			&api.Route{
				Method: http.MethodPost, Path: prefix + "/refresh-token", Tag: "auth",
				Summary: "Get a new access token for a valid refresh session",
				Params: []api.Param{
					{Name: "access_token", In: "form", Required: true, Help: "Access token"},
				},
				Strict: true, Model: AuthResponseModel, Codes: []int{200, 400, 401},
				Handler: a.refresh,
			},
			&api.Route{
				Method: http.MethodPost, Path: prefix + "/logout", Tag: "auth",
				Summary: "Revoke the access token and drop the refresh session",
				Model:   AuthLogoutResponseModel, Codes: []int{200, 401, 403},
				Auth:    &api.Auth{Scheme: "Bearer"},
				Handler: a.logout,
			},
		)
	}
	return out
}

// Ping checks the token store (readiness).
func (a *App) Ping(ctx context.Context) error { return a.cfg.Store.Ping(ctx) }

// keycloakDown reports whether a gocloak error means Keycloak could not
// answer (transport failure or 5xx).
func keycloakDown(err error) bool {
	var ae *gocloak.APIError
	if errors.As(err, &ae) {
		return ae.Code == 0 || ae.Code >= 500
	}
	return err != nil
}

// refreshCookie returns the refresh_token cookie value.
func refreshCookie(r *http.Request) string {
	c, err := r.Cookie("refresh_token")
	if err != nil {
		return ""
	}
	return c.Value
}

// setCookie renders the reference's Set-Cookie header, including its
// literal f'...' around the Expires value.
func (a *App) setCookie(token, expires string) http.Header {
	h := http.Header{}
	h.Set("Set-Cookie", fmt.Sprintf("refresh_token=%s; Expires=f'%s'; %s", token, expires, a.cfg.CookieOptions))
	return h
}

// ctime formats t like C ctime() without the newline.
func ctime(t time.Time) string { return t.Format("Mon Jan _2 15:04:05 2006") }

func tokens(access, refresh string) *api.Response {
	return api.OK(model.Map{"access_token": access, "refresh_token": refresh})
}
