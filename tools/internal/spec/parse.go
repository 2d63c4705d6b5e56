package spec

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Skip reasons returned (wrapped in *ParseError) for files that are not used.
const (
	ReasonEmpty      = "empty"
	ReasonBinary     = "binary content"
	ReasonNoName     = "no Name"
	ReasonNoVersion  = "no Version"
	ReasonNoRelease  = "no Release"
	ReasonBadVersion = "unresolved macro in Version/Release"
	ReasonPanic      = "parser panic"
)

// ParseError tells why a spec file was skipped.
type ParseError struct {
	Reason string
	Detail string
}

func (e *ParseError) Error() string {
	if e.Detail == "" {
		return "spec: " + e.Reason
	}
	return "spec: " + e.Reason + ": " + e.Detail
}

// Reason extracts the skip reason of err ("other" if err is not a ParseError).
func Reason(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return "other"
}

// Options tunes Parse.
type Options struct {
	// FallbackName is used when Name is missing or keeps unresolved macros
	// (the tarball directory name is the source package name).
	FallbackName string
}

// Decode converts spec bytes to UTF-8, guessing KOI8-R or CP1251 for
// non-UTF-8 input. It returns the text and the encoding name.
func Decode(data []byte) (string, string) {
	if utf8.Valid(data) {
		return string(data), "utf-8"
	}
	// Lower-case Cyrillic letters (the majority in text) sit in 0xC0-0xDF in
	// KOI8-R and in 0xE0-0xFF in CP1251.
	var lowKOI, lowCP int
	for _, c := range data {
		switch {
		case c >= 0xC0 && c <= 0xDF:
			lowKOI++
		case c >= 0xE0:
			lowCP++
		}
	}
	dec, name := charmap.KOI8R.NewDecoder(), "koi8-r"
	if lowCP > lowKOI {
		dec, name = charmap.Windows1251.NewDecoder(), "cp1251"
	}
	out, err := dec.Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "?"), "invalid"
	}
	return string(out), name
}

// Parse parses a spec file. It never panics: a panic inside the parser is
// turned into a *ParseError with ReasonPanic.
func Parse(data []byte, opts Options) (s *Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &ParseError{Reason: ReasonPanic, Detail: fmt.Sprint(r)}
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Reason: ReasonEmpty}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &ParseError{Reason: ReasonBinary}
	}
	text, enc := Decode(data)
	p := &parser{mc: newMacros(), spec: &Spec{Encoding: enc, Text: text}, fallback: opts.FallbackName}
	p.main = &Package{}
	p.spec.Packages = []*Package{p.main}
	p.run(text)
	return p.finish()
}

type sectionKind int

const (
	secPreamble sectionKind = iota
	secDescription
	secFiles
	secChangelog
	secScript
	secIgnore
)

type condFrame struct {
	active bool // the current branch is taken
	taken  bool // some branch of this %if was taken
	outer  bool // the enclosing context is active
}

type parser struct {
	mc       *macros
	spec     *Spec
	main     *Package
	fallback string

	sec    sectionKind
	target *Package // package the current section belongs to
	script *string  // scriptlet body being filled
	desc   []string
	conds  []condFrame

	chlog   *ChangelogEntry
	chlines []string

	nameSet bool
}

func (p *parser) active() bool {
	if len(p.conds) == 0 {
		return true
	}
	top := p.conds[len(p.conds)-1]
	return top.active && top.outer
}

var sectionNames = map[string]sectionKind{
	"%package":     secPreamble,
	"%description": secDescription,
	"%files":       secFiles,
	"%changelog":   secChangelog,
	"%pre":         secScript,
	"%post":        secScript,
	"%preun":       secScript,
	"%postun":      secScript,
	"%prep":        secIgnore, "%build": secIgnore, "%install": secIgnore,
	"%check": secIgnore, "%clean": secIgnore, "%pretrans": secIgnore,
	"%posttrans": secIgnore, "%verifyscript": secIgnore,
	"%triggerin": secIgnore, "%triggerun": secIgnore, "%triggerpostun": secIgnore,
	"%triggerprein": secIgnore, "%filetriggerin": secIgnore, "%filetriggerun": secIgnore,
	"%filetriggerpostun": secIgnore, "%transfiletriggerin": secIgnore,
	"%transfiletriggerun": secIgnore, "%transfiletriggerpostun": secIgnore,
}

