package kctest

import (
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Handler returns the HTTP handler serving the realm endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	base := "/realms/" + s.cfg.Realm
	oidc := base + "/protocol/openid-connect"
	mux.HandleFunc("GET "+base, s.handleRealm)
	mux.HandleFunc("GET "+base+"/.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET "+oidc+"/certs", s.handleCerts)
	mux.HandleFunc("POST "+oidc+"/token", s.handleToken)
	mux.HandleFunc("POST "+oidc+"/token/introspect", s.handleIntrospect)
	mux.HandleFunc("POST "+oidc+"/logout", s.handleLogout)
	mux.HandleFunc("GET "+oidc+"/userinfo", s.handleUserinfo)
	mux.HandleFunc("POST "+oidc+"/userinfo", s.handleUserinfo)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.unavailable.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (s *Server) handleRealm(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerFor(r)
	der, _ := x509.MarshalPKIXPublicKey(s.PublicKey())
	writeJSON(w, http.StatusOK, map[string]any{
		"realm":             s.cfg.Realm,
		"public_key":        base64.StdEncoding.EncodeToString(der),
		"token-service":     iss + "/protocol/openid-connect",
		"account-service":   iss + "/account",
		"tokens-not-before": 0,
	})
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerFor(r)
	oidc := iss + "/protocol/openid-connect"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                oidc + "/auth",
		"token_endpoint":                        oidc + "/token",
		"introspection_endpoint":                oidc + "/token/introspect",
		"userinfo_endpoint":                     oidc + "/userinfo",
		"end_session_endpoint":                  oidc + "/logout",
		"jwks_uri":                              oidc + "/certs",
		"grant_types_supported":                 []string{"password", "refresh_token", "client_credentials"},
		"response_types_supported":              []string{"code", "token", "id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "name", "preferred_username", "email", "groups"},
	})
}

func (s *Server) handleCerts(w http.ResponseWriter, r *http.Request) {
	s.certsRequests.Add(1)
	s.mu.Lock()
	keys := make([]map[string]any, 0, len(s.keys))
	for i := len(s.keys) - 1; i >= 0; i-- {
		keys = append(keys, publicJWK(s.keys[i]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// authClient authenticates the client from HTTP Basic or form fields.
func (s *Server) authClient(r *http.Request) (Client, bool) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id = r.PostForm.Get("client_id")
		secret = r.PostForm.Get("client_secret")
	}
	c, ok := s.clients[id]
	if !ok || id == "" {
		return Client{}, false
	}
	if c.Secret == "" {
		return c, true
	}
	return c, subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) == 1
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	client, ok := s.authClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
		return
	}
	iss := s.issuerFor(r)
	switch r.PostForm.Get("grant_type") {
	case "password":
		u, ok := s.users[strings.ToLower(r.PostForm.Get("username"))]
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(r.PostForm.Get("password"))) != 1 || u.Password == "" {
			oauthError(w, http.StatusUnauthorized, "invalid_grant", "Invalid user credentials")
			return
		}
		if u.Disabled {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Account disabled")
			return
		}
		scope := "profile email"
		if strings.Contains(" "+r.PostForm.Get("scope")+" ", " openid ") {
			scope = "openid " + scope
		}
		sess := &session{
			id:       randomID(),
			user:     strings.ToLower(u.Username),
			clientID: client.ID,
			scope:    scope,
			expires:  s.cfg.Now().Add(s.cfg.RefreshTokenLifetime),
			active:   true,
		}
		s.mu.Lock()
		s.sessions[sess.id] = sess
		s.mu.Unlock()
		s.writeTokens(w, iss, u, sess)
	case "refresh_token":
		sess, u, err := s.checkRefresh(iss, client.ID, r.PostForm.Get("refresh_token"))
		if err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
			return
		}
		s.mu.Lock()
		sess.expires = s.cfg.Now().Add(s.cfg.RefreshTokenLifetime)
		s.mu.Unlock()
		s.writeTokens(w, iss, u, sess)
	case "client_credentials":
		if client.Secret == "" {
			oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Public client not allowed to retrieve service account")
			return
		}
		sa := &User{ID: userID("service-account-" + client.ID), Username: "service-account-" + client.ID}
		claims := s.accessClaims(iss, sa, client.ID, "", "profile email")
		tok, err := s.Sign(claims)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token":       tok,
			"expires_in":         int(s.cfg.AccessTokenLifetime / time.Second),
			"refresh_expires_in": 0,
			"token_type":         "Bearer",
			"not-before-policy":  0,
			"scope":              "profile email",
		})
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
	}
}

