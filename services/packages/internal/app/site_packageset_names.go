package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"altrepo/libs/lookup"
)

// Name-first package search. A substring test cannot use an index, so the
// search scans package names once, in Packages (every package ever loaded,
// sorted by name), and reads everything else through primary keys with the
// matched names: StaticLastPackages (pkgset_name, pkgset_date, pkg_name),
// Packages (pkg_name) and BranchPackageHistory (pkg_hash). The names are
// inlined as literals; when they would make the query too long (very short
// words matching thousands of names) the routes fall back to the subquery
// form (spsFindSQL, spsFastSQL), which scans names in each query.

// spsNamesMaxBytes bounds the inlined name list (ClickHouse's max_query_size
// is 256 KiB by default); beyond spsNamesMax names the subquery form is
// as fast.
const (
	spsNamesMaxBytes = 160 << 10
	spsNamesMax      = 3000
)

// Matching names of Packages: sources, and binaries of the given archs with
// their source rpm files. %[1]s: name condition; %[2]s: binary condition.
const sqlSpsMatchedNames = `
SELECT pkg_name, pkg_sourcepackage, groupUniqArray(pkg_sourcerpm) AS srpms
FROM Packages
PREWHERE %[1]s
WHERE pkg_sourcepackage = 1 %[2]s
GROUP BY pkg_name, pkg_sourcepackage`

type spsMatchedName struct {
	Name   string   `ch:"pkg_name"`
	Source uint8    `ch:"pkg_sourcepackage"`
	SRPMs  []string `ch:"srpms"`
}

// spsSrpmName is the package name of a source rpm file name
// (name-version-release.src.rpm; version and release hold no '-').
func spsSrpmName(file string) string {
	s := strings.TrimSuffix(file, ".src.rpm")
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return ""
		}
		s = s[:i]
	}
	return s
}

// spsNameList renders names as a literal tuple; ok is false when too long.
func spsNameList(names []string) (string, bool) {
	var b strings.Builder
	b.WriteByte('(')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(spsQuote(n))
		if b.Len() > spsNamesMaxBytes {
			return "", false
		}
	}
	b.WriteByte(')')
	return b.String(), true
}

// Current sources of the named packages; matched = the name condition.
const sqlSpsCurrentByName = `
SELECT pkgset_name, pkg_name, pkg_version, pkg_release, pkg_hash, toUInt8(%[3]s) AS matched
FROM StaticLastPackages
WHERE %[1]s AND pkg_sourcepackage = 1 AND pkg_name IN %[2]s`

type spsCurrentRow struct {
	Branch  string `ch:"pkgset_name"`
	Name    string `ch:"pkg_name"`
	Version string `ch:"pkg_version"`
	Release string `ch:"pkg_release"`
	Hash    uint64 `ch:"pkg_hash"`
	Matched uint8  `ch:"matched"`
}

// Every source build of the named packages, with the display details.
const sqlSpsDetailsByName = `
SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_buildtime AS bt, toString(pkg_url) AS url, pkg_summary AS summary, pkg_group_ AS grp
FROM Packages
WHERE pkg_name IN %[1]s AND pkg_sourcepackage = 1`

// Deletions of the named sources: the newest deleted hash per branch and
// name. %[1]s: names; %[2]s: name condition; %[3]s: branch condition.
const sqlSpsDeletedByName = `
SELECT toString(pkgset_name) AS pkgset_name, pkg_name, argMax(pkg_hash, task_changed) AS last_hash
FROM BranchPackageHistory
WHERE pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name IN %[1]s AND pkg_sourcepackage = 1)
    AND pkg_sourcepackage = 1 AND tplan_action = 'delete' AND %[2]s %[3]s
GROUP BY pkgset_name, pkg_name`

type spsDeletedRow struct {
	Branch string `ch:"pkgset_name"`
	Name   string `ch:"pkg_name"`
	Hash   uint64 `ch:"last_hash"`
}

