package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
)

// Package search (find_packages, fast_packages_search_lookup).
//
// The reference matches every word with `pkg_name ILIKE '%word%'`. ClickHouse
// 18.16 has no ILIKE: a word without `_` becomes
// positionCaseInsensitiveUTF8 (a substring search, the fast path); a word
// with `_` keeps its LIKE wildcard meaning through lowerUTF8(name) LIKE.
// Every query filters the name first, on the sorted tables
// (StaticLastPackages, Packages, BranchPackageHistory) and joins
// package details only for the matching hashes.

// spsQuote renders a ClickHouse string literal.
func spsQuote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// spsNameCond renders the AND of the word conditions on column col, with
// the words as literals (the parser allows only [\w.+-] in them).
func spsNameCond(col string, words []string) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		if strings.Contains(w, "_") {
			parts = append(parts, "lowerUTF8("+col+") LIKE "+spsQuote("%"+strings.ToLower(w)+"%"))
		} else {
			parts = append(parts, "positionCaseInsensitiveUTF8("+col+", "+spsQuote(w)+") > 0")
		}
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// spsQuoteList renders ('a', 'b').
func spsQuoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = spsQuote(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// spsRelevanceSort orders names as the reference's relevance_sort: names
// containing every (lower-cased) word and accepted by extra come first,
// by length + 256 * sum of the first positions of the words (stable),
// then all others by code point order.
func spsRelevanceSort(names, words []string, extra func(string) bool) []string {
	lw := make([]string, len(words))
	for i, w := range words {
		lw[i] = strings.ToLower(w)
	}
	type scored struct {
		name  string
		score int
	}
	var in []scored
	var out []string
	for _, n := range names {
		ln := strings.ToLower(n)
		ok := extra == nil || extra(n)
		score := utf8.RuneCountInString(n)
		for _, w := range lw {
			i := strings.Index(ln, w)
			if i < 0 {
				ok = false
				break
			}
			score += 256 * utf8.RuneCountInString(ln[:i])
		}
		if ok {
			in = append(in, scored{n, score})
		} else {
			out = append(out, n)
		}
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].score < in[j].score })
	sort.Strings(out)
	res := make([]string, 0, len(names))
	for _, s := range in {
		res = append(res, s.name)
	}
	return append(res, out...)
}

// spsBranchRank orders branches by libs §1.7 inside version lists.
func spsBranchRank(branches []string) map[string]int {
	rank := map[string]int{}
	for i, b := range lookup.SortBranches(branches) {
		rank[b] = i
	}
	return rank
}

// spsFoundRow is one (branch, source package) match with its details.
type spsFoundRow struct {
	Branch    string `ch:"pkgset_name"`
	Name      string `ch:"pkg_name"`
	Version   string `ch:"pkg_version"`
	Release   string `ch:"pkg_release"`
	Hash      uint64 `ch:"pkg_hash"`
	Buildtime uint32 `ch:"bt"`
	URL       string `ch:"url"`
	Summary   string `ch:"summary"`
	Group     string `ch:"grp"`
}

// Package details (build time, url, summary, group) of source hashes.
// %[1]s: a StaticLastPackages condition naming the sources, used to read
// Packages through its primary key (pkg_name).
const sqlSpsSourceDetails = `
ANY INNER JOIN
(
    SELECT pkg_hash, pkg_buildtime AS bt, toString(pkg_url) AS url, pkg_summary AS summary, pkg_group_ AS grp
    FROM Packages
    WHERE pkg_name IN (SELECT pkg_name FROM StaticLastPackages WHERE %[1]s) AND pkg_sourcepackage = 1
) AS P USING pkg_hash`

// Current sources whose name matches. %[1]s: name condition; %[2]s:
// snapshot (branch) condition; %[3]s: arch condition.
var sqlSpsFindSources = `
SELECT pkgset_name, pkg_name, pkg_version, pkg_release, pkg_hash, bt, url, summary, grp
FROM
(
    SELECT pkgset_name, pkg_hash, pkg_name, pkg_version, pkg_release
    FROM StaticLastPackages
    PREWHERE %[1]s
    WHERE %[2]s AND pkg_sourcepackage = 1 %[3]s
)
` + strings.Replace(sqlSpsSourceDetails, "%[1]s", "%[2]s AND pkg_sourcepackage = 1 AND %[1]s", 1) + `
ORDER BY pkg_name, pkgset_name`

