package model

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// Append renders v (a Record, or nil) through m as a JSON object.
func (m *Model) Append(b []byte, v Record) []byte {
	b = append(b, '{')
	for i := range m.Fields {
		f := &m.Fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, f.Name)
		b = append(b, ':')
		var val any
		if v != nil {
			val, _ = v.Get(f.attr())
		}
		b = f.appendValue(b, val)
	}
	return append(b, '}')
}

// AppendList renders a list of records through m as a JSON array.
func (m *Model) AppendList(b []byte, items []Record) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.Append(b, it)
	}
	return append(b, ']')
}

// Marshal renders v through m.
func (m *Model) Marshal(v Record) []byte { return m.Append(nil, v) }

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

func (f *Field) appendValue(b []byte, v any) []byte {
	if isNil(v) && f.Default != nil {
		v = f.Default
	}
	switch f.Kind {
	case Nested:
		return f.appendNested(b, v)
	case List:
		if isNil(v) {
			return append(b, "null"...)
		}
		return f.appendList(b, v)
	}
	return appendScalar(b, f.Kind, v)
}

func (f *Field) appendNested(b []byte, v any) []byte {
	if isNil(v) {
		if f.AllowNull {
			return append(b, "null"...)
		}
		return f.Model.Append(b, nil)
	}
	if r, ok := asRecord(v); ok {
		return f.Model.Append(b, r)
	}
	if items, ok := asRecords(v); ok && f.AsList {
		return f.Model.AppendList(b, items)
	}
	if items, ok := asRecords(v); ok && len(items) > 0 {
		return f.Model.Append(b, items[0])
	}
	return f.Model.Append(b, nil)
}

func (f *Field) appendList(b []byte, v any) []byte {
	if f.Model != nil {
		if items, ok := asRecords(v); ok {
			return f.Model.AppendList(b, items)
		}
		if r, ok := asRecord(v); ok {
			return f.Model.AppendList(b, []Record{r})
		}
		return append(b, "null"...)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		// flask-restx iterates strings character by character; render a
		// single value as a one-element list instead.
		b = append(b, '[')
		b = appendScalar(b, f.Elem, v)
		return append(b, ']')
	}
	b = append(b, '[')
	for i := 0; i < rv.Len(); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendScalar(b, f.Elem, rv.Index(i).Interface())
	}
	return append(b, ']')
}

func asRecord(v any) (Record, bool) {
	switch r := v.(type) {
	case Record:
		return r, true
	case map[string]any:
		return Map(r), true
	}
	return nil, false
}

func asRecords(v any) ([]Record, bool) {
	switch s := v.(type) {
	case []Record:
		return s, true
	case []Map:
		out := make([]Record, len(s))
		for i := range s {
			out[i] = s[i]
		}
		return out, true
	case []map[string]any:
		out := make([]Record, len(s))
		for i := range s {
			out[i] = Map(s[i])
		}
		return out, true
	case []Row:
		out := make([]Record, len(s))
		for i := range s {
			out[i] = s[i]
		}
		return out, true
	case []any:
		out := make([]Record, 0, len(s))
		for _, it := range s {
			r, ok := asRecord(it)
			if !ok {
				return nil, false
			}
			out = append(out, r)
		}
		return out, true
	}
	return nil, false
}

func appendScalar(b []byte, k Kind, v any) []byte {
	if isNil(v) {
		return append(b, "null"...)
	}
	if p, ok := v.(interface{ Value() any }); ok {
		v = p.Value()
	}
	switch k {
	case String:
		return AppendString(b, Str(v))
	case Integer:
		n, ok := toInt(v)
		if !ok {
			return append(b, "null"...)
		}
		return n.appendTo(b)
	case Float:
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...)
		}
		return appendPyFloat(b, f)
	case Boolean:
		return strconv.AppendBool(b, truthy(v))
	case DateTime:
		if t, ok := v.(time.Time); ok {
			return AppendString(b, t.Format("2006-01-02T15:04:05"))
		}
		return AppendString(b, Str(v))
	case Date:
		if t, ok := v.(time.Time); ok {
			return AppendString(b, t.Format("2006-01-02"))
		}
		return AppendString(b, Str(v))
	}
	return AppendRaw(b, v)
}

