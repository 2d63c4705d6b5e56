// Package root serves the routes the reference declares on the
// application and its two API objects: the redirect at /, version, ping
// and license.
package root

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"

	"altrepo/gateway/internal/httpx"
)

// Versions of the two APIs as the reference reports them.
const (
	APITitle          = "ALTRepo API"
	APIVersion        = "1.24.7"
	APIDescription    = "altrepo API v1"
	ManageTitle       = "ALTRepo vulnerability management API"
	ManageVersion     = "0.5.6"
	ManageDescription = "ALTRepo API v1"
)

// License is the project's license text (GNU AGPL v3), a copy of the
// repository's LICENSE file.
//
//go:embed LICENSE
var License []byte

var (
	licenseETag = func() string {
		sum := sha256.Sum256(License)
		return `"` + hex.EncodeToString(sum[:8]) + `"`
	}()
	// licenseTime is the process start: the embedded file has no mtime.
	licenseTime = time.Now().UTC().Truncate(time.Second)
)

// Redirect answers 302 to /api/.
func Redirect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/", http.StatusFound)
	})
}

// Version serves the API descriptor.
func Version(title, version, description string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, struct {
			Name        string `json:"name"`
			Version     string `json:"version"`
			Description string `json:"description"`
		}{title, version, description})
	})
}

// Ping answers {"message": "pong"}.
func Ping() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.Message(w, http.StatusOK, "pong")
	})
}

// LicenseText serves the license as text/plain with the usual static-file
// behavior (ETag, Last-Modified, conditional GET, ranges).
func LicenseText() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", "inline; filename=LICENSE")
		w.Header().Set("ETag", licenseETag)
		http.ServeContent(w, r, "LICENSE", licenseTime, bytes.NewReader(License))
	})
}

// Paths documents the gateway's own routes for the merged OpenAPI document
// (ping stays hidden, as in the reference).
func Paths() map[string]any {
	version := func(tag, summary string) map[string]any {
		return map[string]any{"get": map[string]any{
			"tags": []any{tag}, "summary": summary, "operationId": "get_" + tag + "_version",
			"responses": map[string]any{"200": map[string]any{
				"description": "Success",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"name": map[string]any{"type": "string"}, "version": map[string]any{"type": "string"},
						"description": map[string]any{"type": "string"},
					},
				}}},
			}},
		}}
	}
	license := func(tag string) map[string]any {
		return map[string]any{"get": map[string]any{
			"tags": []any{tag}, "summary": "Get license text", "operationId": "get_" + tag + "_license",
			"responses": map[string]any{"200": map[string]any{
				"description": "Success",
				"content":     map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}},
			}},
		}}
	}
	return map[string]any{
		"/api/version":    version("api", "Get API version"),
		"/api/license":    license("api"),
		"/manage/version": version("manage", "Get management API version"),
		"/manage/license": license("manage"),
	}
}