// Current sources whose name does not match, built from a matching binary.
// %[1]s: name condition; %[2]s: snapshot condition; %[3]s: the matching
// binaries' source hashes (subquery).
var sqlSpsFindByBinary = `
SELECT pkgset_name, pkg_name, pkg_version, pkg_release, pkg_hash, bt, url, summary, grp
FROM
(
    SELECT pkgset_name, pkg_hash, pkg_name, pkg_version, pkg_release
    FROM StaticLastPackages
    WHERE %[2]s AND pkg_sourcepackage = 1 AND pkg_hash IN (%[3]s) AND NOT %[1]s
)
` + strings.Replace(sqlSpsSourceDetails, "%[1]s", "%[2]s AND pkg_sourcepackage = 1 AND pkg_hash IN (%[3]s) AND NOT %[1]s", 1) + `
ORDER BY pkg_name, pkgset_name`

// Sources deleted from a branch and not back in it (lv_branch_deleted_packages
// with the name filter applied first; the history is read through its
// primary key, pkg_hash, from the matching source hashes): the newest
// deleted hash per branch and name. %[1]s: name condition; %[2]s: snapshot
// condition; %[3]s: branch condition on the history.
const sqlSpsDeleted = `
SELECT pkgset_name, pkg_name, argMax(pkg_hash, task_changed) AS pkg_hash
FROM
(
    SELECT toString(pkgset_name) AS pkgset_name, pkg_name, task_changed, pkg_hash
    FROM BranchPackageHistory
    WHERE pkg_hash IN (SELECT pkg_hash FROM Packages PREWHERE %[1]s WHERE pkg_sourcepackage = 1)
        AND pkg_sourcepackage = 1 AND tplan_action = 'delete' AND %[1]s %[3]s
)
WHERE (pkgset_name, pkg_name) NOT IN
(
    SELECT pkgset_name, pkg_name
    FROM StaticLastPackages
    PREWHERE %[1]s
    WHERE %[2]s AND pkg_sourcepackage = 1
)
GROUP BY pkgset_name, pkg_name`

const sqlSpsFindDeleted = `
SELECT pkgset_name, pkg_name, pkg_version, pkg_release, pkg_hash, bt, url, summary, grp
FROM
(` + sqlSpsDeleted + `
)
ANY INNER JOIN
(
    SELECT pkg_hash, pkg_version, pkg_release, pkg_buildtime AS bt, toString(pkg_url) AS url, pkg_summary AS summary, pkg_group_ AS grp
    FROM Packages
    PREWHERE %[1]s
    WHERE pkg_sourcepackage = 1
) AS P USING pkg_hash
ORDER BY pkg_name, pkgset_name`

// spsFound is one element of find_packages under construction.
type spsFound struct {
	name      string
	buildtime uint32
	url       string
	summary   string
	category  string
	byBinary  bool
	versions  []spsFoundRow
	deleted   []spsFoundRow
}

// spsCollect groups rows by name (first occurrence order) into elements;
// the display data is the newest build's.
func spsCollect(rows []spsFoundRow, byBinary bool, into map[string]*spsFound, order *[]string) {
	for _, row := range rows {
		e, ok := into[row.Name]
		if !ok {
			e = &spsFound{name: row.Name, byBinary: byBinary}
			into[row.Name] = e
			*order = append(*order, row.Name)
		}
		if len(e.versions) == 0 || row.Buildtime > e.buildtime {
			e.buildtime, e.url, e.summary, e.category = row.Buildtime, row.URL, row.Summary, row.Group
		}
		e.versions = append(e.versions, row)
	}
}

// spsVersionRecords renders version rows, unique, in branch order.
func spsVersionRecords(rows []spsFoundRow, deleted bool, rank map[string]int) []model.Record {
	type key struct {
		b, v, r string
		h       uint64
	}
	seen := map[key]bool{}
	var uniq []spsFoundRow
	for _, row := range rows {
		k := key{row.Branch, row.Version, row.Release, row.Hash}
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, row)
		}
	}
	sort.SliceStable(uniq, func(i, j int) bool {
		if rank[uniq[i].Branch] != rank[uniq[j].Branch] {
			return rank[uniq[i].Branch] < rank[uniq[j].Branch]
		}
		return uniq[i].Hash < uniq[j].Hash
	})
	out := make([]model.Record, len(uniq))
	for i, row := range uniq {
		out[i] = model.Map{"branch": row.Branch, "version": row.Version, "release": row.Release, "pkghash": row.Hash, "deleted": deleted}
	}
	return out
}

// spsHistoryBranchCond is the optional branch condition on the history.
func spsHistoryBranchCond(branch string) string {
	if branch == "" {
		return ""
	}
	return "AND pkgset_name = " + spsQuote(branch)
}

