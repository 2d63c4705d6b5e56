// Package mscore is the maintainer score algorithm of libs §9
// (behavior/libs-packages.md): changelog entry weights, the half-life
// decay, ACL halving, the bug-fix part, the recent-activity bonus, Python
// rounding and the package status.
//
// It is shared by GET /api/package/maintainer_score (one package, entries
// classified and summed in Go) and GET /api/packageset/maintainer_scores
// (every package of a branch, entries classified and summed in SQL, which
// must use the same formulas: see Decay and Classify).
//
// Usage: build one Tally per (package, nick) (Tally.Add per entry, or fill
// the sums from an aggregate query), turn it into a Maintainer with the
// nick's ACL membership (Tally.Maintainer), add the nick's Bugfixes and rank
// the package's maintainers (Rank).
package mscore

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Constants of libs §9 (upstream api/maintainer_score_config.py).
const (
	WUpdate              = 3.0 // weight of an update entry (release alt1 or alt0.*)
	WPatch               = 1.5 // weight of any other entry
	WBugfix              = 4.0 // weight of a fixed bug
	WNMU                 = 0.0 // weight of a non-maintainer upload
	HalfLifeDays         = 730
	ACLNonMemberFactor   = 0.5 // contribution factor of a nick outside the ACL
	RecentBonus          = 2.5 // score factor of the recently active last committer
	RecentDays           = 180
	MinRecentCommits     = 3
	MinRecentBugfixes    = 1
	ActiveThreshold      = 1.0
	LowActivityThreshold = 0.3
)

// Decay is the half-life factor exp(-age·ln2/730) of an entry or a bug fix
// age_days old. SQL aggregates use exp(-age * log(2) / 730).
func Decay(ageDays int64) float64 {
	return math.Exp(-float64(ageDays) * math.Ln2 / HalfLifeDays)
}

// Round2 rounds to 2 decimals as Python's round(x, 2) does: correctly
// rounded from the exact binary value, exact ties to even.
func Round2(x float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return r
}

// Class is the kind of a changelog entry, independent of the ACL: whether it
// is an update and whether its text looks like a non-maintainer upload. The
// ACL decides later whether NMU-looking entries are NMUs (Tally.Maintainer).
type Class int

const (
	Patch         Class = iota // neither update nor NMU-looking text
	PatchNMUText               // not an update, NMU-looking text
	Update                     // update, ordinary text
	UpdateNMUText              // update, NMU-looking text
	nClasses
)

// IsUpdate reports whether entries of the class are updates.
func (c Class) IsUpdate() bool { return c == Update || c == UpdateNMUText }

// NMUText reports whether entries of the class have NMU-looking text.
func (c Class) NMUText() bool { return c == PatchNMUText || c == UpdateNMUText }

var (
	reNick = regexp.MustCompile(`<(.*)@`)
	reRel  = regexp.MustCompile(`-alt(.+)$`)
)

// Nick is the first capture of `<(.*)@` in a changelog name (greedy:
// everything between the first '<' and the last '@'), "" if none. Entries
// with an empty nick are ignored.
func Nick(name string) string {
	if m := reNick.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return ""
}

// BugNick is the Bugzilla assignee's text before the first '@' (bug fixes
// with an empty nick are ignored).
func BugNick(assignee string) string {
	nick, _, _ := strings.Cut(assignee, "@")
	return nick
}

// Classify returns the class of a changelog entry: an update when the
// release after "-alt" in evr is "1" or starts with "0."; NMU-looking when
// the text contains NMU, rebuild or non-maintainer, case-insensitively.
func Classify(evr, text string) Class {
	var rel string
	if m := reRel.FindStringSubmatch(evr); m != nil {
		rel = m[1]
	}
	low := strings.ToLower(text)
	c := Patch
	if rel == "1" || strings.HasPrefix(rel, "0.") {
		c = Update
	}
	if strings.Contains(low, "nmu") || strings.Contains(low, "rebuild") || strings.Contains(low, "non-maintainer") {
		c++
	}
	return c
}

// Tally is the changelog aggregate of one nick in one package: the decayed
// weights and the entry counts per class, the newest entry date and the
// number of entries at most RecentDays old.
type Tally struct {
	Nick          string
	Decay         [nClasses]float64 // sum of Decay(age) per class
	Count         [nClasses]int
	LastActivity  time.Time
	RecentCommits int
}

// Add counts one changelog entry.
func (t *Tally) Add(c Class, ageDays int64, date time.Time) {
	t.Decay[c] += Decay(ageDays)
	t.Count[c]++
	if date.After(t.LastActivity) {
		t.LastActivity = date
	}
	if ageDays <= RecentDays {
		t.RecentCommits++
	}
}

