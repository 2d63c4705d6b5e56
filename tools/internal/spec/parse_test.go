package spec

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Short excerpts modelled on real ALT Sisyphus specs.
const requestsExcerpt = `%define _unpackaged_files_terminate_build 1
%define pkgname requests

%def_with check

Name: python3-module-%pkgname
Version: 2.32.3
Release: alt1

Summary: HTTP library, written in Python, for human beings
License: Apache-2.0
Group: Development/Python3
Url: https://pypi.org/project/requests/
VCS: https://github.com/psf/requests
BuildArch: noarch
BuildRequires(pre): rpm-build-pyproject
%if_with check
BuildRequires: python3-module-pytest
%endif
%if_without check
BuildRequires: never-seen
%endif

%description
Requests allows you to send HTTP/1.1 requests extremely easily.
Keep-alive and HTTP connection pooling are 100%% automatic.

%files
%doc AUTHORS.rst README.md
%python3_sitelibdir_noarch/%pkgname/

%changelog
* Thu May 30 2024 Stanislav Levin <slev@altlinux.org> 2.32.3-alt1
- 2.32.2 -> 2.32.3.

* Tue May 23 2023 Stanislav Levin <slev@altlinux.org> 2.31.0-alt1
- 2.29.0 -> 2.31.0 (fixes: CVE-2023-32681).
`

const libExcerpt = `Name: libfoo
Version: 1.2
Release: alt3
Epoch: 1
Summary: Foo library
License: GPLv2+
Group: System/Libraries
Requires: bar >= 2.0, baz
Provides: foo-compat = %EVR
Obsoletes: oldfoo < 1.0

%package devel
Summary: Development files for %name
Group: Development/C
Requires: %name = %EVR

%package -n foo-utils
Summary: Utilities
Conflicts: foo-tools
BuildArch: noarch

%description
Foo.

%description devel
Headers for %name.

%ifarch x86_64
%define with_x 1
%else
%define with_x 0
%endif

%post -p /sbin/ldconfig

%files
%_libdir/libfoo.so.*
%dir %_datadir/foo
%config(noreplace) %_sysconfdir/foo.conf
%exclude %_bindir/hidden

%files devel
%_includedir/foo.h
%_libdir/libfoo.so
%_pkgconfigdir/foo.pc

%files -n foo-utils
%attr(0755,root,root) %_bindir/foo-*
%_man1dir/foo.1*

%changelog
* Mon Feb 05 2024 Ivan Ivanov <ivan at altlinux.org> 1:1.2-alt3
- Rebuilt (closes: #44462).

* Fri Jan 10 2020 Petr Petrov <petr@altlinux.org> - 1.1-alt1
- Initial build.
`

