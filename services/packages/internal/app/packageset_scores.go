package app

import (
	"context"
	"sort"
	"strconv"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/model"
)

// Maintainer scores of every source package of a branch (libs §9, with the
// batch endpoint's differences described in behavior/packageset.md).

const (
	psScoreWUpdate          = 3.0
	psScoreWPatch           = 1.5
	psScoreACLNonMember     = 0.5
	psScoreRecentBonus      = 2.5
	psScoreMinRecentCommits = 3
	psScoreMinRecentBugfix  = 1
	psScoreActive           = 1.0
	psScoreLowActivity      = 0.3
)

// Changelog aggregates per (source package, nick). The decayed weights are
// split by (update?, NMU-looking text?) so the ACL-dependent weighting can
// be applied in Go: decay = exp(-age_days * ln 2 / 730).
const sqlPsScoresChangelog = `
SELECT pkg_name, nick,
    sumIf(decay, upd AND nmu_text) AS d_upd_nmu,
    sumIf(decay, upd AND NOT nmu_text) AS d_upd,
    sumIf(decay, NOT upd AND nmu_text) AS d_pat_nmu,
    sumIf(decay, NOT upd AND NOT nmu_text) AS d_pat,
    countIf(upd) AS n_upd,
    countIf(NOT upd AND NOT nmu_text) AS n_pat,
    countIf(nmu_text) AS n_nmu_text,
    countIf(NOT upd AND nmu_text) AS n_pat_nmu,
    max(chlog_date) AS last_activity,
    countIf(age <= 180) AS recent
FROM (
    SELECT pkg_name, nick, chlog_date, upd, age, exp(-age * log(2) / 730) AS decay,
        (positionCaseInsensitiveUTF8(ctext, 'NMU') > 0
            OR positionCaseInsensitiveUTF8(ctext, 'rebuild') > 0
            OR positionCaseInsensitiveUTF8(ctext, 'non-maintainer') > 0) AS nmu_text
    FROM (
        SELECT pkg_name, chlog_date, chlog_hash,
            extract(chlog_name, '<(.*)@') AS nick,
            extract(chlog_evr, '-alt(.+)$') AS rel,
            (rel = '1' OR startsWith(rel, '0.')) AS upd,
            dateDiff('day', chlog_date, now()) AS age
        FROM Packages
        ARRAY JOIN pkg_changelog.date AS chlog_date, pkg_changelog.name AS chlog_name,
            pkg_changelog.evr AS chlog_evr, pkg_changelog.hash AS chlog_hash
        WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
    )
    LEFT JOIN (
        SELECT chlog_hash, any(chlog_text) AS ctext
        FROM Changelog
        WHERE chlog_hash IN (
            SELECT arrayJoin(pkg_changelog.hash) FROM Packages
            WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1)
        )
        GROUP BY chlog_hash
    ) USING chlog_hash
    WHERE nick != ''
)
GROUP BY pkg_name, nick
ORDER BY pkg_name`

// Fixed bugs per (source name, assignee nick); components are matched to
// binary names (mapped to their source) and to source names.
const sqlPsScoresBugfixes = `
SELECT src, nick, sum(4.0 * exp(-age * log(2) / 730)) AS score, count() AS n, countIf(age <= 180) AS recent
FROM (
    SELECT bz_component AS comp, splitByChar('@', bz_assignee)[1] AS nick,
        dateDiff('day', bz_last_changed, now()) AS age
    FROM Bugzilla
    WHERE bz_status IN ('RESOLVED', 'CLOSED') AND bz_resolution = 'FIXED' AND nick != ''
)
INNER JOIN (
    SELECT DISTINCT pkg_name AS comp,
        arrayStringConcat(arrayPopBack(arrayPopBack(splitByChar('-', pkg_sourcerpm))), '-') AS src
    FROM Packages
    WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
    UNION ALL
    SELECT DISTINCT pkg_name AS comp, pkg_name AS src
    FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1
) USING comp
GROUP BY src, nick`

const sqlPsScoresPackages = `
SELECT DISTINCT pkg_name FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1 ORDER BY pkg_name`

const sqlPsScoresACL = `
SELECT acl_for, acl_list FROM last_acl
WHERE acl_branch = 'sisyphus'
    AND acl_for IN (SELECT pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1)`

// psScoreChangelog is one row of sqlPsScoresChangelog.
type psScoreChangelog struct {
	Pkg      string    `ch:"pkg_name"`
	Nick     string    `ch:"nick"`
	DUpdNMU  float64   `ch:"d_upd_nmu"`
	DUpd     float64   `ch:"d_upd"`
	DPatNMU  float64   `ch:"d_pat_nmu"`
	DPat     float64   `ch:"d_pat"`
	NUpd     uint64    `ch:"n_upd"`
	NPat     uint64    `ch:"n_pat"`
	NNMUText uint64    `ch:"n_nmu_text"`
	NPatNMU  uint64    `ch:"n_pat_nmu"`
	Last     time.Time `ch:"last_activity"`
	Recent   uint64    `ch:"recent"`
}

// psScoreBugfix is one row of sqlPsScoresBugfixes.
type psScoreBugfix struct {
	Src    string  `ch:"src"`
	Nick   string  `ch:"nick"`
	Score  float64 `ch:"score"`
	N      uint64  `ch:"n"`
	Recent uint64  `ch:"recent"`
}

// psScoreMaintainer is one computed maintainer of a package.
type psScoreMaintainer struct {
	Nick                        string
	Score, Base                 float64
	Updates, Patches, NMU, Bugs uint64
	InACL, Bonus                bool
	Last                        time.Time
	Recent                      uint64
	recentBugs                  uint64
}

