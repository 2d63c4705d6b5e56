// Command altrepo-images serves the images domain of the ALTRepo API: image, the site image page and antivirus scans.
//
//	altrepo-images [config-file] [-listen host:port]
package main

import (
	"altrepo/libs/api"
	"altrepo/libs/server"
	"altrepo/services/images/internal/app"
)

func main() {
	server.Main(server.Spec{
		Name:        "images",
		Title:       "ALTRepo API: images",
		DefaultPort: 8084,
		Routes: func(d server.Deps) ([]*api.Route, error) {
			return app.New(d.DB, d.Log).Routes(), nil
		},
	})
}
