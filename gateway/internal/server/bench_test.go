package server

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkProxy measures a small GET through the gateway to a service
// (routing, guard lookup, proxy, access log, metrics).
func BenchmarkProxy(b *testing.B) {
	f := newFixture(b, nil, nil)
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		res, err := client.Get(f.gw.URL + "/api/package/package_info?name=bash")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
