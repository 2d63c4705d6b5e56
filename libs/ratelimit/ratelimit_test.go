package ratelimit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"altrepo/libs/ratelimit"
	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func client(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(t).Addr()})
	t.Cleanup(func() { c.Close() })
	return c
}

// uniquePrefix keeps repeated runs (-count) on the shared Redis apart.
func uniquePrefix(t *testing.T) string {
	return "rl-" + t.Name() + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
}

func handler(t *testing.T, rdb redis.UniversalClient, cfg ratelimit.Config) (http.Handler, *int) {
	t.Helper()
	l, err := ratelimit.New(rdb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	return l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusOK)
	})), &calls
}

func get(h http.Handler, path, xff string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = "10.1.1.1:5555"
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestLimit(t *testing.T) {
	rdb := client(t)
	prefix := uniquePrefix(t)
	h, calls := handler(t, rdb, ratelimit.Config{Limit: 3, Window: time.Minute, Prefix: prefix})
	for i := 1; i <= 3; i++ {
		w := get(h, "/api/version", "192.0.2.7, 10.0.0.1")
		if w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
		if w.Header().Get("RateLimit-Limit") != "3" || w.Header().Get("RateLimit-Remaining") != strconv.Itoa(3-i) {
			t.Fatalf("request %d headers: %v", i, w.Header())
		}
		reset, err := strconv.Atoi(w.Header().Get("RateLimit-Reset"))
		if err != nil || reset < 1 || reset > 60 {
			t.Fatalf("RateLimit-Reset = %q", w.Header().Get("RateLimit-Reset"))
		}
	}
	w := get(h, "/api/version", "192.0.2.7")
	if w.Code != http.StatusTooManyRequests || *calls != 3 {
		t.Fatalf("4th request: %d, upstream calls %d", w.Code, *calls)
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["message"] != ratelimit.Message {
		t.Fatalf("429 body %q", w.Body.String())
	}
	ra, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 || w.Header().Get("RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers: %v", w.Header())
	}
	// The counter expires with the window.
	ttl, err := rdb.PTTL(context.Background(), prefix+"192.0.2.7").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("counter TTL %v, %v", ttl, err)
	}
	// Other clients have their own budget; the peer address is used without XFF.
	if w := get(h, "/api/version", "198.51.100.1"); w.Code != 200 {
		t.Fatalf("other client: %d", w.Code)
	}
	if w := get(h, "/api/version", ""); w.Code != 200 {
		t.Fatalf("peer address client: %d", w.Code)
	}
	if n, _ := rdb.Get(context.Background(), prefix+"10.1.1.1").Int(); n != 1 {
		t.Fatalf("peer address counter = %d", n)
	}
	// Health and metrics endpoints are never limited.
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		w := get(h, p, "192.0.2.7")
		if w.Code != 200 || w.Header().Get("RateLimit-Limit") != "" {
			t.Fatalf("%s limited: %d %v", p, w.Code, w.Header())
		}
	}
}

func TestLongKeysHashed(t *testing.T) {
	rdb := client(t)
	prefix := uniquePrefix(t)
	l, err := ratelimit.New(rdb, ratelimit.Config{Limit: 1, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 500)
	k := l.Key(long)
	if len(k) > len(prefix)+40 || !strings.HasPrefix(k, prefix+"h:") || l.Key(long) != k || l.Key(long+"y") == k {
		t.Fatalf("key %q", k)
	}
	if l.Key("192.0.2.1") != prefix+"192.0.2.1" {
		t.Fatalf("plain key %q", l.Key("192.0.2.1"))
	}
	r1, err := l.Allow(context.Background(), long)
	if err != nil || !r1.Allowed {
		t.Fatalf("first: %+v %v", r1, err)
	}
	r2, err := l.Allow(context.Background(), long)
	if err != nil || r2.Allowed || r2.Remaining != 0 {
		t.Fatalf("second: %+v %v", r2, err)
	}
}

func TestRedisDownFailsOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	var logs bytes.Buffer
	h, calls := handler(t, rdb, ratelimit.Config{Limit: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for i := 0; i < 3; i++ {
		if w := get(h, "/api/version", "192.0.2.9"); w.Code != 200 {
			t.Fatalf("request %d with Redis down: %d", i, w.Code)
		}
	}
	if *calls != 3 || !strings.Contains(logs.String(), "rate limiter unavailable") {
		t.Fatalf("calls %d, logs %q", *calls, logs.String())
	}
}

func TestConfigValidation(t *testing.T) {
	rdb := client(t)
	if _, err := ratelimit.New(rdb, ratelimit.Config{}); err == nil {
		t.Fatal("zero limit accepted")
	}
	if _, err := ratelimit.New(nil, ratelimit.Config{Limit: 1}); err == nil {
		t.Fatal("nil client accepted")
	}
	if _, err := ratelimit.New(rdb, ratelimit.Config{Limit: 1, Window: time.Microsecond}); err == nil {
		t.Fatal("sub-millisecond window accepted")
	}
}

func BenchmarkAllow(b *testing.B) {
	rdb := redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(b).Addr()})
	defer rdb.Close()
	l, err := ratelimit.New(rdb, ratelimit.Config{Limit: 1 << 30, Prefix: "rl-bench:"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := l.Allow(ctx, "192.0.2.1"); err != nil {
			b.Fatal(err)
		}
	}
}
