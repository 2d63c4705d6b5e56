package deps

import (
	"context"

	"altrepo/libs/chdb"
)

// BranchSource is the BuildSource of a branch's current state
// (static_last_packages) read from ClickHouse.
type BranchSource struct {
	db     *chdb.DB
	branch string
	// binaries of the branch in the arch list
	binaries map[uint64]bool
}

const sqlBranchBinariesInArchs = `
SELECT pkg_hash FROM Packages
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)
  AND pkg_sourcepackage = 0 AND pkg_arch IN ?`

// NewBranchSource loads the binary packages of branch in archs.
func NewBranchSource(ctx context.Context, db *chdb.DB, branch string, archs []string) (*BranchSource, error) {
	var rows []struct {
		Hash uint64 `ch:"pkg_hash"`
	}
	if err := db.Select(ctx, "build_dependency_set_binaries", &rows, sqlBranchBinariesInArchs, branch, chdb.In(archs)); err != nil {
		return nil, err
	}
	s := &BranchSource{db: db, branch: branch, binaries: make(map[uint64]bool, len(rows))}
	for _, r := range rows {
		s.binaries[r.Hash] = true
	}
	return s, nil
}

type depRow struct {
	Hash    uint64 `ch:"pkg_hash"`
	Name    string `ch:"dp_name"`
	Version string `ch:"dp_version"`
	Flag    uint32 `ch:"dp_flag"`
}

const sqlBuildRequires = `
SELECT DISTINCT pkg_hash, dp_name, dp_version, dp_flag FROM Depends
WHERE pkg_hash IN ? AND toString(dp_type) = 'require' AND NOT (dp_name LIKE 'rpmlib%')`

// Requires implements BuildSource.
func (s *BranchSource) Requires(ctx context.Context, hashes []uint64) (map[uint64][]Dep, error) {
	out := map[uint64][]Dep{}
	if len(hashes) == 0 {
		return out, nil
	}
	var rows []depRow
	if err := SelectIn(ctx, s.db, "build_dependency_set_requires", &rows, sqlBuildRequires, hashes, ListArg); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Hash] = append(out[r.Hash], Dep{Name: r.Name, Version: r.Version, Flags: r.Flag})
	}
	return out, nil
}

const sqlBuildProviders = `
SELECT DISTINCT pkg_hash, dp_name, dp_version, dp_flag FROM Depends
WHERE toString(dp_type) = 'provide' AND dp_name IN ?
  AND pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0)`

// Providers implements BuildSource.
func (s *BranchSource) Providers(ctx context.Context, names []string) (map[uint64][]Dep, error) {
	out := map[uint64][]Dep{}
	if len(names) == 0 {
		return out, nil
	}
	var rows []depRow
	if err := SelectIn(ctx, s.db, "build_dependency_set_providers", &rows, sqlBuildProviders, names, ListArg, s.branch); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if s.binaries[r.Hash] {
			out[r.Hash] = append(out[r.Hash], Dep{Name: r.Name, Version: r.Version, Flags: r.Flag})
		}
	}
	return out, nil
}

const sqlBuildNames = `
SELECT pkg_hash, pkg_name, srcname
FROM (SELECT pkg_hash, pkg_name, pkg_srcrpm_hash FROM Packages WHERE pkg_hash IN ?)
LEFT JOIN (
    SELECT pkg_hash AS pkg_srcrpm_hash, any(pkg_name) AS srcname FROM Packages
    WHERE pkg_hash IN (SELECT pkg_srcrpm_hash FROM Packages WHERE pkg_hash IN ?)
    GROUP BY pkg_hash
) USING pkg_srcrpm_hash
ORDER BY pkg_hash`

// Names implements BuildSource.
func (s *BranchSource) Names(ctx context.Context, hashes []uint64) ([]ProviderName, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	var rows []struct {
		Hash   uint64 `ch:"pkg_hash"`
		Name   string `ch:"pkg_name"`
		Source string `ch:"srcname"`
	}
	if err := SelectIn(ctx, s.db, "build_dependency_set_names", &rows, sqlBuildNames, hashes, ListArg, ListArg); err != nil {
		return nil, err
	}
	out := make([]ProviderName, len(rows))
	for i, r := range rows {
		out[i] = ProviderName{Hash: r.Hash, Name: r.Name, Source: r.Source}
	}
	return out, nil
}
