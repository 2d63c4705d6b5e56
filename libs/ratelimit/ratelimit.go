// Package ratelimit limits requests per client with a fixed window counter
// in Redis, as net/http middleware.
//
// Every client key (by default the first X-Forwarded-For entry, else the
// peer address) gets Limit requests per Window; the window starts with the
// client's first request and is measured by Redis (PEXPIRE), so all gateway
// replicas share one counter. Responses carry RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset (seconds until the window ends);
// rejected requests get 429 with Retry-After and {"message": ...}.
// /healthz, /readyz and /metrics are never limited. When Redis is
// unreachable requests pass (fail open) and a warning is logged.
//
// The X-Forwarded-For default assumes a trusted proxy in front that sets the
// header; exposed directly, clients could pick their own key.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Message is the body text of 429 responses.
const Message = "Too many requests"

// DefaultExempt are paths never limited.
var DefaultExempt = []string{"/healthz", "/readyz", "/metrics"}

// Config configures a Limiter.
type Config struct {
	// Limit is the number of requests per window per client (> 0).
	Limit int
	// Window is the window length (default 1 minute, at least 1 ms).
	Window time.Duration
	// Prefix of the Redis keys (default "ratelimit:").
	Prefix string
	// KeyFunc returns the client key of a request (default ClientKey).
	KeyFunc func(*http.Request) string
	// Exempt paths (exact match); nil means DefaultExempt.
	Exempt []string
	// Logger defaults to a discarding logger.
	Logger *slog.Logger
}

// Limiter is a Redis-backed fixed window rate limiter.
type Limiter struct {
	rdb redis.UniversalClient
	cfg Config
	log *slog.Logger
}

// Result is the outcome of one Allow call.
type Result struct {
	Allowed   bool
	Limit     int
	Remaining int
	// Reset is the time until the window ends.
	Reset time.Duration
}

// New returns a Limiter using rdb.
func New(rdb redis.UniversalClient, cfg Config) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("ratelimit: nil redis client")
	}
	if cfg.Limit <= 0 {
		return nil, fmt.Errorf("ratelimit: limit must be positive, got %d", cfg.Limit)
	}
	if cfg.Window == 0 {
		cfg.Window = time.Minute
	}
	if cfg.Window < time.Millisecond {
		return nil, fmt.Errorf("ratelimit: window %s too short", cfg.Window)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "ratelimit:"
	}
	if cfg.KeyFunc == nil {
		cfg.KeyFunc = ClientKey
	}
	if cfg.Exempt == nil {
		cfg.Exempt = DefaultExempt
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Limiter{rdb: rdb, cfg: cfg, log: log}, nil
}

// ClientKey returns the first X-Forwarded-For entry when present, else the
// host part of the peer address.
func ClientKey(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if first = strings.TrimSpace(first); first != "" {
			return first
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// incr counts one request; it returns the count in the window and the
// window's remaining time in milliseconds.
var incr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Key returns the Redis key for a client key. Long or unusual keys are
// hashed so that clients cannot create huge keys.
func (l *Limiter) Key(client string) string {
	if len(client) > 64 || strings.ContainsFunc(client, func(r rune) bool { return r <= ' ' || r > '~' }) {
		sum := sha256.Sum256([]byte(client))
		client = "h:" + hex.EncodeToString(sum[:16])
	}
	return l.cfg.Prefix + client
}

// Allow counts one request of client.
func (l *Limiter) Allow(ctx context.Context, client string) (Result, error) {
	res, err := incr.Run(ctx, l.rdb, []string{l.Key(client)}, l.cfg.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("rate limit counter: %w", err)
	}
	if len(res) != 2 {
		return Result{}, fmt.Errorf("rate limit counter: unexpected reply %v", res)
	}
	n, ttl := int(res[0]), time.Duration(res[1])*time.Millisecond
	return Result{
		Allowed:   n <= l.cfg.Limit,
		Limit:     l.cfg.Limit,
		Remaining: max(0, l.cfg.Limit-n),
		Reset:     ttl,
	}, nil
}

// ceilSeconds renders d as whole seconds, rounded up, at least 1.
func ceilSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(1, s), 10)
}

// Middleware applies the limit to every request except exempt paths.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(l.cfg.Exempt, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		res, err := l.Allow(r.Context(), l.cfg.KeyFunc(r))
		if err != nil {
			l.log.WarnContext(r.Context(), "rate limiter unavailable, request allowed", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(res.Limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
		h.Set("RateLimit-Reset", ceilSeconds(res.Reset))
		if !res.Allowed {
			h.Set("Retry-After", ceilSeconds(res.Reset))
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": Message})
			return
		}
		next.ServeHTTP(w, r)
	})
}
