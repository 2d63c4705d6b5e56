package app

import (
	"context"

	"altrepo/libs/api"
	"altrepo/libs/lookup"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// sitePkgsetInfoRoutes lists the implemented routes of the site_pkgset_info module.
func (a *App) sitePkgsetInfoRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetSiteAllPkgsets(), a.allPkgsets),
	}
}

const sqlAllBranches = `SELECT DISTINCT toString(pkgset_name) AS pkgset_name FROM lv_pkgset_stat`

// allPkgsets: every branch with a loaded snapshot, in display order.
func (a *App) allPkgsets(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []struct {
		Name string `ch:"pkgset_name"`
	}
	if err := a.db.Select(ctx, "all_pkgsets", &rows, sqlAllBranches); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Name)
	}
	branches := []model.Record{}
	for _, b := range lookup.SortBranches(names) {
		branches = append(branches, model.Map{"branch": b, "count": 0})
	}
	return api.OK(model.Map{"length": len(branches), "branches": branches}), nil
}
