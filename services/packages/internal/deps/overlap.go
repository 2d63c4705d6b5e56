// Package deps holds the package-domain dependency algorithms of
// behavior/libs-packages.md: dependency range overlap (§3), dependency flag
// decoding (§4), the declared-conflict filter (§5), the dependency
// topological sort (§6) and the recursive build-dependency set with apt-like
// resolution of ambiguous provides (§7).
package deps

import (
	"strings"

	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/rpmver"
)

// RPM sense bits of dp_flag.
const (
	SenseLess      uint32 = 1 << 1
	SenseGreater   uint32 = 1 << 2
	SenseEqual     uint32 = 1 << 3
	SenseMask             = SenseLess | SenseGreater | SenseEqual
	senseFlagsMask uint32 = 0x0F
)

// Dep is one dependency row: name, version ("[epoch:]version[-release][:disttag]"
// or a "set:" set-version) and RPM flags.
type Dep struct {
	Name    string
	Version string
	Flags   uint32
}

// Overlap reports whether provide satisfies require (or conflict), as the
// reference's check_dependency_overlap does through ALT librpm's
// rpmRangesOverlap: the provide's own flags are ignored and taken as "=",
// the require's flags are reduced to the sense bits; a require without a
// comparison, or either side without a version, matches any provide of the
// same name; set-versions are compared by set inclusion.
func Overlap(provide, require Dep) bool {
	if provide.Name != require.Name {
		return false
	}
	aFlags := SenseEqual
	bFlags := require.Flags & senseFlagsMask
	if bFlags&SenseMask == 0 {
		return true
	}
	if provide.Version == "" || require.Version == "" {
		return true
	}
	return evrOverlap(provide.Version, aFlags, require.Version, bFlags)
}

// evr is a parsed dependency version.
type evr struct {
	epoch, version, release, disttag string
	hasEpoch, hasDisttag             bool
}

// parseEVR splits "[epoch:]version[-release[:disttag]]".
func parseEVR(s string) evr {
	var e evr
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	rest := s
	if i < len(s) && s[i] == ':' {
		e.hasEpoch = true
		e.epoch = s[:i]
		if e.epoch == "" {
			e.epoch = "0"
		}
		rest = s[i+1:]
	}
	if d := strings.LastIndexByte(rest, '-'); d >= 0 {
		e.version = rest[:d]
		e.release = rest[d+1:]
		if c := strings.IndexByte(e.release, ':'); c >= 0 {
			e.disttag = e.release[c+1:]
			e.release = e.release[:c]
			e.hasDisttag = true
		}
	} else {
		e.version = rest
	}
	return e
}

func epochPositive(e string) bool {
	for _, c := range e {
		if c != '0' {
			return true
		}
	}
	return false
}

func evrOverlap(aEVR string, aFlags uint32, bEVR string, bFlags uint32) bool {
	aset := strings.HasPrefix(aEVR, "set:")
	bset := strings.HasPrefix(bEVR, "set:")
	var sense int
	switch {
	case aset && bset:
		sense = SetCompare(aEVR, bEVR)
		if sense < -1 {
			return false
		}
	case aset || bset:
		return false
	default:
		a, b := parseEVR(aEVR), parseEVR(bEVR)
		switch {
		case a.hasEpoch && b.hasEpoch:
			sense = rpmver.Vercmp(a.epoch, b.epoch)
		case a.hasEpoch && epochPositive(a.epoch):
			sense = 1 // nopromote
		case b.hasEpoch && epochPositive(b.epoch):
			sense = -1
		}
		if sense == 0 {
			sense = rpmver.Vercmp(a.version, b.version)
			if sense == 0 && a.release != "" && b.release != "" {
				sense = rpmver.Vercmp(a.release, b.release)
				if sense == 0 && a.hasDisttag && b.hasDisttag {
					sense = rpmver.Vercmp(disttagPrefix(a.disttag), disttagPrefix(b.disttag))
				}
			}
		}
	}
	switch {
	case sense < 0:
		return aFlags&SenseGreater != 0 || bFlags&SenseLess != 0
	case sense > 0:
		return aFlags&SenseLess != 0 || bFlags&SenseGreater != 0
	}
	return (aFlags&SenseEqual != 0 && bFlags&SenseEqual != 0) ||
		(aFlags&SenseLess != 0 && bFlags&SenseLess != 0) ||
		(aFlags&SenseGreater != 0 && bFlags&SenseGreater != 0)
}

func disttagPrefix(d string) string {
	if i := strings.IndexByte(d, '+'); i >= 0 {
		return d[:i]
	}
	return d
}

var senseNames = lookup.List("rpmsense_flags")

// DecodeFlags names the bits of a dp_flag value with the rpmsense_flags
// table (§4): negative -> [], 0 -> [RPMSENSE_ANY], otherwise bit i set ->
// entry i+1, in ascending bit order (bits beyond the table are ignored).
func DecodeFlags(flag int64) []string {
	out := []string{}
	if flag < 0 {
		return out
	}
	if flag == 0 {
		return append(out, senseNames[0])
	}
	for i := 1; flag != 0 && i < len(senseNames); i++ {
		if flag&1 != 0 {
			out = append(out, senseNames[i])
		}
		flag >>= 1
	}
	return out
}
