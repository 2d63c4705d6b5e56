// Package testenv gives the packages service's tests one shared
// environment per test binary: a throwaway ClickHouse with the full schema,
// loaded by the data tool with a small subset of the real ALT corpus
// (../shared/data) or, where that is absent, synthetic data; and the
// service's HTTP handler over it.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"altrepo/deploy/schema"
	"altrepo/libs/api"
	"altrepo/libs/chdb"
	"altrepo/libs/migrate"
	"altrepo/libs/testharness"
	"altrepo/tools/seed"
)

// Limit is how many spec files per branch snapshot (and commits) the
// real-corpus load takes; ALTREPO_TEST_LIMIT overrides it.
const Limit = 400

// NewRoutes builds the service's route table; the test package's TestMain
// sets it (testenv cannot import the app package: its tests import testenv).
var NewRoutes func(db *chdb.DB, log *slog.Logger) []*api.Route

// Env is the shared environment.
type Env struct {
	DB       *chdb.DB
	Database string
	Handler  http.Handler
	// Source is "real" or "synthetic".
	Source string
	routes []*api.Route
}

// Routes is the service's route table the handler serves.
func (e *Env) Routes() []*api.Route { return e.routes }

var (
	once   sync.Once
	shared *Env
	err    error
)

// DataDir is ../shared/data relative to the repository root.
func DataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "..", "shared", "data")
}

// Get returns the shared environment, building it on first use. The test
// package's TestMain must call testharness.Main.
func Get(tb testing.TB) *Env {
	tb.Helper()
	ch := testharness.SharedClickHouse(tb)
	if NewRoutes == nil {
		tb.Fatal("testenv: NewRoutes is not set (set it in TestMain)")
	}
	once.Do(func() { shared, err = build(ch) })
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return shared
}

func build(ch *testharness.ClickHouse) (*Env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("ALTREPO_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	dbName := fmt.Sprintf("pkgs_%d", time.Now().UnixNano())
	admin, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: "default", User: "default", Tries: 1, Service: "testenv", Log: log})
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if err := admin.Exec(ctx, "create_db", "CREATE DATABASE IF NOT EXISTS "+dbName); err != nil {
		return nil, err
	}
	db, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: dbName, User: "default", Tries: 1, QueryTimeout: 5 * time.Minute, Service: "packages", Log: log})
	if err != nil {
		return nil, err
	}
	if _, err := migrate.Apply(ctx, db.Conn(), dbName, schema.Files, log); err != nil {
		return nil, fmt.Errorf("apply schema: %w", err)
	}
	source := "synthetic"
	if _, err := os.Stat(filepath.Join(DataDir(), "specs")); err == nil {
		source = "real"
	}
	limit := Limit
	if v := os.Getenv("ALTREPO_TEST_LIMIT"); v != "" {
		fmt.Sscan(v, &limit)
	}
	if _, err := seed.Load(ctx, db.Conn(), seed.Options{Source: source, DataDir: DataDir(), Limit: limit, Scale: 1, Batch: 50000, Logger: log}); err != nil {
		return nil, fmt.Errorf("load %s data: %w", source, err)
	}
	routes := NewRoutes(db, log)
	svc := &api.Service{Name: "packages", Title: "test", Version: "test", Routes: routes, Log: log, Ready: db.Ping, MapError: chdb.APIError}
	h, err := svc.Handler()
	if err != nil {
		return nil, err
	}
	return &Env{DB: db, Database: dbName, Handler: h, Source: source, routes: routes}, nil
}

// Do sends a request to the service.
func (e *Env) Do(tb testing.TB, method, url string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, url, body)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return rec
}

// Get sends a GET and decodes the JSON answer (numbers as json.Number).
func (e *Env) Get(tb testing.TB, url string) (int, map[string]any) {
	tb.Helper()
	rec := e.Do(tb, http.MethodGet, url, nil, nil)
	return rec.Code, Decode(tb, rec.Body.String())
}

// GetList sends a GET whose answer is a top-level JSON array.
func (e *Env) GetList(tb testing.TB, url string) (int, []any) {
	tb.Helper()
	rec := e.Do(tb, http.MethodGet, url, nil, nil)
	var out []any
	dec := json.NewDecoder(strings.NewReader(rec.Body.String()))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil && rec.Code == http.StatusOK {
		tb.Fatalf("GET %s: not a JSON array: %v: %.300s", url, err, rec.Body.String())
	}
	return rec.Code, out
}

// Decode parses a JSON object answer.
func Decode(tb testing.TB, body string) map[string]any {
	tb.Helper()
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		tb.Fatalf("not a JSON object: %v: %.300s", err, body)
	}
	return out
}
