package app

import "altrepo/libs/api"

// siteMaintainerRoutes lists the implemented routes of the site_maintainer namespace.
func (a *App) siteMaintainerRoutes() []*api.Route {
	return []*api.Route{}
}
