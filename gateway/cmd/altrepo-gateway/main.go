// Command altrepo-gateway is the single public entry point of the altrepo
// suite: it serves the root routes and the merged OpenAPI documents and
// forwards /api/... and /manage/... to the owning service.
//
// Usage: altrepo-gateway [config-file] [-listen host:port]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"altrepo/gateway/internal/server"
	"altrepo/libs/config"
	"altrepo/libs/logging"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "altrepo-gateway:", err)
		os.Exit(1)
	}
}

// parseArgs accepts the config path as the first argument (as the
// reference does) or after the flags.
func parseArgs(args []string) (cfgPath, listen string, err error) {
	fs := flag.NewFlagSet("altrepo-gateway", flag.ContinueOnError)
	l := fs.String("listen", "", "listen address host:port (default: [APPLICATION] HOST and PORT, port 8080 when unset)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfgPath, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", "", err
	}
	if fs.NArg() > 1 || (cfgPath != "" && fs.NArg() > 0) {
		return "", "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfgPath == "" && fs.NArg() == 1 {
		cfgPath = fs.Arg(0)
	}
	return cfgPath, *l, nil
}

func run(args []string) error {
	cfgPath, listen, err := parseArgs(args)
	if err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.String("OTHER", "LOG_LEVEL"), cfg.String("OTHER", "LOG_FORMAT"), server.ServiceName)
	slog.SetDefault(log)

	settings, err := server.FromConfig(cfg)
	if err != nil {
		return err
	}
	addr := listen
	if addr == "" {
		addr = listenAddr(cfg)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	opts, closeRedis, err := server.Wire(ctx, cfg, settings, log)
	defer closeRedis()
	if err != nil {
		return err
	}
	gw, err := server.New(opts)
	if err != nil {
		return err
	}
	go gw.OpenAPI.Run(ctx, settings.OpenAPIRefresh)

	srv := &http.Server{
		Addr:              addr,
		Handler:           gw,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	log.Info("gateway listening", "addr", ln.Addr().String(), "config", cfg.Path, "services", settings.ServiceList())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", settings.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), settings.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// listenAddr is [APPLICATION] HOST:PORT; the gateway's port defaults to
// 8080 when the file and environment leave PORT unset.
func listenAddr(cfg *config.Config) string {
	port := "8080"
	if p, ok := cfg.Lookup("APPLICATION", "PORT"); ok && strings.TrimSpace(p) != "" {
		port = strings.TrimSpace(p)
	}
	return net.JoinHostPort(cfg.String("APPLICATION", "HOST"), port)
}
