package mscore

import (
	"math"
	"testing"
	"time"
)

func TestRound2(t *testing.T) {
	// Python: round(2.675, 2) == 2.67 (binary value below the tie),
	// round(0.125, 2) == 0.12 (exact tie, to even), round(0.375, 2) == 0.38.
	for in, want := range map[float64]float64{
		2.675: 2.67, 0.125: 0.12, 0.375: 0.38, 1.005: 1.0, 5.8371990796: 5.84, -0.125: -0.12, 3: 3,
		3.14159: 3.14, -1.555: -1.55,
	} {
		if got := Round2(in); got != want {
			t.Errorf("round(%v, 2) = %v, want %v", in, got, want)
		}
	}
}

// entry and bug are the rows of /package/maintainer_score.
type entry struct {
	Date      time.Time
	Name, EVR string
	Text      string
	AgeDays   int64
}

type bug struct {
	Assignee string
	AgeDays  int64
}

// compute is libs §9 over one package's changelog entries, its sisyphus ACL
// (used when sisyphus is true) and its fixed bugs, as the single-package
// route does; found is false when no entry has a nick.
func compute(entries []entry, acl []string, sisyphus bool, bugs []bug) (res Result, found bool) {
	byNick := map[string]*Tally{}
	var order []*Tally
	for _, e := range entries {
		nick := Nick(e.Name)
		if nick == "" {
			continue
		}
		if byNick[nick] == nil {
			byNick[nick] = &Tally{Nick: nick}
			order = append(order, byNick[nick])
		}
		byNick[nick].Add(Classify(e.EVR, e.Text), e.AgeDays, e.Date)
	}
	if len(order) == 0 {
		return Result{}, false
	}
	fixes := map[string]Bugfixes{}
	for _, b := range bugs {
		if nick := BugNick(b.Assignee); nick != "" {
			f := fixes[nick]
			f.Add(b.AgeDays)
			fixes[nick] = f
		}
	}
	ms := make([]Maintainer, len(order))
	for i, t := range order {
		inACL := false
		for _, n := range acl {
			inACL = inACL || (sisyphus && n == t.Nick)
		}
		ms[i] = t.Maintainer(inACL)
	}
	return Rank(ms, fixes, Options{}), true
}

