package build

import (
	"strings"
	"time"
)

var branchInfo = map[string]struct {
	start, end time.Time
	ru, en     string
	bugzilla   string
}{
	"sisyphus": {time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC), "Сизиф — нестабильный репозиторий", "Sisyphus: the unstable repository", "Sisyphus"},
	"p11":      {time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2029, 6, 30, 0, 0, 0, 0, time.UTC), "Одиннадцатая платформа", "The eleventh platform", "Branch p11"},
	"p10":      {time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), "Десятая платформа", "The tenth platform", "Branch p10"},
	"p9":       {time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC), "Девятая платформа", "The ninth platform", "Branch p9"},
}

// spdxLicense is a built-in SPDX entry and the RPM License spellings that
// map to it.
type spdxLicense struct {
	id, name string
	exc      bool
	aliases  []string
}

var spdxLicenses = []spdxLicense{
	{"GPL-2.0-only", "GNU General Public License v2.0 only", false, []string{"GPLv2", "GPL-2.0", "GPL2"}},
	{"GPL-2.0-or-later", "GNU General Public License v2.0 or later", false, []string{"GPLv2+", "GPL-2.0+", "GPL2+", "GPL"}},
	{"GPL-3.0-only", "GNU General Public License v3.0 only", false, []string{"GPLv3", "GPL-3.0", "GPL3"}},
	{"GPL-3.0-or-later", "GNU General Public License v3.0 or later", false, []string{"GPLv3+", "GPL-3.0+", "GPL3+"}},
	{"LGPL-2.1-only", "GNU Lesser General Public License v2.1 only", false, []string{"LGPLv2.1", "LGPL-2.1"}},
	{"LGPL-2.1-or-later", "GNU Lesser General Public License v2.1 or later", false, []string{"LGPLv2.1+", "LGPLv2+", "LGPL-2.1+", "LGPL"}},
	{"LGPL-3.0-or-later", "GNU Lesser General Public License v3.0 or later", false, []string{"LGPLv3+", "LGPL-3.0+"}},
	{"AGPL-3.0-or-later", "GNU Affero General Public License v3.0 or later", false, []string{"AGPLv3+", "AGPL-3.0+"}},
	{"MIT", "MIT License", false, []string{"MIT/X11", "X11"}},
	{"BSD-2-Clause", "BSD 2-Clause \"Simplified\" License", false, []string{"BSD-2"}},
	{"BSD-3-Clause", "BSD 3-Clause \"New\" or \"Revised\" License", false, []string{"BSD", "BSD-3", "BSD-style"}},
	{"Apache-2.0", "Apache License 2.0", false, []string{"ASL 2.0", "Apache 2.0", "Apache License 2.0", "ASL-2.0"}},
	{"MPL-2.0", "Mozilla Public License 2.0", false, []string{"MPLv2.0", "MPL 2.0"}},
	{"Artistic-1.0-Perl", "Artistic License 1.0 (Perl)", false, []string{"Artistic", "Artistic-1.0"}},
	{"Artistic-2.0", "Artistic License 2.0", false, []string{"Artistic 2.0"}},
	{"Zlib", "zlib License", false, []string{"zlib"}},
	{"ISC", "ISC License", false, nil},
	{"Python-2.0", "Python License 2.0", false, []string{"Python", "PSF"}},
	{"OFL-1.1", "SIL Open Font License 1.1", false, []string{"OFL", "OFL-1.1"}},
	{"CC0-1.0", "Creative Commons Zero v1.0 Universal", false, []string{"CC0", "Public domain", "Public Domain"}},
	{"CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International", false, []string{"CC-BY-SA"}},
	{"Ruby", "Ruby License", false, nil},
	{"PHP-3.01", "PHP License v3.01", false, []string{"PHP"}},
	{"OpenSSL", "OpenSSL License", false, nil},
	{"Classpath-exception-2.0", "Classpath exception 2.0", true, nil},
	{"GCC-exception-3.1", "GCC Runtime Library exception 3.1", true, nil},
	{"LLVM-exception", "LLVM Exception", true, nil},
}

func (b *Builder) loadStatic() error {
	rs := b.table(tRepositoryStatus, colsRepositoryStatus...)
	for _, br := range sortedKeys(b.branchDates) {
		bi, ok := branchInfo[br]
		if !ok {
			continue
		}
		mirrors := `[{"name":"ftp.altlinux.org","url":"https://ftp.altlinux.org/pub/distributions/ALTLinux/` + strings.Replace(br, "sisyphus", "Sisyphus", 1) + `","type":"https"}]`
		if err := rs.Append(br, bi.start, bi.end, uint8(1), bi.ru, bi.en, mirrors,
			"https://lists.altlinux.org/mailman/listinfo/devel", bi.bugzilla); err != nil {
			return err
		}
	}
	spdx := b.table(tSPDX, colsSPDX...)
	alias := b.table(tLicenseAliases, colsLicenseAliases...)
	for _, l := range spdxLicenses {
		typ := "license"
		if l.exc {
			typ = "exception"
		}
		text := l.name + "\n\nFull text of " + l.id + " (abridged for the demo database)."
		if err := spdx.Append(l.id, l.name, text, "", []string{"https://spdx.org/licenses/" + l.id + ".html"}, typ); err != nil {
			return err
		}
		for _, a := range l.aliases {
			if err := alias.Append(a, l.id); err != nil {
				return err
			}
		}
	}
	return nil
}
