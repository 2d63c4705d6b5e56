package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"altrepo/libs/reqid"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func start(t *testing.T, h http.HandlerFunc, timeout time.Duration, onErr func(string, string)) *httptest.Server {
	t.Helper()
	up := httptest.NewServer(h)
	t.Cleanup(up.Close)
	target, _ := url.Parse(up.URL)
	p := New(Options{Service: "svc", Target: target, Timeout: timeout, Logger: quiet(), OnError: onErr})
	gw := httptest.NewServer(reqid.Middleware(p))
	t.Cleanup(gw.Close)
	return gw
}

// manualTimers replaces afterFunc: timers fire only when the test says so.
type manualTimers struct {
	mu  sync.Mutex
	fns []func()
}

func (m *manualTimers) install(t *testing.T) {
	orig := afterFunc
	afterFunc = func(d time.Duration, f func()) interface{ Stop() bool } {
		m.mu.Lock()
		m.fns = append(m.fns, f)
		m.mu.Unlock()
		return stopper{}
	}
	t.Cleanup(func() { afterFunc = orig })
}

func (m *manualTimers) fireAll() {
	m.mu.Lock()
	fns := append([]func(){}, m.fns...)
	m.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

type stopper struct{}

func (stopper) Stop() bool { return true }

// The timeout bounds the wait for the response headers only: a body that
// keeps streaming when the timer fires is not cut off.
func TestTimeoutCoversHeadersOnly(t *testing.T) {
	var timers manualTimers
	timers.install(t)
	release := make(chan struct{})
	gw := start(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "head,")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "tail")
	}, time.Hour, nil)
	res, err := http.Get(gw.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(res.Body, buf); err != nil || string(buf) != "head," {
		t.Fatalf("first bytes %q, %v", buf, err)
	}
	timers.fireAll() // the deadline passes while the body streams
	close(release)
	rest, err := io.ReadAll(res.Body)
	if err != nil || string(rest) != "tail" {
		t.Errorf("rest %q, %v: the stream was cut off", rest, err)
	}
}

// Fired before the headers, the timer turns the request into a 504.
func TestTimeoutBeforeHeaders(t *testing.T) {
	var timers manualTimers
	timers.install(t)
	arrived := make(chan struct{})
	gw := start(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}, time.Hour, nil)
	go func() {
		<-arrived
		timers.fireAll()
	}()
	res, err := http.Get(gw.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(body), "did not answer in time") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}

func TestErrorKinds(t *testing.T) {
	var mu sync.Mutex
	var kinds []string
	onErr := func(svc, kind string) {
		mu.Lock()
		kinds = append(kinds, svc+":"+kind)
		mu.Unlock()
	}
	done := make(chan struct{})
	defer close(done)
	slow := start(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}, 20*time.Millisecond, onErr)
	res, err := http.Get(slow.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 504 || !strings.Contains(string(body), "did not answer in time") {
		t.Errorf("slow: %d %s", res.StatusCode, body)
	}

	target, _ := url.Parse("http://127.0.0.1:1") // nothing listens on port 1
	down := httptest.NewServer(New(Options{Service: "svc", Target: target, Logger: quiet(), OnError: onErr}))
	defer down.Close()
	res, err = http.Get(down.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 502 || strings.TrimSpace(string(body)) != `{"message":"The svc service is unavailable"}` {
		t.Errorf("down: %d %s", res.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(kinds, ",") != "svc:timeout,svc:unavailable" {
		t.Errorf("kinds %v", kinds)
	}
}

func TestResponseHeaders(t *testing.T) {
	gw := start(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Request-ID", "upstream-own")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "X-Total-Count")
		h.Add("Vary", "Origin, Accept-Encoding")
		h.Set("X-Total-Count", "3")
		w.WriteHeader(201)
	}, time.Second, nil)
	req, _ := http.NewRequest("GET", gw.URL+"/x", nil)
	req.Header.Set("X-Request-ID", "mine")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	h := res.Header
	if res.StatusCode != 201 || strings.Join(h.Values("X-Request-ID"), ",") != "mine" ||
		h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Expose-Headers") != "X-Total-Count" ||
		strings.Join(h.Values("Vary"), ",") != "Accept-Encoding" || h.Get("X-Total-Count") != "3" {
		t.Errorf("%d %v", res.StatusCode, h)
	}
}
