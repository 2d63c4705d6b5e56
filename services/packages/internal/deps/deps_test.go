package deps

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"testing"
)

func TestDecodeFlags(t *testing.T) {
	cases := []struct {
		flag int64
		want []string
	}{
		{-1, []string{}},
		{0, []string{"RPMSENSE_ANY"}},
		{12, []string{"RPMSENSE_GREATER", "RPMSENSE_EQUAL"}},
		{8, []string{"RPMSENSE_EQUAL"}},
		{2, []string{"RPMSENSE_LESS"}},
		{1, []string{"RPMSENSE_SERIAL"}},
		{64 | 16777216, []string{"RPMSENSE_PREREQ", "RPMSENSE_RPMLIB"}},
		{1 << 26, []string{"RPMSENSE_KEYRING"}},
		{1 << 27, []string{}},
	}
	for _, c := range cases {
		if got := DecodeFlags(c.flag); !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeFlags(%d) = %v, want %v", c.flag, got, c.want)
		}
	}
}

const (
	lt = SenseLess
	le = SenseLess | SenseEqual
	eq = SenseEqual
	ge = SenseGreater | SenseEqual
	gt = SenseGreater
)

func TestOverlap(t *testing.T) {
	cases := []struct {
		pv     string
		pflags uint32
		rv     string
		rflags uint32
		want   bool
	}{
		// upstream unit-test vectors
		{"1.2.3", 0, "1.0.0", lt, false},
		{"1.2.3", 0, "1.0.0", le, false},
		{"1.2.3", 0, "1.0.0", ge, true},
		{"1.0.0", 0, "1.1.0", lt, true},
		{"1.0.0", 0, "1.1.0", le, true},
		{"1.0.0", 0, "1.1.0", gt, false},
		{"1.0.0", 0, "1.1.0", ge, false},
		{"0", 0, "0", 0, true},
		// provide flags are ignored, the provide is "="
		{"1.0", lt, "1.0", eq, true},
		// unversioned require / provide
		{"", 0, "1.0", ge, true},
		{"1.0", eq, "", 0, true},
		// releases
		{"1.0-alt1", eq, "1.0-alt2", ge, false},
		{"1.0-alt2", eq, "1.0-alt1", ge, true},
		{"1.0-alt1", eq, "1.0", eq, true},
		{"1.0", eq, "1.0-alt1", ge, true},
		// epochs
		{"1:1.0-alt1", eq, "2.0", ge, true},      // only provide has epoch > 0: newer
		{"1.0-alt1", eq, "1:0.5", ge, false},     // only require has epoch > 0
		{"0:1.0-alt1", eq, "1.0-alt1", eq, true}, // epoch 0 is not promoted
		{"2:1.0", eq, "1:3.0", gt, true},
		{":1.0", eq, "0:1.0", eq, true},
		// disttags
		{"2:4.04-alt16:sisyphus+242564.100.1.1", eq, "2:4.04-alt16", eq, true},
		{"6.04.pre3-alt2:sisyphus+240957.100.1.1", eq, "6.04.pre3-alt2:p10+1.1", gt, true},
		{"6.04.pre3-alt2:p10+240957.100.1.1", eq, "6.04.pre3-alt2:sisyphus+1.1", ge, false},
		// set versions
		{"0", eq, "set:fd6Z5n0", eq, false},
		{"set:fd6Z5n0", eq, "set:fd6Z5n0", eq, true},
	}
	for _, c := range cases {
		p := Dep{Name: "test", Version: c.pv, Flags: c.pflags}
		r := Dep{Name: "test", Version: c.rv, Flags: c.rflags}
		if got := Overlap(p, r); got != c.want {
			t.Errorf("Overlap(%q, %q flags %d) = %v, want %v", c.pv, c.rv, c.rflags, got, c.want)
		}
	}
	if Overlap(Dep{Name: "a"}, Dep{Name: "b"}) {
		t.Error("different names overlap")
	}
}

// Test-only encoder of set-versions (the inverse of decodeSet).
func jenkins(s string) uint32 {
	h := uint32(0x9e3779b9)
	for i := 0; i < len(s); i++ {
		h += uint32(s[i])
		h += h << 10
		h ^= h >> 6
	}
	h += h << 3
	h ^= h >> 11
	h += h << 15
	return h
}

