// Command altrepo-bugs serves the bugs domain of the ALTRepo API: bug, errata, vulnerabilities and their management.
//
//	altrepo-bugs [config-file] [-listen host:port]
package main

import (
	"altrepo/libs/api"
	"altrepo/libs/server"
	"altrepo/services/bugs/internal/app"
)

func main() {
	server.Main(server.Spec{
		Name:        "bugs",
		Title:       "ALTRepo API: bugs",
		DefaultPort: 8083,
		Routes: func(d server.Deps) ([]*api.Route, error) {
			return app.New(d.DB, d.Log).Routes(), nil
		},
	})
}
