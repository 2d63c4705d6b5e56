package model

import (
	"encoding/json"
	"testing"
	"time"
)

var changelog = &Model{Name: "Chlog", Fields: []Field{
	{Name: "date", Kind: String}, {Name: "evr", Kind: String},
}}

var pkg = &Model{Name: "Pkg", Fields: []Field{
	{Name: "hash", Attr: "pkg_hash", Kind: String},
	{Name: "name", Kind: String},
	{Name: "epoch", Kind: Integer},
	{Name: "buildtime", Kind: DateTime},
	{Name: "day", Kind: Date},
	{Name: "score", Kind: Float},
	{Name: "is_src", Kind: Boolean},
	{Name: "archs", Kind: List, Elem: String},
	{Name: "changelog", Kind: List, Model: changelog},
	{Name: "last", Kind: Nested, Model: changelog},
	{Name: "maybe", Kind: Nested, Model: changelog, AllowNull: true},
	{Name: "tags", Kind: List, Elem: String, Default: []string{}},
	{Name: "extra", Kind: Raw},
}}

func TestRenderFollowsModel(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := Map{
		"pkg_hash":  uint64(18446744073709551615),
		"name":      "bash",
		"epoch":     uint32(1),
		"buildtime": ts,
		"day":       ts,
		"score":     float32(1.5),
		"is_src":    uint8(1),
		"archs":     []string{"x86_64", "noarch"},
		"changelog": []Map{{"date": ts, "evr": "1-alt1", "dropped": 1}},
		"extra":     map[string]any{"b": 1, "a": []any{ts, "x"}},
		"ignored":   "not in the model",
	}
	got := string(pkg.Marshal(rec))
	want := `{"hash":"18446744073709551615","name":"bash","epoch":1,"buildtime":"2024-01-02T03:04:05","day":"2024-01-02","score":1.5,"is_src":true,` +
		`"archs":["x86_64","noarch"],"changelog":[{"date":"2024-01-02 03:04:05","evr":"1-alt1"}],"last":{"date":null,"evr":null},"maybe":null,"tags":[],` +
		`"extra":{"a":["2024-01-02T03:04:05","x"],"b":1}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var check map[string]any
	if err := json.Unmarshal([]byte(got), &check); err != nil {
		t.Fatal(err)
	}
}

func TestFloatLikePython(t *testing.T) {
	m := &Model{Name: "F", Fields: []Field{{Name: "f", Kind: Float}}}
	for v, want := range map[any]string{3.0: `{"f":3.0}`, 2.5: `{"f":2.5}`, float32(0): `{"f":0.0}`, int64(7): `{"f":7.0}`, 1e21: `{"f":1e+21}`} {
		if got := string(m.Marshal(Map{"f": v})); got != want {
			t.Errorf("%v: %s, want %s", v, got, want)
		}
	}
}

func TestNilRecordRendersNulls(t *testing.T) {
	got := string(changelog.Marshal(nil))
	if got != `{"date":null,"evr":null}` {
		t.Errorf("got %s", got)
	}
}

func TestStrLikePython(t *testing.T) {
	for v, want := range map[any]string{true: "True", false: "False", 3.0: "3.0", 2.5: "2.5", int64(-7): "-7"} {
		if got := Str(v); got != want {
			t.Errorf("Str(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestAppendStringEscapes(t *testing.T) {
	got := string(AppendString(nil, "a\"b\\c\n\x01 пакет \xff"))
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if back != "a\"b\\c\n\x01 пакет \ufffd" {
		t.Errorf("round trip = %q", back)
	}
}

func TestOrderedKeepsOrder(t *testing.T) {
	var o Ordered
	o.Set("z", 1)
	o.Set("a", []string{"x"})
	o.Set("z", nil)
	if got := string(o.AppendJSON(nil)); got != `{"z":null,"a":["x"]}` {
		t.Errorf("got %s", got)
	}
}

func TestComponentsCollectNested(t *testing.T) {
	c := map[string]any{}
	pkg.Components(c)
	if _, ok := c["Chlog"]; !ok || len(c) != 2 {
		t.Errorf("components = %v", c)
	}
}

func TestMask(t *testing.T) {
	mk, err := ParseMask("name, changelog{evr},last{date}")
	if err != nil {
		t.Fatal(err)
	}
	rec := Map{"name": "bash", "epoch": 1, "changelog": []Map{{"date": "d", "evr": "1-alt1"}}}
	got := string(pkg.AppendMasked(nil, rec, mk))
	want := `{"name":"bash","changelog":[{"evr":"1-alt1"}],"last":{"date":null}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, bad := range []string{"a{b", "{a}}", "a,{b}"} {
		if _, err := ParseMask(bad); err == nil {
			t.Errorf("ParseMask(%q) accepted", bad)
		}
	}
	if m, err := ParseMask(""); err != nil || m != nil {
		t.Errorf("empty mask = %v, %v", m, err)
	}
}
