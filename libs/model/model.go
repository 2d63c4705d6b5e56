// Package model describes response models (the contract's flask-restx
// models: ordered fields with a type, an optional source attribute, default
// and nesting) and renders values through them exactly as the reference
// marshals: declared fields only, in declared order, missing values as null
// or the field default, strings made from numbers and datetimes, nested
// models rendered as objects even when the value is missing.
package model

// Kind is a field type of the contract.
type Kind uint8

// Field kinds, as in the contract's models.json.
const (
	String Kind = iota + 1
	Integer
	Float
	Boolean
	DateTime
	Date
	Raw
	Nested
	List
)

var kindNames = map[Kind]string{String: "string", Integer: "integer", Float: "float", Boolean: "boolean", DateTime: "datetime", Date: "date", Raw: "raw", Nested: "nested", List: "list"}

func (k Kind) String() string { return kindNames[k] }

// Field is one declared output key.
type Field struct {
	Name string
	// Attr is the key read from the value (defaults to Name).
	Attr string
	Kind Kind
	// Elem is the element kind of a List of primitives.
	Elem Kind
	// Model is the nested model of a Nested field or a List of models.
	Model *Model
	// AsList marks Nested(model, as_list=True).
	AsList    bool
	AllowNull bool
	Required  bool
	// Default is rendered when the value is missing or null.
	Default     any
	Enum        []string
	Description string
}

// Model is an ordered list of fields.
type Model struct {
	Name   string
	Fields []Field
}

// Record gives field values by source key. Map and Row implement it.
type Record interface {
	Get(key string) (any, bool)
}

// Map is a Record backed by a map.
type Map map[string]any

// Get implements Record.
func (m Map) Get(k string) (any, bool) { v, ok := m[k]; return v, ok }

// Columns maps column names to positions, shared by the rows of one result.
type Columns map[string]int

// NewColumns indexes names.
func NewColumns(names ...string) Columns {
	c := make(Columns, len(names))
	for i, n := range names {
		c[n] = i
	}
	return c
}

// Row is a Record over one result row: values by column position.
type Row struct {
	Cols Columns
	Vals []any
}

// Get implements Record.
func (r Row) Get(k string) (any, bool) {
	i, ok := r.Cols[k]
	if !ok || i >= len(r.Vals) {
		return nil, false
	}
	return r.Vals[i], true
}

func (f *Field) attr() string {
	if f.Attr != "" {
		return f.Attr
	}
	return f.Name
}
