package app

import (
	"testing"
	"time"

	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// The row plan renders exactly as the model does, for every value shape.
func TestRowPlanMatchesModel(t *testing.T) {
	m := &model.Model{Name: "T", Fields: []model.Field{
		{Name: "s", Kind: model.String},
		{Name: "n", Kind: model.Integer, Attr: "num"},
		{Name: "l", Kind: model.List, Elem: model.String},
		{Name: "d", Kind: model.DateTime},
		{Name: "b", Kind: model.Boolean},
		{Name: "f", Kind: model.Float},
		{Name: "missing", Kind: model.String},
		{Name: "def", Kind: model.List, Elem: model.String, Default: []string{}},
		{Name: "sn", Kind: model.String},
	}}
	cols := model.NewColumns("s", "num", "l", "d", "b", "f", "def", "sn")
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	rows := [][]any{
		{"plain \"q\" \\ é\n", uint64(18446744073709551615), []string{"a", "b\"c"}, when, uint8(1), 2.5, []string(nil), uint32(7)},
		{"", int32(-5), []string{}, when, false, float32(0), nil, int64(9)},
		{"x", uint8(3), nil, nil, nil, nil, []string{"z"}, nil},
		{"y", "12", "single", "text", "t", "1.5", []string{}, 3.0},
	}
	for i, vals := range rows {
		row := model.Row{Cols: cols, Vals: vals}
		got := string(newRowPlan(m, cols).append(nil, row))
		want := string(m.Append(nil, row))
		if got != want {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want)
		}
	}
	// A real element model with attributes.
	pcols := model.NewColumns("hash", "pkg_name", "pkg_version", "pkg_release", "pkg_arch", "sourcerpm", "pkg_summary", "pkg_buildtime", "changelog_text")
	row := model.Row{Cols: pcols, Vals: []any{"123", "n", "1", "alt1", "x86_64", "binary", "sum", uint32(1700000000), "- fix"}}
	if got, want := string(newRowPlan(contract.PackagesByUuidElementModel, pcols).append(nil, row)), string(contract.PackagesByUuidElementModel.Append(nil, row)); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