// writeTokens issues access, refresh and (for openid scope) ID tokens.
func (s *Server) writeTokens(w http.ResponseWriter, iss string, u *User, sess *session) {
	now := s.cfg.Now()
	access, err := s.Sign(s.accessClaims(iss, u, sess.clientID, sess.id, sess.scope))
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	s.mu.Lock()
	refreshExp := sess.expires
	s.mu.Unlock()
	rt := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
		"exp":   refreshExp.Unix(),
		"iat":   now.Unix(),
		"jti":   randomID(),
		"iss":   iss,
		"aud":   iss,
		"sub":   u.ID,
		"typ":   "Refresh",
		"azp":   sess.clientID,
		"sid":   sess.id,
		"scope": sess.scope,
	})
	refresh, err := rt.SignedString(s.refreshSecret)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	resp := map[string]any{
		"access_token":       access,
		"expires_in":         int(s.cfg.AccessTokenLifetime / time.Second),
		"refresh_expires_in": int((refreshExp.Sub(now) + time.Second/2) / time.Second),
		"refresh_token":      refresh,
		"token_type":         "Bearer",
		"not-before-policy":  0,
		"session_state":      sess.id,
		"scope":              sess.scope,
	}
	if strings.HasPrefix(sess.scope, "openid") {
		id, err := s.Sign(jwt.MapClaims{
			"exp": now.Add(s.cfg.AccessTokenLifetime).Unix(), "iat": now.Unix(),
			"auth_time": now.Unix(), "jti": randomID(), "iss": iss, "aud": sess.clientID,
			"sub": u.ID, "typ": "ID", "azp": sess.clientID, "sid": sess.id,
			"session_state": sess.id, "email_verified": true, "name": u.displayName(),
			"preferred_username": strings.ToLower(u.Username), "given_name": u.FirstName,
			"family_name": u.LastName, "email": u.Email,
		})
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
			return
		}
		resp["id_token"] = id
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkRefresh validates a refresh token for clientID and returns its
// active session and user.
func (s *Server) checkRefresh(iss, clientID, token string) (*session, *User, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return s.refreshSecret, nil },
		jwt.WithValidMethods([]string{"HS512"}), jwt.WithIssuer(iss), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.cfg.Now))
	if err != nil {
		return nil, nil, errors.New("Invalid refresh token")
	}
	if claims["typ"] != "Refresh" {
		return nil, nil, errors.New("Invalid refresh token")
	}
	if claims["azp"] != clientID {
		return nil, nil, errors.New("Invalid refresh token. Token client and authorized client don't match")
	}
	sid, _ := claims["sid"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sid]
	if !ok || !sess.active || !s.cfg.Now().Before(sess.expires) {
		return nil, nil, errors.New("Session not active")
	}
	u, ok := s.users[sess.user]
	if !ok || u.Disabled {
		return nil, nil, errors.New("User disabled")
	}
	return sess, u, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	client, ok := s.authClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
		return
	}
	sess, _, err := s.checkRefresh(s.issuerFor(r), client.ID, r.PostForm.Get("refresh_token"))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	}
	s.mu.Lock()
	sess.active = false
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// checkAccess validates an access token issued by this server and, when
// requireSession is set, that its session is still active.
func (s *Server) checkAccess(iss, token string, requireSession bool) (jwt.MapClaims, bool) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range s.keys {
			if k.kid == kid {
				return &k.priv.PublicKey, nil
			}
		}
		return nil, errors.New("unknown kid")
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(iss), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.cfg.Now))
	if err != nil || claims["typ"] != "Bearer" {
		return nil, false
	}
	if requireSession {
		sid, _ := claims["sid"].(string)
		s.mu.Lock()
		sess, ok := s.sessions[sid]
		active := ok && sess.active && s.cfg.Now().Before(sess.expires)
		s.mu.Unlock()
		if !active {
			return nil, false
		}
	}
	return claims, true
}

func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(auth, "bearer ")
	}
	claims, valid := s.checkAccess(s.issuerFor(r), strings.TrimSpace(token), true)
	if !ok || !valid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.cfg.Realm+`", error="invalid_token", error_description="Token verification failed"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "Token verification failed")
		return
	}
	out := map[string]any{}
	for _, k := range []string{"sub", "name", "preferred_username", "given_name", "family_name", "email", "email_verified", "groups"} {
		if v, ok := claims[k]; ok {
			out[k] = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	client, ok := s.authClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
		return
	}
	iss := s.issuerFor(r)
	token := r.PostForm.Get("token")
	if claims, ok := s.checkAccess(iss, token, true); ok {
		out := map[string]any{}
		for k, v := range claims {
			out[k] = v
		}
		out["active"] = true
		out["client_id"] = claims["azp"]
		out["username"] = claims["preferred_username"]
		out["token_type"] = "Bearer"
		writeJSON(w, http.StatusOK, out)
		return
	}
	if sess, u, err := s.checkRefresh(iss, client.ID, token); err == nil {
		writeJSON(w, http.StatusOK, map[string]any{
			"active": true, "typ": "Refresh", "sub": u.ID, "sid": sess.id,
			"client_id": sess.clientID, "username": strings.ToLower(u.Username),
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": false})
}
