package build

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"strconv"
	"time"

	"github.com/google/uuid"

	"altrepo/tools/internal/mmh"
)

// minBuildTime keeps pkg_hash's upper half positive (buildtime - 1e9 > 0).
const minBuildTime = 1_000_000_001

// identity is the stable identity of a package: name-epoch:version-release.arch.
func identity(name string, epoch uint32, version, release, arch string) string {
	return name + "-" + strconv.FormatUint(uint64(epoch), 10) + ":" + version + "-" + release + "." + arch
}

// pkgHash is snowflake-like: upper 32 bits buildtime-1e9, lower 32 bits a
// hash of the identity.
func pkgHash(ident string, buildtime uint32) uint64 {
	if buildtime < minBuildTime {
		buildtime = minBuildTime
	}
	return uint64(buildtime-1_000_000_000)<<32 | uint64(uint32(mmh.Hash64(ident)))
}

// digests are stand-ins for the checksums of the .rpm file, derived from the
// identity so that reruns give the same values.
type digests struct {
	cs     [20]byte // header SHA-1 (pkg_cs)
	md5    [16]byte
	sha1   [20]byte
	sha256 [32]byte
	blake  [64]byte
}

func pkgDigests(ident string) digests {
	return digests{
		cs:     sha1.Sum([]byte("header:" + ident)),
		md5:    md5.Sum([]byte(ident)),
		sha1:   sha1.Sum([]byte(ident)),
		sha256: sha256.Sum256([]byte(ident)),
		blake:  sha512.Sum512([]byte(ident)),
	}
}

var uuidNS = uuid.MustParse("6f1c3f0e-6a57-4d53-9a63-2b7d2f6b0a11")

// nodeUUID is a deterministic UUID for a package-set node.
func nodeUUID(parts ...string) uuid.UUID {
	s := ""
	for _, p := range parts {
		s += p + "\x00"
	}
	return uuid.NewSHA1(uuidNS, []byte(s))
}

// h64 is murmurHash3_64 of s (used for derived pseudo-random values).
func h64(s string) uint64 { return mmh.Hash64(s) }

// pick returns a deterministic element of list for key.
func pick[T any](key string, list []T) T { return list[h64(key)%uint64(len(list))] }

func unix(t time.Time) uint32 {
	u := t.Unix()
	if u < 0 {
		return 0
	}
	if u > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(u)
}
