package testharness

import (
	"context"
	"fmt"
	"strconv"
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
	p, addr, err := startOnePort(ctx, "redis", bin, func(dir string, port int) []string {
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"}
	}, func(addr string) func(context.Context) error { return tcpProbe(addr, "PING\r\n", "+PONG") })
	if err != nil {
		return nil, err
	}
	return &Redis{proc: p, addr: addr}, nil
}

// Addr returns "127.0.0.1:PORT".
func (r *Redis) Addr() string { return r.addr }

// Stop kills the server and removes its temporary directory.
func (r *Redis) Stop() error { return r.proc.kill() }
