// Package spec parses RPM spec files the way ALT Linux writes them, leniently:
// it extracts the package metadata, subpackages, dependencies, %files lists
// and the %changelog, expands the common ALT path macros and never panics.
//
// Paths that depend on the architecture (%_libdir, %_lib) are expanded to a
// sentinel (LibDir / Lib) that Package.FilesFor replaces per architecture.
package spec

import (
	"time"
)

// Sentinels standing for arch-dependent directories inside expanded text.
const (
	LibDir = "\x01LIBDIR\x01" // /usr/lib64 or /usr/lib
	Lib    = "\x01LIB\x01"    // lib64 or lib
)

// RPM sense flags used for dependencies.
const (
	SenseLess    uint32 = 0x02
	SenseGreater uint32 = 0x04
	SenseEqual   uint32 = 0x08
	SensePrereq  uint32 = 0x40
)

// Dep is one dependency of a package (Requires, Provides, ...).
type Dep struct {
	Name    string
	Version string
	Flag    uint32
}

// File is one entry of a %files list.
type File struct {
	Path   string
	Dir    bool // %dir or a trailing slash
	Config bool
	Doc    bool
	Ghost  bool
}

// Package is the main package or a subpackage.
type Package struct {
	Name        string
	Summary     string
	Group       string
	License     string
	URL         string
	Description string
	BuildArch   string // "noarch" or ""
	Requires    []Dep
	Provides    []Dep
	Conflicts   []Dep
	Obsoletes   []Dep
	Files       []File
	HasFiles    bool // a %files section exists for the package
	Pre         string
	Post        string
	Preun       string
	Postun      string
}

// ChangelogEntry is one %changelog entry.
type ChangelogEntry struct {
	Date  time.Time
	Name  string // "Full Name <email>"
	Email string // normalised: " at " -> "@"
	Nick  string // part of Email before '@'
	EVR   string
	Text  string
}

// Spec is a parsed spec file. Packages[0] is the main package.
type Spec struct {
	Name          string
	Epoch         uint32
	Version       string
	Release       string
	Packager      string
	VCS           string
	BuildRequires []Dep
	ExclusiveArch []string
	ExcludeArch   []string
	Packages      []*Package
	Changelog     []ChangelogEntry
	Encoding      string // "utf-8", "koi8-r", "cp1251"
	Text          string // decoded spec text
}

// Main returns the main package.
func (s *Spec) Main() *Package { return s.Packages[0] }

// EVR returns [epoch:]version-release.
func (s *Spec) EVR() string {
	if s.Epoch > 0 {
		return itoa(uint64(s.Epoch)) + ":" + s.Version + "-" + s.Release
	}
	return s.Version + "-" + s.Release
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
