package app

import (
	"context"
	"fmt"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/contract"
)

// exportRoutes lists the implemented routes of the export namespace.
func (a *App) exportRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetExportBranchBinaryPackagesByBranch(), a.branchBinaryPackages),
	}
}

// Binary packages of a branch with the name of their source package in
// the same branch (” when the source is not there), ordered by arch, name.
const sqlBranchBinaryPackages = `
SELECT DISTINCT pkg_name, pkg_epoch, pkg_version, pkg_release, pkg_arch, pkg_disttag, pkg_buildtime, source
FROM (
    SELECT pkg_name, pkg_epoch, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch, pkg_disttag, pkg_buildtime, pkg_srcrpm_hash
    FROM Packages
    WHERE pkg_hash IN (
        SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 0
    ) %s
)
LEFT JOIN (
    SELECT pkg_hash AS pkg_srcrpm_hash, any(pkg_name) AS source
    FROM Packages
    WHERE pkg_hash IN (
        SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ? AND pkg_sourcepackage = 1
    )
    GROUP BY pkg_hash
) USING pkg_srcrpm_hash
ORDER BY pkg_arch, pkg_name, pkg_version, pkg_release`

// branchBinaryPackages streams every binary package of a branch.
func (a *App) branchBinaryPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	branch := r.PathString("branch")
	if err := branchCheck(r.Args, branch, lookup.List("repology_export_branches")); err != nil {
		return nil, err
	}
	archFilter, params := "", []any{branch}
	if r.Has("arch") {
		archFilter = "AND pkg_arch = ?"
		params = append(params, r.String("arch"))
	}
	params = append(params, branch)
	notFound := apierr.NotFoundMsg(fmt.Sprintf("No data found for branch '%s'", branch), r.Args)
	return a.streamList(ctx, r.Args, "packages", contract.PackagesetPackagesExportElementModel, notFound,
		"branch_binary_packages", fmt.Sprintf(sqlBranchBinaryPackages, archFilter), params...)
}
