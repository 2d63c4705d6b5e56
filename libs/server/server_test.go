package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"altrepo/libs/api"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Run serves the route table and the operational endpoints, reports a
// database that cannot be reached as not ready, and stops when asked.
func TestRunServesAndStops(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "api.conf")
	// Port 1 on loopback: nothing listens there.
	if err := os.WriteFile(conf, []byte("[DATABASE]\nHOST = 127.0.0.1\nPORT = 1\nTRY_CONNECTION_NUMBER = 1\n[OTHER]\nLOG_LEVEL = ERROR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	spec := Spec{Name: "test", Routes: func(d Deps) ([]*api.Route, error) {
		return []*api.Route{{Method: "GET", Path: "/api/test/hello", Handler: func(ctx context.Context, r *api.Request) (*api.Response, error) {
			return &api.Response{Raw: map[string]any{"db": d.DB != nil}}, nil
		}}}, nil
	}}
	go func() { done <- Run(ctx, spec, conf, addr) }()
	base := "http://" + addr
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(base + "/api/test/hello"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprint(&b, resp.StatusCode)
	resp.Body.Close()
	if b.String() != "200" {
		t.Errorf("hello: %s", b.String())
	}
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with ClickHouse down: %v %v", resp.StatusCode, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "api.conf")
	os.WriteFile(conf, []byte("[DATABASE]\nPORT = not-a-number\n"), 0o644)
	if err := Run(context.Background(), Spec{Name: "x"}, conf, freeAddr(t)); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Errorf("err = %v", err)
	}
}
