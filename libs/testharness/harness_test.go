package testharness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { Main(m) }

func TestClickHouseSharedQuery(t *testing.T) {
	ch := SharedClickHouse(t)
	db := ch.NewDatabase(t)
	if !strings.HasPrefix(db, "test_") {
		t.Fatalf("database name %q lacks test_ prefix", db)
	}
	conn := ch.Conn(t, db)
	ctx := context.Background()

	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatalf("select version: %v", err)
	}
	if version == "" {
		t.Fatal("empty version")
	}
	var current string
	if err := conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&current); err != nil {
		t.Fatalf("select currentDatabase: %v", err)
	}
	if current != db {
		t.Fatalf("currentDatabase = %q, want %q", current, db)
	}

	// LowCardinality needs the profile setting on 18.16.
	if err := conn.Exec(ctx, "CREATE TABLE t (k LowCardinality(String), v UInt64) ENGINE = MergeTree ORDER BY v"); err != nil {
		t.Fatalf("create LowCardinality table: %v", err)
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO t (k, v)")
	if err != nil {
		t.Fatalf("prepare batch: %v", err)
	}
	for i := uint64(1); i <= 3; i++ {
		if err := batch.Append("x", i); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatalf("send: %v", err)
	}
	var sum uint64
	if err := conn.QueryRow(ctx, "SELECT sum(v) FROM t WHERE k IN ?", clickhouse.GroupSet{Value: []any{"x", "y"}}).Scan(&sum); err != nil {
		t.Fatalf("select sum: %v", err)
	}
	if sum != 6 {
		t.Fatalf("sum = %d, want 6", sum)
	}

	var epoch string
	if err := conn.QueryRow(ctx, "SELECT toString(toDateTime(86400))").Scan(&epoch); err != nil {
		t.Fatalf("select epoch: %v", err)
	}
	if epoch != "1970-01-02 00:00:00" {
		t.Fatalf("server time zone is not UTC: epoch renders as %q", epoch)
	}
}

func TestClickHouseQueryLog(t *testing.T) {
	ch := SharedClickHouse(t)
	conn := ch.Conn(t, "default")
	queryID := UniqueName("harness-query-")
	ctx := clickhouse.Context(context.Background(), clickhouse.WithQueryID(queryID))
	var one uint8
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("select 1: %v", err)
	}
	if err := conn.Exec(context.Background(), "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatalf("flush logs: %v", err)
	}
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.query_log WHERE query_id = ?", queryID).Scan(&n); err != nil {
		t.Fatalf("query query_log: %v", err)
	}
	if n == 0 {
		t.Fatalf("query_id %q not found in system.query_log", queryID)
	}
}

func TestClickHouseDatabasesDropped(t *testing.T) {
	ch := SharedClickHouse(t)
	var name string
	t.Run("create", func(t *testing.T) {
		name = ch.NewDatabase(t)
	})
	conn := ch.Conn(t, "default")
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.databases WHERE name = ?", name).Scan(&n); err != nil {
		t.Fatalf("query databases: %v", err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test's cleanup", name)
	}
}

func TestClickHouseStartStop(t *testing.T) {
	ch, err := StartClickHouse(context.Background())
	if errors.Is(err, ErrMissingBinary) && !RequireServers() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := ch.Dir()
	conn, err := ch.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	conn.Close()
	if err := ch.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := ch.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temp dir %s still exists after Stop (err=%v)", dir, err)
	}
	c, err := net.DialTimeout("tcp", ch.Addr(), time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("server still accepts connections at %s after Stop", ch.Addr())
	}
}

func TestRedisPing(t *testing.T) {
	r := SharedRedis(t)
	client := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer client.Close()
	ctx := context.Background()
	pong, err := client.Ping(ctx).Result()
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	if pong != "PONG" {
		t.Fatalf("ping = %q", pong)
	}
	if err := client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("set: %v", err)
	}
	got, err := client.Get(ctx, "k").Result()
	if err != nil || got != "v" {
		t.Fatalf("get = %q, %v", got, err)
	}
}

