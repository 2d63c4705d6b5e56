// Package routes maps request paths to the service that owns them by
// longest path prefix. Prefixes match on segment boundaries: "/api/package"
// owns "/api/package" and "/api/package/..." but not "/api/packageset".
package routes

import (
	"fmt"
	"sort"
	"strings"
)

// Service names, as keys of the [SERVICES] config section (lower-cased).
const (
	Packages = "packages"
	Tasks    = "tasks"
	Bugs     = "bugs"
	Images   = "images"
	Auth     = "auth"
)

// Route sends every path under Prefix to Service.
type Route struct {
	Prefix  string
	Service string
}

// Default is the built-in route table. The contract's endpoints.json
// cross-check lives in routes_test.go.
func Default() []Route {
	return []Route{
		{"/api/package", Packages},
		{"/api/packageset", Packages},
		{"/api/dependencies", Packages},
		{"/api/file", Packages},
		{"/api/acl", Packages},
		{"/api/license", Packages}, // "/api/license" itself is a gateway root route
		{"/api/export", Packages},
		{"/api/site", Packages},

		{"/api/task", Tasks}, // includes /api/task/progress
		{"/api/site/last_packages", Tasks},
		{"/api/site/last_packages_by_tasks", Tasks},
		{"/api/site/package_versions_from_tasks", Tasks},
		{"/api/site/tasks_by_maintainer", Tasks},
		{"/api/site/tasks_by_package", Tasks},

		{"/api/bug", Bugs},
		{"/api/errata", Bugs},
		{"/api/vuln", Bugs},
		{"/manage", Bugs}, // the management namespace sits directly under /manage

		{"/api/image", Images},
		{"/api/site/package_versions_from_images", Images},
		{"/manage/antivirus_scan", Images},

		{"/api/auth", Auth},
		{"/manage/auth", Auth},
	}
}

// Table is an immutable route table.
type Table struct {
	routes []Route // longest prefix first
}

// New validates routes and builds a table. Later entries with the same
// prefix replace earlier ones, so overrides can be appended to Default().
func New(routes []Route) (*Table, error) {
	byPrefix := map[string]Route{}
	for _, r := range routes {
		p, err := normalize(r.Prefix)
		if err != nil {
			return nil, err
		}
		svc := strings.ToLower(strings.TrimSpace(r.Service))
		if svc == "" {
			return nil, fmt.Errorf("routes: prefix %q: empty service name", r.Prefix)
		}
		byPrefix[p] = Route{Prefix: p, Service: svc}
	}
	t := &Table{}
	for _, r := range byPrefix {
		t.routes = append(t.routes, r)
	}
	sort.Slice(t.routes, func(i, j int) bool {
		if len(t.routes[i].Prefix) != len(t.routes[j].Prefix) {
			return len(t.routes[i].Prefix) > len(t.routes[j].Prefix)
		}
		return t.routes[i].Prefix < t.routes[j].Prefix
	})
	return t, nil
}

// WithOverrides returns Default() followed by the [ROUTES] config section
// entries (prefix = service). Config keys arrive upper-cased from the INI
// parser; route prefixes are lower-cased again (every contract path is
// lower case).
func WithOverrides(section map[string]string) []Route {
	out := Default()
	keys := make([]string, 0, len(section))
	for k := range section {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, Route{Prefix: strings.ToLower(strings.TrimSpace(k)), Service: section[k]})
	}
	return out
}

func normalize(p string) (string, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("routes: prefix %q must start with /", p)
	}
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "", fmt.Errorf("routes: the root prefix / cannot be routed to a service")
	}
	return p, nil
}

// Match returns the route owning path, by longest segment-aligned prefix.
func (t *Table) Match(path string) (Route, bool) {
	for _, r := range t.routes {
		if HasPrefix(path, r.Prefix) {
			return r, true
		}
	}
	return Route{}, false
}

// Routes returns a copy of the table, longest prefix first.
func (t *Table) Routes() []Route {
	return append([]Route(nil), t.routes...)
}

// Services returns the distinct service names the table refers to.
func (t *Table) Services() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range t.routes {
		if !seen[r.Service] {
			seen[r.Service] = true
			out = append(out, r.Service)
		}
	}
	sort.Strings(out)
	return out
}

// HasPrefix reports whether path equals prefix or continues it with "/".
func HasPrefix(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || path[len(prefix)] == '/'
}
