package build

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"altrepo/tools/internal/source"
	"altrepo/tools/internal/spec"
	"altrepo/tools/internal/tarspec"
)

var (
	cveRe     = regexp.MustCompile(`\bCVE-\d{4}-\d{4,7}\b`)
	bugKeyRe  = regexp.MustCompile(`(?i)\b(?:closes?|fix(?:es|ed)?|ALT(?:\s*bug)?|bug)\b`)
	bugNumRe  = regexp.MustCompile(`^\s*[:#(]*\s*#?(\d{4,6})\b`)
	bugMoreRe = regexp.MustCompile(`^\s*(?:,|and)\s*#?(\d{4,6})\b`)
)

// extractBugs finds ALT bug numbers: "closes: #12345", "(closes: 40021)",
// "Fixes #44462, #49205", "ALT #1234".
func extractBugs(text string) []uint32 {
	var out []uint32
	for _, loc := range bugKeyRe.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:]
		m := bugNumRe.FindStringSubmatchIndex(rest)
		for m != nil {
			if n, err := strconv.ParseUint(rest[m[2]:m[3]], 10, 32); err == nil && n > 0 {
				out = append(out, uint32(n))
			}
			rest = rest[m[1]:]
			m = bugMoreRe.FindStringSubmatchIndex(rest)
		}
	}
	return out
}

func splitName(full string) (name, email string) {
	if lt := strings.IndexByte(full, '<'); lt >= 0 {
		name = strings.TrimSpace(full[:lt])
		email = strings.TrimSuffix(strings.TrimSpace(full[lt+1:]), ">")
		email = strings.ReplaceAll(email, " at ", "@")
		return name, email
	}
	return strings.TrimSpace(full), ""
}

func nickOf(email string) string {
	if at := strings.IndexByte(email, '@'); at >= 0 {
		return email[:at]
	}
	return email
}

// buildTime picks a deterministic build time: the time of the commit that
// built this version, else the newest changelog date plus an offset within
// the day, else a time before the snapshot.
func (b *Builder) buildTime(name, version, release string, s *spec.Spec, snap source.Snapshot, ident string) uint32 {
	if c, ok := b.commitByNVR[name+"-"+version+"-"+release]; ok {
		return max(unix(c.Time), minBuildTime)
	}
	if len(s.Changelog) > 0 {
		t := unix(s.Changelog[0].Date) + uint32(h64(ident)%86400)
		if snapT := unix(snap.Date); t > snapT {
			t = snapT - uint32(h64(ident)%3600)
		}
		return max(t, minBuildTime)
	}
	return max(unix(snap.Date)-uint32(h64(ident)%(365*86400)), minBuildTime)
}