func TestNATSPublishSubscribe(t *testing.T) {
	n := SharedNATS(t)
	nc, err := nats.Connect(n.URL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer nc.Close()
	sub, err := nc.SubscribeSync("harness.test")
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if err := nc.Publish("harness.test", []byte("hello")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	msg, err := sub.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatalf("next msg: %v", err)
	}
	if string(msg.Data) != "hello" {
		t.Fatalf("got %q", msg.Data)
	}
	js, err := nc.JetStream()
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("jetstream account info: %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	t.Setenv(RedisBinEnv, "/nonexistent/redis-server-for-test")
	_, err := StartRedis(context.Background())
	if !errors.Is(err, ErrMissingBinary) {
		t.Fatalf("err = %v, want ErrMissingBinary", err)
	}
}

// recordingTB records Skipf/Fatalf instead of stopping the goroutine.
type recordingTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordingTB) Helper()                           {}
func (r *recordingTB) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }
func (r *recordingTB) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestSharedMissingBinarySkipsOrFails(t *testing.T) {
	start := func(context.Context) (*Redis, error) {
		return nil, fmt.Errorf("redis-server not installed: %w", ErrMissingBinary)
	}
	stop := func(*Redis) error { return nil }

	t.Setenv(RequireServersEnv, "")
	rec := &recordingTB{TB: t}
	var s shared[Redis]
	getShared(rec, &s, start, stop)
	if rec.skipped == "" || rec.failed != "" {
		t.Fatalf("without %s: skipped %q failed %q, want a skip", RequireServersEnv, rec.skipped, rec.failed)
	}

	t.Setenv(RequireServersEnv, "1")
	rec = &recordingTB{TB: t}
	var s2 shared[Redis]
	getShared(rec, &s2, start, stop)
	if rec.failed == "" || rec.skipped != "" {
		t.Fatalf("with %s=1: skipped %q failed %q, want a failure", RequireServersEnv, rec.skipped, rec.failed)
	}
}

func TestClickHouseMajor(t *testing.T) {
	dir := t.TempDir()
	newer := dir + "/clickhouse-server"
	if err := os.WriteFile(newer, []byte("#!/bin/sh\necho 'ClickHouse server version 24.8.4.13 (official build).'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := clickHouseMajor(newer); got != 24 {
		t.Fatalf("major of a 24.8 binary = %d", got)
	}
	old := dir + "/old-clickhouse-server"
	if err := os.WriteFile(old, []byte("#!/bin/sh\necho 'Unknown option specified: version' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := clickHouseMajor(old); got != 0 {
		t.Fatalf("major of an 18.16-like binary = %d, want 0", got)
	}
}

func TestRemoveStaleDirs(t *testing.T) {
	stale, err := os.MkdirTemp("", "altrepo-testkind-")
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp("", "altrepo-testkind-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)
	defer os.RemoveAll(stale)
	// A pid far above any pid_max in use is not a live process.
	if err := os.WriteFile(stale+"/"+ownerFile, []byte("2147483000"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(live+"/"+ownerFile, []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
		t.Fatal(err)
	}
	removeStaleDirs("testkind")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale dir %s not removed (%v)", stale, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("live dir removed: %v", err)
	}
}

func TestClickHouseStartFailureReportsLog(t *testing.T) {
	bin := t.TempDir() + "/clickhouse-server"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'DB::Exception: broken config for the test' >&2\nexit 70\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ClickHouseBinEnv, bin)
	ch, err := StartClickHouse(context.Background())
	if err == nil {
		ch.Stop()
		t.Fatal("start succeeded with a failing binary")
	}
	if !strings.Contains(err.Error(), "broken config for the test") {
		t.Fatalf("error lacks the server output: %v", err)
	}
}