func TestParseRequests(t *testing.T) {
	s, err := Parse([]byte(requestsExcerpt), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Main()
	if m.Name != "python3-module-requests" || s.Version != "2.32.3" || s.Release != "alt1" {
		t.Fatalf("nvr = %s-%s-%s", m.Name, s.Version, s.Release)
	}
	if m.BuildArch != "noarch" || m.License != "Apache-2.0" || m.Group != "Development/Python3" || s.VCS != "https://github.com/psf/requests" {
		t.Fatalf("main = %+v vcs=%q", m, s.VCS)
	}
	if len(s.BuildRequires) != 2 || s.BuildRequires[0].Name != "rpm-build-pyproject" || s.BuildRequires[0].Flag != SensePrereq || s.BuildRequires[1].Name != "python3-module-pytest" {
		t.Fatalf("buildrequires = %+v", s.BuildRequires)
	}
	if !strings.Contains(m.Description, "100% automatic") || strings.HasSuffix(m.Description, "\n") {
		t.Fatalf("description = %q", m.Description)
	}
	want := []string{
		"/usr/share/doc/python3-module-requests-2.32.3/AUTHORS.rst",
		"/usr/share/doc/python3-module-requests-2.32.3/README.md",
		"/usr/lib/python3/site-packages/requests",
	}
	if len(m.Files) != len(want) {
		t.Fatalf("files = %+v", m.Files)
	}
	for i, w := range want {
		if m.Files[i].Path != w {
			t.Errorf("file %d = %q, want %q", i, m.Files[i].Path, w)
		}
	}
	if !m.Files[2].Dir || !m.Files[0].Doc {
		t.Errorf("flags: %+v", m.Files)
	}
	if len(s.Changelog) != 2 {
		t.Fatalf("changelog = %+v", s.Changelog)
	}
	c := s.Changelog[0]
	if c.Name != "Stanislav Levin <slev@altlinux.org>" || c.EVR != "2.32.3-alt1" || c.Nick != "slev" ||
		!c.Date.Equal(time.Date(2024, 5, 30, 0, 0, 0, 0, time.UTC)) || c.Text != "- 2.32.2 -> 2.32.3." {
		t.Fatalf("entry = %+v", c)
	}
	if !strings.Contains(s.Changelog[1].Text, "CVE-2023-32681") {
		t.Fatalf("entry 2 = %+v", s.Changelog[1])
	}
}

func TestParseSubpackages(t *testing.T) {
	s, err := Parse([]byte(libExcerpt), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Epoch != 1 || s.EVR() != "1:1.2-alt3" {
		t.Fatalf("evr = %s", s.EVR())
	}
	if len(s.Packages) != 3 {
		t.Fatalf("packages = %d", len(s.Packages))
	}
	m, dev, utils := s.Packages[0], s.Packages[1], s.Packages[2]
	if dev.Name != "libfoo-devel" || utils.Name != "foo-utils" {
		t.Fatalf("names %q %q", dev.Name, utils.Name)
	}
	if len(m.Requires) != 2 || m.Requires[0] != (Dep{Name: "bar", Version: "2.0", Flag: SenseGreater | SenseEqual}) || m.Requires[1].Name != "baz" {
		t.Fatalf("requires = %+v", m.Requires)
	}
	if len(m.Provides) != 1 || m.Provides[0].Version != "1:1.2-alt3" || m.Provides[0].Flag != SenseEqual {
		t.Fatalf("provides = %+v", m.Provides)
	}
	if m.Obsoletes[0] != (Dep{Name: "oldfoo", Version: "1.0", Flag: SenseLess}) {
		t.Fatalf("obsoletes = %+v", m.Obsoletes)
	}
	if dev.Summary != "Development files for libfoo" || dev.Group != "Development/C" || dev.License != "GPLv2+" || dev.Description != "Headers for libfoo." {
		t.Fatalf("devel = %+v", dev)
	}
	if utils.BuildArch != "noarch" || m.BuildArch != "" || utils.Conflicts[0].Name != "foo-tools" {
		t.Fatalf("utils = %+v", utils)
	}
	if m.Post != "/sbin/ldconfig" {
		t.Fatalf("post = %q", m.Post)
	}
	if len(m.Files) != 3 || !m.Files[1].Dir || !m.Files[2].Config {
		t.Fatalf("main files = %+v", m.Files)
	}
	x64 := FilesFor(dev.Files, "x86_64")
	i586 := FilesFor(dev.Files, "i586")
	if x64[1].Path != "/usr/lib64/libfoo.so" || i586[1].Path != "/usr/lib/libfoo.so" || x64[2].Path != "/usr/lib64/pkgconfig/foo.pc" {
		t.Fatalf("devel files x64=%+v i586=%+v", x64, i586)
	}
	if utils.Files[1].Path != "/usr/share/man/man1/foo.1*" {
		t.Fatalf("utils files = %+v", utils.Files)
	}
	c := s.Changelog[0]
	if c.Email != "ivan@altlinux.org" || c.Nick != "ivan" || c.EVR != "1:1.2-alt3" || c.Name != "Ivan Ivanov <ivan at altlinux.org>" {
		t.Fatalf("entry = %+v", c)
	}
	if s.Changelog[1].EVR != "1.1-alt1" {
		t.Fatalf("entry 2 evr = %q", s.Changelog[1].EVR)
	}
}

func TestVersionFromChangelog(t *testing.T) {
	src := "Name: javazi\nVersion: %{get_version tzdata}\nRelease: alt1\n%changelog\n* Mon Jan 01 2024 A B <a@b> 2024a-alt1\n- x\n"
	s, err := Parse([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "2024a" || s.Release != "alt1" {
		t.Fatalf("version %q release %q", s.Version, s.Release)
	}
	_, err = Parse([]byte("Name: x\nVersion: %{get_version tzdata}\nRelease: alt1\n"), Options{})
	if Reason(err) != ReasonBadVersion {
		t.Fatalf("err = %v", err)
	}
}

func TestSkipReasons(t *testing.T) {
	cases := map[string]string{
		"":                         ReasonEmpty,
		"Name: a\x00b":             ReasonBinary,
		"Summary: x\nVersion: 1\n": ReasonNoName,
		"Name: a\nRelease: alt1\n": ReasonNoVersion,
		"Name: a\nVersion: 1\n":    ReasonNoRelease,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), Options{})
		if Reason(err) != want {
			t.Errorf("%q: err %v, want reason %q", in, err, want)
		}
	}
	s, err := Parse([]byte("Name: %oname\nVersion: 1\nRelease: alt1\n"), Options{FallbackName: "dirname"})
	if err != nil || s.Main().Name != "dirname" {
		t.Fatalf("fallback: %v %+v", err, s)
	}
}

func TestLegacyEncodings(t *testing.T) {
	ru := "Summary(ru_RU.KOI8-R): Библиотека\nName: x\nVersion: 1\nRelease: alt1\n%description\nОписание пакета на русском\n"
	for _, cm := range []*charmap.Charmap{charmap.KOI8R, charmap.Windows1251} {
		raw, err := cm.NewEncoder().Bytes([]byte(ru))
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(raw, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Main().Description != "Описание пакета на русском" {
			t.Errorf("%v: description %q (encoding %s)", cm, s.Main().Description, s.Encoding)
		}
	}
}

func TestMacros(t *testing.T) {
	mc := newMacros()
	mc.define("name", "foo")
	mc.define("ver", "%{name}-1")
	cases := map[string]string{
		"%name":                 "foo",
		"%{name}":               "foo",
		"%ver":                  "foo-1",
		"%{?name:yes}":          "yes",
		"%{?nothing:yes}":       "",
		"%{!?nothing:no}":       "no",
		"%{?nothing}x":          "x",
		"%unknown_macro":        "%unknown_macro",
		"%{unknown}":            "%{unknown}",
		"100%%":                 "100%",
		"%(echo hi)":            "%(echo hi)",
		"%_datadir/%name":       "/usr/share/foo",
		"%{_bindir}/a%{nil}b":   "/usr/bin/ab",
		"%python3_sitelibdir/x": LibDir + "/python3/site-packages/x",
	}
	for in, want := range cases {
		if got := mc.expand(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
	mc.define("loop", "%loop%loop")
	if got := mc.expand("%loop"); len(got) > 2*maxExpand {
		t.Errorf("recursive macro grew to %d bytes", len(got))
	}
}

func TestEvalCond(t *testing.T) {
	cases := map[string]bool{
		"0": false, "1": true, "01": true, "": false, "0 || 1": true, "1 && 0": false,
		`"alt" == "alt"`: true, "3 > 10": false, "!0": true, "(1)": true,
	}
	for in, want := range cases {
		if got := evalCond(in); got != want {
			t.Errorf("evalCond(%q) = %v", in, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(requestsExcerpt))
	f.Add([]byte(libExcerpt))
	f.Add([]byte("%if\n%else\n%endif\n%endif\n%files -n\n%{?\n%{!?x:%{y}\n* Mon"))
	f.Add([]byte("Name: a\nVersion: 1\nRelease: alt1\n%changelog\n* Mon Jan 32 2024\n* Feb\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, Options{FallbackName: "x"})
		if err == nil && (s == nil || len(s.Packages) == 0) {
			t.Fatal("nil spec without error")
		}
		if err != nil && Reason(err) == ReasonPanic {
			t.Fatalf("parser panicked: %v", err)
		}
	})
}
