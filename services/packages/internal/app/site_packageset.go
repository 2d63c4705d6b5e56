package app

import "altrepo/libs/api"

// sitePackagesetRoutes lists the implemented routes of the site_packageset namespace.
func (a *App) sitePackagesetRoutes() []*api.Route {
	return []*api.Route{}
}
