package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"altrepo/libs/metrics"
)

var upstreamErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "altrepo_gateway_upstream_errors_total",
	Help: "Failed upstream calls of the gateway, by service and kind (unavailable, timeout, canceled).",
}, []string{"upstream", "kind"})

func init() { metrics.Registry.MustRegister(upstreamErrors) }

// routeKey holds a *string the dispatcher fills with the route label.
type routeKey struct{}

func setRoute(r *http.Request, label string) {
	if p, ok := r.Context().Value(routeKey{}).(*string); ok {
		*p = label
	}
}

// recorder remembers status and size and keeps streaming working.
type recorder struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (w *recorder) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog writes one record per request and the request metrics, both
// labelled with the route prefix (never the raw path). Authorization
// headers and query strings are not logged.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "unmatched"
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, &route))
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		d := time.Since(start)
		metrics.HTTPRequests.WithLabelValues(ServiceName, route, r.Method, strconv.Itoa(rec.code)).Inc()
		metrics.HTTPDuration.WithLabelValues(ServiceName, route, r.Method).Observe(d.Seconds())
		level := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", rec.code),
			slog.Duration("duration", d),
			slog.Int64("bytes", rec.bytes),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// stripIdentity removes every X-Altrepo-* header a client sent: only the
// gateway's guard may set them.
func stripIdentity(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		StripIdentityHeaders(r.Header)
		next.ServeHTTP(w, r)
	})
}

// StripIdentityHeaders deletes the X-Altrepo-* headers of h.
func StripIdentityHeaders(h http.Header) {
	for k := range h {
		if len(k) >= len("X-Altrepo-") && strings.EqualFold(k[:len("X-Altrepo-")], "X-Altrepo-") {
			delete(h, k)
		}
	}
}

// forwarded drops client-supplied forwarding headers unless the gateway
// runs behind a trusted proxy, so that rate-limit keys and token
// fingerprints (which read X-Forwarded-For) see the real peer address.
func forwarded(trust bool, next http.Handler) http.Handler {
	if trust {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Forwarded"} {
			r.Header.Del(h)
		}
		next.ServeHTTP(w, r)
	})
}

const corsMethods = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"

// cors applies the reference's CORS behavior: allowed origins echoed back
// with credentials, preflights answered here.
func cors(origins []string, next http.Handler) http.Handler {
	anyOrigin := len(origins) == 0 || slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		if !anyOrigin && !slices.Contains(origins, origin) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				h.Set("Access-Control-Allow-Headers", rh)
			}
			setRoute(r, "preflight")
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}
