package app

import "altrepo/libs/api"

// dependenciesRoutes lists the implemented routes of the dependencies namespace.
func (a *App) dependenciesRoutes() []*api.Route {
	return []*api.Route{}
}
