package app

import "altrepo/libs/api"

// licenseRoutes lists the implemented routes of the license namespace.
func (a *App) licenseRoutes() []*api.Route {
	return []*api.Route{}
}