// spsFindPackages: relevance-ranked package search over current and
// deleted source packages of every (or one) branch.
func (a *App) spsFindPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	words := r.Strings("name")
	archs := r.Strings("arch")
	branch := r.String("branch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	if len(archs) == 0 || len(archs) == 1 && archs[0] == "srpm" {
		src, byBin, del, ok, err := a.spsFindByNames(ctx, snap, branch, words, len(archs) == 1)
		if err != nil {
			return nil, err
		}
		if ok {
			return spsFindAnswer(r, words, src, byBin, del)
		}
	}
	q := spsFindSQL(snap, words, archs, branch)
	var src, byBin, del []spsFoundRow
	err = parallel(
		func() error { return a.db.Select(ctx, "site_find_packages_sources", &src, q.sources) },
		func() error {
			if q.byBinary == "" {
				return nil
			}
			return a.db.Select(ctx, "site_find_packages_by_binary", &byBin, q.byBinary)
		},
		func() error { return a.db.Select(ctx, "site_find_packages_deleted", &del, q.deleted) },
	)
	if err != nil {
		return nil, err
	}
	return spsFindAnswer(r, words, src, byBin, del)
}

// spsFindQueries are the three queries of a package search.
type spsFindQueries struct {
	sources, byBinary, deleted string
}

// spsFindSQL renders the search queries: (a) matching current sources,
// (b) current sources of matching binaries ("" when arch is only srpm),
// deleted sources.
func spsFindSQL(snap string, words, archs []string, branch string) spsFindQueries {
	cond := spsNameCond("pkg_name", words)
	onlySrc := len(archs) == 1 && archs[0] == "srpm"
	archA := ""
	binaries := "SELECT pkg_srcrpm_hash FROM Packages PREWHERE " + cond + " WHERE pkg_sourcepackage = 0" +
		" AND pkg_arch IN " + spsQuoteList(lookup.List("default_archs"))
	if len(archs) > 0 && !onlySrc {
		archA = "AND pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_sourcepackage = 0 AND pkg_arch IN " + spsQuoteList(archs) +
			" AND pkg_srcrpm_hash IN (SELECT pkg_hash FROM StaticLastPackages WHERE " + snap + " AND pkg_sourcepackage = 1 AND " + cond + "))"
		binaries = "SELECT pkg_srcrpm_hash FROM Packages PREWHERE " + cond + " WHERE pkg_sourcepackage = 0" +
			" AND pkg_arch IN " + spsQuoteList(archs) +
			" AND pkg_hash IN (SELECT pkg_hash FROM StaticLastPackages WHERE " + snap + " AND pkg_sourcepackage = 0 AND " + cond + ")"
	}
	q := spsFindQueries{
		sources: fmt.Sprintf(sqlSpsFindSources, cond, snap, archA),
		deleted: fmt.Sprintf(sqlSpsFindDeleted, cond, snap, spsHistoryBranchCond(branch)),
	}
	if !onlySrc {
		q.byBinary = fmt.Sprintf(sqlSpsFindByBinary, cond, snap, binaries)
	}
	return q
}

// spsFindAnswer merges the search rows into the answer (relevance order,
// deleted versions last).
func spsFindAnswer(r *api.Request, words []string, src, byBin, del []spsFoundRow) (*api.Response, error) {
	found := map[string]*spsFound{}
	var order []string
	spsCollect(src, false, found, &order)
	spsCollect(byBin, true, found, &order)
	names := spsRelevanceSort(order, words, func(n string) bool { return !found[n].byBinary })

	deleted := map[string]*spsFound{}
	var delOrder []string
	spsCollect(del, false, deleted, &delOrder)
	for _, n := range spsRelevanceSort(delOrder, words, nil) {
		if e, ok := found[n]; ok {
			e.deleted = append(e.deleted, deleted[n].versions...)
			continue
		}
		e := deleted[n]
		e.deleted, e.versions = e.versions, nil
		found[n] = e
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("Packages like '%s' not found in database", strings.Join(words, " ")), r.Args)
	}

	var allBranches []string
	for _, e := range found {
		for _, v := range e.versions {
			allBranches = append(allBranches, v.Branch)
		}
		for _, v := range e.deleted {
			allBranches = append(allBranches, v.Branch)
		}
	}
	rank := spsBranchRank(allBranches)
	items := make([]model.Record, 0, len(names))
	for _, n := range names {
		e := found[n]
		versions := append(spsVersionRecords(e.versions, false, rank), spsVersionRecords(e.deleted, true, rank)...)
		items = append(items, model.Map{
			"name": e.name, "buildtime": e.buildtime, "url": e.url, "summary": e.summary,
			"category": e.category, "versions": versions, "by_binary": e.byBinary,
		})
	}
	return api.OK(listBody(r.Args, "packages", items)), nil
}

// ---- fast_packages_search_lookup ----

