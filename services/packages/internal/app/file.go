package app

import "altrepo/libs/api"

// fileRoutes lists the implemented routes of the file namespace.
func (a *App) fileRoutes() []*api.Route {
	return []*api.Route{}
}