// addSpec writes the rows of a source package and its binaries (once per
// identity) and returns what the branch needs to know about it.
func (b *Builder) addSpec(s *spec.Spec, f tarspec.File, snap source.Snapshot) (*srcInfo, error) {
	m := s.Main()
	name, version, release := m.Name, s.Version, s.Release
	nvr := name + "-" + version + "-" + release
	if info, ok := b.srcByNVR[nvr]; ok {
		return info, nil
	}
	srcIdent := identity(name, s.Epoch, version, release, "src")
	bt := b.buildTime(name, version, release, s, snap, srcIdent)
	srcHash := pkgHash(srcIdent, bt)
	dg := pkgDigests(srcIdent)

	packager, email := splitName(s.Packager)
	var top spec.ChangelogEntry
	if len(s.Changelog) > 0 {
		top = s.Changelog[0]
		packager, email = splitName(top.Name)
	}
	disttag := ""
	if c, ok := b.commitByNVR[nvr]; ok {
		disttag = "sisyphus+" + strconv.FormatUint(uint64(c.TaskID), 10) + ".100.1.1"
	}
	dates, cnames, evrs, hashes, err := b.chlogArrays(s.Changelog)
	if err != nil {
		return nil, err
	}
	srcFile := name + "-" + version + "-" + release + ".src.rpm"
	// Strings kept after this spec is done are cloned so that they do not
	// pin the whole spec text in memory.
	info := &srcInfo{
		hash: srcHash, name: strings.Clone(name), epoch: s.Epoch, version: strings.Clone(version),
		release: strings.Clone(release), buildtime: bt, sha256: dg.sha256, group: strings.Clone(m.Group),
	}
	if len(s.Changelog) > 0 {
		info.top = cloneEntry(top)
	}
	info.acl = aclFor(s.Changelog)

	base := pkgRow{
		packager: packager, email: email, version: version, release: release, epoch: s.Epoch,
		buildtime: bt, disttag: disttag, sourcerpm: srcFile, srcHash: srcHash,
		dates: dates, names: cnames, evrs: evrs, hashes: hashes, vcs: s.VCS, hostKey: srcIdent,
	}
	appendPkg := func(h uint64, d digests, p *spec.Package, arch string, source bool, fileName string, size uint64) error {
		r := base
		r.hash, r.dg, r.pkg, r.arch, r.source, r.filename, r.size = h, d, p, arch, source, fileName, size
		if source && m.BuildArch == "noarch" {
			r.buildarchs = []string{"noarch"}
		}
		return b.writePackage(r)
	}
	b.seenPkg[srcHash] = struct{}{}
	if err := appendPkg(srcHash, dg, m, "src", true, srcFile, uint64(len(s.Text))*40+h64(srcIdent)%200000); err != nil {
		return nil, err
	}
	if err := b.appendHash(srcHash, dg); err != nil {
		return nil, err
	}
	sf := b.table(tSpecfiles, colsSpecfiles...)
	if err := sf.Append(srcHash, name, s.Epoch, version, release, path.Base(f.Path), f.ModTime, s.Text); err != nil {
		return nil, err
	}
	dep := b.table(tDepends, colsDepends...)
	for _, d := range s.BuildRequires {
		if err := dep.Append(srcHash, d.Name, d.Version, d.Flag, "require"); err != nil {
			return nil, err
		}
	}

	// Binaries: every package with a %files section (the main package alone
	// when the spec has none).
	var bins []*spec.Package
	for _, p := range s.Packages {
		if p.HasFiles {
			bins = append(bins, p)
		}
	}
	if len(bins) == 0 {
		bins = []*spec.Package{m}
	}
	evr := version + "-" + release
	if s.Epoch > 0 {
		evr = strconv.FormatUint(uint64(s.Epoch), 10) + ":" + evr
	}
	for _, p := range bins {
		for _, arch := range archList(s, p) {
			ident := identity(p.Name, s.Epoch, version, release, arch)
			h := pkgHash(ident, bt)
			bd := pkgDigests(ident)
			info.bins = append(info.bins, binRef{hash: h, name: strings.Clone(p.Name), arch: arch, dg: bd.sha256})
			if _, ok := b.seenPkg[h]; ok {
				continue
			}
			b.seenPkg[h] = struct{}{}
			fileName := p.Name + "-" + version + "-" + release + "." + arch + ".rpm"
			size := uint64(len(p.Files))*(20000+h64(ident)%500000) + 4096
			if err := appendPkg(h, bd, p, arch, false, fileName, size); err != nil {
				return nil, err
			}
			if err := b.appendHash(h, bd); err != nil {
				return nil, err
			}
			if err := b.appendDeps(h, p, evr); err != nil {
				return nil, err
			}
			if err := b.appendFiles(h, ident, p, arch, bt); err != nil {
				return nil, err
			}
		}
	}
	b.srcByNVR[nvr] = info
	b.remember(s, info, dates, cnames, evrs, hashes)
	return info, nil
}

// pkgRow is one Packages row.
type pkgRow struct {
	hash       uint64
	dg         digests
	pkg        *spec.Package
	arch       string
	source     bool
	filename   string
	size       uint64
	packager   string
	email      string
	version    string
	release    string
	epoch      uint32
	buildtime  uint32
	disttag    string
	sourcerpm  string
	srcHash    uint64
	dates      []time.Time
	names      []string
	evrs       []string
	hashes     []uint64
	vcs        string
	buildarchs []string
	hostKey    string
}

func (b *Builder) writePackage(r pkgRow) error {
	srcFlag := uint8(0)
	platform := r.arch + "-alt-linux"
	if r.source {
		srcFlag, platform = 1, ""
	}
	if r.buildarchs == nil {
		r.buildarchs = []string{}
	}
	p := r.pkg
	return b.table(tPackages, colsPackages...).Append(r.hash, string(r.dg.cs[:]), r.packager, r.email, p.Name, r.arch,
		r.version, r.release, r.epoch, r.buildtime, pick(r.hostKey, buildHosts),
		r.size, r.size*7/10, r.size/3+1024, "4.13.0", "",
		srcFlag, r.disttag, r.sourcerpm, r.srcHash, r.filename,
		uint8(1), p.Summary, p.Description,
		r.dates, r.names, r.evrs, r.hashes,
		"ALT Linux", "ALT Linux Team", p.License, p.Group, p.URL, "linux",
		p.Pre, p.Post, p.Preun, p.Postun, r.buildarchs, "-pipe -frecord-gcc-switches -Wall -g -O2",
		"cpio", "xz", "2", platform, r.vcs)
}

