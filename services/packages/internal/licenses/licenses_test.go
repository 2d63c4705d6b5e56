package licenses

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func testCatalog() *Catalog {
	return NewCatalog(map[string]string{
		"GPLv2+":  "GPL-2.0-or-later",
		"GPL":     "GPL-2.0-only",
		"LGPLv2+": "LGPL-2.0-or-later",
		"BSD":     "BSD-3-Clause",
		"MIT":     "MIT-alias-target",
	}, []string{"MIT", "Apache-2.0", "GPL-2.0-or-later", "Classpath-exception-2.0"})
}

func TestSplit(t *testing.T) {
	cases := map[string][]string{
		"":                            nil,
		"   ":                         nil,
		"MIT":                         {"MIT"},
		"GPLv2+ and LGPLv2+":          {"GPLv2+", "and", "LGPLv2+"},
		"(MIT or Apache-2.0)/BSD":     {"MIT", "or", "Apache-2.0", "BSD"},
		"GPL-2.0-or-later, BSD & MIT": {"GPL-2.0-or-later", "BSD", "MIT"},
		"Public domain":               {"Public", "domain"},
		"LGPL-2.1+":                   {"LGPL-2.1+"},
	}
	for in, want := range cases {
		if got := Split(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Split(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	c := testCatalog()
	cases := []struct {
		in   string
		want []Token
	}{
		// worked example: aliases are mapped, unknown words dropped,
		// order of first occurrence kept.
		{"GPLv2+ and LGPLv2+", []Token{{"GPLv2+", "GPL-2.0-or-later"}, {"LGPLv2+", "LGPL-2.0-or-later"}}},
		// an SPDX id maps to itself
		{"Apache-2.0 or MIT", []Token{{"Apache-2.0", "Apache-2.0"}, {"MIT", "MIT-alias-target"}}},
		// repeated tokens collapse onto their first position
		{"BSD and GPL and BSD", []Token{{"BSD", "BSD-3-Clause"}, {"GPL", "GPL-2.0-only"}}},
		// the first token must be valid, otherwise nothing at all
		{"Freely redistributable, MIT", nil},
		{"and MIT", nil},
		// no tokens
		{"", nil},
		{"()/,", nil},
		// exceptions are SPDX ids too
		{"GPL-2.0-or-later with Classpath-exception-2.0", []Token{{"GPL-2.0-or-later", "GPL-2.0-or-later"}, {"Classpath-exception-2.0", "Classpath-exception-2.0"}}},
		// case matters
		{"mit", nil},
	}
	for _, tc := range cases {
		if got := c.Parse(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

type fakeDB struct {
	fail bool
}

func (f fakeDB) Select(_ context.Context, name string, dest any, _ string, _ ...any) error {
	if f.fail {
		return errors.New("boom")
	}
	v := reflect.ValueOf(dest).Elem()
	elem := v.Type().Elem()
	add := func(vals ...string) {
		e := reflect.New(elem).Elem()
		for i, s := range vals {
			e.Field(i).SetString(s)
		}
		v.Set(reflect.Append(v, e))
	}
	switch name {
	case "license_aliases":
		add("GPLv3", "GPL-3.0-only")
	case "license_spdx_ids":
		add("GPL-3.0-only")
		add("MIT")
	}
	return nil
}

func TestLoad(t *testing.T) {
	c, err := Load(context.Background(), fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Parse("GPLv3 or MIT or X11")
	want := []Token{{"GPLv3", "GPL-3.0-only"}, {"MIT", "MIT"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := Load(context.Background(), fakeDB{fail: true}); err == nil {
		t.Fatal("expected error")
	}
}
