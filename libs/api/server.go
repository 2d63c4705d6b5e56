package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"altrepo/libs/apierr"
	"altrepo/libs/metrics"
	"altrepo/libs/model"
	"altrepo/libs/reqid"
)

// Service is one process's table of routes plus its operational endpoints.
type Service struct {
	Name    string
	Title   string
	Version string
	Routes  []*Route
	Log     *slog.Logger
	// Ready reports whether the service can answer (ClickHouse reachable).
	Ready func(ctx context.Context) error
	// MapError turns errors of lower layers (e.g. the ClickHouse layer)
	// into answers; unmapped errors become 500 Internal Server Error.
	MapError func(error) *apierr.Error

	served []served
}

type served struct {
	route   *Route
	pat     pattern
	handler http.Handler
}

// Endpoint is the go-kit endpoint of a route: request *Request, response *Response.
func (rt *Route) Endpoint() endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		return rt.Handler(ctx, req.(*Request))
	}
}

type pathKey struct{}

type requestKey struct{}

// r returns the HTTP request of a transport context.
func r(ctx context.Context) *http.Request {
	req, _ := ctx.Value(requestKey{}).(*http.Request)
	if req == nil {
		return &http.Request{Header: http.Header{}}
	}
	return req
}

// Handler builds the HTTP handler of the whole service.
func (s *Service) Handler() (http.Handler, error) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	s.served = nil
	for _, rt := range s.Routes {
		if rt.Handler == nil {
			continue
		}
		if err := rt.prepare(); err != nil {
			return nil, err
		}
		pat, err := compilePattern(rt)
		if err != nil {
			return nil, err
		}
		ep := s.logErrors(rt)(rt.Endpoint())
		srv := kithttp.NewServer(ep, decoder(rt), s.encoder(rt),
			kithttp.ServerErrorEncoder(s.encodeError),
			kithttp.ServerErrorHandler(nopErrorHandler{}),
		)
		s.served = append(s.served, served{route: rt, pat: pat, handler: metrics.Instrument(s.Name, rt.Path, srv)})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", metrics.Handler())
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.OpenAPI())
	})
	mux.Handle("/", http.HandlerFunc(s.route))
	return reqid.Middleware(s.accessLog(recoverer(s.Log, mux))), nil
}

func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Log.WarnContext(r.Context(), "not ready", "err", err)
			var o model.Ordered
			o.Set("status", "unavailable")
			o.Set("error", err.Error())
			writeJSON(w, http.StatusServiceUnavailable, append(o.AppendJSON(nil), '\n'))
			return
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`+"\n"))
}

// route dispatches to the route whose pattern matches, answering the
// reference's 404 and 405 bodies otherwise.
func (s *Service) route(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var allowed []string
	for i := range s.served {
		sv := &s.served[i]
		vals, ok := sv.pat.match(segs)
		if !ok || (strings.HasSuffix(r.URL.Path, "/") && r.URL.Path != "/") {
			continue
		}
		m := r.Method
		if m == http.MethodHead {
			m = http.MethodGet
		}
		if sv.route.Method != m {
			allowed = append(allowed, sv.route.Method)
			continue
		}
		ctx := context.WithValue(r.Context(), pathKey{}, vals)
		ctx = context.WithValue(ctx, requestKey{}, r)
		sv.handler.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	if len(allowed) > 0 {
		allow := strings.Join(append(allowed, "OPTIONS"), ", ")
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Allow", allow)
		s.writeError(w, r, apierr.MethodNotAllowed())
		return
	}
	s.writeError(w, r, apierr.NotFoundURL())
}

func decoder(rt *Route) kithttp.DecodeRequestFunc {
	return func(ctx context.Context, r *http.Request) (any, error) {
		vals, _ := ctx.Value(pathKey{}).(map[string]string)
		args, err := rt.parseArgs(r)
		if err != nil {
			return nil, err
		}
		body, err := rt.parseBody(r)
		if err != nil {
			return nil, err
		}
		return &Request{Args: args, Path: vals, Body: body, Header: r.Header, HTTP: r}, nil
	}
}

func (s *Service) encoder(rt *Route) kithttp.EncodeResponseFunc {
	return func(ctx context.Context, w http.ResponseWriter, resp any) error {
		res, _ := resp.(*Response)
		if res == nil {
			return s.encodeErrorValue(ctx, w, apierr.Internal(errors.New("handler returned no response")))
		}
		for k, vs := range res.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		code := res.Code
		if code == 0 {
			code = rt.okCode()
		}
		switch {
		case res.Stream != nil:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			st := &Stream{w: w, buf: make([]byte, 0, flushBytes+4096)}
			if err := res.Stream(ctx, st); err != nil {
				// Headers are gone: cut the connection so the client sees
				// a truncated answer instead of a well-formed wrong one.
				s.Log.ErrorContext(ctx, "stream failed", "route", rt.Path, "err", err)
				panic(http.ErrAbortHandler)
			}
			st.Raw("\n")
			st.Flush()
			return nil
		case res.Text != nil:
			ct := rt.Produces
			if ct == "" {
				ct = "text/plain; charset=utf-8"
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(code)
			_, err := w.Write(res.Text)
			return err
		case res.Raw != nil || rt.Model == nil:
			writeJSON(w, code, append(model.AppendRaw(nil, res.Raw), '\n'))
			return nil
		}
		mask, err := model.ParseMask(r(ctx).Header.Get("X-Fields"))
		if err != nil {
			return s.encodeErrorValue(ctx, w, apierr.Message(http.StatusBadRequest, "Mask parse error: "+err.Error()))
		}
		if rt.AsList {
			writeJSON(w, code, append(rt.Model.AppendListMasked(nil, res.List, mask), '\n'))
			return nil
		}
		writeJSON(w, code, append(rt.Model.AppendMasked(nil, res.Body, mask), '\n'))
		return nil
	}
}

func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func (s *Service) toAPIError(err error) *apierr.Error {
	var e *apierr.Error
	if errors.As(err, &e) {
		return e
	}
	if s.MapError != nil {
		if e := s.MapError(err); e != nil {
			return e
		}
	}
	return apierr.Internal(err)
}

func (s *Service) encodeError(ctx context.Context, err error, w http.ResponseWriter) {
	_ = s.encodeErrorValue(ctx, w, s.toAPIError(err))
}

func (s *Service) encodeErrorValue(ctx context.Context, w http.ResponseWriter, e *apierr.Error) error {
	writeJSON(w, e.Code, e.JSON())
	return nil
}

func (s *Service) writeError(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	_ = s.encodeErrorValue(r.Context(), w, e)
}

// logErrors logs failed requests: 5xx with their cause at error level.
func (s *Service) logErrors(rt *Route) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			resp, err := next(ctx, req)
			if err != nil {
				e := s.toAPIError(err)
				if e.Code >= 500 {
					s.Log.ErrorContext(ctx, "request failed", "route", rt.Path, "code", e.Code, "err", err)
				}
				return nil, e
			}
			return resp, nil
		}
	}
}

type nopErrorHandler struct{}

func (nopErrorHandler) Handle(context.Context, error) {}

type loggingWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (w *loggingWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *loggingWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *loggingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *loggingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Service) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &loggingWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			return
		}
		s.Log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", lw.code, "bytes", lw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, apierr.Internal(nil).JSON())
			}
		}()
		next.ServeHTTP(w, r)
	})
}
