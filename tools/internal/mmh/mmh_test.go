package mmh

import "testing"

func TestHash64(t *testing.T) {
	if got := Hash64("abc"); got != 10318955651176813877 {
		t.Fatalf("murmurHash3_64('abc') = %d", got)
	}
}
