package mmh

import (
	"context"
	"strings"
	"testing"

	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

// TestAgainstClickHouse compares Hash64 with the server's murmurHash3_64 for
// every tail length.
func TestAgainstClickHouse(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	conn := ch.Conn(t, "default")
	ctx := context.Background()
	for n := 0; n <= 40; n++ {
		s := strings.Repeat("/usr/lib64/ä", 4)[:n]
		var got uint64
		if err := conn.QueryRow(ctx, "SELECT murmurHash3_64(?)", s).Scan(&got); err != nil {
			t.Fatalf("query: %v", err)
		}
		if want := Hash64(s); got != want {
			t.Errorf("len %d: server %d, Go %d", n, got, want)
		}
	}
}
