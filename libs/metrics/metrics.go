// Package metrics holds the Prometheus collectors every process exports on
// /metrics: HTTP requests per route and ClickHouse queries per named query.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the process-wide registry served by Handler.
var Registry = prometheus.NewRegistry()

var (
	// HTTPRequests counts answered requests by service, route pattern, method and status code.
	HTTPRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "altrepo_http_requests_total", Help: "HTTP requests answered, by route pattern and status code.",
	}, []string{"service", "route", "method", "code"})
	// HTTPDuration observes request latency by service and route pattern.
	HTTPDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "altrepo_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"service", "route", "method"})
	// QueryDuration observes ClickHouse query latency by query name.
	QueryDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "altrepo_clickhouse_query_duration_seconds", Help: "ClickHouse query latency by named query.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"service", "query", "status"})
)

func init() {
	Registry.MustRegister(HTTPRequests, HTTPDuration, QueryDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Handler serves the registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{})
}

// statusWriter records the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streamed answers reach the client early.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Instrument records count and latency of h under the given route label.
func Instrument(service, route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		HTTPRequests.WithLabelValues(service, route, r.Method, strconv.Itoa(code)).Inc()
		HTTPDuration.WithLabelValues(service, route, r.Method).Observe(time.Since(start).Seconds())
	})
}
