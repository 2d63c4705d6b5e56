package authn

import (
	"crypto/md5"
	"encoding/hex"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ClientIP returns the first entry of X-Forwarded-For when present and
// non-empty, else the host part of the TCP peer address, else "unknown".
func ClientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); strings.TrimSpace(xff) != "" {
		first, _, _ := strings.Cut(xff, ",")
		if first = strings.TrimSpace(first); first != "" {
			return first
		}
	}
	if r.RemoteAddr != "" {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			return host
		}
		return r.RemoteAddr
	}
	return "unknown"
}

// NormalizeAcceptLanguage sorts Accept-Language entries by quality
// (descending, stable) and joins them with "," without spaces, writing
// ";q=<value>" only when the quality is not 1.
func NormalizeAcceptLanguage(v string) string {
	type entry struct {
		lang string
		q    float64
	}
	var entries []entry
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lang, params, _ := strings.Cut(part, ";")
		e := entry{lang: strings.TrimSpace(lang), q: 1}
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "q" {
				if q, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					e.q = q
				}
			}
		}
		if e.lang != "" {
			entries = append(entries, e)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].q > entries[j].q })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.lang
		if e.q != 1 {
			out[i] += ";q=" + strconv.FormatFloat(e.q, 'f', -1, 64)
		}
	}
	return strings.Join(out, ",")
}

// Fingerprint returns md5_hex(ip + "|" + user_agent + "|" +
// normalized accept-language) of the request; local tokens are bound to it.
func Fingerprint(r *http.Request) string {
	s := ClientIP(r) + "|" + r.Header.Get("User-Agent") + "|" + NormalizeAcceptLanguage(r.Header.Get("Accept-Language"))
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
