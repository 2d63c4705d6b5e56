// Package contract reads the reference implementation's endpoint list
// (shared/contract/endpoints.json) for the security table generator and for
// tests that cross-check the gateway's tables against it.
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// EnvPath names the environment variable that points at endpoints.json.
const EnvPath = "ALTREPO_CONTRACT_ENDPOINTS"

// Endpoint holds the endpoints.json fields the gateway uses.
type Endpoint struct {
	Module string `json:"module"`
	API    string `json:"api"`
	Path   string `json:"path"`
	Method string `json:"method"`
	Auth   *Auth  `json:"auth"`
}

// Auth is an endpoint's authentication requirement.
type Auth struct {
	Required     bool    `json:"required"`
	Decorator    string  `json:"decorator"`
	Scheme       string  `json:"scheme"`
	Role         *string `json:"role"`
	ValidateRole bool    `json:"validate_role"`
	AdminOnly    bool    `json:"admin_only"`
	RoleSetting  string  `json:"role_setting"`
}

// Load parses an endpoints.json file.
func Load(path string) ([]Endpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	var eps []Endpoint
	if err := json.Unmarshal(b, &eps); err != nil {
		return nil, fmt.Errorf("contract: parse %s: %w", path, err)
	}
	return eps, nil
}

// Find locates endpoints.json: $ALTREPO_CONTRACT_ENDPOINTS, else the
// shared/contract folder next to the repository (searched upwards from
// the working directory), else /work/shared/contract. ok is false when
// none exists (tests then skip).
func Find() (string, bool) {
	if p := os.Getenv(EnvPath); p != "" {
		return p, true
	}
	var candidates []string
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			candidates = append(candidates, filepath.Join(dir, "shared", "contract", "endpoints.json"))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	candidates = append(candidates, "/work/shared/contract/endpoints.json")
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, true
		} else if !errors.Is(err, fs.ErrNotExist) {
			continue
		}
	}
	return "", false
}

// ServiceOf is the service intended to own each upstream module; the
// root modules are served by the gateway itself ("gateway").
var ServiceOf = map[string]string{
	"api_root":         "gateway",
	"manage_root":      "gateway",
	"auth":             "auth",
	"task":             "tasks",
	"task_progress":    "tasks",
	"site_task":        "tasks",
	"package":          "packages",
	"packageset":       "packages",
	"acl":              "packages",
	"dependencies":     "packages",
	"file":             "packages",
	"export":           "packages",
	"license":          "packages",
	"site_package":     "packages",
	"site_pkgset_info": "packages",
	"site_maintainer":  "packages",
	"site_packageset":  "packages",
	"bug":              "bugs",
	"errata":           "bugs",
	"vulnerabilities":  "bugs",
	"management":       "bugs",
	"image":            "images",
	"site_image":       "images",
	"av_scan":          "images",
}

// LoadForTest returns the contract's endpoints, skipping the test when
// endpoints.json is not present and failing it when it cannot be read.
func LoadForTest(tb testing.TB) []Endpoint {
	tb.Helper()
	path, ok := Find()
	if !ok {
		tb.Skip("shared/contract/endpoints.json not present")
	}
	eps, err := Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return eps
}
