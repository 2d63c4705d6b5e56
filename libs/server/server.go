// Package server runs a service process: configuration, logging, the
// ClickHouse pool, the HTTP server built from the service's route table,
// and graceful shutdown. Every service's main is a call to Main.
package server

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
	"strconv"
	"strings"
	"syscall"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/config"
	"altrepo/libs/logging"
)

// Version of the API the suite implements (the reference's).
const (
	APIVersion    = "1.24.7"
	ManageVersion = "0.5.6"
)

// Deps are what a service's route table is built from.
type Deps struct {
	Config *config.Config
	DB     *chdb.DB
	Log    *slog.Logger
}

// Spec describes a service process.
type Spec struct {
	Name        string
	Title       string
	DefaultPort int
	// Routes builds the table; it may return an error for bad configuration.
	Routes func(d Deps) ([]*api.Route, error)
}

// Main parses the command line (first argument: config file; -listen
// overrides [APPLICATION] HOST/PORT), runs the service and exits.
func Main(spec Spec) {
	fs := flag.NewFlagSet(spec.Name, flag.ExitOnError)
	listen := fs.String("listen", "", "listen address host:port (default from [APPLICATION] HOST and PORT)")
	// The reference takes the config path as the first argument; accept it
	// before or after the flags.
	args, cfgPath := os.Args[1:], ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfgPath, args = args[0], args[1:]
	}
	_ = fs.Parse(args)
	if cfgPath == "" {
		cfgPath = fs.Arg(0)
	}
	if err := Run(context.Background(), spec, cfgPath, *listen); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		os.Exit(1)
	}
}

// Run serves until ctx ends or SIGINT/SIGTERM arrives.
func Run(ctx context.Context, spec Spec, configPath, listen string) error {
	cfg, err := config.Load(configPath)
	if err != nil {
		return err
	}
	log := logging.New(os.Stdout, cfg.String("OTHER", "LOG_LEVEL"), cfg.String("OTHER", "LOG_FORMAT"), spec.Name)
	opts, err := chdb.OptionsFromConfig(cfg, spec.Name, log)
	if err != nil {
		return err
	}
	db, err := chdb.Open(opts)
	if err != nil {
		return err
	}
	defer db.Close()
	routes, err := spec.Routes(Deps{Config: cfg, DB: db, Log: log})
	if err != nil {
		return err
	}
	svc := &api.Service{Name: spec.Name, Title: spec.Title, Version: APIVersion, Routes: routes, Log: log,
		Ready:    db.Ping,
		MapError: chdb.APIError,
	}
	h, err := svc.Handler()
	if err != nil {
		return err
	}
	if listen == "" {
		port := cfg.String("APPLICATION", "PORT")
		if _, ok := cfg.Lookup("APPLICATION", "PORT"); !ok && spec.DefaultPort != 0 {
			port = strconv.Itoa(spec.DefaultPort)
		}
		listen = net.JoinHostPort(cfg.String("APPLICATION", "HOST"), port)
	}
	grace, err := cfg.Seconds("APPLICATION", "SHUTDOWN_TIMEOUT")
	if err != nil {
		return err
	}
	return Serve(ctx, log, listen, h, grace)
}

// Serve runs h on addr until ctx ends or a termination signal arrives,
// then lets in-flight requests finish for up to grace.
func Serve(ctx context.Context, log *slog.Logger, addr string, h http.Handler, grace time.Duration) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