// spsFindByNames computes the three row sets of find_packages (arch absent
// or only srpm) the name-first way; ok is false when the names are too many
// for it.
func (a *App) spsFindByNames(ctx context.Context, snap, branch string, words []string, onlySrc bool) (src, byBin, del []spsFoundRow, ok bool, err error) {
	cond := spsNameCond("pkg_name", words)
	binCond := "OR pkg_arch IN " + spsQuoteList(lookup.List("default_archs"))
	if onlySrc {
		binCond = ""
	}
	var matched []spsMatchedName
	if err := a.db.Select(ctx, "site_find_packages_names", &matched, strings.ReplaceAll(strings.ReplaceAll(sqlSpsMatchedNames, "%[1]s", cond), "%[2]s", binCond)); err != nil {
		return nil, nil, nil, false, err
	}
	var sources []string
	srpms := map[string]bool{}
	all := map[string]bool{}
	for _, m := range matched {
		if m.Source == 1 {
			sources = append(sources, m.Name)
			all[m.Name] = true
			continue
		}
		for _, f := range m.SRPMs {
			srpms[f] = true
			if n := spsSrpmName(f); n != "" {
				all[n] = true
			}
		}
	}
	if len(all) == 0 {
		return nil, nil, nil, true, nil
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	sort.Strings(sources)
	nameList, fits := spsNameList(names)
	if !fits || len(names) > spsNamesMax {
		return nil, nil, nil, false, nil
	}
	srcList, _ := spsNameList(sources)

	var current []spsCurrentRow
	var details []spsFoundRow
	var deleted []spsDeletedRow
	histBranch := spsHistoryBranchCond(branch)
	err = parallel(
		func() error {
			sql := strings.NewReplacer("%[1]s", snap, "%[2]s", nameList, "%[3]s", cond).Replace(sqlSpsCurrentByName)
			return a.db.Select(ctx, "site_find_packages_current", &current, sql)
		},
		func() error {
			return a.db.Select(ctx, "site_find_packages_details", &details, strings.ReplaceAll(sqlSpsDetailsByName, "%[1]s", nameList))
		},
		func() error {
			if len(sources) == 0 {
				return nil
			}
			sql := strings.NewReplacer("%[1]s", srcList, "%[2]s", cond, "%[3]s", histBranch).Replace(sqlSpsDeletedByName)
			return a.db.Select(ctx, "site_find_packages_deleted", &deleted, sql)
		},
	)
	if err != nil {
		return nil, nil, nil, false, err
	}

	byHash := map[uint64]spsFoundRow{}
	for _, d := range details {
		if _, dup := byHash[d.Hash]; !dup {
			byHash[d.Hash] = d
		}
	}
	type key struct{ branch, name string }
	isCurrent := map[key]bool{}
	for _, c := range current {
		d, found := byHash[c.Hash]
		if c.Matched == 1 {
			isCurrent[key{c.Branch, c.Name}] = true
		}
		if !found {
			continue
		}
		row := spsFoundRow{Branch: c.Branch, Name: c.Name, Version: c.Version, Release: c.Release, Hash: c.Hash,
			Buildtime: d.Buildtime, URL: d.URL, Summary: d.Summary, Group: d.Group}
		switch {
		case c.Matched == 1:
			src = append(src, row)
		case !onlySrc && srpms[c.Name+"-"+c.Version+"-"+c.Release+".src.rpm"]:
			byBin = append(byBin, row)
		}
	}
	for _, d := range deleted {
		if isCurrent[key{d.Branch, d.Name}] {
			continue
		}
		p, found := byHash[d.Hash]
		if !found {
			continue
		}
		p.Branch, p.Name = d.Branch, d.Name
		del = append(del, p)
	}
	for _, rows := range [][]spsFoundRow{src, byBin, del} {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].Name != rows[j].Name {
				return rows[i].Name < rows[j].Name
			}
			return rows[i].Branch < rows[j].Branch
		})
	}
	return src, byBin, del, true, nil
}

