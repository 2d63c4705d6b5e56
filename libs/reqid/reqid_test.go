package reqid

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMiddlewareKeepsValidAndReplacesInvalid(t *testing.T) {
	var seen string
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r.Context()) }))
	for _, tc := range []struct {
		in   string
		keep bool
	}{{"abc-123", true}, {"", false}, {"bad id\n", false}, {"x'; DROP", false}} {
		req := httptest.NewRequest("GET", "/", nil)
		if tc.in != "" {
			req.Header.Set(Header, tc.in)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if tc.keep && seen != tc.in {
			t.Errorf("%q: context id %q", tc.in, seen)
		}
		if !tc.keep && (seen == tc.in || len(seen) != 32) {
			t.Errorf("%q: not replaced, got %q", tc.in, seen)
		}
		if rec.Header().Get(Header) != seen {
			t.Errorf("response header %q != %q", rec.Header().Get(Header), seen)
		}
	}
}