func (p *parser) run(text string) {
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		trimmed := strings.TrimSpace(line)

		// The changelog is raw text up to the end of the file (conditionals
		// inside it are rare and ignored).
		if p.sec == secChangelog {
			if word := firstWord(trimmed); !isSectionStart(word) {
				p.changelogLine(line)
				continue
			}
		}

		if strings.HasPrefix(trimmed, "%") {
			word := firstWord(trimmed)
			if p.handleConditional(word, trimmed) {
				continue
			}
			if !p.active() {
				continue
			}
			if word == "%define" || word == "%global" {
				body := strings.TrimSpace(trimmed[len(word):])
				for strings.HasSuffix(body, "\\") && i+1 < len(lines) {
					i++
					body = strings.TrimSuffix(body, "\\") + "\n" + strings.TrimSpace(lines[i])
				}
				name, value := splitWord(body)
				if word == "%global" {
					value = p.mc.expand(value)
				}
				p.mc.define(name, value)
				continue
			}
			if p.handleDefWith(word, trimmed) {
				continue
			}
			if kind, ok := sectionNames[word]; ok || isSectionStart(word) {
				p.startSection(kind, word, trimmed)
				continue
			}
		}
		if !p.active() {
			continue
		}
		switch p.sec {
		case secPreamble:
			p.preambleLine(trimmed)
		case secDescription:
			p.desc = append(p.desc, p.mc.expand(strings.TrimRight(line, " \t")))
		case secFiles:
			p.filesLine(trimmed)
		case secScript:
			if p.script != nil {
				*p.script += p.mc.expand(line) + "\n"
			}
		}
	}
	p.closeSection()
	p.flushChangelog()
}

func isSectionStart(word string) bool {
	_, ok := sectionNames[word]
	return ok
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

func splitWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	return s, ""
}

// handleConditional processes %if-family lines; it reports whether the line
// was a conditional.
func (p *parser) handleConditional(word, line string) bool {
	arg := strings.TrimSpace(strings.TrimPrefix(line, word))
	push := func(cond bool) {
		outer := p.active()
		p.conds = append(p.conds, condFrame{active: cond, taken: cond, outer: outer})
	}
	switch word {
	case "%if":
		push(p.active() && evalCond(p.mc.expand(arg)))
	case "%if_with":
		push(p.mc.defined("_with_" + firstWord(arg)))
	case "%if_without":
		push(!p.mc.defined("_with_" + firstWord(arg)))
	case "%if_enabled":
		push(p.mc.defined("_enable_" + firstWord(arg)))
	case "%if_disabled":
		push(!p.mc.defined("_enable_" + firstWord(arg)))
	case "%ifarch":
		push(archMatches(p.mc.expand(arg)))
	case "%ifnarch":
		push(!archMatches(p.mc.expand(arg)))
	case "%ifos":
		push(strings.Contains(arg, "linux"))
	case "%ifnos":
		push(!strings.Contains(arg, "linux"))
	case "%else":
		if n := len(p.conds); n > 0 {
			top := &p.conds[n-1]
			top.active = !top.taken
			top.taken = true
		}
	case "%elif", "%elifarch", "%elifnarch":
		if n := len(p.conds); n > 0 {
			top := &p.conds[n-1]
			var c bool
			switch word {
			case "%elif":
				c = evalCond(p.mc.expand(arg))
			case "%elifarch":
				c = archMatches(p.mc.expand(arg))
			default:
				c = !archMatches(p.mc.expand(arg))
			}
			top.active = !top.taken && c
			top.taken = top.taken || c
		}
	case "%endif":
		if n := len(p.conds); n > 0 {
			p.conds = p.conds[:n-1]
		}
	default:
		return false
	}
	return true
}