func TestComputeScore(t *testing.T) {
	d1 := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	entries := []entry{
		{Date: d1, Name: "John Doe <john@altlinux.org>", EVR: "1.0-alt1", Text: "- new version", AgeDays: 0},
		{Date: d1.AddDate(-2, 0, 0), Name: "John Doe <john@altlinux.org>", EVR: "0.9-alt2", Text: "- fix build", AgeDays: 730},
		{Date: d1.AddDate(0, -3, 0), Name: "Carl <carl@altlinux.org>", EVR: "0.9-alt1.1", Text: "- NMU: fixed", AgeDays: 100},
		// no '@' inside <...>: no nickname, ignored
		{Date: d1.AddDate(1, 0, 0), Name: "Bob <bob at altlinux.org>", EVR: "1.1-alt1", Text: "- up", AgeDays: 0},
	}
	bugs := []bug{
		{Assignee: "john@altlinux.org", AgeDays: 10},
		{Assignee: "nobody", AgeDays: 10},        // no changelog entries: ignored
		{Assignee: "@altlinux.org", AgeDays: 10}, // empty nick: ignored
	}
	// Not sisyphus: the ACL is not consulted, every entry counts half.
	res, found := compute(entries, []string{"john"}, false, bugs)
	if !found || len(res.Maintainers) != 2 {
		t.Fatalf("result %+v", res)
	}
	j, c := res.Maintainers[0], res.Maintainers[1]
	// john: 3·0.5 + 1.5·2^-1·0.5 = 1.875; bug 4·2^(-10/730) = 3.9622;
	// base 5.8372 -> 5.84; last committer with a recent bug fix: ×2.5 -> 14.59.
	if j.Nick != "john" || j.BaseScore != 5.84 || j.Score != 14.59 || !j.Bonus || j.Updates != 1 || j.Patches != 1 ||
		j.NMU != 0 || j.Bugfixes != 1 || j.RecentCommits != 1 || j.InACL || !j.LastActivity.Equal(d1) {
		t.Errorf("john = %+v", j)
	}
	// carl: an NMU (weight 0), neither update ("1.1") nor patch.
	if c.Nick != "carl" || c.Score != 0 || c.BaseScore != 0 || c.NMU != 1 || c.Updates != 0 || c.Patches != 0 || c.Bonus {
		t.Errorf("carl = %+v", c)
	}
	if res.Status != "active" || res.Primary != "john" {
		t.Errorf("status %s primary %s", res.Status, res.Primary)
	}

	// Sisyphus: ACL members count fully and their NMU-like entries are
	// patches.
	res, _ = compute(entries, []string{"john", "carl"}, true, nil)
	j, c = res.Maintainers[0], res.Maintainers[1]
	if j.Score != 3.75 || j.BaseScore != 3.75 || j.Bonus || !j.InACL {
		t.Errorf("john = %+v", j)
	}
	// 1.5·2^(-100/730) = 1.364 -> 1.36
	if c.Score != 1.36 || c.Patches != 1 || c.NMU != 0 || !c.InACL {
		t.Errorf("carl = %+v", c)
	}

	// 1.5 · 2^-2 · 0.5 = 0.1875 -> 0.19: orphaned, but still a primary
	// maintainer (score > 0).
	old := []entry{{Date: d1, Name: "X <x@y>", EVR: "1-alt2", Text: "fix", AgeDays: 1460}}
	if res, _ := compute(old, nil, false, nil); res.Status != "orphaned" || res.Primary != "x" || res.Maintainers[0].Score != 0.19 {
		t.Errorf("old: %+v", res)
	}
	nmu := []entry{{Date: d1, Name: "X <x@y>", EVR: "1-alt1", Text: "rebuild", AgeDays: 0}}
	if res, _ := compute(nmu, nil, false, nil); res.Status != "orphaned" || res.Primary != "" {
		t.Errorf("nmu only: %+v", res)
	}
	mid := []entry{{Date: d1, Name: "X <x@y>", EVR: "1-alt2", Text: "fix", AgeDays: 0}}
	if res, _ := compute(mid, nil, false, nil); res.Status != "low_activity" || res.Maintainers[0].Score != 0.75 {
		t.Errorf("mid: %+v", res)
	}
	if res, found := compute(nil, nil, false, nil); found {
		t.Errorf("empty: %+v", res)
	}
	// Greedy nickname: everything between the first '<' and the last '@'.
	g, _ := compute([]entry{{Name: "A <a@b@c>", EVR: "1-alt1"}}, nil, false, nil)
	if g.Maintainers[0].Nick != "a@b" {
		t.Errorf("nick = %q", g.Maintainers[0].Nick)
	}
}

