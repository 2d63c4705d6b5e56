package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"altrepo/libs/authn"
	"altrepo/libs/config"
	"altrepo/services/auth/internal/ldapauth"
	"altrepo/services/auth/internal/store"
)

// Build creates the service from the reference's configuration sections
// [OTHER], [AUTHENTICATION], [REDIS], [KEYCLOAK], [LDAP] and [GROUPS]. The
// returned close function releases the Redis client.
func Build(c *config.Config, log *slog.Logger) (*App, func(), error) {
	accessTTL, err := c.Seconds("AUTHENTICATION", "EXPIRES_ACCESS_TOKEN")
	if err != nil {
		return nil, nil, err
	}
	refreshTTL, err := c.Seconds("AUTHENTICATION", "EXPIRES_REFRESH_TOKEN")
	if err != nil {
		return nil, nil, err
	}
	maxSessions, err := c.Int("AUTHENTICATION", "MAX_REFRESH_SESSIONS_COUNT")
	if err != nil {
		return nil, nil, err
	}
	closeFn := func() {}
	var rdb *redis.Client
	if u := c.String("REDIS", "REDIS_URL"); u != "" {
		opts, err := redis.ParseURL(u)
		if err != nil {
			return nil, nil, fmt.Errorf("[REDIS] REDIS_URL: %w", err)
		}
		rdb = redis.NewClient(opts)
		closeFn = func() { _ = rdb.Close() }
	}
	kind := c.String("AUTHENTICATION", "TOKEN_STORAGE")
	var storeRedis redis.UniversalClient
	if strings.EqualFold(strings.TrimSpace(kind), "redis") && rdb != nil {
		storeRedis = rdb
	}
	st, err := store.Open(kind, storeRedis, accessTTL)
	if err != nil {
		closeFn()
		return nil, nil, fmt.Errorf("[AUTHENTICATION] TOKEN_STORAGE: %w", err)
	}
	if storeRedis == nil {
		log.Warn("TOKEN_STORAGE is not redis: sessions and the blacklist live in this process only; the gateway cannot see revoked tokens")
	}

	secret := c.String("OTHER", "ADMIN_PASSWORD")
	vcfg := authn.Config{LocalSecret: secret, AccessTokenTTL: accessTTL, Logger: log}
	if storeRedis != nil {
		vcfg.Redis = storeRedis
	}
	var kc *KeycloakConfig
	if u := c.String("KEYCLOAK", "KEYCLOAK_SERVER_URL"); u != "" {
		check, err := c.Bool("KEYCLOAK", "KEYCLOAK_SERVER_CHECK_SSL")
		if err != nil {
			closeFn()
			return nil, nil, err
		}
		hc, err := authn.NewKeycloakHTTPClient(check, c.String("KEYCLOAK", "KEYCLOAK_SERVER_SSL_CERTIFICATE"))
		if err != nil {
			closeFn()
			return nil, nil, err
		}
		kc = &KeycloakConfig{URL: u, Realm: c.String("KEYCLOAK", "KEYCLOAK_REALM"),
			ClientID: c.String("KEYCLOAK", "KEYCLOAK_CLIENT_ID"), ClientSecret: c.String("KEYCLOAK", "KEYCLOAK_CLIENT_SECRET_KEY"),
			HTTPClient: hc}
		vcfg.KeycloakURL, vcfg.Realm, vcfg.ClientID, vcfg.HTTPClient = kc.URL, kc.Realm, kc.ClientID, hc
	}
	var lp *ldapauth.Provider
	if uri := c.String("LDAP", "LDAP_SERVER_URI"); uri != "" {
		groups := map[string]string{}
		for _, g := range ldapauth.AccessGroupNames {
			groups[g] = c.String("GROUPS", g)
		}
		lp, err = ldapauth.New(ldapauth.Config{URI: uri, UserSearch: c.String("LDAP", "LDAP_USER_SEARCH"),
			RequireGroup: c.String("LDAP", "LDAP_REQUIRE_GROUP"), Groups: groups})
		if err != nil {
			closeFn()
			return nil, nil, err
		}
	}
	if secret == "" {
		closeFn()
		return nil, nil, errors.New("[OTHER] ADMIN_PASSWORD is required")
	}
	v, err := authn.New(vcfg)
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	a, err := New(Config{Secret: secret, AccessTTL: accessTTL, RefreshTTL: refreshTTL, MaxSessions: maxSessions,
		CookieOptions: c.String("AUTHENTICATION", "AUTH_COOKIES_OPTIONS"), Store: st, LDAP: lp, Keycloak: kc,
		Verifier: v, Log: log})
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	return a, closeFn, nil
}
