package testharness

import (
	"sync"
	"testing"
	"time"
)

func TestClockAndLogBuffer(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(start)
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(start); got != 90*time.Second {
		t.Errorf("advanced %v", got)
	}
	var l LogBuffer
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); l.Write([]byte("x")) }()
	}
	wg.Wait()
	if l.String() != "xxxxxxxxxx" {
		t.Errorf("buffer %q", l.String())
	}
}