func encodeSet(syms []string, bpp int) string {
	mask := uint32(1)<<bpp - 1
	var v []uint32
	for _, s := range syms {
		v = append(v, jenkins(s)&mask)
	}
	slices.Sort(v)
	v = slices.Compact(v)
	log2 := 0
	for n := len(v); n > 1; n >>= 1 {
		log2++
	}
	mshift := max(bpp-log2-1, 7)
	var bits []byte
	prev := uint32(0)
	for i, x := range v {
		d := x
		if i > 0 {
			d = x - prev
		}
		prev = x
		for q := d >> mshift; q > 0; q-- {
			bits = append(bits, 0)
		}
		bits = append(bits, 1)
		for k := 0; k < mshift; k++ {
			bits = append(bits, byte(d>>k)&1)
		}
	}
	digit := func(c int) byte {
		switch {
		case c < 10:
			return byte('0' + c)
		case c < 36:
			return byte('a' + c - 10)
		}
		return byte('A' + c - 36)
	}
	out := []byte("set:")
	out = append(out, byte(bpp-7+'a'), byte(mshift-7+'a'))
	bits2, bits6, num := 0, 0, 0
	for _, b := range bits {
		num |= int(b) << bits6
		bits6++
		if bits6+bits2 < 6 {
			continue
		}
		switch num {
		case 61, 62, 63:
			out = append(out, digit(61))
			num = (num - 61) * 16
			bits2, bits6 = 2, 0
		default:
			out = append(out, digit(num))
			num, bits2, bits6 = 0, 0, 0
		}
	}
	if bits6+bits2 > 0 {
		out = append(out, digit(num))
	}
	return string(out)
}

