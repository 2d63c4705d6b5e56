package main

import (
	"bytes"
	"os"
	"testing"

	"altrepo/gateway/internal/contract"
)

// TestCommittedTableIsCurrent fails when requirements_gen.go is out of
// date with endpoints.json (run go generate ./internal/security).
func TestCommittedTableIsCurrent(t *testing.T) {
	path, ok := contract.Find()
	if !ok {
		t.Skip("shared/contract/endpoints.json not present")
	}
	eps, err := contract.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := generate(eps)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../requirements_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("requirements_gen.go differs from the generator's output; run go generate ./internal/security")
	}
}
