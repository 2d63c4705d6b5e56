// Package app holds the packages service: its route table (bound to the
// contract's route declarations in internal/contract), the handlers and
// their ClickHouse queries (the sql_*.go files: this service's query module).
package app

import (
	"log/slog"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
)

// App carries what the handlers share.
type App struct {
	db  *chdb.DB
	log *slog.Logger
}

// New returns the service's handlers.
func New(db *chdb.DB, log *slog.Logger) *App {
	return &App{db: db, log: log}
}

// Routes is the service's table: every implemented route of its namespaces.
func (a *App) Routes() []*api.Route {
	var out []*api.Route
	for _, part := range [][]*api.Route{
		a.packageRoutes(),
		a.packageMoreRoutes(),
		a.packageDepsRoutes(),
		a.packagesetRoutes(),
		a.dependenciesRoutes(),
		a.fileRoutes(),
		a.aclRoutes(),
		a.licenseRoutes(),
		a.exportRoutes(),
		a.sitePackageRoutes(),
		a.sitePackagesetRoutes(),
		a.sitePkgsetInfoRoutes(),
		a.siteMaintainerRoutes(),
	} {
		out = append(out, part...)
	}
	return out
}

// bind attaches a handler to a contract route.
func bind(rt *api.Route, h api.Handler) *api.Route {
	rt.Handler = h
	return rt
}
