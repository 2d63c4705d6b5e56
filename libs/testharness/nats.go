package testharness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		dir, err := makeServerDir("nats")
		if err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		p, err := startProcess("nats", dir, bin,
			"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", filepath.Join(dir, "jetstream"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		n := &NATS{proc: p, addr: hostPort(port)}
		err = waitReady(ctx, p, tcpProbe(n.addr, "", "INFO "))
		if err == nil {
			return n, nil
		}
		clash := isBindError(p.outPath)
		lastErr = fmt.Errorf("start nats: %w%s", err, tailFiles(p.outPath))
		_ = p.kill()
		if !clash && !strings.Contains(err.Error(), "exited") {
			break
		}
	}
	return nil, lastErr
}

// URL returns "nats://127.0.0.1:PORT".
func (n *NATS) URL() string { return "nats://" + n.addr }

// Addr returns "127.0.0.1:PORT".
func (n *NATS) Addr() string { return n.addr }

// Stop kills the server and removes its temporary directory.
func (n *NATS) Stop() error { return n.proc.kill() }
