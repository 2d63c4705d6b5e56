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
	eps := contract.LoadForTest(t)
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
