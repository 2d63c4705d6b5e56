package deps

import "strings"

// ALT rpm set-versions ("set:" + two parameter characters + a base62 text
// of Golomb-Rice coded, delta-encoded sorted hash values; ALT rpm
// lib/set.c). Written from the format description, not from its code.

// base62Value maps '0'-'9', 'a'-'z', 'A'-'Z' to 0..61, anything else to -1.
func base62Value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 36
	}
	return -1
}

// bitReader holds decoded bits, least significant first per character.
type bitReader struct {
	bits []byte
}

func (b *bitReader) put(v, n int) {
	for i := 0; i < n; i++ {
		b.bits = append(b.bits, byte(v>>i)&1)
	}
}

// decodeBase62 unpacks the alphanumeric text into bits: each character is
// 6 bits; 'Z' (61) is an escape whose following character carries, in its
// bits 4-5, whether the value was 61, 62 or 63, and 4 more regular bits.
func decodeBase62(s string) ([]byte, bool) {
	var br bitReader
	for i := 0; i < len(s); i++ {
		v := base62Value(s[i])
		if v < 0 {
			return nil, false
		}
		if v < 61 {
			br.put(v, 6)
			continue
		}
		i++
		if i >= len(s) {
			return nil, false
		}
		w := base62Value(s[i])
		if w < 0 {
			return nil, false
		}
		switch w & 48 {
		case 0:
		case 16:
			v, w = 62, w&^16
		case 32:
			v, w = 63, w&^32
		default:
			return nil, false
		}
		br.put(v, 6)
		br.put(w, 4)
	}
	return br.bits, true
}

// decodeGolomb reads Golomb-Rice values: a unary quotient (zeros ended by
// a one) then mshift low bits. Up to 5 trailing zero bits pad the text.
func decodeGolomb(bits []byte, mshift int) ([]uint32, bool) {
	var out []uint32
	i := 0
	for i < len(bits) {
		var q uint32
		var bit byte
		for i < len(bits) {
			bit = bits[i]
			i++
			if bit == 0 {
				q++
			} else {
				break
			}
		}
		if i == len(bits) && bit == 0 {
			if q > 5 {
				return nil, false
			}
			break
		}
		if len(bits)-i < mshift {
			return nil, false
		}
		var r uint32
		for k := 0; k < mshift; k++ {
			if bits[i] != 0 {
				r |= 1 << k
			}
			i++
		}
		out = append(out, q<<mshift|r)
	}
	return out, true
}

// decodeSet parses a set-version into its bits-per-value and sorted values.
func decodeSet(s string) (bpp int, vals []uint32, ok bool) {
	s = strings.TrimPrefix(s, "set:")
	if len(s) < 3 {
		return 0, nil, false
	}
	bpp = int(s[0]) + 7 - 'a'
	mshift := int(s[1]) + 7 - 'a'
	if bpp < 10 || bpp > 32 || mshift < 7 || mshift > 31 || mshift >= bpp {
		return 0, nil, false
	}
	bits, ok := decodeBase62(s[2:])
	if !ok {
		return 0, nil, false
	}
	vals, ok = decodeGolomb(bits, mshift)
	if !ok {
		return 0, nil, false
	}
	for i := 1; i < len(vals); i++ {
		vals[i] += vals[i-1]
	}
	return bpp, vals, true
}

// downsample folds a set of (bpp+1)-bit values into bpp bits: the values
// with the high bit set lose it and are merged into the others.
func downsample(v []uint32, bpp int) []uint32 {
	mask := uint32(1)<<bpp - 1
	u := 0
	for u < len(v) && v[u] <= mask {
		u++
	}
	lo, hi := v[:u], v[u:]
	out := make([]uint32, 0, len(v))
	i, j := 0, 0
	for i < len(lo) && j < len(hi) {
		a, b := lo[i], hi[j]&mask
		switch {
		case a < b:
			out = append(out, a)
			i++
		case b < a:
			out = append(out, b)
			j++
		default:
			out = append(out, a)
			i++
			j++
		}
	}
	out = append(out, lo[i:]...)
	for ; j < len(hi); j++ {
		out = append(out, hi[j]&mask)
	}
	return out
}

// SetCompare compares a provided set-version with a required one: 0 equal
// sets, 1 the provide is a strict superset, -1 a strict subset, -2 neither,
// -3 / -4 the provide / require cannot be decoded. Sets of different
// precision are compared after reducing the finer one.
func SetCompare(provide, require string) int {
	bpp1, v1, ok := decodeSet(provide)
	if !ok {
		return -3
	}
	bpp2, v2, ok := decodeSet(require)
	if !ok {
		return -4
	}
	for bpp1 > bpp2 {
		bpp1--
		v1 = downsample(v1, bpp1)
	}
	for bpp2 > bpp1 {
		bpp2--
		v2 = downsample(v2, bpp2)
	}
	ge, le := true, true
	i, j := 0, 0
	for i < len(v1) && j < len(v2) {
		switch {
		case v1[i] < v2[j]:
			le = false
			i++
		case v1[i] == v2[j]:
			i++
			j++
		default:
			ge = false
			j++
		}
	}
	if i < len(v1) {
		le = false
	}
	if j < len(v2) {
		ge = false
	}
	switch {
	case le && ge:
		return 0
	case ge:
		return 1
	case le:
		return -1
	}
	return -2
}
