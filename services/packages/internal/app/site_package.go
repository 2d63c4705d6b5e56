package app

import "altrepo/libs/api"

// sitePackageRoutes lists the implemented routes of the site_package module.
func (a *App) sitePackageRoutes() []*api.Route {
	return []*api.Route{}
}
