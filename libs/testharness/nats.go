package testharness

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// NATSBinEnv overrides the nats-server binary.
const NATSBinEnv = "ALTREPO_NATS_BIN"

// NATS is a throwaway nats-server with JetStream enabled (storage in its
// temporary directory).
type NATS struct {
	proc *process
	addr string
}

// StartNATS starts nats-server on a free loopback port and waits until it
// sends its INFO greeting.
func StartNATS(ctx context.Context) (*NATS, error) {
	bin, err := lookBinary(NATSBinEnv, "nats-server")
	if err != nil {
		return nil, fmt.Errorf("nats-server not installed (apt-get install nats-server): %w", err)
	}
	p, addr, err := startOnePort(ctx, "nats", bin, func(dir string, port int) []string {
		return []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", filepath.Join(dir, "jetstream")}
	}, func(addr string) func(context.Context) error { return tcpProbe(addr, "", "INFO ") })
	if err != nil {
		return nil, err
	}
	return &NATS{proc: p, addr: addr}, nil
}

// URL returns "nats://127.0.0.1:PORT".
func (n *NATS) URL() string { return "nats://" + n.addr }

// Addr returns "127.0.0.1:PORT".
func (n *NATS) Addr() string { return n.addr }

// Stop kills the server and removes its temporary directory.
func (n *NATS) Stop() error { return n.proc.kill() }
