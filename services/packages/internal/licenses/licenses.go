// Package licenses interprets RPM License: strings (libs §10): it splits a
// string into tokens, keeps the ones that are SPDX identifiers or known
// aliases, and maps aliases to their SPDX identifier. Used by
// /license/tokens, /license/info and /site/package_info.
package licenses

import (
	"context"
	"fmt"

	"altrepo/libs/chdb"
)

// Token is one recognised license token and the SPDX identifier it means.
type Token struct {
	Token   string
	License string
}

// Catalog holds the valid tokens: SPDX identifiers and aliases.
type Catalog struct {
	// Aliases maps an alias to its SPDX identifier.
	Aliases map[string]string
	// IDs is the set of SPDX identifiers.
	IDs map[string]bool
}

// NewCatalog builds a catalog from (alias, spdx_id) pairs and identifiers.
func NewCatalog(aliases map[string]string, ids []string) *Catalog {
	c := &Catalog{Aliases: map[string]string{}, IDs: map[string]bool{}}
	for a, id := range aliases {
		c.Aliases[a] = id
	}
	for _, id := range ids {
		c.IDs[id] = true
	}
	return c
}

// Valid reports whether a token is an SPDX identifier or an alias.
func (c *Catalog) Valid(tok string) bool {
	if _, ok := c.Aliases[tok]; ok {
		return true
	}
	return c.IDs[tok]
}

// Map returns the SPDX identifier of a valid token: the alias target when
// the token is an alias, the token itself otherwise.
func (c *Catalog) Map(tok string) string {
	if id, ok := c.Aliases[tok]; ok {
		return id
	}
	return tok
}

// isTokenByte reports whether b belongs to [A-Za-z0-9.+-].
func isTokenByte(b byte) bool {
	switch {
	case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9':
		return true
	case b == '.', b == '+', b == '-':
		return true
	}
	return false
}

// Split returns every maximal run of [A-Za-z0-9.+-] in s, in order.
func Split(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		if isTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// Parse recognises the license tokens of s: nothing when the first token
// is not valid; otherwise the valid tokens in order of first occurrence
// (repeats collapsed), each with its SPDX identifier.
func (c *Catalog) Parse(s string) []Token {
	toks := Split(s)
	if len(toks) == 0 || !c.Valid(toks[0]) {
		return nil
	}
	seen := map[string]bool{}
	var out []Token
	for _, t := range toks {
		if !c.Valid(t) || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, Token{Token: t, License: c.Map(t)})
	}
	return out
}

// Querier is the part of chdb.DB the loader needs.
type Querier interface {
	Select(ctx context.Context, name string, dest any, sql string, args ...any) error
}

var _ Querier = (*chdb.DB)(nil)

const (
	sqlAliases = `SELECT alias, spdx_id FROM LicenseAliases`
	sqlIDs     = `SELECT DISTINCT spdx_id FROM SPDXLicenses`
)

// Load reads the catalog from LicenseAliases and SPDXLicenses.
func Load(ctx context.Context, db Querier) (*Catalog, error) {
	var aliases []struct {
		Alias  string `ch:"alias"`
		SpdxID string `ch:"spdx_id"`
	}
	if err := db.Select(ctx, "license_aliases", &aliases, sqlAliases); err != nil {
		return nil, err
	}
	var ids []struct {
		SpdxID string `ch:"spdx_id"`
	}
	if err := db.Select(ctx, "license_spdx_ids", &ids, sqlIDs); err != nil {
		return nil, err
	}
	am := make(map[string]string, len(aliases))
	for _, a := range aliases {
		am[a.Alias] = a.SpdxID
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = id.SpdxID
	}
	return NewCatalog(am, list), nil
}

// String renders a token for debugging.
func (t Token) String() string { return fmt.Sprintf("%s=%s", t.Token, t.License) }
