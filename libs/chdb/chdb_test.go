package chdb

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"altrepo/libs/reqid"
	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func open(t *testing.T, addr, db string) *DB {
	t.Helper()
	d, err := Open(Options{Addr: addr, Database: db, User: "default", Tries: 2, TryWait: 10 * time.Millisecond, QueryTimeout: 30 * time.Second, Service: "test", Log: slog.Default()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestQueryIDReachesClickHouse(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	dbName := ch.NewDatabase(t)
	db := open(t, ch.Addr(), dbName)
	ctx := reqid.With(context.Background(), "req-chdb-test")
	rows, err := db.Query(ctx, "probe", "SELECT number FROM system.numbers WHERE number IN ? LIMIT 2", In([]uint64{3, 5}))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for rows.Next() {
		var n uint64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 3 || got[1] != 5 {
		t.Fatalf("rows = %v", got)
	}
	// The server logs a query when it has finished it, which may be just
	// after the client saw the end of the result: flush and look again.
	var ids []struct {
		ID string `ch:"query_id"`
	}
	for i := 0; i < 50 && len(ids) == 0; i++ {
		if err := db.Exec(ctx, "flush", "SYSTEM FLUSH LOGS"); err != nil {
			t.Fatal(err)
		}
		if err := db.Select(context.Background(), "log", &ids, "SELECT DISTINCT query_id FROM system.query_log WHERE query_id LIKE 'req-chdb-test-%'"); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(ids) == 0 {
		t.Fatal("no query in system.query_log carries the request ID")
	}
}

func TestErrorsTellSQLFromUnreachable(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := open(t, ch.Addr(), "default")
	err := db.Exec(context.Background(), "bad", "SELECT no_such_column FROM system.one")
	var e *Error
	if !errors.As(err, &e) || e.Unreachable || e.Query != "bad" {
		t.Fatalf("sql error = %#v", err)
	}
	down := open(t, "127.0.0.1:1", "default")
	err = down.Exec(context.Background(), "down", "SELECT 1")
	if !errors.As(err, &e) || !e.Unreachable {
		t.Fatalf("unreachable error = %#v", err)
	}
	if !strings.Contains(err.Error(), "connection") {
		t.Errorf("message %q", err)
	}
}

func TestRecordsByColumnName(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := open(t, ch.Addr(), "default")
	recs, err := db.Records(context.Background(), "recs", "SELECT toUInt64(number) AS h, toString(number) AS s, [1, 2] AS arr FROM system.numbers LIMIT 2")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("len %d", len(recs))
	}
	h, _ := recs[1].Get("h")
	s, _ := recs[1].Get("s")
	arr, _ := recs[1].Get("arr")
	if h != uint64(1) || s != "1" || len(arr.([]uint8)) != 2 {
		t.Errorf("row = %v %v %v", h, s, arr)
	}
}
