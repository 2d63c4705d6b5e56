package app

import (
	"sort"
	"testing"

	"altrepo/services/packages/internal/contract"
)

// Every contract route of the service's namespaces is served, and nothing
// else is.
func TestEveryContractRouteIsServed(t *testing.T) {
	served := map[string]bool{}
	for _, rt := range New(nil, nil).Routes() {
		key := rt.Method + " " + rt.Path
		if served[key] {
			t.Errorf("%s bound twice", key)
		}
		served[key] = true
		if _, ok := contract.All[key]; !ok {
			t.Errorf("%s is not a contract route", key)
		}
		if rt.Handler == nil {
			t.Errorf("%s has no handler", key)
		}
	}
	var missing []string
	for key := range contract.All {
		if !served[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d contract routes not served: %v", len(missing), len(contract.All), missing)
	}
}
