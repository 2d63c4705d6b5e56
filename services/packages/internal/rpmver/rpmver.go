// Package rpmver compares RPM versions the way ALT Linux rpm does
// (behavior/libs-packages.md §2): rpmvercmp with ALT's tilde handling and
// "letters are newer than digits" rule, and the epoch/version/release/
// disttag comparison of rpmEVRDTCompare.
package rpmver

import "strings"

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// Vercmp compares two version (or release) strings segment by segment and
// returns -1 when a is older than b, 0 when they are equal and +1 when a is
// newer. Separators (anything but ASCII letters, digits and '~') are
// skipped; a '~' sorts before everything, even the end of the string;
// numeric segments compare as numbers, alphabetic ones bytewise; where the
// segment types differ the alphabetic one is newer; when all segments are
// equal the string with characters left is newer.
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' {
			j++
		}
		ta := i < len(a) && a[i] == '~'
		tb := j < len(b) && b[j] == '~'
		if ta || tb {
			if !tb {
				return -1
			}
			if !ta {
				return 1
			}
			i++
			j++
			continue
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		numeric := isDigit(a[i])
		class := isAlpha
		if numeric {
			class = isDigit
		}
		si, sj := i, j
		for i < len(a) && class(a[i]) {
			i++
		}
		for j < len(b) && class(b[j]) {
			j++
		}
		if sj == j {
			// b's segment is of the other type.
			if numeric {
				return -1
			}
			return 1
		}
		sa, sb := a[si:i], b[sj:j]
		if numeric {
			sa = strings.TrimLeft(sa, "0")
			sb = strings.TrimLeft(sb, "0")
			if len(sa) != len(sb) {
				if len(sa) > len(sb) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i < len(a):
		return 1
	}
	return -1
}

// EVR is one side of a package version comparison. A nil Epoch counts as 0;
// Disttag is compared only by its part before the first '+'.
type EVR struct {
	Epoch   *int64
	Version string
	Release string
	Disttag string
}

// Epoch is a convenience for building an EVR with an epoch.
func Epoch(n int64) *int64 { return &n }

// Compare orders two package versions as ALT's rpmEVRDTCompare does when
// no build times are given: epoch numerically, then version and release
// with Vercmp, then the disttag prefixes (before '+') with Vercmp. It
// returns -1, 0 or +1.
func Compare(a, b EVR) int {
	var ea, eb int64
	if a.Epoch != nil {
		ea = *a.Epoch
	}
	if b.Epoch != nil {
		eb = *b.Epoch
	}
	switch {
	case ea < eb:
		return -1
	case ea > eb:
		return 1
	}
	if c := Vercmp(a.Version, b.Version); c != 0 {
		return c
	}
	if c := Vercmp(a.Release, b.Release); c != 0 {
		return c
	}
	return Vercmp(disttagPrefix(a.Disttag), disttagPrefix(b.Disttag))
}

func disttagPrefix(d string) string {
	if i := strings.IndexByte(d, '+'); i >= 0 {
		return d[:i]
	}
	return d
}

// LessOrEqual compares bare versions (no epoch, release or disttag): it
// reports v1 <= v2, or v1 < v2 when strict.
func LessOrEqual(v1, v2 string, strict bool) bool {
	c := Compare(EVR{Version: v1}, EVR{Version: v2})
	if strict {
		return c < 0
	}
	return c < 1
}
