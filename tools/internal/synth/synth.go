// Package synth generates a deterministic synthetic input (spec files of
// four branch snapshots and a commit log) for machines without the real
// data. The same seed and scale always give the same bytes.
package synth

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"

	"altrepo/tools/internal/commitlog"
	"altrepo/tools/internal/mmh"
	"altrepo/tools/internal/source"
	"altrepo/tools/internal/tarspec"
)

// DefaultSeed is the seed used by the command.
const DefaultSeed = 20241024

// PackagesPerScale is the number of source packages per unit of scale.
const PackagesPerScale = 200

var (
	historyStart = time.Date(2012, 7, 3, 10, 0, 0, 0, time.UTC)
	historyEnd   = time.Date(2024, 10, 24, 20, 0, 0, 0, time.UTC)
	snapshots    = []struct {
		branch string
		date   time.Time
	}{
		{"p9", time.Date(2019, 6, 1, 19, 38, 53, 0, time.UTC)},
		{"p10", time.Date(2021, 8, 1, 19, 51, 8, 0, time.UTC)},
		{"p11", time.Date(2024, 7, 1, 19, 35, 36, 0, time.UTC)},
		{"sisyphus", time.Date(2024, 10, 24, 20, 24, 34, 0, time.UTC)},
	}
)

type person struct{ nick, name string }

var people = []person{
	{"ldv", "Dmitry V. Levin"}, {"glebfm", "Gleb F-Malinovskiy"}, {"iv", "Ivan A. Melnikov"},
	{"slev", "Stanislav Levin"}, {"viy", "Igor Vlasenko"}, {"amakeenk", "Andrey Makeenkov"},
	{"kevl", "Dmitry Degtyarev"}, {"obirvalger", "Mikhail Gordeev"}, {"rider", "Andrey Cherepanov"},
	{"shrek", "Sergey Shilov"}, {"mike", "Mikhail Efremov"}, {"snowmix", "Anton Farygin"},
	{"zerg", "Denis Medvedev"}, {"lav", "Vitaly Lipatov"}, {"cas", "Andrey Savchenko"},
	{"sem", "Semyon Knyazev"}, {"jenya", "Evgeny Sinelnikov"}, {"toni", "Anton Shevtsov"},
}

var syllables = []string{"al", "be", "cor", "dan", "el", "fi", "gor", "hu", "in", "jo", "ka", "lum", "mo", "nix", "or", "pa", "qui", "ru", "sol", "tev", "ux", "vor", "wen", "xa", "yel", "zo"}

var kinds = []struct {
	prefix string
	group  string
	lib    bool
	noarch bool
}{
	{"lib", "System/Libraries", true, false},
	{"python3-module-", "Development/Python3", false, true},
	{"perl-", "Development/Perl", false, true},
	{"", "System/Base", false, false},
	{"", "Networking/Other", false, false},
	{"", "Graphics", false, false},
}

// pkgPlan is the generated life of one source package.
type pkgPlan struct {
	name     string
	kind     int
	born     time.Time
	died     time.Time // zero: never deleted
	releases []release
	deps     []string
	legacy   bool // spec stored in KOI8-R
	broken   bool // spec without Version (skipped by the parser)
}

type release struct {
	version string
	date    time.Time
	who     person
	text    string
}

// Generator holds the deterministic plan.
type Generator struct {
	seed  int64
	pkgs  []*pkgPlan
	bySeq []event
}

type event struct {
	t      time.Time
	pkg    *pkgPlan
	rel    int // release index, -1 = delete
	taskID uint32
}

func (g *Generator) h(parts ...any) uint64 {
	return mmh.Hash64(fmt.Sprint(append([]any{g.seed}, parts...)...))
}

func word(i int) string {
	var b strings.Builder
	n := i
	for k := 0; k < 3 || n > 0; k++ {
		b.WriteString(syllables[n%len(syllables)])
		n /= len(syllables)
	}
	return b.String()
}

