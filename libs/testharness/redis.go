package testharness

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RedisBinEnv overrides the redis-server binary.
const RedisBinEnv = "ALTREPO_REDIS_BIN"

// Redis is a throwaway redis-server without persistence.
type Redis struct {
	proc *process
	addr string
}

// StartRedis starts redis-server on a free loopback port and waits until it
// answers PING.
func StartRedis(ctx context.Context) (*Redis, error) {
	bin, err := lookBinary(RedisBinEnv, "redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not installed (apt-get install redis-server): %w", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		dir, err := makeServerDir("redis")
		if err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		p, err := startProcess("redis", dir, bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no")
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		r := &Redis{proc: p, addr: hostPort(port)}
		err = waitReady(ctx, p, tcpProbe(r.addr, "PING\r\n", "+PONG"))
		if err == nil {
			return r, nil
		}
		clash := isBindError(p.outPath)
		lastErr = fmt.Errorf("start redis: %w%s", err, tailFiles(p.outPath))
		_ = p.kill()
		if !clash && !strings.Contains(err.Error(), "exited") {
			break
		}
	}
	return nil, lastErr
}

// Addr returns "127.0.0.1:PORT".
func (r *Redis) Addr() string { return r.addr }

// Stop kills the server and removes its temporary directory.
func (r *Redis) Stop() error { return r.proc.kill() }
