// Package swaggerui serves Swagger UI (swagger-ui-dist, Apache-2.0, see
// assets/LICENSE) from embedded assets.
package swaggerui

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

// Assets serves the static files; mount it with the prefix stripped, e.g.
// http.StripPrefix("/swaggerui/", swaggerui.Assets()).
func Assets() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

var page = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{{.Title}}</title>
<link rel="stylesheet" type="text/css" href="{{.Assets}}swagger-ui.css">
<link rel="icon" type="image/png" href="{{.Assets}}favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="{{.Assets}}favicon-16x16.png" sizes="16x16">
<style>html{box-sizing:border-box;overflow-y:scroll}*,*:before,*:after{box-sizing:inherit}body{margin:0;background:#fafafa}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{.Assets}}swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="{{.Assets}}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script>
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: {{.Spec}},
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
</script>
</body>
</html>
`))

// Index serves the UI page. spec is the document's URL relative to the
// page (e.g. "openapi.json" for a page at /api/); assets is the URL of the
// asset folder (e.g. "/swaggerui/").
func Index(title, spec, assetsURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, struct{ Title, Spec, Assets string }{title, spec, assetsURL})
	})
}