// New plans scale*PackagesPerScale packages.
func New(seed int64, scale int) *Generator {
	if scale < 1 {
		scale = 1
	}
	g := &Generator{seed: seed}
	n := scale * PackagesPerScale
	span := historyEnd.Sub(historyStart)
	for i := 0; i < n; i++ {
		k := int(g.h("kind", i) % uint64(len(kinds)))
		p := &pkgPlan{name: kinds[k].prefix + word(i), kind: k}
		if g.h("import", i)%3 != 0 {
			p.born = historyStart.Add(-time.Duration(g.h("age", i)%(3000*24)) * time.Hour)
		} else {
			p.born = historyStart.Add(time.Duration(g.h("born", i)%uint64(span/time.Hour)) * time.Hour)
		}
		if g.h("dies", i)%17 == 0 {
			p.died = p.born.Add(time.Duration(200*24+g.h("life", i)%(2000*24)) * time.Hour)
			if p.died.After(historyEnd) {
				p.died = time.Time{}
			}
		}
		p.legacy = g.h("legacy", i)%53 == 0
		p.broken = g.h("broken", i)%97 == 0
		t := p.born
		major := 1 + g.h("major", i)%5
		for r := 0; ; r++ {
			who := people[g.h("who", i, r)%uint64(len(people))]
			ver := fmt.Sprintf("%d.%d.%d", major+uint64(r/4), r%4, g.h("patch", i, r)%10)
			text := fmt.Sprintf("- Updated to %s.", ver)
			switch g.h("msg", i, r) % 9 {
			case 0:
				text += fmt.Sprintf("\n- Fixed crash on startup (closes: #%d).", 20000+g.h("bug", i, r)%30000)
			case 1:
				text += fmt.Sprintf("\n- Security fixes:\n  + CVE-%d-%d\n  + CVE-%d-%d", 2015+g.h("cy", i, r)%9, 10000+g.h("cn", i, r)%40000,
					2015+g.h("cy2", i, r)%9, 10000+g.h("cn2", i, r)%40000)
			case 2:
				text += "\n- Spec cleanup."
			}
			if r == 0 {
				text = "- Initial build for ALT Linux."
			}
			p.releases = append(p.releases, release{version: ver, date: t, who: who, text: text})
			t = t.Add(time.Duration(20*24+g.h("gap", i, r)%(500*24)) * time.Hour)
			if t.After(historyEnd) || (!p.died.IsZero() && t.After(p.died)) || r > 40 {
				break
			}
		}
		for d := 0; d < int(g.h("ndeps", i)%4) && i > 0; d++ {
			p.deps = append(p.deps, kinds[0].prefix+word(int(g.h("dep", i, d)%uint64(i))))
		}
		g.pkgs = append(g.pkgs, p)
	}
	g.plan()
	return g
}

// plan orders every build and delete in time and gives them task ids.
func (g *Generator) plan() {
	var evs []event
	for _, p := range g.pkgs {
		for r, rel := range p.releases {
			if rel.date.After(historyStart) {
				// the task is committed some hours after the changelog entry
				lag := time.Duration(1+g.h("lag", p.name, r)%20) * time.Hour
				evs = append(evs, event{t: rel.date.Add(lag), pkg: p, rel: r})
			}
		}
		if !p.died.IsZero() && p.died.After(historyStart) {
			evs = append(evs, event{t: p.died, pkg: p, rel: -1})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].t.Equal(evs[j].t) {
			return evs[i].t.Before(evs[j].t)
		}
		return evs[i].pkg.name < evs[j].pkg.name
	})
	id := uint32(commitlog.ImportTaskID)
	for i := range evs {
		id += 1 + uint32(g.h("tid", i)%5)
		evs[i].taskID = id
	}
	g.bySeq = evs
}

// releaseAt is the index of the newest release at t (-1 if none or dead).
func (p *pkgPlan) releaseAt(t time.Time) int {
	if p.born.After(t) || (!p.died.IsZero() && !p.died.After(t)) {
		return -1
	}
	idx := -1
	for r, rel := range p.releases {
		if !rel.date.After(t) {
			idx = r
		}
	}
	return idx
}

func (p *pkgPlan) specText(r int) string {
	k := kinds[p.kind]
	rel := p.releases[r]
	var b strings.Builder
	b.WriteString("%define _unpackaged_files_terminate_build 1\n%def_with check\n\n")
	fmt.Fprintf(&b, "Name: %s\n", p.name)
	if !p.broken {
		fmt.Fprintf(&b, "Version: %s\n", rel.version)
	}
	b.WriteString("Release: alt1\n\n")
	fmt.Fprintf(&b, "Summary: The %s package\nLicense: %s\nGroup: %s\nUrl: https://example.org/%s\n",
		p.name, []string{"GPLv2+", "MIT", "LGPLv2.1+", "BSD-3-Clause", "Apache-2.0"}[len(p.name)%5], k.group, p.name)
	if k.noarch {
		b.WriteString("BuildArch: noarch\n")
	}
	b.WriteString("Source: %name-%version.tar\n\nBuildRequires: gcc make\n")
	for _, d := range p.deps {
		fmt.Fprintf(&b, "Requires: %s\n", d)
	}
	if k.lib {
		b.WriteString("\n%package devel\nSummary: Development files for %name\nGroup: Development/C\nRequires: %name = %EVR\n")
		b.WriteString("\n%package doc\nSummary: Documentation for %name\nGroup: Documentation\nBuildArch: noarch\n")
	}
	fmt.Fprintf(&b, "\n%%description\n%s is a synthetic package generated for the ALTRepo demo database.\n", p.name)
	if p.legacy {
		b.WriteString("Описание на русском языке.\n")
	}
	if k.lib {
		b.WriteString("\n%description devel\nHeaders for %name.\n\n%description doc\nDocumentation for %name.\n")
	}
	b.WriteString("\n%prep\n%setup\n\n%build\n%configure\n%make_build\n\n%install\n%makeinstall_std\n\n")
	switch {
	case k.lib:
		b.WriteString("%files\n%_libdir/%name.so.*\n%dir %_datadir/%name\n\n%files devel\n%_includedir/%name.h\n%_libdir/%name.so\n%_pkgconfigdir/%name.pc\n\n%files doc\n%doc README NEWS\n")
	case k.noarch && strings.HasPrefix(p.name, "python3"):
		mod := strings.TrimPrefix(p.name, "python3-module-")
		fmt.Fprintf(&b, "%%files\n%%doc README.md\n%%python3_sitelibdir_noarch/%s/\n", mod)
	case k.noarch:
		b.WriteString("%files\n%perl_vendor_privlib/*\n%_man3dir/*\n")
	default:
		b.WriteString("%files\n%_bindir/%name\n%config(noreplace) %_sysconfdir/%name.conf\n%_man1dir/%name.1*\n")
	}
	if p.broken {
		return b.String()
	}
	b.WriteString("\n%changelog\n")
	for j := r; j >= 0; j-- {
		e := p.releases[j]
		fmt.Fprintf(&b, "* %s %s <%s@altlinux.org> %s-alt1\n%s\n\n", e.date.Format("Mon Jan 02 2006"), e.who.name, e.who.nick, e.version, e.text)
	}
	return b.String()
}