// Names (sources, and binaries that are not debuginfo) matching the words.
const sqlSpsFastNames = `
SELECT DISTINCT pkg_name, pkg_sourcepackage
FROM Packages
PREWHERE %[1]s
WHERE pkg_sourcepackage = 1 OR pkg_name NOT LIKE '%%-debuginfo'`

// Current names of the branches. %[1]s: snapshot condition; %[2]s: names.
const sqlSpsFastCurrentByName = `
SELECT pkg_name, pkg_sourcepackage, groupUniqArray(pkgset_name) AS branches
FROM StaticLastPackages
WHERE %[1]s AND pkg_name IN %[2]s AND pkg_name NOT LIKE '%%-debuginfo'
GROUP BY pkg_name, pkg_sourcepackage
ORDER BY pkg_sourcepackage DESC, pkg_name`

// Branches that deleted the named sources. %[1]s: source names; %[2]s:
// name condition; %[3]s: branch condition.
const sqlSpsFastDeletedByName = `
SELECT DISTINCT toString(pkgset_name) AS pkgset_name, pkg_name
FROM BranchPackageHistory
WHERE pkg_hash IN (SELECT pkg_hash FROM Packages WHERE pkg_name IN %[1]s AND pkg_sourcepackage = 1)
    AND pkg_sourcepackage = 1 AND tplan_action = 'delete' AND %[2]s %[3]s`

// spsFastByNames computes the rows of fast_packages_search_lookup the
// name-first way; ok is false when the names are too many for it.
func (a *App) spsFastByNames(ctx context.Context, snap, branch string, words []string) (rows, del []spsFastRow, ok bool, err error) {
	cond := spsNameCond("pkg_name", words)
	var matched []struct {
		Name   string `ch:"pkg_name"`
		Source uint8  `ch:"pkg_sourcepackage"`
	}
	if err := a.db.Select(ctx, "site_fast_packages_search_names", &matched, fmt.Sprintf(sqlSpsFastNames, cond)); err != nil {
		return nil, nil, false, err
	}
	if len(matched) == 0 {
		return nil, nil, true, nil
	}
	all := map[string]bool{}
	var sources []string
	for _, m := range matched {
		all[m.Name] = true
		if m.Source == 1 {
			sources = append(sources, m.Name)
		}
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	sort.Strings(sources)
	nameList, fits := spsNameList(names)
	if !fits || len(names) > spsNamesMax {
		return nil, nil, false, nil
	}
	srcList, _ := spsNameList(sources)
	var deleted []struct {
		Branch string `ch:"pkgset_name"`
		Name   string `ch:"pkg_name"`
	}
	err = parallel(
		func() error {
			return a.db.Select(ctx, "site_fast_packages_search", &rows, fmt.Sprintf(sqlSpsFastCurrentByName, snap, nameList))
		},
		func() error {
			if len(sources) == 0 {
				return nil
			}
			return a.db.Select(ctx, "site_fast_packages_search_deleted", &deleted,
				fmt.Sprintf(sqlSpsFastDeletedByName, srcList, cond, spsHistoryBranchCond(branch)))
		},
	)
	if err != nil {
		return nil, nil, false, err
	}
	// Deleted and not back: (branch, name) pairs without a current source.
	type key struct{ branch, name string }
	current := map[key]bool{}
	for _, r := range rows {
		if r.Source == 1 {
			for _, b := range r.Branches {
				current[key{b, r.Name}] = true
			}
		}
	}
	byName := map[string][]string{}
	var order []string
	for _, d := range deleted {
		if current[key{d.Branch, d.Name}] {
			continue
		}
		if _, seen := byName[d.Name]; !seen {
			order = append(order, d.Name)
		}
		byName[d.Name] = append(byName[d.Name], d.Branch)
	}
	sort.Strings(order)
	for _, n := range order {
		del = append(del, spsFastRow{Name: n, Source: 1, Branches: byName[n]})
	}
	return rows, del, true, nil
}
