package model

import (
	"fmt"
	"strings"
)

// Mask restricts the rendered fields, as the reference's X-Fields request
// header does: "length,packages{name,version}". A nil sub-mask keeps the
// whole field; "*" keeps every field of its level.
type Mask map[string]Mask

// ParseMask reads the X-Fields syntax ("" gives a nil mask: everything).
func ParseMask(s string) (Mask, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = s[1 : len(s)-1]
	}
	m, rest, err := parseMask(s, 0)
	if err != nil {
		return nil, err
	}
	if rest != len(s) {
		return nil, fmt.Errorf("unexpected '}' at %d", rest)
	}
	return m, nil
}

func parseMask(s string, i int) (Mask, int, error) {
	m := Mask{}
	name := strings.Builder{}
	flush := func() {
		if n := strings.TrimSpace(name.String()); n != "" {
			if _, ok := m[n]; !ok {
				m[n] = nil
			}
		}
		name.Reset()
	}
	for i < len(s) {
		c := s[i]
		switch c {
		case ',':
			flush()
			i++
		case '{':
			n := strings.TrimSpace(name.String())
			if n == "" {
				return nil, i, fmt.Errorf("unexpected '{' at %d", i)
			}
			name.Reset()
			sub, j, err := parseMask(s, i+1)
			if err != nil {
				return nil, j, err
			}
			if j >= len(s) || s[j] != '}' {
				return nil, j, fmt.Errorf("missing '}' for %q", n)
			}
			m[n] = sub
			i = j + 1
		case '}':
			flush()
			return m, i, nil
		default:
			name.WriteByte(c)
			i++
		}
	}
	flush()
	return m, i, nil
}

func (mk Mask) keeps(name string) (Mask, bool) {
	if mk == nil {
		return nil, true
	}
	if sub, ok := mk[name]; ok {
		return sub, true
	}
	if _, all := mk["*"]; all {
		return nil, true
	}
	return nil, false
}

// AppendMasked renders v through m, keeping only the fields of mask.
func (m *Model) AppendMasked(b []byte, v Record, mask Mask) []byte {
	if mask == nil {
		return m.Append(b, v)
	}
	b = append(b, '{')
	first := true
	for i := range m.Fields {
		f := &m.Fields[i]
		sub, ok := mask.keeps(f.Name)
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendString(b, f.Name)
		b = append(b, ':')
		var val any
		if v != nil {
			val, _ = v.Get(f.attr())
		}
		if sub != nil && f.Model != nil {
			b = f.appendMaskedModel(b, val, sub)
			continue
		}
		b = f.appendValue(b, val)
	}
	return append(b, '}')
}

// AppendListMasked renders a top-level list through m and mask.
func (m *Model) AppendListMasked(b []byte, items []Record, mask Mask) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.AppendMasked(b, it, mask)
	}
	return append(b, ']')
}

func (f *Field) appendMaskedModel(b []byte, v any, mask Mask) []byte {
	if isNil(v) && f.Default != nil {
		v = f.Default
	}
	if isNil(v) {
		if f.Kind == List || f.AllowNull {
			return append(b, "null"...)
		}
		return f.Model.AppendMasked(b, nil, mask)
	}
	if r, ok := asRecord(v); ok {
		if f.Kind == List {
			return f.Model.AppendListMasked(b, []Record{r}, mask)
		}
		return f.Model.AppendMasked(b, r, mask)
	}
	if items, ok := asRecords(v); ok {
		if f.Kind == List || f.AsList {
			return f.Model.AppendListMasked(b, items, mask)
		}
		if len(items) > 0 {
			return f.Model.AppendMasked(b, items[0], mask)
		}
	}
	return f.Model.AppendMasked(b, nil, mask)
}
