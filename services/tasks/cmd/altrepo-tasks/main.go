// Command altrepo-tasks serves the tasks domain of the ALTRepo API: task, task progress and the site task pages.
//
//	altrepo-tasks [config-file] [-listen host:port]
package main

import (
	"altrepo/libs/api"
	"altrepo/libs/server"
	"altrepo/services/tasks/internal/app"
)

func main() {
	server.Main(server.Spec{
		Name:        "tasks",
		Title:       "ALTRepo API: tasks",
		DefaultPort: 8082,
		Routes: func(d server.Deps) ([]*api.Route, error) {
			return app.New(d.DB, d.Log).Routes(), nil
		},
	})
}