func TestSetCompare(t *testing.T) {
	s1 := encodeSet([]string{"mama", "myla", "ramu"}, 16)
	s2 := encodeSet([]string{"myla", "mama"}, 16)
	s3 := encodeSet([]string{"myla", "mama", "ramu"}, 16)
	s4 := encodeSet([]string{"myla", "mama", "ramu", "baba"}, 16)
	s5 := encodeSet([]string{"mama", "myla", "ramu", "deda"}, 16)
	for _, c := range []struct {
		a, b string
		want int
	}{
		{s1, s2, 1}, {s1, s3, 0}, {s1, s4, -1}, {s5, s4, -2}, {s2, s1, -1},
		{"set:fd6Z5n0", "set:fd6Z5n0", 0},
		{"set:", s1, -3}, {s1, "set:zz0", -4},
	} {
		if got := SetCompare(c.a, c.b); got != c.want {
			t.Errorf("SetCompare(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	// Many symbols (escapes are likely) and different precisions.
	var big []string
	for i := 0; i < 500; i++ {
		big = append(big, "sym"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	b20 := encodeSet(big, 20)
	if _, v, ok := decodeSet(b20); !ok || len(v) != 500 {
		t.Fatalf("decode big set: ok=%v n=%d", ok, len(v))
	}
	b18sub := encodeSet(big[:300], 18)
	if got := SetCompare(b20, b18sub); got != 1 {
		t.Errorf("superset at higher precision = %d, want 1", got)
	}
	if got := SetCompare(b18sub, b20); got != -1 {
		t.Errorf("subset at lower precision = %d, want -1", got)
	}
	// Overlap through set versions: provide superset satisfies ">=".
	if !Overlap(Dep{"libx.so", s1, eq}, Dep{"libx.so", s2, ge}) {
		t.Error("superset provide does not satisfy >= require")
	}
	if Overlap(Dep{"libx.so", s2, eq}, Dep{"libx.so", s1, ge}) {
		t.Error("subset provide satisfies >= require")
	}
	if Overlap(Dep{"libx.so", s5, eq}, Dep{"libx.so", s4, eq}) {
		t.Error("incomparable sets overlap")
	}
}

func TestFilterConflicts(t *testing.T) {
	const a, b, c = 1, 2, 3
	d := map[uint64]*ConflictDeps{
		a: {Conflicts: []Dep{{Name: "syslinux"}}},
		b: {Provides: []Dep{{Name: "syslinux", Version: "2:4.04-alt16:sisyphus+242564.100.1.1", Flags: eq}}},
		c: {Conflicts: []Dep{{Name: "syslinux", Version: "2:5.0", Flags: ge}}, Provides: []Dep{{Name: "foo", Version: "1.0", Flags: eq}}},
	}
	got := FilterConflicts([]Pair{{a, b}, {b, a}, {c, b}, {a, c}}, d)
	want := []Pair{{a, b}, {a, b}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FilterConflicts = %v, want %v", got, want)
	}
	// obsoletes count as conflicts; both directions
	d[c].Conflicts = append(d[c].Conflicts, Dep{Name: "bar", Version: "1.0", Flags: lt})
	d[a].Provides = []Dep{{Name: "bar", Version: "0.9-alt1", Flags: eq}}
	d[a].Conflicts = append(d[a].Conflicts, Dep{Name: "foo"})
	got = FilterConflicts([]Pair{{a, c}}, d)
	want = []Pair{{a, c}, {c, a}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FilterConflicts both ways = %v, want %v", got, want)
	}
}

func TestSortDependencies(t *testing.T) {
	// c depends on b, b on a: a, b, c.
	names := []string{"c", "b", "a"}
	deps := map[string][]string{"c": {"b"}, "b": {"a"}, "a": {}}
	res, err := SortDependencies(names, deps)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Sorted, []string{"a", "b", "c"}) {
		t.Errorf("chain sorted = %v", res.Sorted)
	}
	// Cycle x <-> y: y's list is longer, so x's edge to y stays and y's
	// edge to x is removed (circle[x][y] = len(y) = 2 >= circle[y][x] = 1
	// removes x from y's list).
	names = []string{"x", "y", "z"}
	deps = map[string][]string{"x": {"y"}, "y": {"x", "z"}, "z": {}}
	res, err = SortDependencies(names, deps)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deps["y"], []string{"z"}) || !reflect.DeepEqual(deps["x"], []string{"y"}) {
		t.Errorf("reduced lists x=%v y=%v", deps["x"], deps["y"])
	}
	if !reflect.DeepEqual(res.Sorted, []string{"z", "y", "x"}) {
		t.Errorf("cycle sorted = %v", res.Sorted)
	}
	if !reflect.DeepEqual(res.Cycles["x"], []string{"y"}) || !reflect.DeepEqual(res.Cycles["y"], []string{"x"}) {
		t.Errorf("cycles = %v", res.Cycles)
	}
	// Equal lengths: both directions are removed.
	names = []string{"p", "q"}
	deps = map[string][]string{"p": {"q"}, "q": {"p"}}
	res, err = SortDependencies(names, deps)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps["p"]) != 0 || len(deps["q"]) != 0 {
		t.Errorf("equal cycle lists p=%v q=%v", deps["p"], deps["q"])
	}
	if !reflect.DeepEqual(res.Sorted, []string{"q", "p"}) {
		t.Errorf("equal cycle sorted = %v", res.Sorted)
	}
	// Unknown name -> error.
	if _, err := SortDependencies([]string{"a"}, map[string][]string{"a": {"zz"}}); err == nil {
		t.Error("unknown dependency accepted")
	}
}

// fakeSource is an in-memory branch snapshot.
type fakeSource struct {
	requires map[uint64][]Dep
	provides map[uint64][]Dep
	names    []ProviderName
}

func (f *fakeSource) Requires(_ context.Context, hs []uint64) (map[uint64][]Dep, error) {
	out := map[uint64][]Dep{}
	for _, h := range hs {
		if r := f.requires[h]; len(r) > 0 {
			out[h] = r
		}
	}
	return out, nil
}

func (f *fakeSource) Providers(_ context.Context, names []string) (map[uint64][]Dep, error) {
	out := map[uint64][]Dep{}
	for h, ps := range f.provides {
		for _, p := range ps {
			if slices.Contains(names, p.Name) {
				out[h] = append(out[h], p)
			}
		}
	}
	return out, nil
}

func (f *fakeSource) Names(_ context.Context, hs []uint64) ([]ProviderName, error) {
	var out []ProviderName
	for _, n := range f.names {
		if slices.Contains(hs, n.Hash) {
			out = append(out, n)
		}
	}
	return out, nil
}

func keys(m map[uint64]bool) []uint64 {
	var out []uint64
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestResolveBuildSet(t *testing.T) {
	// Source 1 build-requires gcc and libfoo-devel >= 2; libfoo-devel
	// requires libfoo; "mta" is provided by postfix (11) and sendmail (12),
	// required by libfoo (21): sendmail sorts higher, wins.
	src := &fakeSource{
		requires: map[uint64][]Dep{
			1:  {{Name: "gcc"}, {Name: "libfoo-devel", Version: "2", Flags: ge}},
			2:  {{Name: "nothing-provides-this"}},
			20: {{Name: "libfoo", Version: "2.1-alt1", Flags: eq}},
			21: {{Name: "mta"}},
		},
		provides: map[uint64][]Dep{
			10: {{Name: "gcc", Version: "13-alt1", Flags: eq}},
			20: {{Name: "libfoo-devel", Version: "2.1-alt1", Flags: eq}},
			22: {{Name: "libfoo-devel", Version: "1.0-alt1", Flags: eq}},
			21: {{Name: "libfoo", Version: "2.1-alt1", Flags: eq}},
			11: {{Name: "mta"}},
			12: {{Name: "mta"}},
		},
		names: []ProviderName{{11, "postfix", "postfix"}, {12, "sendmail", "sendmail"}},
	}
	bs, err := ResolveBuildSet(context.Background(), src, []uint64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bs.Sources, []uint64{1, 2}) {
		t.Errorf("sources = %v", bs.Sources)
	}
	if got := keys(bs.Deps[1]); !reflect.DeepEqual(got, []uint64{10, 12, 20, 21}) {
		t.Errorf("deps of 1 = %v", got)
	}
	if got := keys(bs.Deps[2]); len(got) != 0 {
		t.Errorf("deps of 2 = %v", got)
	}
	if got := keys(bs.Tree[20]); !reflect.DeepEqual(got, []uint64{21}) {
		t.Errorf("tree of 20 = %v", got)
	}
	want := []PackageAmbiguities{{Hash: 21, Ambiguities: []Ambiguity{{Requires: "mta", Provides: []AmbiguousProvide{{"sendmail", true}, {"postfix", false}}}}}}
	if !reflect.DeepEqual(bs.Ambiguous, want) {
		t.Errorf("ambiguous = %+v", bs.Ambiguous)
	}
	// A provider named like the requirement wins over the ordering.
	src.names = []ProviderName{{11, "mta", "postfix"}, {12, "sendmail", "sendmail"}}
	bs, err = ResolveBuildSet(context.Background(), src, []uint64{1})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(bs.Deps[1]); !reflect.DeepEqual(got, []uint64{10, 11, 20, 21}) {
		t.Errorf("deps of 1 with named provider = %v", got)
	}
	if a := bs.Ambiguous[0].Ambiguities[0].Provides; !reflect.DeepEqual(a, []AmbiguousProvide{{"sendmail", false}, {"mta", true}}) {
		t.Errorf("ambiguity with named provider = %+v", a)
	}
}

func TestMisconflictArchs(t *testing.T) {
	given := []string{"x86_64"}
	if got := MisconflictArchs(given); !reflect.DeepEqual(got, []string{"x86_64", "noarch"}) || len(given) != 1 {
		t.Errorf("MisconflictArchs(x86_64) = %v (input %v)", got, given)
	}
	def := []string{"x86_64", "i586", "aarch64", "armh", "ppc64le", "noarch"}
	if got := MisconflictArchs(nil); !reflect.DeepEqual(got, def) {
		t.Errorf("MisconflictArchs(nil) = %v", got)
	}
	if got := MisconflictArchs([]string{"armh", "noarch"}); !reflect.DeepEqual(got, def) {
		t.Errorf("MisconflictArchs(armh, noarch) = %v", got)
	}
}

func TestChunks(t *testing.T) {
	if got := Chunks([]int{}, 3); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
	got := Chunks([]int{1, 2, 3, 4, 5, 6, 7}, 3)
	if !reflect.DeepEqual(got, [][]int{{1, 2, 3}, {4, 5, 6}, {7}}) {
		t.Errorf("Chunks = %v", got)
	}
	got[0] = append(got[0], 99) // parts do not share capacity
	if got[1][0] != 4 {
		t.Error("appending to a part overwrote the next one")
	}
}
