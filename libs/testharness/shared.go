package testharness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared holds one lazily started server of a test binary.
type shared[T any] struct {
	once sync.Once
	srv  *T
	err  error
}

var (
	sharedMu    sync.Mutex
	sharedStops []func() error

	sharedCH    shared[ClickHouse]
	sharedRedis shared[Redis]
	sharedNATS  shared[NATS]
)

func registerStop(stop func() error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sharedStops = append(sharedStops, stop)
}

// StopShared stops every shared server started so far; Main calls it.
func StopShared() error {
	sharedMu.Lock()
	stops := sharedStops
	sharedStops = nil
	sharedMu.Unlock()
	var errs []error
	for i := len(stops) - 1; i >= 0; i-- {
		if err := stops[i](); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Main runs the tests of a package and stops the shared servers afterwards:
//
//	func TestMain(m *testing.M) { testharness.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := StopShared(); err != nil {
		fmt.Fprintf(os.Stderr, "testharness: stop shared servers: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// RequireServers reports whether ALTREPO_REQUIRE_SERVERS=1 is set.
func RequireServers() bool { return os.Getenv(RequireServersEnv) == "1" }

func getShared[T any](tb testing.TB, s *shared[T], start func(context.Context) (*T, error), stop func(*T) error) *T {
	tb.Helper()
	s.once.Do(func() {
		s.srv, s.err = start(context.Background())
		if s.err == nil {
			srv := s.srv
			registerStop(func() error { return stop(srv) })
		}
	})
	if s.err != nil {
		if errors.Is(s.err, ErrMissingBinary) && !RequireServers() {
			tb.Skipf("%v (set %s=1 to fail instead of skipping)", s.err, RequireServersEnv)
			return nil
		}
		tb.Fatalf("testharness: %v", s.err)
		return nil
	}
	return s.srv
}

// SharedClickHouse returns the ClickHouse server of this test binary,
// starting it on first use. A missing binary skips the test unless
// ALTREPO_REQUIRE_SERVERS=1, which makes it fail.
func SharedClickHouse(tb testing.TB) *ClickHouse {
	tb.Helper()
	return getShared(tb, &sharedCH, StartClickHouse, (*ClickHouse).Stop)
}

// SharedRedis returns the Redis server of this test binary (see
// SharedClickHouse).
func SharedRedis(tb testing.TB) *Redis {
	tb.Helper()
	return getShared(tb, &sharedRedis, StartRedis, (*Redis).Stop)
}

// SharedNATS returns the NATS server of this test binary (see
// SharedClickHouse).
func SharedNATS(tb testing.TB) *NATS {
	tb.Helper()
	return getShared(tb, &sharedNATS, StartNATS, (*NATS).Stop)
}
