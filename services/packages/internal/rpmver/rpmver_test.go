package rpmver

import "testing"

func TestVercmp(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0},
		{"1.0", "2.0", -1},
		{"2.0", "1.0", 1},
		{"2.0.1", "2.0.1", 0},
		{"2.0", "2.0.1", -1},
		{"2.0.1a", "2.0.1a", 0},
		{"2.0.1a", "2.0.1", 1},
		{"5.5p1", "5.5p1", 0},
		{"5.5p1", "5.5p2", -1},
		{"5.5p10", "5.5p1", 1},
		{"10xyz", "10.1xyz", 1}, // letters newer than digits (ALT)
		{"xyz10", "xyz10", 0},
		{"xyz10", "xyz10.1", -1},
		{"xyz.4", "xyz.4", 0},
		{"xyz.4", "8", 1}, // letters newer than digits (ALT)
		{"8", "xyz.4", -1},
		{"1.0010", "1.9", 1},
		{"1.05", "1.5", 0},
		{"1.0", "1", 1},
		{"2.50", "2.5", 1},
		{"fc4", "fc.4", 0},
		{"FC5", "fc4", -1},
		{"2a", "2.0", 1},
		{"1.0~rc1", "1.0~rc1", 0},
		{"1.0~rc1", "1.0", -1},
		{"1.0", "1.0~rc1", 1},
		{"1.0~rc1", "1.0~rc2", -1},
		{"1.0~rc1~git123", "1.0~rc1", -1},
		{"1.0", "1.0.", 0},
		{"alt1", "alt2", -1},
		{"alt10", "alt9", 1},
		{"alt1.1", "alt1", 1},
		{"", "", 0},
		{"", "1", -1},
		{"sisyphus", "", 1},
		{"sisyphus", "p10", 1},
		{"p9", "p10", -1},
	}
	for _, c := range cases {
		if got := Vercmp(c.a, c.b); got != c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Vercmp(c.b, c.a); got != -c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d (antisymmetry)", c.b, c.a, got, -c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	cases := []struct {
		a, b EVR
		want int
	}{
		{EVR{Version: "1.0", Release: "alt1"}, EVR{Version: "1.0", Release: "alt1"}, 0},
		{EVR{Epoch: Epoch(1), Version: "1.0", Release: "alt1"}, EVR{Version: "2.0", Release: "alt1"}, 1},
		{EVR{Version: "2.0", Release: "alt1"}, EVR{Epoch: Epoch(0), Version: "2.0", Release: "alt1"}, 0},
		{EVR{Version: "1.0", Release: "alt2"}, EVR{Version: "1.0", Release: "alt10"}, -1},
		{EVR{Version: "1.0", Release: "alt1", Disttag: "sisyphus+284514.100.1.1"}, EVR{Version: "1.0", Release: "alt1"}, 1},
		{EVR{Version: "1.0", Release: "alt1"}, EVR{Version: "1.0", Release: "alt1", Disttag: "p9+299000.100.1.1"}, -1},
		{EVR{Version: "1.0", Release: "alt1", Disttag: "sisyphus+284514.100.1.1"}, EVR{Version: "1.0", Release: "alt1", Disttag: "p10+299000.100.1.1"}, 1},
		{EVR{Version: "1.0", Release: "alt1", Disttag: "p10+1"}, EVR{Version: "1.0", Release: "alt1", Disttag: "p10+2"}, 0},
		{EVR{Version: "1.0", Release: "alt1", Disttag: "zzz"}, EVR{Version: "1.0", Release: "alt2"}, -1},
	}
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%+v, %+v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestLessOrEqual(t *testing.T) {
	if !LessOrEqual("1.0", "1.0", false) || LessOrEqual("1.0", "1.0", true) {
		t.Error("equal versions")
	}
	if !LessOrEqual("1.0", "1.1", true) || LessOrEqual("1.1", "1.0", false) {
		t.Error("ordered versions")
	}
}