// %[1]s: name condition; %[2]s: snapshot condition.
const sqlSpsFastLookup = `
SELECT pkg_name, pkg_sourcepackage, groupUniqArray(pkgset_name) AS branches
FROM StaticLastPackages
PREWHERE %[1]s
WHERE %[2]s AND pkg_name NOT LIKE '%%-debuginfo'
GROUP BY pkg_name, pkg_sourcepackage
ORDER BY pkg_sourcepackage DESC, pkg_name`

const sqlSpsFastLookupDeleted = `
SELECT pkg_name, groupUniqArray(pkgset_name) AS branches
FROM
(` + sqlSpsDeleted + `
)
GROUP BY pkg_name
ORDER BY pkg_name`

type spsFastRow struct {
	Name     string   `ch:"pkg_name"`
	Source   uint8    `ch:"pkg_sourcepackage"`
	Branches []string `ch:"branches"`
}

// spsFastElem is one answer element of the fast lookup.
type spsFastElem struct {
	name, kind string
	branches   []string
}

// spsFastMerge builds the fast lookup answer: current names relevance
// sorted (a source and a binary element per name when both exist), then the
// deleted names not yet present as a source; a deleted name already
// present as a source gets its branches merged into that element.
func spsFastMerge(rows, del []spsFastRow, words []string) []*spsFastElem {
	perName := map[string][]spsFastRow{}
	var order []string
	for _, row := range rows {
		if _, ok := perName[row.Name]; !ok {
			order = append(order, row.Name)
		}
		perName[row.Name] = append(perName[row.Name], row)
	}
	var out []*spsFastElem
	sourceElem := map[string]*spsFastElem{}
	for _, n := range spsRelevanceSort(order, words, nil) {
		for _, row := range perName[n] {
			kind := "binary"
			if row.Source == 1 {
				kind = "source"
			}
			e := &spsFastElem{name: n, kind: kind, branches: lookup.SortBranches(row.Branches)}
			if kind == "source" {
				sourceElem[n] = e
			}
			out = append(out, e)
		}
	}
	delBranches := map[string][]string{}
	var delOrder []string
	for _, row := range del {
		if _, ok := delBranches[row.Name]; !ok {
			delOrder = append(delOrder, row.Name)
		}
		delBranches[row.Name] = append(delBranches[row.Name], row.Branches...)
	}
	for _, n := range spsRelevanceSort(delOrder, words, nil) {
		if e, ok := sourceElem[n]; ok {
			e.branches = lookup.SortBranches(append(slices.Clone(e.branches), delBranches[n]...))
			continue
		}
		e := &spsFastElem{name: n, kind: "source", branches: lookup.SortBranches(delBranches[n])}
		sourceElem[n] = e
		out = append(out, e)
	}
	return out
}

// spsFastPackagesSearch: names (source and binary) matching the words with
// the branches containing them, for autocompletion.
func (a *App) spsFastPackagesSearch(ctx context.Context, r *api.Request) (*api.Response, error) {
	words := r.Strings("name")
	branch := r.String("branch")
	snap, err := a.spsBranchSnapCond(ctx, branch)
	if err != nil {
		return nil, err
	}
	rows, del, ok, err := a.spsFastByNames(ctx, snap, branch, words)
	if err != nil {
		return nil, err
	}
	if ok {
		return spsFastAnswer(r, words, rows, del)
	}
	current, deleted := spsFastSQL(snap, words, branch)
	err = parallel(
		func() error { return a.db.Select(ctx, "site_fast_packages_search", &rows, current) },
		func() error { return a.db.Select(ctx, "site_fast_packages_search_deleted", &del, deleted) },
	)
	if err != nil {
		return nil, err
	}
	return spsFastAnswer(r, words, rows, del)
}

// spsFastAnswer renders the fast lookup answer.
func spsFastAnswer(r *api.Request, words []string, rows, del []spsFastRow) (*api.Response, error) {
	out := spsFastMerge(rows, del, words)
	if len(out) == 0 {
		return nil, apierr.NotFoundMsg(fmt.Sprintf("Packages like '%s' not found in database", strings.Join(words, " ")), r.Args)
	}
	items := make([]model.Record, len(out))
	for i, e := range out {
		items[i] = model.Map{"name": e.name, "sourcepackage": e.kind, "branches": e.branches}
	}
	return api.OK(listBody(r.Args, "packages", items)), nil
}

// spsFastSQL renders the fast lookup's queries (current names, deleted names).
func spsFastSQL(snap string, words []string, branch string) (string, string) {
	cond := spsNameCond("pkg_name", words)
	return fmt.Sprintf(sqlSpsFastLookup, cond, snap), fmt.Sprintf(sqlSpsFastLookupDeleted, cond, snap, spsHistoryBranchCond(branch))
}