// Str renders a value as flask-restx's String field does (Python str()).
func Str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	case float32:
		return pyFloat(float64(x))
	case float64:
		return pyFloat(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if f == math.Trunc(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return s
}

type number struct {
	neg bool
	u   uint64
}

func (n number) appendTo(b []byte) []byte {
	if n.neg {
		b = append(b, '-')
	}
	return strconv.AppendUint(b, n.u, 10)
}

func toInt(v any) (number, bool) {
	switch x := v.(type) {
	case int:
		return signed(int64(x)), true
	case int8:
		return signed(int64(x)), true
	case int16:
		return signed(int64(x)), true
	case int32:
		return signed(int64(x)), true
	case int64:
		return signed(x), true
	case uint:
		return number{u: uint64(x)}, true
	case uint8:
		return number{u: uint64(x)}, true
	case uint16:
		return number{u: uint64(x)}, true
	case uint32:
		return number{u: uint64(x)}, true
	case uint64:
		return number{u: x}, true
	case float32:
		return signed(int64(x)), true
	case float64:
		return signed(int64(x)), true
	case bool:
		if x {
			return number{u: 1}, true
		}
		return number{}, true
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return signed(n), true
		}
		if u, err := strconv.ParseUint(x, 10, 64); err == nil {
			return number{u: u}, true
		}
	case time.Time:
		return signed(x.Unix()), true
	}
	return number{}, false
}

func signed(n int64) number {
	if n < 0 {
		return number{neg: true, u: uint64(-n)}
	}
	return number{u: uint64(n)}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	if n, ok := toInt(v); ok {
		if n.neg {
			return -float64(n.u), true
		}
		return float64(n.u), true
	}
	return 0, false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	}
	if n, ok := toInt(v); ok {
		return n.u != 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() > 0
	}
	return true
}

// AppendRaw renders an arbitrary value as JSON the way the reference's
// serializer does for Raw fields: datetimes as ISO text without offset,
// maps with sorted keys, ordered values keep their order.
func AppendRaw(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case json.RawMessage:
		return append(b, x...)
	case Ordered:
		return x.AppendJSON(b)
	case string:
		return AppendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return AppendString(b, x.Format("2006-01-02T15:04:05"))
	case float32, float64:
		f, _ := toFloat(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	case Record:
		if m, ok := x.(Map); ok {
			return appendMap(b, m)
		}
	case map[string]any:
		return appendMap(b, x)
	}
	if n, ok := toInt(v); ok {
		if _, isStr := v.(string); !isStr {
			return n.appendTo(b)
		}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendRaw(b, rv.Index(i).Interface())
		}
		return append(b, ']')
	}
	if s, ok := v.(fmt.Stringer); ok {
		return AppendString(b, s.String())
	}
	out, err := json.Marshal(v)
	if err != nil {
		return AppendString(b, fmt.Sprint(v))
	}
	return append(b, out...)
}

func appendMap[M ~map[string]any](b []byte, m M) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendRaw(b, m[k])
	}
	return append(b, '}')
}

// Ordered is a JSON object that keeps its keys' order (request_args).
type Ordered struct {
	Keys []string
	Vals []any
}

// Set appends or replaces key.
func (o *Ordered) Set(k string, v any) {
	for i, kk := range o.Keys {
		if kk == k {
			o.Vals[i] = v
			return
		}
	}
	o.Keys = append(o.Keys, k)
	o.Vals = append(o.Vals, v)
}

// Get returns key's value.
func (o Ordered) Get(k string) (any, bool) {
	for i, kk := range o.Keys {
		if kk == k {
			return o.Vals[i], true
		}
	}
	return nil, false
}

// AppendJSON renders the object with its keys in order.
func (o Ordered) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, k := range o.Keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendRaw(b, o.Vals[i])
	}
	return append(b, '}')
}

// MarshalJSON implements json.Marshaler.
func (o Ordered) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil), nil }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string (UTF-8 kept, invalid bytes
// replaced, control characters escaped).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendPyFloat writes a float as Python's json does: whole numbers keep
// their ".0" (3.0, not 3).
func appendPyFloat(b []byte, f float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, 64)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' || c == 'n' || c == 'I' {
			return b
		}
	}
	return append(b, '.', '0')
}