var buildHosts = []string{"x86_64-build1.altlinux.org", "x86_64-build2.altlinux.org", "aarch64-build1.altlinux.org", "ppc64le-build.altlinux.org"}

func cloneEntry(e spec.ChangelogEntry) spec.ChangelogEntry {
	return spec.ChangelogEntry{Date: e.Date, Name: strings.Clone(e.Name), Email: strings.Clone(e.Email),
		Nick: strings.Clone(e.Nick), EVR: strings.Clone(e.EVR), Text: strings.Clone(e.Text)}
}

// aclFor: the newest changelog author leads, then up to two other recent
// authors.
func aclFor(entries []spec.ChangelogEntry) []string {
	var out []string
	for _, e := range entries {
		if e.Nick == "" || strings.ContainsAny(e.Nick, " \t") {
			continue
		}
		dup := false
		for _, o := range out {
			if o == e.Nick {
				dup = true
			}
		}
		if !dup {
			out = append(out, strings.Clone(e.Nick))
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

func (b *Builder) appendHash(h uint64, d digests) error {
	return b.table(tPackageHash, colsPackageHash...).Append(h, string(d.md5[:]), string(d.sha1[:]), string(d.sha256[:]), string(d.blake[:]))
}

func (b *Builder) appendDeps(h uint64, p *spec.Package, evr string) error {
	dep := b.table(tDepends, colsDepends...)
	if err := dep.Append(h, p.Name, evr, spec.SenseEqual, "provide"); err != nil {
		return err
	}
	groups := []struct {
		deps []spec.Dep
		typ  string
	}{{p.Requires, "require"}, {p.Provides, "provide"}, {p.Conflicts, "conflict"}, {p.Obsoletes, "obsolete"}}
	for _, g := range groups {
		for _, d := range g.deps {
			if err := dep.Append(h, d.Name, d.Version, d.Flag, g.typ); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *Builder) fileName(p string) error {
	h := h64(p)
	if _, ok := b.seenFN[h]; ok {
		return nil
	}
	b.seenFN[h] = struct{}{}
	return b.table(tFileNames, colsFileNames...).Append(p)
}

func (b *Builder) appendFiles(h uint64, ident string, p *spec.Package, arch string, bt uint32) error {
	ft := b.table(tFiles, colsFiles...)
	mtime := time.Unix(int64(bt), 0).UTC()
	for _, f := range spec.FilesFor(p.Files, arch) {
		fp := path.Clean(f.Path)
		dir := parentDir(fp)
		if err := b.fileName(fp); err != nil {
			return err
		}
		if err := b.fileName(dir); err != nil {
			return err
		}
		class, mode, linkto := "file", uint16(0o100644), ""
		size := uint32(h64(ident+fp) % 400000)
		switch {
		case f.Dir:
			class, mode, size = "directory", 0o40755, 4096
		case strings.HasSuffix(fp, ".so") && strings.Contains(fp, "/lib"):
			class, mode, size = "symlink", 0o120777, uint32(len(path.Base(fp))+2)
			linkto = path.Base(fp) + ".1"
		case strings.Contains(fp, "/bin/") || strings.Contains(fp, "/sbin/") || strings.Contains(fp, "/libexec/"):
			mode = 0o100755
		}
		flag := uint16(0)
		if f.Config {
			flag |= 1
		}
		if f.Doc {
			flag |= 2
		}
		if f.Ghost {
			flag |= 64
		}
		md5 := pkgDigests(ident + fp).md5
		if class != "file" {
			md5 = [16]byte{}
		}
		if err := ft.Append(h, h64(fp), h64(dir), linkto, string(md5[:]), size,
			mode, uint16(0), mtime, flag, "root", "root", uint32(0xffffffff), uint32(1), "", class); err != nil {
			return err
		}
	}
	return nil
}

// remember keeps, per source name, the newest metadata and changelog (for
// historical builds) and the changelog entries naming CVEs or bugs.
func (b *Builder) remember(s *spec.Spec, info *srcInfo, dates []time.Time, names, evrs []string, hashes []uint64) {
	m := s.Main()
	var newest time.Time
	if len(dates) > 0 {
		newest = dates[0]
	}
	h, ok := b.hist[info.name]
	if !ok || newest.After(h.newest) {
		packager, email := splitName(s.Packager)
		if len(s.Changelog) > 0 {
			packager, email = splitName(s.Changelog[0].Name)
		}
		h = &nameHist{
			newest: newest, summary: strings.Clone(m.Summary), description: strings.Clone(m.Description),
			group: strings.Clone(m.Group), license: strings.Clone(m.License), url: strings.Clone(m.URL),
			packager: strings.Clone(packager), email: strings.Clone(email),
		}
		h.dates, h.hashes = dates, hashes
		h.names, h.evrs = cloneStrings(names), cloneStrings(evrs)
		seen := map[string]bool{}
		for _, bin := range info.bins {
			if seen[bin.name] {
				continue
			}
			seen[bin.name] = true
			hb := histBin{name: bin.name}
			for _, p := range s.Packages {
				if p.Name == bin.name {
					hb.summary, hb.group = strings.Clone(p.Summary), strings.Clone(p.Group)
					hb.archs = archList(s, p)
					break
				}
			}
			h.bins = append(h.bins, hb)
		}
		b.hist[info.name] = h
	}
	for _, e := range s.Changelog {
		cves := cveRe.FindAllString(e.Text, -1)
		bugs := extractBugs(e.Text)
		if len(cves) == 0 && len(bugs) == 0 {
			continue
		}
		key := info.name + "\x00" + e.EVR
		if _, ok := b.errata[key]; ok {
			continue
		}
		b.errata[key] = &errataCand{
			name: info.name, evr: strings.Clone(e.EVR), date: e.Date, nick: strings.Clone(e.Nick),
			email: strings.Clone(e.Email), text: strings.Clone(e.Text), cves: uniqStrings(cloneStrings(cves)), bugs: uniqU32(bugs),
		}
	}
}

func uniqStrings(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func uniqU32(in []uint32) []uint32 {
	seen := map[uint32]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// branchRows writes the per-branch rows of one source package: ACL,
// Beehive, repocop, watch and antivirus findings.
func (b *Builder) branchRows(branch string, date time.Time, info *srcInfo) error {
	if len(info.acl) > 0 {
		list := info.acl
		if g := aclGroup(info.name); g != "" {
			list = append(append(make([]string, 0, len(list)+1), list...), g)
			if b.groupMembers[g] == nil {
				b.groupMembers[g] = map[string]int{}
			}
			b.groupMembers[g][info.acl[0]]++
		}
		b.groupMembers["@everybody"] = addCount(b.groupMembers["@everybody"], info.acl[0])
		if err := b.table(tAcl, colsAcl...).Append(date, info.name, branch, list); err != nil {
			return err
		}
	}
	key := branch + "/" + info.name + "/" + info.version
	hv := h64(key)
	if branch == "sisyphus" || branch == "p11" || branch == "p10" {
		bh := b.table(tBeehive, colsBeehive...)
		for _, arch := range []string{"x86_64", "i586"} {
			status := "success"
			ftbfs := time.Unix(0, 0).UTC()
			if h64(key+arch)%23 == 0 {
				status = "error"
				ftbfs = date.Add(-time.Duration(h64(key+"since")%(90*86400)) * time.Second)
			}
			if err := bh.Append(info.hash, info.name, info.version, info.release, branch, arch, status,
				float32(h64(key+arch+"t")%3600)+0.5, date, ftbfs); err != nil {
				return err
			}
		}
	}
	if hv%5 == 0 && len(info.bins) > 0 {
		rc := b.table(tRepocop, colsRepocop...)
		bin := info.bins[0]
		test := pick(key+"test", repocopTests)
		status := pick(key+"status", []string{"ok", "ok", "info", "warn", "fail", "skip"})
		if err := rc.Append(bin.name, info.version, info.release, bin.arch, branch, info.name, info.version, info.release,
			test, date, status, "repocop "+test+" "+status+" for "+bin.name); err != nil {
			return err
		}
	}
	if branch == "sisyphus" && hv%29 == 0 && len(info.acl) > 0 {
		newVer := bumpVersion(info.version)
		if err := b.table(tWatch, colsWatch...).Append(info.acl[0], info.name, info.version, newVer,
			"https://example.org/releases/"+info.name+"-"+newVer+".tar.gz", date); err != nil {
			return err
		}
	}
	if (branch == "sisyphus" || branch == "p10") && hv%211 == 0 && len(info.bins) > 0 {
		bin := info.bins[0]
		scanner := pick(key+"av", []string{"drweb", "kesl"})
		if err := b.table(tAntivirus, colsAntivirus...).Append(scanner, "infected", "Trojan.Test."+strconv.Itoa(int(hv%90)),
			"detected by "+scanner, bin.name+"-"+info.version+"-"+info.release+"."+bin.arch+".rpm",
			"/usr/share/"+info.name+"/sample.bin", branch, bin.name, info.version, info.release, bin.arch, date); err != nil {
			return err
		}
	}
	if b.imageWanted(branch, info) {
		for _, bin := range info.bins {
			if bin.arch == "x86_64" || bin.arch == "noarch" || bin.arch == "aarch64" {
				b.imageSamples[branch] = append(b.imageSamples[branch], bin)
			}
		}
	}
	return nil
}

var repocopTests = []string{"missing-url", "rpm-filesystem-conflict-file-file", "unsafe-tmp-usage-in-scripts", "pkgconfig-missing-dependency", "desktop-file-validate", "buildroot"}

func bumpVersion(v string) string {
	i := len(v)
	for i > 0 && v[i-1] >= '0' && v[i-1] <= '9' {
		i--
	}
	if i == len(v) {
		return v + ".1"
	}
	n, _ := strconv.Atoi(v[i:])
	return v[:i] + strconv.Itoa(n+1)
}

// imageWanted selects the packages put into images of a branch: a
// deterministic third of the branch.
func (b *Builder) imageWanted(branch string, info *srcInfo) bool {
	if branch != "p10" && branch != "p11" && branch != "sisyphus" {
		return false
	}
	return h64("img/"+info.name)%3 == 0
}

// aclGroup is the maintainer team of a package, by name prefix.
func aclGroup(name string) string {
	for _, p := range []struct{ prefix, group string }{
		{"python3-module-", "@python"}, {"python-module-", "@python"}, {"perl-", "@perl"},
		{"kernel-", "@kernel"}, {"ruby-", "@ruby"}, {"golang-", "@golang"}, {"qt5-", "@qt"},
		{"qt6-", "@qt"}, {"kf5-", "@kde"}, {"kf6-", "@kde"}, {"xorg-", "@xorg"}, {"fonts-", "@fonts"},
	} {
		if strings.HasPrefix(name, p.prefix) {
			return p.group
		}
	}
	return ""
}

func addCount(m map[string]int, k string) map[string]int {
	if m == nil {
		m = map[string]int{}
	}
	m[k]++
	return m
}

// groupRows writes the ACL groups of a branch: the five most frequent
// leaders of the group's packages; @maint and @tester get the overall top.
func (b *Builder) groupRows(branch string, date time.Time) error {
	top := func(m map[string]int, n int) []string {
		nicks := make([]string, 0, len(m))
		for k := range m {
			nicks = append(nicks, k)
		}
		sort.Slice(nicks, func(i, j int) bool {
			if m[nicks[i]] != m[nicks[j]] {
				return m[nicks[i]] > m[nicks[j]]
			}
			return nicks[i] < nicks[j]
		})
		if len(nicks) > n {
			nicks = nicks[:n]
		}
		return nicks
	}
	acl := b.table(tAcl, colsAcl...)
	all := b.groupMembers["@everybody"]
	if len(all) > 0 {
		b.groupMembers["@maint"] = map[string]int{}
		b.groupMembers["@tester"] = map[string]int{}
		for i, nick := range top(all, 6) {
			if i%2 == 0 {
				b.groupMembers["@maint"][nick] = 1
			} else {
				b.groupMembers["@tester"][nick] = 1
			}
		}
	}
	for _, g := range sortedKeys(b.groupMembers) {
		n := 5
		if g == "@everybody" {
			n = 1 << 30
		}
		if err := acl.Append(date, g, branch, top(b.groupMembers[g], n)); err != nil {
			return err
		}
	}
	b.groupMembers = map[string]map[string]int{}
	return nil
}

// parentDir is the path without its last "/" component, as the schema's
// file_hashdir expression computes it ("/bin" -> "").
func parentDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// fileSearchRows indexes the files of the binaries of a branch:
// "branch|path|arch|binary|package" -> pkg_hash.
func (b *Builder) fileSearchRows(branch string, s *spec.Spec, info *srcInfo) error {
	fs := b.table(tFileSearch, colsFileSearch...)
	for _, bin := range info.bins {
		var pk *spec.Package
		for _, p := range s.Packages {
			if p.Name == bin.name {
				pk = p
				break
			}
		}
		if pk == nil {
			continue
		}
		for _, f := range spec.FilesFor(pk.Files, bin.arch) {
			if f.Dir {
				continue
			}
			key := branch + "|" + path.Clean(f.Path) + "|" + bin.arch + "|binary|" + bin.name
			if err := fs.Append(key, bin.hash); err != nil {
				return err
			}
		}
	}
	return nil
}
