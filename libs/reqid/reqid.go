// Package reqid gives every request an ID that travels in the X-Request-ID
// header, the request context, the logs and ClickHouse's query_id.
package reqid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header carries the request ID between the gateway, the services and clients.
const Header = "X-Request-ID"

type ctxKey struct{}

// New returns a fresh random ID (32 hex digits).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// With stores id in ctx.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the request ID of ctx ("" when none).
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// valid accepts IDs a client may choose: 1-64 characters of [A-Za-z0-9._-],
// safe in logs and as a ClickHouse query_id.
func valid(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Middleware takes the incoming X-Request-ID when it is well formed (else a
// new one), stores it in the context and echoes it in the response header.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !valid(id) {
			id = New()
			r.Header.Set(Header, id)
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
