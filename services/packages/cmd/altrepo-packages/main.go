// Command altrepo-packages serves the package domain of the ALTRepo API:
// package, packageset, dependencies, file, acl, license, export and the
// site package, package set and maintainer pages.
//
//	altrepo-packages [config-file] [-listen host:port]
package main

import (
	"altrepo/libs/api"
	"altrepo/libs/server"
	"altrepo/services/packages/internal/app"
)

func main() {
	server.Main(server.Spec{
		Name:        "packages",
		Title:       "ALTRepo API: packages",
		DefaultPort: 8081,
		Routes: func(d server.Deps) ([]*api.Route, error) {
			return app.New(d.DB, d.Log).Routes(), nil
		},
	})
}
