// Command altrepo-auth serves the auth namespace of the ALTRepo API:
// POST login, refresh-token and logout under /api/auth and /manage/auth
// (LDAP and Keycloak providers, refresh sessions and the token blacklist in
// Redis).
//
//	altrepo-auth [config-file] [-listen host:port]
//
// It reads the reference's configuration file ([OTHER], [AUTHENTICATION],
// [REDIS], [KEYCLOAK], [LDAP], [GROUPS], [APPLICATION]); the default port is
// 8085. It needs no ClickHouse.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"

	"altrepo/libs/api"
	"altrepo/libs/config"
	"altrepo/libs/logging"
	"altrepo/libs/server"
	"altrepo/services/auth/internal/app"
)

const defaultPort = 8085

func main() {
	fs := flag.NewFlagSet("auth", flag.ExitOnError)
	listen := fs.String("listen", "", "listen address host:port (default from [APPLICATION] HOST and PORT, port 8085)")
	_ = fs.Parse(os.Args[1:])
	configPath := fs.Arg(0)
	if fs.NArg() > 0 {
		// Flags may also follow the config file.
		_ = fs.Parse(fs.Args()[1:])
	}
	if err := run(configPath, *listen); err != nil {
		fmt.Fprintf(os.Stderr, "auth: %v\n", err)
		os.Exit(1)
	}
}

func run(configPath, listen string) error {
	cfg, err := config.Load(configPath)
	if err != nil {
		return err
	}
	log := logging.New(os.Stdout, cfg.String("OTHER", "LOG_LEVEL"), cfg.String("OTHER", "LOG_FORMAT"), "auth")
	a, closeFn, err := app.Build(cfg, log)
	if err != nil {
		return err
	}
	defer closeFn()
	svc := &api.Service{Name: "auth", Title: "ALTRepo API: auth", Version: server.APIVersion,
		Routes: a.Routes(), Log: log, Ready: a.Ping}
	h, err := svc.Handler()
	if err != nil {
		return err
	}
	if listen == "" {
		port := strconv.Itoa(defaultPort)
		if _, ok := cfg.Lookup("APPLICATION", "PORT"); ok {
			port = cfg.String("APPLICATION", "PORT")
		}
		listen = net.JoinHostPort(cfg.String("APPLICATION", "HOST"), port)
	}
	grace, err := cfg.Seconds("APPLICATION", "SHUTDOWN_TIMEOUT")
	if err != nil {
		return err
	}
	return server.Serve(context.Background(), log, listen, h, grace)
}
