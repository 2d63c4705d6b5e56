package app

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"altrepo/services/packages/internal/licenses"
	"altrepo/services/packages/internal/testenv"
)

// licenseAlias picks an alias whose target is an SPDX license of the data.
func licenseAlias(t *testing.T, env *testenv.Env) (alias, id string) {
	t.Helper()
	var rows []struct {
		Alias string `ch:"alias"`
		ID    string `ch:"spdx_id"`
	}
	if err := env.DB.Select(context.Background(), "pick", &rows, `
		SELECT alias, spdx_id FROM LicenseAliases
		WHERE spdx_id IN (SELECT spdx_id FROM SPDXLicenses WHERE spdx_type = 'license') AND match(alias, '^[A-Za-z0-9.+-]+$')
		ORDER BY alias LIMIT 1`); err != nil || len(rows) == 0 {
		t.Fatalf("no alias: %v", err)
	}
	return rows[0].Alias, rows[0].ID
}

func TestLicenseTokens(t *testing.T) {
	env := testenv.Get(t)
	alias, id := licenseAlias(t, env)
	cat, err := licenses.Load(context.Background(), env.DB)
	if err != nil {
		t.Fatal(err)
	}
	s := alias + " and (" + id + " or Unknown-Thing) and " + alias
	body := getOK(t, env, "/api/license/tokens?license="+url.QueryEscape(s))
	var got []string
	for _, e := range body["tokens"].([]any) {
		m := e.(map[string]any)
		got = append(got, fmt.Sprint(m["token"], "=", m["license"]))
	}
	var want []string
	for _, tok := range cat.Parse(s) {
		want = append(want, tok.Token+"="+tok.License)
	}
	if !slices.Equal(got, want) || got[0] != alias+"="+id || fmt.Sprint(body["length"]) != fmt.Sprint(len(want)) {
		t.Errorf("tokens %v, want %v", got, want)
	}
	expectCodesMsg(t, env, "No valid license tokens found", map[string]int{
		"/api/license/tokens?license=" + url.QueryEscape("Unknown-Thing and "+id): 404,
		"/api/license/tokens?license=" + url.QueryEscape("()"):                    404,
		"/api/license/tokens?license=" + url.QueryEscape("GPL; rm"):               400,
		"/api/license/tokens": 400,
	})
}

func TestLicenseInfo(t *testing.T) {
	env := testenv.Get(t)
	alias, id := licenseAlias(t, env)
	var rows []struct {
		Name   string   `ch:"spdx_name"`
		Text   string   `ch:"spdx_text"`
		Header string   `ch:"spdx_header"`
		URLs   []string `ch:"spdx_urls"`
	}
	if err := env.DB.Select(context.Background(), "row", &rows, `SELECT spdx_name, spdx_text, spdx_header, spdx_urls FROM SPDXLicenses WHERE spdx_id = ? LIMIT 1`, id); err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	code, body := env.Get(t, "/api/license/info?license="+url.QueryEscape(alias+" or MIT"))
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	if body["id"] != id || body["name"] != rows[0].Name || body["text"] != rows[0].Text || body["type"] != "license" ||
		body["header"] != rows[0].Header || body["comment"] != "" || len(body["urls"].([]any)) != len(rows[0].URLs) {
		t.Errorf("body %v, want %s %+v", body, id, rows[0])
	}
	// an exception: its header is the comment
	var exc []struct {
		ID     string `ch:"spdx_id"`
		Header string `ch:"spdx_header"`
	}
	if err := env.DB.Select(context.Background(), "exc", &exc, `SELECT spdx_id, spdx_header FROM SPDXLicenses WHERE spdx_type = 'exception' AND spdx_id NOT IN (SELECT alias FROM LicenseAliases) LIMIT 1`); err == nil && len(exc) > 0 {
		code, body = env.Get(t, "/api/license/info?license="+url.QueryEscape(exc[0].ID))
		if code != 200 || body["type"] != "exception" || body["header"] != "" || body["comment"] != exc[0].Header {
			t.Errorf("exception: %d %v", code, body)
		}
	}
	// a valid token without an SPDX row: an alias whose target is unknown
	var orphan []struct {
		Alias string `ch:"alias"`
	}
	if err := env.DB.Select(context.Background(), "orphan", &orphan, `SELECT alias FROM LicenseAliases WHERE spdx_id NOT IN (SELECT spdx_id FROM SPDXLicenses) AND match(alias, '^[A-Za-z0-9.+-]+$') LIMIT 1`); err == nil && len(orphan) > 0 {
		if code, body := env.Get(t, "/api/license/info?license="+url.QueryEscape(orphan[0].Alias)); code != 404 || body["message"] != "No data not found in database" {
			t.Errorf("no SPDX row: %d %v", code, body)
		}
	}
	expectCodes(t, env, map[string]int{
		"/api/license/info?license=Unknown-Thing":             404,
		"/api/license/info?license=" + url.QueryEscape("a;b"): 400,
		"/api/license/info":                                   400,
		"/api/license/info?license=MIT&x=1":                   400,
	})
}
