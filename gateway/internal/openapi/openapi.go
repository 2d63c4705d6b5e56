// Package openapi merges the services' OpenAPI 3.1 fragments (each served
// at <service>/openapi.json) into the gateway's documents: the public API
// (paths outside /manage) and the management API (paths under /manage).
package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Doc is a JSON object (an OpenAPI document or part of one).
type Doc = map[string]any

// Source is one service's fragment.
type Source struct {
	Name string
	// URL is the fragment's address, e.g. http://127.0.0.1:8081/openapi.json.
	URL string
}

// Info describes one of the two merged documents.
type Info struct {
	Title, Version, Description string
}

// Options configure an Aggregator.
type Options struct {
	Sources []Source
	// API and Manage are the info blocks of the two documents.
	API, Manage Info
	// Extra holds paths the gateway serves itself (path -> path item).
	Extra map[string]any
	// Client fetches the fragments (default: 10s timeout).
	Client *http.Client
	Logger *slog.Logger
	// MinRetry is the least time between two on-demand refreshes
	// (?refresh=1 or a missing fragment; default 5s).
	MinRetry time.Duration
}

// Aggregator keeps the latest fragment of every source and the merged
// documents built from them.
type Aggregator struct {
	o Options

	refreshMu sync.Mutex // one refresh at a time
	mu        sync.RWMutex
	frags     map[string]Doc // by source name; absent = not answering
	api       []byte
	manage    []byte
	last      time.Time
}

// New returns an aggregator holding empty documents (only the gateway's
// own paths) until the first Refresh.
func New(o Options) *Aggregator {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MinRetry == 0 {
		o.MinRetry = 5 * time.Second
	}
	a := &Aggregator{o: o, frags: map[string]Doc{}}
	a.rebuild()
	return a
}

// Refresh fetches every fragment concurrently and rebuilds the documents.
// A source that fails contributes nothing until it answers again.
func (a *Aggregator) Refresh(ctx context.Context) {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	type result struct {
		name string
		doc  Doc
	}
	results := make(chan result, len(a.o.Sources))
	var wg sync.WaitGroup
	for _, s := range a.o.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := a.fetch(ctx, s.URL)
			a.mu.RLock()
			_, had := a.frags[s.Name]
			first := a.last.IsZero()
			a.mu.RUnlock()
			switch {
			case err != nil && (had || first):
				a.o.Logger.WarnContext(ctx, "openapi fragment unavailable", "upstream", s.Name, "error", err.Error())
			case err != nil:
				a.o.Logger.DebugContext(ctx, "openapi fragment still unavailable", "upstream", s.Name, "error", err.Error())
			case !had:
				a.o.Logger.InfoContext(ctx, "openapi fragment loaded", "upstream", s.Name)
			}
			results <- result{s.Name, doc}
		}()
	}
	wg.Wait()
	close(results)
	if ctx.Err() != nil {
		return // cancelled half way: keep what we had
	}
	frags := map[string]Doc{}
	for r := range results {
		if r.doc != nil {
			frags[r.name] = r.doc
		}
	}
	a.mu.Lock()
	a.frags = frags
	a.last = time.Now()
	a.mu.Unlock()
	a.rebuild()
}

func (a *Aggregator) fetch(ctx context.Context, url string) (Doc, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := a.o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("openapi: fetch %s: %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("openapi: fetch %s: status %d", url, res.StatusCode)
	}
	var doc Doc
	if err := json.NewDecoder(io.LimitReader(res.Body, 64<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapi: decode %s: %w", url, err)
	}
	return doc, nil
}

// Run refreshes now and then every interval until ctx ends.
func (a *Aggregator) Run(ctx context.Context, interval time.Duration) {
	a.Refresh(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.Refresh(ctx)
		}
	}
}

// Missing lists the sources whose fragment is absent.
func (a *Aggregator) Missing() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []string
	for _, s := range a.o.Sources {
		if _, ok := a.frags[s.Name]; !ok {
			out = append(out, s.Name)
		}
	}
	return out
}

// rebuild merges the current fragments into the two documents.
func (a *Aggregator) rebuild() {
	a.mu.RLock()
	frags := make([]Doc, 0, len(a.o.Sources))
	names := make([]string, 0, len(a.o.Sources))
	for _, s := range a.o.Sources { // source order decides "first wins"
		if d, ok := a.frags[s.Name]; ok {
			frags = append(frags, d)
			names = append(names, s.Name)
		}
	}
	a.mu.RUnlock()

	merged := Merge(a.o.Logger, names, frags)
	for p, item := range a.o.Extra {
		merged.Paths[p] = item
	}
	api, _ := json.Marshal(merged.Document(a.o.API, func(p string) bool { return !isManage(p) }))
	manage, _ := json.Marshal(merged.Document(a.o.Manage, isManage))
	a.mu.Lock()
	a.api, a.manage = api, manage
	a.mu.Unlock()
}

func isManage(p string) bool { return p == "/manage" || strings.HasPrefix(p, "/manage/") }

// Merged is the union of fragments.
type Merged struct {
	Paths      map[string]any
	Components map[string]map[string]any // kind (schemas, parameters, ...) -> name -> object
	Tags       []any
}

