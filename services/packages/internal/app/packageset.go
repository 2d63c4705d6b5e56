package app

import (
	"context"

	"altrepo/libs/api"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// packagesetRoutes lists the implemented routes of the packageset namespace.
func (a *App) packagesetRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetPackagesetActivePackagesets(), a.activePackagesets),
	}
}

const sqlActiveBranches = `
SELECT pkgset_name
FROM (
    SELECT toString(pkgset_name) AS pkgset_name, argMax(rs_show, ts) AS shown
    FROM RepositoryStatus
    GROUP BY pkgset_name
)
WHERE shown = 1`

// activePackagesets: branches shown by RepositoryStatus, else every known branch.
func (a *App) activePackagesets(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []struct {
		Name string `ch:"pkgset_name"`
	}
	if err := a.db.Select(ctx, "active_packagesets", &rows, sqlActiveBranches); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Name)
	}
	if len(names) == 0 {
		names = lookup.List("known_branches")
	}
	names = lookup.SortBranches(names)
	return api.OK(model.Map{"length": len(names), "packagesets": names}), nil
}
