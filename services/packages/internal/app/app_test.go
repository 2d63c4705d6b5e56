package app

import (
	"log/slog"
	"testing"

	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/testharness"
	"altrepo/services/packages/internal/testenv"
)

// One TestMain for the package: the test environment serves this
// package's routes; shared servers stop after the tests.
func TestMain(m *testing.M) {
	testenv.NewRoutes = func(db *chdb.DB, log *slog.Logger) []*api.Route { return New(db, log).Routes() }
	testharness.Main(m)
}