// Source returns the generator as a source.Source.
func (g *Generator) Source() *source.Source {
	src := &source.Source{Kind: "synthetic", Commits: g.commits}
	for _, s := range snapshots {
		s := s
		src.Snapshots = append(src.Snapshots, source.Snapshot{
			Branch: s.branch,
			Date:   s.date,
			Walk: func(limit int, fn func(tarspec.File) error) error {
				return g.walk(s.date, limit, fn)
			},
		})
	}
	return src
}

func (g *Generator) walk(at time.Time, limit int, fn func(tarspec.File) error) error {
	plans := append([]*pkgPlan(nil), g.pkgs...)
	sort.Slice(plans, func(i, j int) bool { return plans[i].name < plans[j].name })
	n := 0
	for _, p := range plans {
		r := p.releaseAt(at)
		if r < 0 {
			continue
		}
		data := []byte(p.specText(r))
		if p.legacy {
			if enc, err := charmap.KOI8R.NewEncoder().Bytes(data); err == nil {
				data = enc
			}
		}
		f := tarspec.File{
			Path:    p.name[:1] + "/" + p.name + "/" + p.name + ".spec",
			Dir:     p.name,
			ModTime: p.releases[r].date,
			Data:    data,
		}
		if err := fn(f); err != nil {
			return err
		}
		n++
		if limit > 0 && n >= limit {
			return nil
		}
	}
	return nil
}

// commits renders the plan as a commit log, newest first.
func (g *Generator) commits(limit int) ([]commitlog.Commit, error) {
	var out []commitlog.Commit
	builds := 0
	for i := len(g.bySeq) - 1; i >= 0; i-- {
		if limit > 0 && builds >= limit {
			break
		}
		e := g.bySeq[i]
		p := e.pkg
		c := commitlog.Commit{TaskID: e.taskID, Files: []string{p.name[:1] + "/" + p.name + "/" + p.name + ".spec"}}
		if e.rel < 0 {
			last := p.releases[len(p.releases)-1]
			who := people[g.h("deleter", p.name)%uint64(len(people))]
			c.Time, c.AuthorName, c.AuthorEmail, c.Nick = e.t, who.name, who.nick+"@altlinux.org", who.nick
			c.Name, c.Version, c.Release, c.Delete = p.name, last.version, "alt1", true
			c.Subject = fmt.Sprintf("%d: Delete %s-%s-alt1", e.taskID, p.name, last.version)
		} else {
			rel := p.releases[e.rel]
			c.Time = e.t
			c.AuthorName, c.AuthorEmail, c.Nick = rel.who.name, rel.who.nick+"@altlinux.org", rel.who.nick
			c.Name, c.Version, c.Release = p.name, rel.version, "alt1"
			c.Subject = strconv.FormatUint(uint64(e.taskID), 10) + ": " + p.name + "-" + rel.version + "-alt1"
		}
		out = append(out, c)
		builds++
	}
	// The initial import of everything that existed at the start.
	imp := commitlog.Commit{Time: historyStart.Add(-time.Hour), AuthorName: "Import Bot", AuthorEmail: "import@altlinux.org",
		Nick: "import", TaskID: commitlog.ImportTaskID, Import: true}
	for _, p := range g.pkgs {
		if p.releaseAt(historyStart) >= 0 {
			imp.Files = append(imp.Files, p.name[:1]+"/"+p.name+"/"+p.name+".spec")
		}
	}
	imp.Subject = fmt.Sprintf("%d: Import task with %d packages", commitlog.ImportTaskID, len(imp.Files))
	out = append(out, imp)
	return out, nil
}
