package app

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"altrepo/services/packages/internal/testenv"
)

// Hostile or odd values for every parameter of every route: the service
// answers them (200, 400, 404, ...) but never with a server error.
func TestNoServerErrorOnOddInput(t *testing.T) {
	env := testenv.Get(t)
	odd := []string{"", "'", `\`, "%", "_", "a'b\"c", "x,,y", ",", "-1", "0", "99999999999999999999999", "1e9",
		"sisyphus", "x86_64", "noarch", "srpm", "бинарник", strings.Repeat("a", 3000), "%00", "true", "../../etc"}
	keys := make([]string, 0, len(env.Routes()))
	routes := map[string]int{}
	for i, rt := range env.Routes() {
		keys = append(keys, rt.Method+" "+rt.Path)
		routes[rt.Method+" "+rt.Path] = i
	}
	sort.Strings(keys)
	sent := 0
	for _, key := range keys {
		rt := env.Routes()[routes[key]]
		if rt.Method != http.MethodGet {
			continue
		}
		// Path parameters: a plausible value and an odd one.
		paths := []string{rt.Path}
		for _, p := range rt.Params {
			if p.In != "path" {
				continue
			}
			var next []string
			for _, base := range paths {
				for _, v := range []string{"sisyphus", "1", "18446744073709551615", "p9", url.PathEscape("a'b")} {
					next = append(next, strings.ReplaceAll(base, "{"+p.Name+"}", v))
				}
			}
			paths = next
		}
		for _, path := range paths {
			for _, p := range rt.Params {
				if p.In != "query" {
					continue
				}
				for _, v := range odd {
					q := url.Values{}
					// Fill required parameters with something valid-looking.
					for _, o := range rt.Params {
						if o.In == "query" && o.Required && o.Name != p.Name {
							q.Set(o.Name, plausible(o.Name))
						}
					}
					q.Set(p.Name, v)
					u := path + "?" + q.Encode()
					rec := env.Do(t, http.MethodGet, u, nil, nil)
					sent++
					if rec.Code >= 500 {
						t.Errorf("GET %.200s: %d %.300s", u, rec.Code, rec.Body.String())
					}
				}
			}
		}
	}
	if sent < 1000 {
		t.Errorf("only %d requests sent", sent)
	}
	t.Logf("%d requests", sent)
}

func plausible(name string) string {
	switch {
	case strings.Contains(name, "branch"):
		return "sisyphus"
	case strings.Contains(name, "arch"):
		return "x86_64"
	case strings.Contains(name, "hash"), name == "task", strings.HasSuffix(name, "_id"):
		return "1"
	}
	return "bash"
}
