package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"altrepo/gateway/internal/security"
	"altrepo/libs/authn"
	"altrepo/libs/config"
	"altrepo/libs/ratelimit"
)

// Wire completes the options from the configuration: the libs/authn guard
// (Keycloak and local tokens, admin Basic scheme, Redis blacklist) and the
// Redis rate limiter. close releases the Redis client.
func Wire(ctx context.Context, cfg *config.Config, s *Settings, log *slog.Logger) (o Options, close func(), err error) {
	o = s.Options(log)
	close = func() {}

	var rdb *redis.Client
	if raw := strings.TrimSpace(cfg.String("REDIS", "REDIS_URL")); raw != "" {
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return o, close, fmt.Errorf("config: [REDIS] REDIS_URL: %w", err)
		}
		rdb = redis.NewClient(opt)
		close = func() { _ = rdb.Close() }
	}

	guard := security.Authn{
		AdminUser:           cfg.String("OTHER", "ADMIN_USER"),
		AdminPasswordSHA512: cfg.String("OTHER", "ADMIN_PASSWORD"),
		ManageListRole:      cfg.String("KEYCLOAK", "KEYCLOAK_MANAGE_LIST_ROLE"),
	}
	ac := authn.Config{
		KeycloakURL: cfg.String("KEYCLOAK", "KEYCLOAK_SERVER_URL"),
		Realm:       cfg.String("KEYCLOAK", "KEYCLOAK_REALM"),
		ClientID:    cfg.String("KEYCLOAK", "KEYCLOAK_CLIENT_ID"),
		LocalSecret: guard.AdminPasswordSHA512,
		Logger:      log,
	}
	if ac.KeycloakURL != "" {
		check, err := cfg.Bool("KEYCLOAK", "KEYCLOAK_SERVER_CHECK_SSL")
		if err != nil {
			return o, close, err
		}
		if ac.HTTPClient, err = authn.NewKeycloakHTTPClient(check, cfg.String("KEYCLOAK", "KEYCLOAK_SERVER_SSL_CERTIFICATE")); err != nil {
			return o, close, fmt.Errorf("config: [KEYCLOAK]: %w", err)
		}
	}
	if strings.EqualFold(strings.TrimSpace(cfg.String("AUTHENTICATION", "TOKEN_STORAGE")), "redis") && rdb != nil {
		ac.Redis = rdb
		if ac.AccessTokenTTL, err = cfg.Seconds("AUTHENTICATION", "EXPIRES_ACCESS_TOKEN"); err != nil {
			return o, close, err
		}
		if ac.BlacklistFailOpen, err = cfg.Bool("GATEWAY", "BLACKLIST_FAIL_OPEN"); err != nil {
			return o, close, err
		}
	}
	if ac.KeycloakURL == "" && ac.LocalSecret == "" {
		log.Warn("neither KEYCLOAK_SERVER_URL nor ADMIN_PASSWORD configured: every protected route answers 401")
	} else {
		v, err := authn.New(ac)
		if err != nil {
			return o, close, fmt.Errorf("authentication: %w", err)
		}
		guard.Verifier = v
		go func() {
			pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			if err := v.Prefetch(pctx); err != nil {
				log.Warn("keycloak key set not loaded yet; retried on first use", "error", err.Error())
			}
		}()
	}
	o.Guard = guard

	if s.RateLimit > 0 {
		if rdb == nil {
			return o, close, fmt.Errorf("config: [GATEWAY] RATE_LIMIT needs [REDIS] REDIS_URL")
		}
		l, err := ratelimit.New(rdb, ratelimit.Config{
			Limit: s.RateLimit, Window: s.RateWindow, Prefix: "ratelimit:gateway:", Logger: log,
		})
		if err != nil {
			return o, close, fmt.Errorf("config: [GATEWAY] RATE_LIMIT: %w", err)
		}
		o.RateLimit = l.Middleware
	}
	return o, close, nil
}
