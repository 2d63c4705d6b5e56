package chdb

import (
	"context"
	"testing"

	"altrepo/libs/testharness"
)

// Array(LowCardinality(String)) columns (Packages.pkg_buildarchs) decode.
func TestArrayOfLowCardinality(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	dbName := ch.NewDatabase(t)
	db := open(t, ch.Addr(), dbName)
	ctx := context.Background()
	if err := db.Exec(ctx, "create", "CREATE TABLE lc (a Array(LowCardinality(String)), s LowCardinality(String)) ENGINE = Memory"); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "insert", "INSERT INTO lc SELECT ['x86_64', 'noarch'], 'y'"); err != nil {
		t.Fatal(err)
	}
	recs, err := db.Records(ctx, "read", "SELECT a, s FROM lc")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := recs[0].Get("a")
	if got, ok := a.([]string); !ok || len(got) != 2 || got[1] != "noarch" {
		t.Errorf("a = %#v", a)
	}
}