// archMatches takes x86_64 as the reference architecture for %ifarch.
func archMatches(list string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if f == "x86_64" || f == "%x86_64" || f == "noarch" {
			return true
		}
	}
	return false
}

func (p *parser) handleDefWith(word, line string) bool {
	arg := firstWord(strings.TrimSpace(strings.TrimPrefix(line, word)))
	switch word {
	case "%def_with":
		p.mc.define("_with_"+arg, "--with-"+arg)
		delete(p.mc.m, "_without_"+arg)
	case "%def_without":
		p.mc.define("_without_"+arg, "--without-"+arg)
		delete(p.mc.m, "_with_"+arg)
	case "%def_enable":
		p.mc.define("_enable_"+arg, "--enable-"+arg)
		delete(p.mc.m, "_disable_"+arg)
	case "%def_disable":
		p.mc.define("_disable_"+arg, "--disable-"+arg)
		delete(p.mc.m, "_enable_"+arg)
	default:
		return false
	}
	return true
}

// resolveTarget interprets "[-n name] [suffix] [-f file] [-p prog] [-l lang]".
func (p *parser) resolveTarget(args []string) (*Package, bool) {
	name, localized := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-n" && i+1 < len(args):
			name = args[i+1]
			i++
		case a == "-l" && i+1 < len(args):
			localized = true
			i++
		case (a == "-f" || a == "-p") && i+1 < len(args):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			if name == "" {
				name = p.mainName() + "-" + a
			}
		}
	}
	if name == "" {
		return p.main, localized
	}
	for _, pk := range p.spec.Packages {
		if pk.Name == name {
			return pk, localized
		}
	}
	// Unknown names (also a %files or %description for an undeclared
	// package) create the package leniently so that its content is kept.
	pk := &Package{Name: name}
	p.spec.Packages = append(p.spec.Packages, pk)
	return pk, localized
}

func (p *parser) mainName() string {
	if p.main.Name != "" {
		return p.main.Name
	}
	return p.fallback
}

func (p *parser) startSection(kind sectionKind, word, line string) {
	p.closeSection()
	args := strings.Fields(p.mc.expand(strings.TrimSpace(strings.TrimPrefix(line, word))))
	p.sec = kind
	p.script = nil
	switch kind {
	case secPreamble:
		pk, _ := p.resolveTarget(args)
		p.target = pk
	case secDescription:
		pk, localized := p.resolveTarget(args)
		p.target = pk
		if localized {
			p.sec = secIgnore
		}
		p.desc = p.desc[:0]
	case secFiles:
		pk, _ := p.resolveTarget(args)
		pk.HasFiles = true
		p.target = pk
	case secScript:
		pk, _ := p.resolveTarget(args)
		p.target = pk
		switch word {
		case "%pre":
			p.script = &pk.Pre
		case "%post":
			p.script = &pk.Post
		case "%preun":
			p.script = &pk.Preun
		case "%postun":
			p.script = &pk.Postun
		}
		for i, a := range args {
			if a == "-p" && i+1 < len(args) && p.script != nil {
				*p.script += args[i+1] + "\n"
			}
		}
	case secChangelog:
		p.target = nil
	}
}

func (p *parser) closeSection() {
	if p.sec == secDescription && p.target != nil {
		d := strings.TrimRight(strings.Join(p.desc, "\n"), "\n \t")
		d = strings.TrimLeft(d, "\n")
		if p.target.Description == "" {
			p.target.Description = d
		}
		p.desc = p.desc[:0]
	}
}

