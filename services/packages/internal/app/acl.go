package app

import "altrepo/libs/api"

// aclRoutes lists the implemented routes of the acl namespace.
func (a *App) aclRoutes() []*api.Route {
	return []*api.Route{}
}