// Merge unions the fragments' paths, components and tags. On a name
// conflict the first fragment wins and the conflict is logged.
func Merge(log *slog.Logger, names []string, frags []Doc) *Merged {
	m := &Merged{Paths: map[string]any{}, Components: map[string]map[string]any{}}
	pathOwner := map[string]string{}
	compOwner := map[string]string{}
	tagSeen := map[string]bool{}
	for i, f := range frags {
		name := names[i]
		if paths, ok := f["paths"].(map[string]any); ok {
			for p, item := range paths {
				if prev, dup := pathOwner[p]; dup {
					log.Warn("openapi path defined twice; keeping the first", "path", p, "kept", prev, "dropped", name)
					continue
				}
				pathOwner[p] = name
				m.Paths[p] = item
			}
		}
		if comps, ok := f["components"].(map[string]any); ok {
			for kind, v := range comps {
				objs, ok := v.(map[string]any)
				if !ok || kind == "securitySchemes" {
					continue // the gateway declares the security schemes
				}
				if m.Components[kind] == nil {
					m.Components[kind] = map[string]any{}
				}
				for n, obj := range objs {
					key := kind + "/" + n
					if prev, dup := compOwner[key]; dup {
						if !jsonEqual(m.Components[kind][n], obj) {
							log.Warn("openapi component defined twice; keeping the first", "component", key, "kept", prev, "dropped", name)
						}
						continue
					}
					compOwner[key] = name
					m.Components[kind][n] = obj
				}
			}
		}
		if tags, ok := f["tags"].([]any); ok {
			for _, t := range tags {
				tm, _ := t.(map[string]any)
				n, _ := tm["name"].(string)
				if n == "" || tagSeen[n] {
					continue
				}
				tagSeen[n] = true
				m.Tags = append(m.Tags, t)
			}
		}
	}
	return m
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// SecuritySchemes are the schemes of the reference's documents.
func SecuritySchemes() map[string]any {
	return map[string]any{
		"Bearer":    map[string]any{"type": "apiKey", "in": "header", "name": "Authorization"},
		"BasicAuth": map[string]any{"type": "http", "scheme": "basic"},
	}
}

// Document builds an OpenAPI 3.1 document from the paths that keep
// selects, with only the components those paths reference (transitively).
func (m *Merged) Document(info Info, keep func(path string) bool) Doc {
	paths := map[string]any{}
	for p, item := range m.Paths {
		if keep(p) {
			paths[p] = item
		}
	}
	used := map[string]bool{} // "#/components/<kind>/<name>"
	var queue []any
	queue = append(queue, paths)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		collectRefs(v, func(ref string) {
			if used[ref] {
				return
			}
			used[ref] = true
			if kind, name, ok := splitRef(ref); ok {
				if obj, ok := m.Components[kind][name]; ok {
					queue = append(queue, obj)
				}
			}
		})
	}
	comps := map[string]any{"securitySchemes": SecuritySchemes()}
	for kind, objs := range m.Components {
		sel := map[string]any{}
		for n, obj := range objs {
			if used["#/components/"+kind+"/"+n] {
				sel[n] = obj
			}
		}
		if len(sel) > 0 {
			comps[kind] = sel
		}
	}
	doc := Doc{
		"openapi":    "3.1.0",
		"info":       Doc{"title": info.Title, "version": info.Version, "description": info.Description},
		"paths":      paths,
		"components": comps,
	}
	if tags := usedTags(m.Tags, paths); len(tags) > 0 {
		doc["tags"] = tags
	}
	return doc
}

func usedTags(all []any, paths map[string]any) []any {
	names := map[string]bool{}
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, op := range ops {
			o, _ := op.(map[string]any)
			ts, _ := o["tags"].([]any)
			for _, t := range ts {
				if s, ok := t.(string); ok {
					names[s] = true
				}
			}
		}
	}
	var out []any
	for _, t := range all {
		tm, _ := t.(map[string]any)
		if n, _ := tm["name"].(string); names[n] {
			out = append(out, t)
		}
	}
	return out
}

func splitRef(ref string) (kind, name string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", false
	}
	kind, name, ok = strings.Cut(rest, "/")
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return kind, name, ok
}

func collectRefs(v any, f func(string)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := x[k].(string); ok && k == "$ref" {
				f(s)
				continue
			}
			collectRefs(x[k], f)
		}
	case []any:
		for _, e := range x {
			collectRefs(e, f)
		}
	}
}

// Handler serves one of the documents. "?refresh=1", or a request
// arriving while a fragment is missing, refreshes first; either at most
// once per MinRetry, so clients cannot make the gateway hammer services.
func (a *Aggregator) Handler(manage bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.RLock()
		stale := time.Since(a.last) >= a.o.MinRetry
		a.mu.RUnlock()
		if stale && (r.URL.Query().Get("refresh") != "" || len(a.Missing()) > 0) {
			a.Refresh(r.Context())
		}
		a.mu.RLock()
		body := a.api
		if manage {
			body = a.manage
		}
		a.mu.RUnlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}