// The batch route's worked example: tallies summed by SQL, the changelog
// score rounded before the bug fixes are added.
func TestRankPreAggregated(t *testing.T) {
	now := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	tally := func(nick string, last time.Time, recent int, dec, cnt map[Class]float64) Tally {
		t := Tally{Nick: nick, LastActivity: last, RecentCommits: recent}
		for c, d := range dec {
			t.Decay[c] = d
		}
		for c, n := range cnt {
			t.Count[c] = int(n)
		}
		return t
	}
	// Worked example: "alice" has 2 fresh updates (decay 1) and one NMU-looking
	// patch; "bob" one old update (decay 0.5) and is not in the ACL.
	alice := tally("alice", now, 3, map[Class]float64{Update: 2, PatchNMUText: 1}, map[Class]float64{Update: 2, PatchNMUText: 1}).Maintainer(true)
	if alice.Changelog != 7.5 || alice.Patches != 1 || alice.NMU != 0 || alice.Updates != 2 {
		t.Errorf("alice %+v (3*2 + 1.5*1 = 7.5, NMU text counts as a patch for an ACL member)", alice)
	}
	bob := tally("bob", now.AddDate(-2, 0, 0), 0, map[Class]float64{Update: 0.5, PatchNMUText: 1}, map[Class]float64{Update: 1, PatchNMUText: 1}).Maintainer(false)
	if bob.Changelog != 0.75 || bob.Patches != 0 || bob.NMU != 1 {
		t.Errorf("bob %+v (0.5 * 3 * 0.5 = 0.75; the NMU weighs 0)", bob)
	}
	res := Rank([]Maintainer{bob, alice}, map[string]Bugfixes{"bob": {Score: 4, Count: 1, Recent: 1}}, Options{RoundChangelog: true})
	ms := res.Maintainers
	// bob: 0.75 + 4 = 4.75, not the last committer: no bonus.
	// alice: 7.5, last committer with 3 recent commits: 7.5 * 2.5 = 18.75.
	if len(ms) != 2 || ms[0].Nick != "alice" || ms[0].Score != 18.75 || !ms[0].Bonus || ms[0].BaseScore != 7.5 ||
		ms[1].Score != 4.75 || ms[1].Bonus || ms[1].Bugfixes != 1 {
		t.Errorf("maintainers %+v", ms)
	}
	if res.Status != "active" || res.Primary != "alice" {
		t.Errorf("status %s primary %v", res.Status, res.Primary)
	}
	if res := Rank(nil, nil, Options{RoundChangelog: true}); res.Status != "orphaned" || res.Primary != "" {
		t.Errorf("empty: %s %v", res.Status, res.Primary)
	}
	low := tally("c", now.AddDate(-5, 0, 0), 0, map[Class]float64{Patch: 0.4}, nil).Maintainer(true)
	res = Rank([]Maintainer{low}, nil, Options{RoundChangelog: true})
	if res.Status != "low_activity" || math.Abs(low.Changelog-0.6) > 1e-9 {
		t.Errorf("low: %s %+v", res.Status, low)
	}
}

// RoundChangelog: the changelog part is rounded before the bug fixes are
// added (1.004 + 0.004 = 1.008 -> 1.01 unrounded, 1.00 + 0.004 -> 1.0).
func TestRoundChangelog(t *testing.T) {
	m := Maintainer{Nick: "a", Changelog: 1.004}
	bugs := map[string]Bugfixes{"a": {Score: 0.004, Count: 1}}
	if got := Rank([]Maintainer{m}, bugs, Options{}).Maintainers[0].BaseScore; got != 1.01 {
		t.Errorf("unrounded: %v", got)
	}
	if got := Rank([]Maintainer{m}, bugs, Options{RoundChangelog: true}).Maintainers[0].BaseScore; got != 1.0 {
		t.Errorf("rounded: %v", got)
	}
}

// Row order before the bonus: changelog score descending, nick ascending;
// the last committer is the first in that order on a last_activity tie.
func TestLastCommitterTie(t *testing.T) {
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := []Maintainer{
		{Nick: "b", Changelog: 1, LastActivity: d, RecentCommits: 3},
		{Nick: "a", Changelog: 1, LastActivity: d, RecentCommits: 3},
		{Nick: "c", Changelog: 2, LastActivity: d, RecentCommits: 3},
	}
	res := Rank(ms, nil, Options{})
	if res.Maintainers[0].Nick != "c" || !res.Maintainers[0].Bonus || res.Maintainers[1].Nick != "a" || res.Maintainers[1].Bonus {
		t.Errorf("%+v", res.Maintainers)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		evr, text string
		want      Class
	}{
		{"1.0-alt1", "- new version", Update},
		{"1.0-alt0.2", "- pre", Update},
		{"1.0-alt10", "- x", Patch},
		{"1.0-alt1.1", "- Non-Maintainer upload", PatchNMUText},
		{"1.0-alt1", "- Rebuild", UpdateNMUText},
		{"1.0", "- nmu", PatchNMUText},
	} {
		if got := Classify(c.evr, c.text); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.evr, c.text, got, c.want)
		}
	}
	if BugNick("x@y@z") != "x" || BugNick("nobody") != "nobody" || Nick("A <a@b>") != "a" || Nick("a@b") != "" {
		t.Error("nicks")
	}
	if d := Decay(730); math.Abs(d-0.5) > 1e-15 {
		t.Errorf("decay(730) = %v", d)
	}
}
