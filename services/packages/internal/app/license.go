package app

import (
	"context"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/services/packages/internal/contract"
	"altrepo/services/packages/internal/licenses"
)

// licenseRoutes lists the implemented routes of the license namespace.
func (a *App) licenseRoutes() []*api.Route {
	return []*api.Route{
		bind(contract.GetLicenseTokens(), a.licenseTokens),
		bind(contract.GetLicenseInfo(), a.licenseInfo),
	}
}

const msgLicenseNoTokens = "No valid license tokens found"

// licenseParse recognises the tokens of the request's license string; the
// catalog is read only when the string has tokens at all.
func (a *App) licenseParse(ctx context.Context, r *api.Request) ([]licenses.Token, error) {
	s := r.String("license")
	if len(licenses.Split(s)) == 0 {
		return nil, apierr.NotFoundMsg(msgLicenseNoTokens, r.Args)
	}
	cat, err := licenses.Load(ctx, a.db)
	if err != nil {
		return nil, err
	}
	toks := cat.Parse(s)
	if len(toks) == 0 {
		return nil, apierr.NotFoundMsg(msgLicenseNoTokens, r.Args)
	}
	return toks, nil
}

// licenseTokens answers the recognised tokens of a license string.
func (a *App) licenseTokens(ctx context.Context, r *api.Request) (*api.Response, error) {
	toks, err := a.licenseParse(ctx, r)
	if err != nil {
		return nil, err
	}
	items := make([]model.Record, len(toks))
	for i, t := range toks {
		items[i] = model.Map{"token": t.Token, "license": t.License}
	}
	return api.OK(listBody(r.Args, "tokens", items)), nil
}

const sqlLicenseNsInfo = `
SELECT spdx_id, spdx_name, spdx_text, spdx_header, spdx_urls, toString(spdx_type) AS spdx_type
FROM SPDXLicenses
WHERE spdx_id = ?
LIMIT 1`

// licenseInfo answers the SPDX details of the first token of a license string.
func (a *App) licenseInfo(ctx context.Context, r *api.Request) (*api.Response, error) {
	toks, err := a.licenseParse(ctx, r)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID     string   `ch:"spdx_id"`
		Name   string   `ch:"spdx_name"`
		Text   string   `ch:"spdx_text"`
		Header string   `ch:"spdx_header"`
		URLs   []string `ch:"spdx_urls"`
		Type   string   `ch:"spdx_type"`
	}
	if err := a.db.Select(ctx, "license_info", &rows, sqlLicenseNsInfo, toks[0].License); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg(msgNoDataNotFound, r.Args)
	}
	row := rows[0]
	header, comment := "", ""
	switch row.Type {
	case "license":
		header = row.Header
	case "exception":
		comment = row.Header
	}
	urls := row.URLs
	if urls == nil {
		urls = []string{}
	}
	return api.OK(model.Map{
		"request_args": r.Args, "id": row.ID, "name": row.Name, "text": row.Text,
		"type": row.Type, "header": header, "comment": comment, "urls": urls,
	}), nil
}
