package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"altrepo/tools/internal/spec"
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// loadErrata writes Bugzilla (bugs closed in changelogs), Vulnerabilities
// (CVE ids named in changelogs) and ErrataHistory (one package-update
// errata per changelog entry naming them, linked to the package version
// and, when a commit built it, to its task).
func (b *Builder) loadErrata() error {
	keys := sortedKeys(b.errata)
	cands := make([]*errataCand, len(keys))
	for i, k := range keys {
		cands[i] = b.errata[k]
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].date.Before(cands[j].date) })

	bugs := map[uint32]*errataCand{}
	var bugIDs []uint32
	cves := map[string]*errataCand{}
	var cveIDs []string
	for _, c := range cands {
		for _, id := range c.bugs {
			if _, ok := bugs[id]; !ok {
				bugs[id] = c
				bugIDs = append(bugIDs, id)
			}
		}
		for _, id := range c.cves {
			if _, ok := cves[id]; !ok {
				cves[id] = c
				cveIDs = append(cveIDs, id)
			}
		}
	}
	sort.Slice(bugIDs, func(i, j int) bool { return bugIDs[i] < bugIDs[j] })
	sort.Strings(cveIDs)

	bz := b.table(tBugzilla, colsBugzilla...)
	for _, id := range bugIDs {
		c := bugs[id]
		key := "bug/" + strconv.Itoa(int(id))
		status, resolution := "CLOSED", "FIXED"
		switch h64(key) % 10 {
		case 0:
			status, resolution = "NEW", ""
		case 1:
			status, resolution = "ASSIGNED", ""
		case 2:
			status = "RESOLVED"
		}
		reporter := pick(key+"/reporter", []string{"qa@altlinux.org", "user@example.org", "ldv@altlinux.org", "glebfm@altlinux.org"})
		email := c.email
		if email == "" {
			email = c.nick + "@altlinux.org"
		}
		summary := firstLine(c.text)
		if err := bz.Append(id, status, resolution, pick(key+"/sev", []string{"normal", "normal", "minor", "major", "critical", "enhancement"}),
			pick(key+"/prio", []string{"P3", "P2", "P4"}), "Sisyphus", "unstable", "all", c.name, email, reporter,
			summary, c.date.Add(time.Duration(h64(key)%86400)*time.Second), email, reporter); err != nil {
			return err
		}
	}

	vt := b.table(tVulnerabilities, colsVulnerabilities...)
	for _, id := range cveIDs {
		c := cves[id]
		score := float32(h64(id)%91+10) / 10
		sev := "LOW"
		switch {
		case score >= 9:
			sev = "CRITICAL"
		case score >= 7:
			sev = "HIGH"
		case score >= 4:
			sev = "MEDIUM"
		}
		published := c.date.Add(-time.Duration(h64(id+"/pub")%(60*86400)) * time.Second)
		modified := c.date.Add(time.Duration(h64(id+"/mod")%(30*86400)) * time.Second)
		json := fmt.Sprintf(`{"cve":{"id":%q,"vulnStatus":"Analyzed"}}`, id)
		if err := vt.Append(id, h64(id+"/v1"), "CVE", "Vulnerability in "+c.name+" fixed in "+c.evr+" ("+id+")",
			score, sev, "https://nvd.nist.gov/vuln/detail/"+id, modified, published, json,
			[]string{"web"}, []string{"https://security-tracker.example.org/" + id}, uint8(0)); err != nil {
			return err
		}
	}

	eh := b.table(tErrataHistory, colsErrataHistory...)
	seq := map[int]int{}
	for _, c := range cands {
		_, v, r, ok := spec.SplitEVR(c.evr)
		if !ok {
			continue
		}
		info := b.srcByNVR[c.name+"-"+v+"-"+r]
		if info == nil {
			continue
		}
		year := c.date.Year()
		seq[year]++
		id := fmt.Sprintf("ALT-PU-%d-%d-1", year, 1000+seq[year])
		var types, links []string
		for _, cv := range c.cves {
			types, links = append(types, "vuln"), append(links, cv)
		}
		for _, bg := range c.bugs {
			types, links = append(types, "bug"), append(links, strconv.Itoa(int(bg)))
		}
		ehType, task, sub, branch, created := "branch", uint32(0), uint32(0), info.branch, c.date
		if cm, ok := b.commitByNVR[c.name+"-"+v+"-"+r]; ok && b.loadedTasks[cm.TaskID] {
			ehType, task, sub, branch, created = "task", cm.TaskID, 100, "sisyphus", cm.Time
		}
		if branch == "" {
			branch = "sisyphus"
		}
		if err := eh.Append(id, created, created, h64(id+strings.Join(links, ",")), ehType, "changelog",
			types, links, info.hash, info.name, info.version, info.release, branch, task, sub, "DONE", "{}"); err != nil {
			return err
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(strings.TrimLeft(s, "- "))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
