package testharness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseBinEnv overrides the ClickHouse binary: either a
// `clickhouse-server` binary or the single `clickhouse` binary of newer
// releases (then started as `clickhouse server`).
const ClickHouseBinEnv = "ALTREPO_CLICKHOUSE_BIN"

// ClickHouse is a throwaway ClickHouse server.
type ClickHouse struct {
	proc     *process
	addr     string
	httpAddr string

	adminOnce sync.Once
	admin     driver.Conn
	adminErr  error
}

// StartClickHouse starts clickhouse-server (18.16 Debian) or `clickhouse
// server` of newer versions on free loopback ports with a temporary data
// directory, and waits until it answers a native-protocol ping.
func StartClickHouse(ctx context.Context) (*ClickHouse, error) {
	bin, err := lookBinary(ClickHouseBinEnv, "clickhouse-server", "clickhouse")
	if err != nil {
		return nil, fmt.Errorf("clickhouse-server not installed (apt-get install clickhouse-server): %w", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		ch, err := startClickHouseOnce(ctx, bin)
		if err == nil {
			return ch, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "port clash") {
			break
		}
	}
	return nil, lastErr
}

func startClickHouseOnce(ctx context.Context, bin string) (*ClickHouse, error) {
	dir, err := makeServerDir("clickhouse")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := writeClickHouseConfig(dir, ports[0], ports[1], clickHouseMajor(bin) < 19); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var args []string
	if filepath.Base(bin) == "clickhouse" {
		args = append(args, "server")
	}
	args = append(args, "--config-file="+filepath.Join(dir, "config.xml"))
	p, err := startProcess("clickhouse", dir, bin, args...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ch := &ClickHouse{proc: p, addr: hostPort(ports[0]), httpAddr: hostPort(ports[1])}
	probe := func(ctx context.Context) error {
		conn, err := ch.open("default", 2*time.Second)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Ping(ctx)
	}
	if err := waitReady(ctx, p, probe); err != nil {
		logs := []string{p.outPath, filepath.Join(dir, "log", "clickhouse-server.err.log"), filepath.Join(dir, "log", "clickhouse-server.log")}
		clash := isBindError(logs...)
		tail := tailFiles(logs...)
		_ = p.kill()
		if clash {
			return nil, fmt.Errorf("start clickhouse (port clash): %w%s", err, tail)
		}
		return nil, fmt.Errorf("start clickhouse: %w%s", err, tail)
	}
	return ch, nil
}

// clickHouseMajor returns the major version of the server binary, or 0 when
// it cannot tell (18.16's clickhouse-server has no --version option).
func clickHouseMajor(bin string) int {
	args := []string{"--version"}
	if filepath.Base(bin) == "clickhouse" {
		args = []string{"server", "--version"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	m := versionRe.FindSubmatch(out)
	if m == nil {
		return 0
	}
	major, _ := strconv.Atoi(string(m[1]))
	return major
}

var versionRe = regexp.MustCompile(`version (\d+)\.`)

// writeClickHouseConfig writes config.xml and users.xml into dir. lowCard
// enables allow_experimental_low_cardinality_type (needed before 19.x,
// obsolete later).
func writeClickHouseConfig(dir string, tcpPort, httpPort int, lowCard bool) error {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("clickhouse dirs: %w", err)
		}
	}
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>%[1]s/log/clickhouse-server.log</log>
        <errorlog>%[1]s/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
        <console>0</console>
    </logger>
    <tcp_port>%[2]d</tcp_port>
    <http_port>%[3]d</http_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <path>%[1]s/data/</path>
    <tmp_path>%[1]s/tmp/</tmp_path>
    <user_files_path>%[1]s/user_files/</user_files_path>
    <format_schema_path>%[1]s/format_schemas/</format_schema_path>
    <users_config>%[1]s/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <flush_interval_milliseconds>500</flush_interval_milliseconds>
    </query_log>
</yandex>
`, dir, tcpPort, httpPort)
	lowCardSetting := ""
	if lowCard {
		lowCardSetting = "<allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>"
	}
	users := `<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            ` + lowCardSetting + `
            <log_queries>1</log_queries>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`
	if err := os.WriteFile(filepath.Join(dir, "config.xml"), []byte(config), 0o644); err != nil {
		return fmt.Errorf("write clickhouse config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(users), 0o644); err != nil {
		return fmt.Errorf("write clickhouse users: %w", err)
	}
	return nil
}

// Addr returns the native TCP address, "127.0.0.1:PORT".
func (c *ClickHouse) Addr() string { return c.addr }

// HTTPAddr returns the HTTP interface address, "127.0.0.1:PORT".
func (c *ClickHouse) HTTPAddr() string { return c.httpAddr }

// Dir returns the server's temporary directory (config, data, logs).
func (c *ClickHouse) Dir() string { return c.proc.dir }

// Stop kills the server and removes its temporary directory.
func (c *ClickHouse) Stop() error {
	if c.admin != nil {
		_ = c.admin.Close()
	}
	return c.proc.kill()
}

func (c *ClickHouse) open(database string, dialTimeout time.Duration) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{c.addr},
		Auth:        clickhouse.Auth{Database: database, Username: "default"},
		DialTimeout: dialTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %s/%s: %w", c.addr, database, err)
	}
	return conn, nil
}

// Open returns a new connection to database ("" = default); the caller
// closes it.
func (c *ClickHouse) Open(database string) (driver.Conn, error) {
	return c.open(database, 5*time.Second)
}

// Conn returns a connection to database that is closed at tb.Cleanup.
func (c *ClickHouse) Conn(tb testing.TB, database string) driver.Conn {
	tb.Helper()
	conn, err := c.Open(database)
	if err != nil {
		tb.Fatalf("testharness: %v", err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		conn.Close()
		tb.Fatalf("testharness: ping clickhouse %s/%s: %v", c.addr, database, err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

func (c *ClickHouse) adminConn() (driver.Conn, error) {
	c.adminOnce.Do(func() { c.admin, c.adminErr = c.Open("default") })
	return c.admin, c.adminErr
}

var dbCounter atomic.Uint64

// UniqueName returns prefix followed by a name part unique across test
// processes (pid, counter and random bytes), usable as an identifier.
func UniqueName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d_%d_%s", prefix, os.Getpid(), dbCounter.Add(1), hex.EncodeToString(b[:]))
}

// NewDatabase creates a database named test_<unique>, drops it at
// tb.Cleanup and returns its name.
func (c *ClickHouse) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := UniqueName("test_")
	admin, err := c.adminConn()
	if err != nil {
		tb.Fatalf("testharness: %v", err)
	}
	ctx := context.Background()
	if err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("testharness: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			tb.Errorf("testharness: drop database %s: %v", name, err)
		}
	})
	return name
}
