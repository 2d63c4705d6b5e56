package spec

import (
	"strconv"
	"strings"
)

// maxExpand bounds the size of one expansion result (protects against
// self-referencing or exponential macros).
const (
	maxExpand = 64 << 10
	maxDepth  = 12
)

// builtinMacros are the ALT rpm-build path macros (and a few helpers).
// Arch-dependent directories use the LibDir/Lib sentinels.
var builtinMacros = map[string]string{
	"nil":                       "",
	"ubt":                       "",
	"ubt_id":                    "",
	"buildroot":                 "",
	"_prefix":                   "/usr",
	"_exec_prefix":              "/usr",
	"_bindir":                   "/usr/bin",
	"_sbindir":                  "/usr/sbin",
	"_libdir":                   LibDir,
	"_lib":                      Lib,
	"_libexecdir":               "/usr/libexec",
	"_datadir":                  "/usr/share",
	"_sysconfdir":               "/etc",
	"_localstatedir":            "/var/lib",
	"_sharedstatedir":           "/var/lib",
	"_var":                      "/var",
	"_logdir":                   "/var/log",
	"_cachedir":                 "/var/cache",
	"_runtimedir":               "/var/run",
	"_spooldir":                 "/var/spool",
	"_lockdir":                  "/var/lock",
	"_mandir":                   "/usr/share/man",
	"_man1dir":                  "/usr/share/man/man1",
	"_man2dir":                  "/usr/share/man/man2",
	"_man3dir":                  "/usr/share/man/man3",
	"_man4dir":                  "/usr/share/man/man4",
	"_man5dir":                  "/usr/share/man/man5",
	"_man6dir":                  "/usr/share/man/man6",
	"_man7dir":                  "/usr/share/man/man7",
	"_man8dir":                  "/usr/share/man/man8",
	"_infodir":                  "/usr/share/info",
	"_docdir":                   "/usr/share/doc",
	"_defaultdocdir":            "/usr/share/doc",
	"_includedir":               "/usr/include",
	"_oldincludedir":            "/usr/include",
	"_initdir":                  "/etc/rc.d/init.d",
	"_initrddir":                "/etc/rc.d/init.d",
	"_unitdir":                  "/lib/systemd/system",
	"_userunitdir":              "/usr/lib/systemd/user",
	"_presetdir":                "/lib/systemd/system-preset",
	"_tmpfilesdir":              "/lib/tmpfiles.d",
	"_sysctldir":                "/lib/sysctl.d",
	"_udevrulesdir":             "/lib/udev/rules.d",
	"_modulesloaddir":           "/lib/modules-load.d",
	"_desktopdir":               "/usr/share/applications",
	"_pixmapsdir":               "/usr/share/pixmaps",
	"_iconsdir":                 "/usr/share/icons",
	"_niconsdir":                "/usr/share/icons/hicolor/16x16/apps",
	"_miconsdir":                "/usr/share/icons/hicolor/32x32/apps",
	"_liconsdir":                "/usr/share/icons/hicolor/48x48/apps",
	"_localedir":                "/usr/share/locale",
	"_pkgconfigdir":             LibDir + "/pkgconfig",
	"_datadir_pkgconfigdir":     "/usr/share/pkgconfig",
	"_rpmlibdir":                "/usr/lib/rpm",
	"_rpmmacrosdir":             "/usr/lib/rpm/macros.d",
	"_typelibdir":               LibDir + "/girepository-1.0",
	"_girdir":                   "/usr/share/gir-1.0",
	"_aclocaldir":               "/usr/share/aclocal",
	"_emacslispdir":             "/usr/share/emacs/site-lisp",
	"_fontsdir":                 "/usr/share/fonts",
	"_sounddir":                 "/usr/share/sounds",
	"_gtk_docdir":               "/usr/share/gtk-doc/html",
	"_javadir":                  "/usr/share/java",
	"_javadocdir":               "/usr/share/javadoc",
	"_mavenpomdir":              "/usr/share/maven-poms",
	"_xdgconfigdir":             "/etc/xdg",
	"_sysconfigdir":             "/etc/sysconfig",
	"_altdir":                   "/etc/alternatives/packages.d",
	"_kde5_bindir":              "/usr/lib/kf5/bin",
	"_qt5_bindir":               "/usr/lib/qt5/bin",
	"_qt5_plugindir":            LibDir + "/qt5/plugins",
	"_qt5_datadir":              "/usr/share/qt5",
	"python3_sitelibdir":        LibDir + "/python3/site-packages",
	"python3_sitelibdir_noarch": "/usr/lib/python3/site-packages",
	"python_sitelibdir":         LibDir + "/python2.7/site-packages",
	"python_sitelibdir_noarch":  "/usr/lib/python2.7/site-packages",
	"perl_vendor_privlib":       "/usr/share/perl5",
	"perl_vendor_archlib":       LibDir + "/perl5",
	"perl_vendor_autolib":       LibDir + "/perl5/auto",
	"ruby_gemslibdir":           "/usr/lib/ruby/gems/3.1.0/gems",
	"ruby_gemsdocdir":           "/usr/share/doc/gems",
	"ruby_gemsspecdir":          "/usr/lib/ruby/gems/3.1.0/specifications",
	"go_path":                   "/usr/lib/golang",
	"lua_modulesdir":            "/usr/share/lua/5.1",
	"_bashcompdir":              "/usr/share/bash-completion/completions",
	"_vendor":                   "alt",
	"_target_os":                "linux",
	"_arch":                     "x86_64",
	"_target_cpu":               "x86_64",
	"ix86":                      "i386 i486 i586 i686",
	"arm":                       "armh armv7l",
	"x86_64":                    "x86_64",
	"EVR":                       "%{?epoch:%epoch:}%version-%release",
	"pkgdocdir":                 "/usr/share/doc/%name-%version",
	"__python3":                 "/usr/bin/python3",
	"__install":                 "install",
	"__mkdir_p":                 "mkdir -p",
	"_smp_mflags":               "-j2",
}

