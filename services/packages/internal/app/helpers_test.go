package app

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"altrepo/deploy/schema"
	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/migrate"
	"altrepo/libs/testharness"
	"altrepo/services/packages/internal/testenv"
)

// Test helpers shared by the namespaces' tests.

// expectCodes checks the status code of each GET url.
func expectCodes(t *testing.T, env *testenv.Env, cases map[string]int) {
	t.Helper()
	for url, want := range cases {
		if code, body := env.Get(t, url); code != want {
			t.Errorf("%s: %d %v, want %d", url, code, body, want)
		}
	}
}

// expectCodesMsg is expectCodes that also checks the message of the 404 answers.
func expectCodesMsg(t *testing.T, env *testenv.Env, notFoundMsg string, cases map[string]int) {
	t.Helper()
	for url, want := range cases {
		if code, body := env.Get(t, url); code != want {
			t.Errorf("%s: %d %v, want %d", url, code, body, want)
		} else if want == 404 && body["message"] != notFoundMsg {
			t.Errorf("%s: %v", url, body)
		}
	}
}

// dbSelect runs a discovery query into dest (a slice of tagged structs);
// an error fails the test.
func dbSelect(t testing.TB, env *testenv.Env, dest any, sql string, args ...any) {
	t.Helper()
	if err := env.DB.Select(context.Background(), "test", dest, sql, args...); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// pickRow returns the first row of a discovery query (fails the test when none).
func pickRow[T any](t testing.TB, env *testenv.Env, sql string, args ...any) T {
	t.Helper()
	var rows []T
	if err := env.DB.Select(context.Background(), "test_pick", &rows, sql, args...); err != nil {
		t.Fatalf("pick: %v", err)
	}
	if len(rows) == 0 {
		t.Fatalf("pick: no rows for %s", sql)
	}
	return rows[0]
}

// decodeJSON parses any JSON value, numbers as json.Number.
func decodeJSON(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v: %.300s", err, s)
	}
	return v
}

// fixtureDB is an empty database with the full schema and an inserter.
func fixtureDB(t *testing.T) (*chdb.DB, func(sql string, rows ...[]any)) {
	t.Helper()
	ch := testharness.SharedClickHouse(t)
	dbName := ch.NewDatabase(t)
	if _, err := migrate.Apply(context.Background(), ch.Conn(t, dbName), dbName, schema.Files, nil); err != nil {
		t.Fatal(err)
	}
	db, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: dbName, User: "default", Tries: 1, Service: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, inserter(t, db)
}

// inserter returns a function inserting rows in one batch (sql is the
// INSERT statement without VALUES); an error fails the test.
func inserter(t *testing.T, db *chdb.DB) func(sql string, rows ...[]any) {
	return func(sql string, rows ...[]any) {
		t.Helper()
		b, err := db.Batch(context.Background(), "t", sql)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := b.Append(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
}

// fixtureGet serves the routes over db (a fixture database) and returns a
// GET function answering (status, decoded JSON object).
func fixtureGet(t *testing.T, db *chdb.DB) func(url string) (int, map[string]any) {
	t.Helper()
	svc := &api.Service{Name: "t", Routes: New(db, nil).Routes(), MapError: chdb.APIError}
	h, err := svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	return func(url string) (int, map[string]any) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec.Code, testenv.Decode(t, rec.Body.String())
	}
}

// getOK answers the decoded body of a GET url that must succeed (200).
func getOK(t *testing.T, env *testenv.Env, url string) map[string]any {
	t.Helper()
	code, body := env.Get(t, url)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	return body
}

// getStatus answers the decoded body of a GET url that must answer want.
func getStatus(t *testing.T, env *testenv.Env, want int, url string) map[string]any {
	t.Helper()
	code, body := env.Get(t, url)
	if code != want {
		t.Fatalf("GET %s = %d, want %d: %v", url, code, want, body)
	}
	return body
}

// objectList returns body[key] as a list of objects.
func objectList(t *testing.T, body map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := body[key].([]any)
	if !ok {
		t.Fatalf("%s is not a list: %v", key, body[key])
	}
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("%s element is not an object: %v", key, r)
		}
		out = append(out, m)
	}
	return out
}

// drainRows runs a query and reads every row (the raw ClickHouse side of the
// benchmarks); it returns the row count.
func drainRows(db *chdb.DB, sql string, args ...any) (int, error) {
	rows, err := db.Query(context.Background(), "bench_raw", sql, args...)
	if err != nil {
		return 0, err
	}
	sc := chdb.NewScanner(rows)
	n := 0
	for rows.Next() {
		if _, err := sc.Row(rows); err != nil {
			rows.Close()
			return n, err
		}
		n++
	}
	return n, rows.Close()
}
