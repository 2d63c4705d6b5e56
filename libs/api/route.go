// Package api is the declarative endpoint table every service is built
// from. One Route value holds the path, the parameters with their
// validators, the handler and the response model; from the table the
// package derives the go-kit endpoints, the HTTP transport (parameter
// parsing with the reference's 400 answers, routing with its 404/405
// answers, rendering through the response model) and the service's
// OpenAPI 3.1 fragment. A route without a handler is not served and is
// absent from the fragment.
package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"altrepo/libs/model"
	"altrepo/libs/validate"
)

// Param declares one request parameter.
type Param struct {
	Name string
	// In is "query", "path" or "form".
	In string
	// Type is "string", "integer" or "boolean".
	Type string
	// Validator names a validator of the reference's catalogue (libs/validate).
	Validator string
	Help      string
	Required  bool
	Default   any
	Choices   []string
	// List: the value is split on commas, each element validated.
	List bool
	// Converter of a path parameter: "int" (unsigned decimal) or "string".
	Converter string
	Min, Max  *int64

	conv validate.Func
}

// Auth documents the protection the gateway enforces for a route.
type Auth struct {
	// Scheme is "Bearer" or "BasicAuth".
	Scheme string
	// Role required in the token ("" = any valid token).
	Role string
}

// Handler computes a route's answer.
type Handler func(ctx context.Context, r *Request) (*Response, error)

// Route is one (method, path) of the table.
type Route struct {
	Method string
	// Path uses {name} for path parameters, e.g. /api/site/package_info/{pkghash}.
	Path    string
	Summary string
	Tag     string
	Params  []Param
	// Strict rejects undeclared query/form arguments.
	Strict bool
	// Model renders the success body; AsList makes it a top-level array.
	Model  *model.Model
	AsList bool
	// BodyModel is the JSON body the route expects, validated before the handler.
	BodyModel *model.Model
	// OK is the success status (200 when zero).
	OK int
	// Codes are the documented status codes.
	Codes   []int
	Auth    *Auth
	Hidden  bool
	Handler Handler
	// Produces overrides the content type of a success (default application/json).
	Produces string
}

func (rt *Route) okCode() int {
	if rt.OK != 0 {
		return rt.OK
	}
	return http.StatusOK
}

// prepare resolves the validators of the route's parameters.
func (rt *Route) prepare() error {
	for i := range rt.Params {
		p := &rt.Params[i]
		if p.Validator != "" && p.Validator != "inputs.boolean" {
			f, err := validate.Named(p.Validator)
			if err != nil {
				return fmt.Errorf("api: %s %s: param %s: %w", rt.Method, rt.Path, p.Name, err)
			}
			p.conv = f
		}
		if p.In == "" {
			p.In = "query"
		}
		if p.Type == "" {
			p.Type = "string"
		}
	}
	return nil
}

// Response is a handler's answer.
type Response struct {
	// Code overrides the route's success status.
	Code   int
	Header http.Header
	// Body is rendered through the route's model; for AsList routes use List.
	Body model.Record
	List []model.Record
	// Raw is sent as JSON as it is (routes without a model).
	Raw any
	// Text is sent as it is with the route's Produces content type.
	Text []byte
	// Stream writes a large answer incrementally (see Stream).
	Stream func(ctx context.Context, s *Stream) error
}

// OK wraps a record as a success answer.
func OK(body model.Record) *Response { return &Response{Body: body} }

// Request is what handlers get: the parsed arguments and path values.
type Request struct {
	// Args are the parsed query/form arguments, in declaration order, with
	// defaults and nulls: the reference's request_args.
	Args   model.Ordered
	Path   map[string]string
	Body   any
	Header http.Header
	HTTP   *http.Request
}

// Has reports whether the argument is present and not null.
func (r *Request) Has(name string) bool {
	v, ok := r.Args.Get(name)
	return ok && v != nil
}

// String returns a string argument ("" when absent).
func (r *Request) String(name string) string {
	v, _ := r.Args.Get(name)
	s, _ := v.(string)
	return s
}

// Int returns an integer argument (0 when absent).
func (r *Request) Int(name string) int64 {
	v, _ := r.Args.Get(name)
	n, _ := v.(int64)
	return n
}

// Bool returns a boolean argument.
func (r *Request) Bool(name string) bool {
	v, _ := r.Args.Get(name)
	b, _ := v.(bool)
	return b
}

// Strings returns a list argument (nil when absent).
func (r *Request) Strings(name string) []string {
	v, _ := r.Args.Get(name)
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// PathString returns a path value.
func (r *Request) PathString(name string) string { return r.Path[name] }

// PathUint returns an unsigned path value (route matching guarantees digits).
func (r *Request) PathUint(name string) uint64 {
	var n uint64
	for _, c := range r.Path[name] {
		n = n*10 + uint64(c-'0')
	}
	return n
}

// pattern splits a path into segments; "{x}" segments are variables.
type pattern struct {
	segs []string
	vars map[int]*Param
}

func compilePattern(rt *Route) (pattern, error) {
	p := pattern{segs: strings.Split(strings.Trim(rt.Path, "/"), "/"), vars: map[int]*Param{}}
	for i, s := range p.segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := s[1 : len(s)-1]
			var found *Param
			for j := range rt.Params {
				if rt.Params[j].Name == name && rt.Params[j].In == "path" {
					found = &rt.Params[j]
				}
			}
			if found == nil {
				found = &Param{Name: name, In: "path", Type: "string", Converter: "string"}
			}
			p.vars[i] = found
		}
	}
	return p, nil
}

// match returns the path values when path matches.
func (p pattern) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(p.segs) {
		return nil, false
	}
	var vals map[string]string
	for i, s := range p.segs {
		if v, ok := p.vars[i]; ok {
			if segs[i] == "" {
				return nil, false
			}
			if v.Converter == "int" && !isUint64(segs[i]) {
				return nil, false
			}
			if vals == nil {
				vals = map[string]string{}
			}
			vals[v.Name] = segs[i]
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return vals, true
}

func isUint64(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if len(s) == 20 && s > "18446744073709551615" {
		return false
	}
	return true
}

// Int64 returns a pointer to n (generated parameter bounds).
func Int64(n int64) *int64 { return &n }
