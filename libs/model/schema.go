package model

// Ref is the OpenAPI reference of the model's schema.
func (m *Model) Ref() map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + m.Name}
}

// Schema is the model's OpenAPI 3.1 (JSON Schema) object. Nested models
// are referenced; Components collects them.
func (m *Model) Schema() map[string]any {
	props := map[string]any{}
	order := make([]string, 0, len(m.Fields))
	var required []string
	for i := range m.Fields {
		f := &m.Fields[i]
		props[f.Name] = f.schema()
		order = append(order, f.Name)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "x-field-order": order}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func primitive(k Kind) map[string]any {
	switch k {
	case String:
		return map[string]any{"type": []string{"string", "null"}}
	case Integer:
		return map[string]any{"type": []string{"integer", "null"}}
	case Float:
		return map[string]any{"type": []string{"number", "null"}}
	case Boolean:
		return map[string]any{"type": []string{"boolean", "null"}}
	case DateTime:
		return map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	case Date:
		return map[string]any{"type": []string{"string", "null"}, "format": "date"}
	}
	return map[string]any{}
}

func (f *Field) schema() map[string]any {
	var s map[string]any
	switch f.Kind {
	case Nested:
		if f.AsList {
			s = map[string]any{"type": "array", "items": f.Model.Ref()}
		} else {
			s = f.Model.Ref()
		}
	case List:
		if f.Model != nil {
			s = map[string]any{"type": []string{"array", "null"}, "items": f.Model.Ref()}
		} else {
			s = map[string]any{"type": []string{"array", "null"}, "items": primitive(f.Elem)}
		}
	default:
		s = primitive(f.Kind)
	}
	if f.Description != "" {
		s["description"] = f.Description
	}
	if len(f.Enum) > 0 {
		s["enum"] = f.Enum
	}
	if f.Default != nil {
		s["default"] = f.Default
	}
	return s
}

// Components adds the schemas of m and every model it nests to into.
func (m *Model) Components(into map[string]any) {
	if _, done := into[m.Name]; done {
		return
	}
	into[m.Name] = m.Schema()
	for i := range m.Fields {
		if nm := m.Fields[i].Model; nm != nil {
			nm.Components(into)
		}
	}
}
