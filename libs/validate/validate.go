// Package validate converts and checks request parameters the way the
// reference's named validators do (pkg_name_type, branch_name_type, ...),
// built from the validator catalogue in libs/lookup.
//
// The reference's patterns are Python regular expressions; they are
// translated for Go's RE2: \w and \d keep Python's Unicode meaning, and the
// one look-around pattern (positive_integer_type) is checked by code.
// Unlike Python's `$`, a value ending in a newline is rejected.
package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"altrepo/libs/lookup"
)

// Func converts a raw parameter value, or explains why it is invalid.
type Func func(raw string) (any, error)

var (
	mu    sync.Mutex
	cache = map[string]Func{}
)

// Named returns the validator of the reference's catalogue with that name.
func Named(name string) (Func, error) {
	mu.Lock()
	defer mu.Unlock()
	if f, ok := cache[name]; ok {
		return f, nil
	}
	spec, ok := lookup.Validator(name)
	if !ok {
		return nil, fmt.Errorf("validate: unknown validator %q", name)
	}
	f, err := build(name, spec)
	if err != nil {
		return nil, err
	}
	cache[name] = f
	return f, nil
}

// MustNamed is Named for tables built at start-up.
func MustNamed(name string) Func {
	f, err := Named(name)
	if err != nil {
		panic(err)
	}
	return f
}

func build(name string, s lookup.ValidatorSpec) (Func, error) {
	what := describe(name)
	switch {
	case name == "positive_integer_type":
		return func(raw string) (any, error) {
			if raw == "" || strings.TrimLeft(raw, "0123456789") != "" {
				return nil, fmt.Errorf("invalid %s: %q", what, raw)
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid %s: %q", what, raw)
			}
			return n, nil
		}, nil
	case s.Type == "integer":
		return func(raw string) (any, error) {
			n, err := Int(raw)
			if err != nil {
				return nil, fmt.Errorf("invalid %s: %q", what, raw)
			}
			if (s.Min != nil && n < *s.Min) || (s.Max != nil && n > *s.Max) {
				return nil, fmt.Errorf("%s out of range: %d", what, n)
			}
			return n, nil
		}, nil
	case s.EnumRef != "":
		allowed := append(slices.Clone(lookup.List(s.EnumRef)), s.EnumExtra...)
		upper := s.Compare != ""
		return func(raw string) (any, error) {
			v := raw
			if upper {
				v = strings.ToUpper(v)
			}
			if !slices.Contains(allowed, v) {
				return nil, fmt.Errorf("invalid %s: %q", what, raw)
			}
			return raw, nil
		}, nil
	case s.Format == "date":
		return func(raw string) (any, error) {
			if _, err := time.Parse("2006-01-02", raw); err != nil {
				return nil, fmt.Errorf("invalid %s: %q (want YYYY-MM-DD)", what, raw)
			}
			return raw, nil
		}, nil
	case s.Format == "datetime":
		return func(raw string) (any, error) {
			if _, ok := ParseISODateTime(raw); !ok {
				return nil, fmt.Errorf("invalid %s: %q (want ISO 8601 date and time)", what, raw)
			}
			return raw, nil
		}, nil
	case s.Pattern != "":
		re, err := regexp.Compile(Translate(s.Pattern))
		if err != nil {
			return nil, fmt.Errorf("validate: %s: pattern %q: %w", name, s.Pattern, err)
		}
		return func(raw string) (any, error) {
			if !re.MatchString(raw) {
				return nil, fmt.Errorf("invalid %s: %q", what, raw)
			}
			return raw, nil
		}, nil
	}
	return func(raw string) (any, error) { return raw, nil }, nil
}

// describe turns "pkg_name_type" into "pkg name".
func describe(name string) string {
	return strings.ReplaceAll(strings.TrimSuffix(name, "_type"), "_", " ")
}

// Int parses an integer as Python's int() does for query strings: optional
// surrounding spaces, an optional sign, decimal digits, '_' between digits.
func Int(raw string) (int64, error) {
	s := strings.TrimSpace(raw)
	if strings.Contains(s, "__") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "_") || strings.HasSuffix(s, "_") {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
}

// Bool parses flask-restx's inputs.boolean: true/1/on, false/0, "" is false.
func Bool(raw string) (bool, error) {
	switch strings.ToLower(raw) {
	case "true", "1", "on":
		return true, nil
	case "false", "0", "":
		return false, nil
	}
	return false, fmt.Errorf("invalid literal for boolean(): %s", raw)
}

// ParseISODateTime accepts the ISO 8601 forms Python's fromisoformat reads.
func ParseISODateTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05.999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Translate rewrites a Python pattern for RE2: \w -> letters, digits and
// '_' of any script, \d -> any decimal digit, \W -> the complement of \w.
func Translate(py string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(py); i++ {
		c := py[i]
		if c == '\\' && i+1 < len(py) {
			n := py[i+1]
			i++
			switch n {
			case 'w':
				if inClass {
					b.WriteString(`\p{L}\p{N}\p{Mn}_`)
				} else {
					b.WriteString(`[\p{L}\p{N}\p{Mn}_]`)
				}
			case 'W':
				if inClass {
					b.WriteString(`\P{L}`) // best effort inside a class
				} else {
					b.WriteString(`[^\p{L}\p{N}\p{Mn}_]`)
				}
			case 'd':
				b.WriteString(`\p{Nd}`)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
		case ']':
			inClass = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
