// Command kcdev runs the kctest Keycloak-compatible identity provider with
// the demo realm (see kctest.DemoConfig) for local development:
//
//	go run altrepo/libs/kctest/cmd/kcdev -addr 127.0.0.1:8180
//
// The realm is then at http://127.0.0.1:8180/realms/altrepo; configure
// KEYCLOAK_SERVER_URL=http://127.0.0.1:8180, KEYCLOAK_REALM=altrepo,
// KEYCLOAK_CLIENT_ID=altrepo-api, KEYCLOAK_CLIENT_SECRET_KEY=altrepo-api-secret.
package main

import (
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	"altrepo/libs/kctest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8180", "listen address")
	base := flag.String("base-url", "", "public base URL (issuer prefix); derived from requests when empty")
	access := flag.Duration("access-ttl", 5*time.Minute, "access token lifetime")
	refresh := flag.Duration("refresh-ttl", 30*time.Minute, "refresh token lifetime")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg := kctest.DemoConfig()
	cfg.BaseURL = *base
	cfg.AccessTokenLifetime = *access
	cfg.RefreshTokenLifetime = *refresh
	srv := kctest.NewServer(cfg)
	log.Info("kcdev listening", "addr", *addr, "realm", cfg.Realm, "client_id", kctest.DemoClientID)
	hs := &http.Server{Addr: *addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if err := hs.ListenAndServe(); err != nil {
		log.Error("kcdev stopped", "err", err)
		os.Exit(1)
	}
}
