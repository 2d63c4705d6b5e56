package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
)

// aclRoutes lists the implemented routes of the acl namespace.
//
// The contract documents these answers as lists, but the reference marshals
// a single dict, which flask-restx renders as one object: the routes are
// served as objects (AsList off), as the reference answers on the wire.
func (a *App) aclRoutes() []*api.Route {
	return []*api.Route{
		asObject(bind(contract.GetAclGroups(), a.aclGroups)),
		asObject(bind(contract.GetAclByPackages(), a.aclByPackages)),
		asObject(bind(contract.GetAclMaintainerGroups(), a.aclMaintainerGroups)),
	}
}

const sqlAclGroups = `
SELECT acl_for, max(acl_date) AS last_date, argMax(acl_list, acl_date) AS members
FROM Acl
WHERE acl_branch = ? AND %s
GROUP BY acl_for
ORDER BY acl_for`

type aclGroupRow struct {
	For     string    `ch:"acl_for"`
	Date    time.Time `ch:"last_date"`
	Members []string  `ch:"members"`
}

// aclGroups answers the ACL groups of a branch (or one of them).
func (a *App) aclGroups(ctx context.Context, r *api.Request) (*api.Response, error) {
	cond, params := "acl_for LIKE '@%'", []any{r.String("branch")}
	if r.Has("name") {
		cond = "acl_for = ?"
		params = append(params, "@"+strings.TrimPrefix(r.String("name"), "@"))
	}
	var rows []aclGroupRow
	if err := a.db.Select(ctx, "acl_groups", &rows, fmt.Sprintf(sqlAclGroups, cond), params...); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(msgNoDataNotFound, r.Args)
	}
	items := make([]model.Record, len(rows))
	for i, row := range rows {
		items[i] = model.Map{"group": row.For, "date": row.Date, "maintainers": aclNonNil(row.Members)}
	}
	return api.OK(listBody(r.Args, "groups", items)), nil
}

const sqlAclByPackages = `
SELECT argMax(acl_for, acl_date) AS name, max(acl_date) AS updated, argMax(acl_list, acl_date) AS members
FROM Acl
WHERE acl_branch = ? AND acl_for IN ?
GROUP BY acl_for, acl_branch
ORDER BY name`

// aclByPackages answers the ACL members of source packages; never 404.
func (a *App) aclByPackages(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []struct {
		Name    string    `ch:"name"`
		Updated time.Time `ch:"updated"`
		Members []string  `ch:"members"`
	}
	branch := r.String("branch")
	if err := a.db.Select(ctx, "acl_by_packages", &rows, sqlAclByPackages, branch, inStrings(r.Strings("packages_names"))); err != nil {
		return nil, err
	}
	items := make([]model.Record, len(rows))
	for i, row := range rows {
		items[i] = model.Map{"name": row.Name, "updated": row.Updated, "members": aclNonNil(row.Members)}
	}
	return api.OK(model.Map{"branch": branch, "packages": items}), nil
}

const sqlAclMaintainerGroups = `
SELECT acl_branch, arraySort(groupArray(acl_for)) AS acl_groups
FROM last_acl
WHERE acl_for LIKE '@%%' AND has(acl_list, ?) %s
GROUP BY acl_branch
ORDER BY acl_branch`

// aclMaintainerGroups answers the ACL groups a maintainer belongs to, per
// branch; never 404.
func (a *App) aclMaintainerGroups(ctx context.Context, r *api.Request) (*api.Response, error) {
	nick := r.String("nickname")
	cond, params := "", []any{nick}
	if r.Has("branch") {
		cond = "AND acl_branch IN ?"
		params = append(params, inStrings(r.Strings("branch")))
	}
	var rows []struct {
		Branch string   `ch:"acl_branch"`
		Groups []string `ch:"acl_groups"`
	}
	if err := a.db.Select(ctx, "acl_maintainer_groups", &rows, fmt.Sprintf(sqlAclMaintainerGroups, cond), params...); err != nil {
		return nil, err
	}
	items := make([]model.Record, len(rows))
	for i, row := range rows {
		items[i] = model.Map{"name": row.Branch, "groups": aclNonNil(row.Groups)}
	}
	return api.OK(model.Map{"nickname": nick, "branches": items}), nil
}

// aclNonNil turns nil into an empty list (rendered [] rather than null).
func aclNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