// psRound2 rounds to 2 decimals as Python's round() does (correctly
// rounded from the binary value, exact ties to even).
func psRound2(x float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return f
}

// psScoreEntry turns a changelog aggregate into a maintainer (before bug fixes).
func psScoreEntry(c psScoreChangelog, inACL bool) psScoreMaintainer {
	m := psScoreMaintainer{Nick: c.Nick, InACL: inACL, Updates: c.NUpd, Last: c.Last, Recent: c.Recent}
	var s float64
	if inACL {
		// No entry is an NMU for an ACL member.
		s = psScoreWUpdate*(c.DUpd+c.DUpdNMU) + psScoreWPatch*(c.DPat+c.DPatNMU)
		m.Patches = c.NPat + c.NPatNMU
	} else {
		// NMU-looking entries weigh 0; the others are halved.
		s = psScoreACLNonMember * (psScoreWUpdate*c.DUpd + psScoreWPatch*c.DPat)
		m.Patches = c.NPat
		m.NMU = c.NNMUText
	}
	m.Base = psRound2(s)
	return m
}

// psFinishScores adds bug fixes, applies the recent-activity bonus, sorts and
// returns the package's status and primary maintainer.
func psFinishScores(ms []psScoreMaintainer, bugs map[string]psScoreBugfix) ([]psScoreMaintainer, string, any) {
	for i := range ms {
		if b, ok := bugs[ms[i].Nick]; ok {
			ms[i].Base += b.Score
			ms[i].Bugs = b.N
			ms[i].recentBugs = b.Recent
		}
	}
	// SQL order: score descending.
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Base > ms[j].Base })
	last := -1
	for i := range ms {
		if last < 0 || ms[i].Last.After(ms[last].Last) {
			last = i
		}
	}
	for i := range ms {
		ms[i].Score = ms[i].Base
		if i == last && (ms[i].recentBugs >= psScoreMinRecentBugfix || ms[i].Recent >= psScoreMinRecentCommits) {
			ms[i].Score = ms[i].Base * psScoreRecentBonus
			ms[i].Bonus = true
		}
		ms[i].Score = psRound2(ms[i].Score)
		ms[i].Base = psRound2(ms[i].Base)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Score > ms[j].Score })
	top := 0.0
	var primary any
	if len(ms) > 0 {
		top = ms[0].Score
		if top > 0 {
			primary = ms[0].Nick
		}
	}
	status := "orphaned"
	switch {
	case top >= psScoreActive:
		status = "active"
	case top >= psScoreLowActivity:
		status = "low_activity"
	}
	return ms, status, primary
}

func (m psScoreMaintainer) record() model.Map {
	var last any
	if !m.Last.IsZero() && m.Last.Unix() > 0 {
		last = m.Last.Format("2006-01-02")
	}
	return model.Map{
		"nick": m.Nick, "score": m.Score, "base_score": m.Base, "updates": m.Updates, "patches": m.Patches,
		"nmu": m.NMU, "bugfixes": m.Bugs, "in_acl": m.InACL, "last_activity": last,
		"recent_commits": m.Recent, "bonus_applied": m.Bonus,
	}
}

// maintainerScores: the maintainer scores of every source package of a branch.
func (a *App) maintainerScores(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.String("branch")
	var names []struct {
		Name string `ch:"pkg_name"`
	}
	if err := a.db.Select(ctx, "maintainer_scores_packages", &names, sqlPsScoresPackages, branch); err != nil {
		return nil, err
	}
	var chl []psScoreChangelog
	if err := a.db.Select(ctx, "maintainer_scores_changelog", &chl, sqlPsScoresChangelog, branch, branch); err != nil {
		return nil, err
	}
	var bugRows []psScoreBugfix
	if err := a.db.Select(ctx, "maintainer_scores_bugfixes", &bugRows, sqlPsScoresBugfixes, branch, branch); err != nil {
		return nil, err
	}
	acl := map[string]map[string]bool{}
	if branch == "sisyphus" {
		var rows []struct {
			For  string   `ch:"acl_for"`
			List []string `ch:"acl_list"`
		}
		if err := a.db.Select(ctx, "maintainer_scores_acl", &rows, sqlPsScoresACL); err != nil {
			return nil, err
		}
		for _, row := range rows {
			set := acl[row.For]
			if set == nil {
				set = map[string]bool{}
				acl[row.For] = set
			}
			for _, n := range row.List {
				set[n] = true
			}
		}
	}
	bugs := map[string]map[string]psScoreBugfix{}
	for _, b := range bugRows {
		if bugs[b.Src] == nil {
			bugs[b.Src] = map[string]psScoreBugfix{}
		}
		bugs[b.Src][b.Nick] = b
	}
	perPkg := map[string][]psScoreMaintainer{}
	for _, c := range chl {
		perPkg[c.Pkg] = append(perPkg[c.Pkg], psScoreEntry(c, acl[c.Pkg][c.Nick]))
	}
	packages := make([]model.Record, 0, len(names))
	for _, n := range names {
		ms, status, primary := psFinishScores(perPkg[n.Name], bugs[n.Name])
		list := make([]model.Record, 0, len(ms))
		for _, m := range ms {
			list = append(list, m.record())
		}
		packages = append(packages, model.Map{"package": n.Name, "primary_maintainer": primary, "status": status, "maintainers": list})
	}
	return api.OK(model.Map{"request_args": r.Args, "branch": branch, "length": len(packages), "packages": packages}), nil
}
