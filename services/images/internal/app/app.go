// Package app holds the images service: its route table, handlers and their
// ClickHouse queries. Its endpoints are not implemented yet: the table is
// empty, so the service answers only its operational endpoints and its
// OpenAPI fragment lists no path.
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
func New(db *chdb.DB, log *slog.Logger) *App { return &App{db: db, log: log} }

// Routes is the service's table of implemented routes.
func (a *App) Routes() []*api.Route { return nil }