func (p *parser) preambleLine(line string) {
	if line == "" || line[0] == '#' || line[0] == '%' {
		return
	}
	colon := strings.IndexByte(line, ':')
	if colon <= 0 {
		return
	}
	tag := line[:colon]
	qual := ""
	if i := strings.IndexByte(tag, '('); i >= 0 {
		qual = strings.TrimSuffix(tag[i+1:], ")")
		tag = tag[:i]
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	for _, c := range tag {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return
		}
	}
	raw := strings.TrimSpace(line[colon+1:])
	value := strings.TrimSpace(p.mc.expand(raw))
	pk := p.target
	if pk == nil {
		pk = p.main
	}
	isMain := pk == p.main
	switch tag {
	case "name":
		if isMain && !p.nameSet {
			p.main.Name = value
			p.nameSet = true
			p.mc.define("name", value)
		}
	case "version":
		if isMain {
			p.spec.Version = value
			p.mc.define("version", value)
		}
	case "release":
		if isMain {
			p.spec.Release = value
			p.mc.define("release", value)
		}
	case "epoch", "serial":
		if isMain {
			if n, err := strconv.ParseUint(value, 10, 32); err == nil {
				p.spec.Epoch = uint32(n)
				p.mc.define("epoch", value)
			}
		}
	case "summary":
		if qual == "" && pk.Summary == "" {
			pk.Summary = value
			if isMain {
				p.mc.define("summary", value)
			}
		}
	case "license", "copyright":
		pk.License = value
	case "group":
		if qual == "" {
			pk.Group = value
		}
	case "url":
		pk.URL = value
	case "vcs":
		if isMain {
			p.spec.VCS = value
		}
	case "packager":
		if isMain {
			p.spec.Packager = value
		}
	case "buildarch", "buildarchitectures":
		if strings.Contains(value, "noarch") {
			pk.BuildArch = "noarch"
		}
	case "exclusivearch":
		if isMain {
			p.spec.ExclusiveArch = append(p.spec.ExclusiveArch, strings.Fields(value)...)
		}
	case "excludearch":
		if isMain {
			p.spec.ExcludeArch = append(p.spec.ExcludeArch, strings.Fields(value)...)
		}
	case "requires", "prereq":
		flag := uint32(0)
		if qual != "" || tag == "prereq" {
			flag = SensePrereq
		}
		pk.Requires = append(pk.Requires, ParseDeps(value, flag)...)
	case "provides":
		pk.Provides = append(pk.Provides, ParseDeps(value, 0)...)
	case "conflicts":
		pk.Conflicts = append(pk.Conflicts, ParseDeps(value, 0)...)
	case "obsoletes":
		pk.Obsoletes = append(pk.Obsoletes, ParseDeps(value, 0)...)
	case "buildrequires", "buildprereq":
		flag := uint32(0)
		if qual != "" || tag == "buildprereq" {
			flag = SensePrereq
		}
		p.spec.BuildRequires = append(p.spec.BuildRequires, ParseDeps(value, flag)...)
	}
}

// ParseDeps splits a dependency list ("a >= 1.0, b c = 2") into Deps.
// Names keeping unresolved macros are dropped.
func ParseDeps(value string, baseFlag uint32) []Dep {
	toks := strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	var out []Dep
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if flag, ok := opFlag(t); ok {
			if i+1 < len(toks) && len(out) > 0 && out[len(out)-1].Version == "" {
				last := &out[len(out)-1]
				last.Version = toks[i+1]
				last.Flag |= flag
				if strings.Contains(last.Version, "%") {
					last.Version, last.Flag = "", baseFlag
				}
			}
			i++
			continue
		}
		if strings.Contains(t, "%") || strings.HasPrefix(t, "-") {
			continue
		}
		out = append(out, Dep{Name: t, Flag: baseFlag})
	}
	return out
}

func opFlag(t string) (uint32, bool) {
	switch t {
	case "<":
		return SenseLess, true
	case ">":
		return SenseGreater, true
	case "=", "==":
		return SenseEqual, true
	case "<=":
		return SenseLess | SenseEqual, true
	case ">=":
		return SenseGreater | SenseEqual, true
	}
	return 0, false
}

