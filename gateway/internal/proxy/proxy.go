// Package proxy forwards requests to one service with
// net/http/httputil.ReverseProxy: X-Forwarded-* headers, request ID
// propagation, streamed answers, and JSON 502/504 answers when the service
// is down or too slow.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"altrepo/gateway/internal/httpx"
	"altrepo/libs/reqid"
)

// Options configure a service proxy.
type Options struct {
	// Service is the service name (logs, metrics, error messages).
	Service string
	// Target is the service's base URL.
	Target *url.URL
	// Timeout bounds the wait for the service's response headers; 0 = none.
	Timeout time.Duration
	// TrustForwarded keeps the client's X-Forwarded-For chain and its
	// X-Forwarded-Host/Proto (set it when the gateway runs behind a trusted
	// reverse proxy).
	TrustForwarded bool
	// Transport overrides the default transport (tests).
	Transport http.RoundTripper
	Logger    *slog.Logger
	// OnError is called with the error kind ("unavailable", "timeout",
	// "canceled") of every failed upstream call.
	OnError func(service, kind string)
}

// upstream CORS headers the gateway sets itself; Expose-Headers is the
// service's business and passes through.
var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
}

// New returns the reverse proxy handler of one service.
func New(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.OnError == nil {
		o.OnError = func(string, string) {}
	}
	transport := o.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	target := o.Target
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if o.TrustForwarded {
				if v := pr.In.Header.Values("X-Forwarded-For"); len(v) > 0 {
					pr.Out.Header["X-Forwarded-For"] = append([]string(nil), v...)
				}
			}
			pr.SetXForwarded()
			if o.TrustForwarded {
				for _, h := range []string{"X-Forwarded-Host", "X-Forwarded-Proto"} {
					if v := pr.In.Header.Get(h); v != "" {
						pr.Out.Header.Set(h, v)
					}
				}
			}
			if id := reqid.From(pr.In.Context()); id != "" {
				pr.Out.Header.Set(reqid.Header, id)
			}
		},
		Transport:     transport,
		FlushInterval: -1, // stream: large exports reach the client as they come
		ModifyResponse: func(res *http.Response) error {
			// The gateway already set X-Request-ID and the CORS headers on
			// the client's response; drop the service's copies.
			res.Header.Del(reqid.Header)
			for _, h := range corsHeaders {
				res.Header.Del(h)
			}
			if vary := res.Header.Values("Vary"); len(vary) > 0 {
				res.Header.Del("Vary")
				for _, v := range vary {
					for _, f := range strings.Split(v, ",") {
						if f = strings.TrimSpace(f); f != "" && !strings.EqualFold(f, "Origin") {
							res.Header.Add("Vary", f)
						}
					}
				}
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			kind, code, msg := classify(o.Service, r, err)
			o.OnError(o.Service, kind)
			o.Logger.WarnContext(r.Context(), "upstream request failed",
				"upstream", o.Service, "kind", kind, "error", err.Error())
			if code == 0 {
				return // the client went away; nobody to answer
			}
			httpx.Message(w, code, msg)
		},
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	if o.Timeout > 0 {
		return headerTimeout(o.Timeout, rp)
	}
	return rp
}

func classify(service string, r *http.Request, err error) (kind string, code int, msg string) {
	var ne net.Error
	switch {
	case errors.Is(context.Cause(r.Context()), errHeaderTimeout):
		return "timeout", http.StatusGatewayTimeout, fmt.Sprintf("The %s service did not answer in time", service)
	case r.Context().Err() != nil:
		return "canceled", 0, ""
	}
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "timeout", http.StatusGatewayTimeout, fmt.Sprintf("The %s service did not answer in time", service)
	}
	return "unavailable", http.StatusBadGateway, fmt.Sprintf("The %s service is unavailable", service)
}

var errHeaderTimeout = errors.New("proxy: timeout awaiting response headers")

// afterFunc is time.AfterFunc; tests replace it to fire timers by hand.
var afterFunc = func(d time.Duration, f func()) interface{ Stop() bool } { return time.AfterFunc(d, f) }

// headerTimeout cancels the upstream request (cause errHeaderTimeout) when
// no response headers came within d; once the headers are there the body
// may stream for as long as it takes.
func headerTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		hw := &headerWatch{ResponseWriter: w, started: make(chan struct{})}
		timer := afterFunc(d, func() {
			select {
			case <-hw.started:
			default:
				cancel(errHeaderTimeout)
			}
		})
		defer timer.Stop()
		next.ServeHTTP(hw, r.WithContext(ctx))
	})
}

type headerWatch struct {
	http.ResponseWriter
	started chan struct{}
	once    bool
}

func (h *headerWatch) mark() {
	if !h.once {
		h.once = true
		close(h.started)
	}
}

func (h *headerWatch) WriteHeader(code int) {
	if code >= 200 {
		h.mark()
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWatch) Write(b []byte) (int, error) {
	h.mark()
	return h.ResponseWriter.Write(b)
}

func (h *headerWatch) Unwrap() http.ResponseWriter { return h.ResponseWriter }
