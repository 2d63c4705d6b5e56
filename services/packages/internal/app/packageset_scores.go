package app

import (
	"context"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/mscore"
)

// Maintainer scores of every source package of a branch (libs §9, with the
// batch endpoint's differences described in behavior/packageset.md); the
// arithmetic is in package mscore.

// Changelog aggregates per (source package, nick): the decayed weights and
// the counts per mscore.Class (update?, NMU-looking text?), so that the
// ACL-dependent weighting is applied in Go (mscore.Tally.Maintainer):
// decay = exp(-age_days * ln 2 / 730) as mscore.Decay.
const sqlPsScoresChangelog = `
SELECT pkg_name, nick,
    sumIf(decay, upd AND nmu_text) AS d_upd_nmu,
    sumIf(decay, upd AND NOT nmu_text) AS d_upd,
    sumIf(decay, NOT upd AND nmu_text) AS d_pat_nmu,
    sumIf(decay, NOT upd AND NOT nmu_text) AS d_pat,
    countIf(upd AND nmu_text) AS n_upd_nmu,
    countIf(upd AND NOT nmu_text) AS n_upd,
    countIf(NOT upd AND nmu_text) AS n_pat_nmu,
    countIf(NOT upd AND NOT nmu_text) AS n_pat,
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
	Pkg     string    `ch:"pkg_name"`
	Nick    string    `ch:"nick"`
	DUpdNMU float64   `ch:"d_upd_nmu"`
	DUpd    float64   `ch:"d_upd"`
	DPatNMU float64   `ch:"d_pat_nmu"`
	DPat    float64   `ch:"d_pat"`
	NUpdNMU uint64    `ch:"n_upd_nmu"`
	NUpd    uint64    `ch:"n_upd"`
	NPatNMU uint64    `ch:"n_pat_nmu"`
	NPat    uint64    `ch:"n_pat"`
	Last    time.Time `ch:"last_activity"`
	Recent  uint64    `ch:"recent"`
}

// tally is the row as an mscore.Tally.
func (c psScoreChangelog) tally() mscore.Tally {
	t := mscore.Tally{Nick: c.Nick, LastActivity: c.Last, RecentCommits: int(c.Recent)}
	t.Decay[mscore.Update], t.Count[mscore.Update] = c.DUpd, int(c.NUpd)
	t.Decay[mscore.UpdateNMUText], t.Count[mscore.UpdateNMUText] = c.DUpdNMU, int(c.NUpdNMU)
	t.Decay[mscore.Patch], t.Count[mscore.Patch] = c.DPat, int(c.NPat)
	t.Decay[mscore.PatchNMUText], t.Count[mscore.PatchNMUText] = c.DPatNMU, int(c.NPatNMU)
	return t
}

// psScoreBugfix is one row of sqlPsScoresBugfixes.
type psScoreBugfix struct {
	Src    string  `ch:"src"`
	Nick   string  `ch:"nick"`
	Score  float64 `ch:"score"`
	N      uint64  `ch:"n"`
	Recent uint64  `ch:"recent"`
}

// mscoreRecord renders a ranked maintainer (both maintainer score routes;
// /package/maintainer_score adds bugfixes_with_update).
func mscoreRecord(m mscore.Maintainer) model.Map {
	return model.Map{
		"nick": m.Nick, "score": m.Score, "base_score": m.BaseScore, "updates": m.Updates, "patches": m.Patches,
		"nmu": m.NMU, "bugfixes": m.Bugfixes, "in_acl": m.InACL, "last_activity": m.LastActivityText(),
		"recent_commits": m.RecentCommits, "bonus_applied": m.Bonus,
	}
}

// mscorePrimary is the primary maintainer as rendered (null if none).
func mscorePrimary(res mscore.Result) any {
	if res.Primary == "" {
		return nil
	}
	return res.Primary
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
	bugs := map[string]map[string]mscore.Bugfixes{}
	for _, b := range bugRows {
		if bugs[b.Src] == nil {
			bugs[b.Src] = map[string]mscore.Bugfixes{}
		}
		bugs[b.Src][b.Nick] = mscore.Bugfixes{Score: b.Score, Count: int(b.N), Recent: int(b.Recent)}
	}
	perPkg := map[string][]mscore.Maintainer{}
	for _, c := range chl {
		perPkg[c.Pkg] = append(perPkg[c.Pkg], c.tally().Maintainer(acl[c.Pkg][c.Nick]))
	}
	packages := make([]model.Record, 0, len(names))
	for _, n := range names {
		// Upstream quirk of this route: the changelog sum is rounded before
		// the bug fixes are added.
		res := mscore.Rank(perPkg[n.Name], bugs[n.Name], mscore.Options{RoundChangelog: true})
		list := make([]model.Record, 0, len(res.Maintainers))
		for _, m := range res.Maintainers {
			list = append(list, mscoreRecord(m))
		}
		packages = append(packages, model.Map{"package": n.Name, "primary_maintainer": mscorePrimary(res), "status": res.Status, "maintainers": list})
	}
	return api.OK(model.Map{"request_args": r.Args, "branch": branch, "length": len(packages), "packages": packages}), nil
}