func (p *parser) filesLine(line string) {
	if line == "" || line[0] == '#' || p.target == nil {
		return
	}
	line = p.mc.expand(line)
	var f File
	rest := line
	for {
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "%") {
			break
		}
		word := rest
		end := strings.IndexAny(rest, " \t(")
		if end >= 0 {
			word = rest[:end]
		}
		after := rest[len(word):]
		if strings.HasPrefix(after, "(") {
			if c := strings.IndexByte(after, ')'); c >= 0 {
				after = after[c+1:]
			} else {
				after = ""
			}
		}
		switch word {
		case "%exclude", "%docdir":
			return
		case "%dir":
			f.Dir = true
		case "%doc", "%license":
			f.Doc = true
		case "%config":
			f.Config = true
		case "%ghost":
			f.Ghost = true
		case "%attr", "%defattr", "%verify", "%lang", "%caps", "%readme", "%missingok", "%artifact":
		default:
			// an unknown macro at the start of the line: not a path
			return
		}
		rest = after
	}
	for _, tok := range splitPaths(rest) {
		path := tok
		switch {
		case strings.HasPrefix(path, "/") || strings.HasPrefix(path, LibDir):
		case f.Doc && !strings.Contains(path, "%"):
			path = "/usr/share/doc/" + p.mainName() + "-" + p.spec.Version + "/" + path
		default:
			continue
		}
		if strings.Contains(path, "%") {
			continue
		}
		g := f
		if strings.HasSuffix(path, "/") && len(path) > 1 {
			g.Dir = true
			path = strings.TrimRight(path, "/")
		}
		g.Path = path
		p.target.Files = append(p.target.Files, g)
	}
}