// Maintainer applies the ACL: for a member, NMU-looking entries are
// ordinary entries and everything counts fully; for a non-member they are
// NMUs (weight WNMU) and everything counts ACLNonMemberFactor. Updates
// include NMU ones; patches are the entries neither update nor NMU.
func (t Tally) Maintainer(inACL bool) Maintainer {
	m := Maintainer{
		Nick: t.Nick, InACL: inACL, LastActivity: t.LastActivity, RecentCommits: t.RecentCommits,
		Updates: t.Count[Update] + t.Count[UpdateNMUText],
		Patches: t.Count[Patch],
	}
	if inACL {
		m.Changelog = WUpdate*(t.Decay[Update]+t.Decay[UpdateNMUText]) + WPatch*(t.Decay[Patch]+t.Decay[PatchNMUText])
		m.Patches += t.Count[PatchNMUText]
	} else {
		m.Changelog = ACLNonMemberFactor * (WUpdate*t.Decay[Update] + WPatch*t.Decay[Patch] +
			WNMU*(t.Decay[UpdateNMUText]+t.Decay[PatchNMUText]))
		m.NMU = t.Count[UpdateNMUText] + t.Count[PatchNMUText]
	}
	return m
}

// Bugfixes is the bug-fix part of one nick: the sum of WBugfix·Decay(age)
// over the fixed bugs, their number and the number at most RecentDays old.
type Bugfixes struct {
	Score  float64
	Count  int
	Recent int
}

// Add counts one fixed bug.
func (b *Bugfixes) Add(ageDays int64) {
	b.Score += WBugfix * Decay(ageDays)
	b.Count++
	if ageDays <= RecentDays {
		b.Recent++
	}
}

// Maintainer is one ranked maintainer of a package.
type Maintainer struct {
	Nick             string
	Score, BaseScore float64 // rounded to 2 decimals by Rank
	Updates          int
	Patches          int
	NMU              int
	Bugfixes         int
	RecentCommits    int
	InACL, Bonus     bool
	LastActivity     time.Time
	// Changelog is the changelog part of the score (the upstream SQL row
	// order key), set by Tally.Maintainer (rounded by Rank if
	// Options.RoundChangelog).
	Changelog float64

	recentBugs int
}

// LastActivityText is last_activity as rendered: "YYYY-MM-DD", nil if unset.
func (m Maintainer) LastActivityText() any {
	if m.LastActivity.IsZero() {
		return nil
	}
	return m.LastActivity.Format("2006-01-02")
}

// Result is a package's ranked maintainers, its status and its primary
// maintainer ("" when the top score is 0 or there is no maintainer).
type Result struct {
	Maintainers []Maintainer
	Status      string
	Primary     string
}

// Options are the differences between the endpoints.
type Options struct {
	// RoundChangelog rounds the changelog score to 2 decimals before the
	// bug fixes are added: an upstream quirk of the batch endpoint
	// /packageset/maintainer_scores, whose SQL sum is already rounded
	// (behavior/packageset.md). /package/maintainer_score does not round.
	RoundChangelog bool
}

// Rank finishes libs §9 for one package: adds each nick's bug fixes (bug
// fixes of nicks without changelog entries are ignored), orders the rows as
// the upstream SQL does (changelog score descending, nick ascending on
// ties), finds the last committer (greatest last_activity, first in row
// order on ties), applies the bonus when the last committer has a recent
// bug fix or enough recent commits, rounds, sorts stably by score
// descending, and derives the status and the primary maintainer.
func Rank(ms []Maintainer, bugs map[string]Bugfixes, opt Options) Result {
	for i := range ms {
		if opt.RoundChangelog {
			ms[i].Changelog = Round2(ms[i].Changelog)
		}
		ms[i].BaseScore = ms[i].Changelog
		if b, ok := bugs[ms[i].Nick]; ok {
			ms[i].BaseScore += b.Score
			ms[i].Bugfixes = b.Count
			ms[i].recentBugs = b.Recent
		}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Changelog != ms[j].Changelog {
			return ms[i].Changelog > ms[j].Changelog
		}
		return ms[i].Nick < ms[j].Nick
	})
	last := -1
	for i := range ms {
		if last < 0 || ms[i].LastActivity.After(ms[last].LastActivity) {
			last = i
		}
	}
	for i := range ms {
		m := &ms[i]
		m.Score = m.BaseScore
		if i == last && (m.recentBugs >= MinRecentBugfixes || m.RecentCommits >= MinRecentCommits) {
			m.Score = m.BaseScore * RecentBonus
			m.Bonus = true
		}
		m.Score, m.BaseScore = Round2(m.Score), Round2(m.BaseScore)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Score > ms[j].Score })
	res := Result{Maintainers: ms, Status: Status(0)}
	if len(ms) > 0 {
		res.Status = Status(ms[0].Score)
		if ms[0].Score > 0 {
			res.Primary = ms[0].Nick
		}
	}
	return res
}

// Status is the package status of a top score: "active" from
// ActiveThreshold, "low_activity" from LowActivityThreshold, else "orphaned".
func Status(top float64) string {
	switch {
	case top >= ActiveThreshold:
		return "active"
	case top >= LowActivityThreshold:
		return "low_activity"
	}
	return "orphaned"
}
