package server

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func TestWireRateLimit(t *testing.T) {
	rds := testharness.SharedRedis(t)
	// Start from a fresh counter (the shared server outlives -count runs).
	rdb := redis.NewClient(&redis.Options{Addr: rds.Addr()})
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	cfg := parse(t, "[GATEWAY]\nRATE_LIMIT = 2\nRATE_WINDOW = 600\n[REDIS]\nREDIS_URL = redis://"+rds.Addr()+"/0\n", nil)
	s, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := wired(t, cfg, s)
	var codes []int
	for i := range 3 {
		// A client-chosen X-Forwarded-For does not buy a fresh counter.
		res, _ := f.do(t, "GET", "/api/ping", map[string]string{"X-Forwarded-For": fmt.Sprintf("10.0.0.%d", i)})
		codes = append(codes, res.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Errorf("codes %v, want 200 200 429", codes)
	}
	for _, p := range []string{"/healthz", "/metrics", "/healthz"} {
		if res, _ := f.do(t, "GET", p, nil); res.StatusCode != 200 {
			t.Errorf("%s limited: %d", p, res.StatusCode)
		}
	}
}
