package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func TestRunTwice(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := testharness.UniqueName("migrate_cli_")
	admin := ch.Conn(t, "default")
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db) })

	var out bytes.Buffer
	if code := run([]string{"-addr", ch.Addr(), "-database", db}, &out); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out.String())
	}
	conn := ch.Conn(t, db)
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ? AND name IN ('Packages', 'static_last_packages')", db).Scan(&n); err != nil || n != 2 {
		t.Fatalf("tables after run: %d, %v", n, err)
	}
	out.Reset()
	if code := run([]string{"-addr", ch.Addr(), "-database", db}, &out); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "applied 0 file(s)") {
		t.Fatalf("second run applied files again:\n%s", out.String())
	}
	if code := run([]string{"-addr", ch.Addr(), "-database", "bad-name"}, &out); code == 0 {
		t.Fatal("invalid database name accepted")
	}
}