func splitPaths(s string) []string {
	var out []string
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		if s[0] == '"' {
			if j := strings.IndexByte(s[1:], '"'); j >= 0 {
				out = append(out, s[1:j+1])
				s = s[j+2:]
				continue
			}
		}
		j := strings.IndexAny(s, " \t")
		if j < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

func (p *parser) changelogLine(line string) {
	if strings.HasPrefix(line, "* ") || line == "*" {
		if e, ok := parseChangelogHeader(line); ok {
			p.flushChangelog()
			p.chlog = &e
			return
		}
	}
	if p.chlog == nil {
		return
	}
	p.chlines = append(p.chlines, strings.ReplaceAll(strings.TrimRight(line, " \t"), "%%", "%"))
}

func (p *parser) flushChangelog() {
	if p.chlog == nil {
		return
	}
	lines := p.chlines
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	p.chlog.Text = strings.Join(lines, "\n")
	p.spec.Changelog = append(p.spec.Changelog, *p.chlog)
	p.chlog = nil
	p.chlines = p.chlines[:0]
}

// ParseChangelogHeader parses "* Wed Oct 23 2024 Full Name <nick@altlinux> 1.2-alt1".
func parseChangelogHeader(line string) (ChangelogEntry, bool) {
	f := strings.Fields(strings.TrimPrefix(line, "*"))
	if len(f) < 4 {
		return ChangelogEntry{}, false
	}
	// Accept both "Wed Oct 23 2024" and "Oct 23 2024".
	if _, ok := months[strings.ToLower(f[0])[:min(3, len(f[0]))]]; !ok {
		f = f[1:]
	}
	if len(f) < 3 {
		return ChangelogEntry{}, false
	}
	mon, ok := months[strings.ToLower(f[0])[:min(3, len(f[0]))]]
	if !ok {
		return ChangelogEntry{}, false
	}
	day, err1 := strconv.Atoi(f[1])
	year, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || day < 1 || day > 31 || year < 1990 || year > 2100 {
		return ChangelogEntry{}, false
	}
	e := ChangelogEntry{Date: time.Date(year, mon, day, 0, 0, 0, 0, time.UTC)}
	rest := strings.TrimSpace(strings.Join(f[3:], " "))
	if gt := strings.LastIndexByte(rest, '>'); gt >= 0 {
		e.Name = strings.TrimSpace(rest[:gt+1])
		e.EVR = strings.TrimSpace(rest[gt+1:])
	} else if sp := strings.LastIndexByte(rest, ' '); sp >= 0 {
		e.Name, e.EVR = strings.TrimSpace(rest[:sp]), strings.TrimSpace(rest[sp+1:])
	} else {
		e.Name = rest
	}
	e.EVR = strings.TrimSpace(strings.TrimLeft(e.EVR, "-: "))
	if lt := strings.IndexByte(e.Name, '<'); lt >= 0 {
		email := strings.TrimSuffix(e.Name[lt+1:], ">")
		email = strings.ReplaceAll(email, " at ", "@")
		email = strings.ReplaceAll(email, " dot ", ".")
		e.Email = strings.TrimSpace(email)
		if at := strings.IndexByte(e.Email, '@'); at >= 0 {
			e.Nick = e.Email[:at]
		} else {
			e.Nick = e.Email
		}
	}
	return e, true
}

func (p *parser) finish() (*Spec, error) {
	s := p.spec
	if s.Main().Name == "" || strings.Contains(s.Main().Name, "%") || strings.ContainsAny(s.Main().Name, " \t") {
		if p.fallback == "" {
			return nil, &ParseError{Reason: ReasonNoName}
		}
		s.Main().Name = p.fallback
	}
	if bad := func(v string) bool { return v == "" || strings.ContainsAny(v, "% \t") }; (bad(s.Version) || bad(s.Release)) && len(s.Changelog) > 0 {
		// Version or release computed by shell or unknown macros: the newest
		// changelog entry carries the real [epoch:]version-release.
		if e, v, r, ok := SplitEVR(s.Changelog[0].EVR); ok {
			if e > 0 && s.Epoch == 0 {
				s.Epoch = e
			}
			s.Version, s.Release = v, r
		}
	}
	if s.Version == "" {
		return nil, &ParseError{Reason: ReasonNoVersion}
	}
	if s.Release == "" {
		return nil, &ParseError{Reason: ReasonNoRelease}
	}
	if strings.ContainsAny(s.Version, "% \t") || strings.ContainsAny(s.Release, "% \t") {
		return nil, &ParseError{Reason: ReasonBadVersion, Detail: s.Version + "-" + s.Release}
	}
	// Subpackages inherit group, license and url from the main package;
	// BuildArch noarch of the main package applies to all of them.
	m := s.Main()
	for _, pk := range s.Packages {
		pk.Pre = strings.TrimSpace(pk.Pre)
		pk.Post = strings.TrimSpace(pk.Post)
		pk.Preun = strings.TrimSpace(pk.Preun)
		pk.Postun = strings.TrimSpace(pk.Postun)
	}
	for _, pk := range s.Packages[1:] {
		if pk.Group == "" {
			pk.Group = m.Group
		}
		if pk.License == "" {
			pk.License = m.License
		}
		if pk.URL == "" {
			pk.URL = m.URL
		}
		if pk.BuildArch == "" {
			pk.BuildArch = m.BuildArch
		}
		if pk.Summary == "" {
			pk.Summary = m.Summary
		}
	}
	return s, nil
}

// FilesFor returns the file paths of pk with the arch-dependent sentinels
// replaced for arch (64-bit arches use lib64).
func FilesFor(files []File, arch string) []File {
	lib := "lib64"
	if arch == "i586" || arch == "armh" || arch == "noarch" {
		lib = "lib"
	}
	out := make([]File, len(files))
	for i, f := range files {
		f.Path = ExpandArch(f.Path, lib)
		out[i] = f
	}
	return out
}

// ExpandArch replaces the LibDir/Lib sentinels with /usr/<lib> and <lib>.
func ExpandArch(s, lib string) string {
	if strings.IndexByte(s, '\x01') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, LibDir, "/usr/"+lib)
	return strings.ReplaceAll(s, Lib, lib)
}

// SplitEVR splits "[epoch:]version-release" (release = after the last '-').
func SplitEVR(evr string) (epoch uint32, version, release string, ok bool) {
	evr = strings.TrimSpace(evr)
	if i := strings.IndexByte(evr, ':'); i >= 0 {
		n, err := strconv.ParseUint(evr[:i], 10, 32)
		if err != nil {
			return 0, "", "", false
		}
		epoch, evr = uint32(n), evr[i+1:]
	}
	j := strings.LastIndexByte(evr, '-')
	if j <= 0 || j == len(evr)-1 || strings.ContainsAny(evr, "% \t") {
		return 0, "", "", false
	}
	return epoch, evr[:j], evr[j+1:], true
}