// macros holds the macro table of one parse.
type macros struct {
	m map[string]string
}

func newMacros() *macros {
	m := make(map[string]string, len(builtinMacros)+32)
	for k, v := range builtinMacros {
		m[k] = v
	}
	return &macros{m: m}
}

func (mc *macros) define(name, value string) {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	if name == "" {
		return
	}
	mc.m[name] = value
}

func (mc *macros) defined(name string) bool {
	_, ok := mc.m[name]
	return ok
}

func isNameByte(c byte, first bool) bool {
	if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
		return true
	}
	return !first && c >= '0' && c <= '9'
}

// expand expands macros in s. Unknown macros are left as text.
func (mc *macros) expand(s string) string {
	return mc.expandDepth(s, 0)
}

func (mc *macros) expandDepth(s string, depth int) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if depth > maxDepth {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		if b.Len() > maxExpand {
			break
		}
		c := s[i]
		if c != '%' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		n := s[i+1]
		switch {
		case n == '%':
			b.WriteByte('%')
			i += 2
		case n == '{':
			end := matchBrace(s, i+1, '{', '}')
			if end < 0 {
				b.WriteString(s[i:])
				i = len(s)
				continue
			}
			inner := s[i+2 : end]
			b.WriteString(mc.expandBraced(inner, s[i:end+1], depth))
			i = end + 1
		case n == '(':
			end := matchBrace(s, i+1, '(', ')')
			if end < 0 {
				b.WriteString(s[i:])
				i = len(s)
				continue
			}
			b.WriteString(s[i : end+1])
			i = end + 1
		case isNameByte(n, true):
			j := i + 1
			for j < len(s) && isNameByte(s[j], false) {
				j++
			}
			name := s[i+1 : j]
			if v, ok := mc.m[name]; ok {
				b.WriteString(mc.expandDepth(v, depth+1))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// expandBraced handles the body of %{...}.
func (mc *macros) expandBraced(inner, raw string, depth int) string {
	cond, neg := false, false
	for len(inner) > 0 && (inner[0] == '?' || inner[0] == '!') {
		if inner[0] == '?' {
			cond = true
		} else {
			neg = true
		}
		inner = inner[1:]
	}
	name, arg, hasArg := inner, "", false
	if i := strings.IndexByte(inner, ':'); i >= 0 {
		name, arg, hasArg = inner[:i], inner[i+1:], true
	}
	if !cond {
		// %{name} or %{name args}: expand a known macro, keep unknown text.
		fn := name
		if i := strings.IndexAny(fn, " \t"); i >= 0 {
			fn = fn[:i]
		}
		if v, ok := mc.m[fn]; ok && !hasArg {
			return mc.expandDepth(v, depth+1)
		}
		return raw
	}
	def := mc.defined(name)
	if neg {
		def = !def
	}
	if !def {
		return ""
	}
	if hasArg {
		return mc.expandDepth(arg, depth+1)
	}
	if neg {
		return ""
	}
	return mc.expandDepth(mc.m[name], depth+1)
}

// matchBrace returns the index of the closing bracket matching s[open].
func matchBrace(s string, open int, ob, cb byte) int {
	level := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case ob:
			level++
		case cb:
			level--
			if level == 0 {
				return i
			}
		}
	}
	return -1
}

// evalCond evaluates an %if expression leniently: numbers are true when
// non-zero, ==/!=/</>/<=/>= compare numbers or strings, && and || combine,
// anything else is true unless empty.
func evalCond(expr string) bool {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return false
	}
	if parts := strings.Split(expr, "||"); len(parts) > 1 {
		for _, p := range parts {
			if evalCond(p) {
				return true
			}
		}
		return false
	}
	if parts := strings.Split(expr, "&&"); len(parts) > 1 {
		for _, p := range parts {
			if !evalCond(p) {
				return false
			}
		}
		return true
	}
	for strings.HasPrefix(expr, "(") && strings.HasSuffix(expr, ")") && len(expr) >= 2 {
		expr = strings.TrimSpace(expr[1 : len(expr)-1])
	}
	if strings.HasPrefix(expr, "!") && !strings.HasPrefix(expr, "!=") {
		return !evalCond(expr[1:])
	}
	for _, op := range []string{"==", "!=", ">=", "<=", ">", "<"} {
		if i := strings.Index(expr, op); i >= 0 {
			l := unquote(strings.TrimSpace(expr[:i]))
			r := unquote(strings.TrimSpace(expr[i+len(op):]))
			cmp := compareValues(l, r)
			switch op {
			case "==":
				return cmp == 0
			case "!=":
				return cmp != 0
			case ">=":
				return cmp >= 0
			case "<=":
				return cmp <= 0
			case ">":
				return cmp > 0
			default:
				return cmp < 0
			}
		}
	}
	if n, err := strconv.ParseInt(expr, 10, 64); err == nil {
		return n != 0
	}
	return true
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func compareValues(a, b string) int {
	ai, errA := strconv.ParseInt(a, 10, 64)
	bi, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}
