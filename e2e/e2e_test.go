package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"altrepo/deploy/schema"
	"altrepo/libs/chdb"
	"altrepo/libs/migrate"
	"altrepo/libs/testharness"
	"altrepo/tools/seed"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// stack is the running suite.
type stack struct {
	gateway string
	db      *chdb.DB
}

func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func start(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("--- %s log (tail) ---\n%s", name, tail(string(b), 3000))
		}
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", url)
}

func up(t *testing.T) *stack {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode")
	}
	ch := testharness.SharedClickHouse(t)
	ctx := context.Background()
	dbName := ch.NewDatabase(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := chdb.Open(chdb.Options{Addr: ch.Addr(), Database: dbName, User: "default", Service: "e2e", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := migrate.Apply(ctx, db.Conn(), dbName, schema.Files, log); err != nil {
		t.Fatal(err)
	}
	source := "synthetic"
	dataDir := filepath.Join(root(), "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dataDir, "specs")); err == nil {
		source = "real"
	}
	if _, err := seed.Load(ctx, db.Conn(), seed.Options{Source: source, DataDir: dataDir, Limit: 200, Scale: 1}); err != nil {
		t.Fatalf("seed: %v", err)
	}

	bin := t.TempDir()
	pkgs := build(t, bin, "./services/packages/cmd/altrepo-packages")
	gw := build(t, bin, "./gateway/cmd/altrepo-gateway")
	host, port, _ := net.SplitHostPort(ch.Addr())
	pkgPort, gwPort := freePort(t), freePort(t)
	conf := filepath.Join(t.TempDir(), "api.conf")
	// Services that are not started here (tasks, bugs, images, auth) point
	// at a closed port: the gateway answers 502 for them.
	closed := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	err = os.WriteFile(conf, []byte(fmt.Sprintf(`[DATABASE]
HOST = %s
PORT = %s
NAME = %s
[OTHER]
LOG_LEVEL = DEBUG
SQL_DEBUG = true
[SERVICES]
PACKAGES = http://127.0.0.1:%d
TASKS = %s
BUGS = %s
IMAGES = %s
AUTH = %s
`, host, port, dbName, pkgPort, closed, closed, closed, closed)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	start(t, "packages", pkgs, conf, "-listen", fmt.Sprintf("127.0.0.1:%d", pkgPort))
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", pkgPort))
	start(t, "gateway", gw, conf, "-listen", fmt.Sprintf("127.0.0.1:%d", gwPort))
	base := fmt.Sprintf("http://127.0.0.1:%d", gwPort)
	waitHTTP(t, base+"/api/version")
	return &stack{gateway: base, db: db}
}

func getJSON(t *testing.T, url string, hdr map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %.300s", url, resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, out
}

func TestFirstSliceThroughGateway(t *testing.T) {
	s := up(t)
	ctx := context.Background()

	// active_packagesets
	code, _, body := getJSON(t, s.gateway+"/api/packageset/active_packagesets", nil)
	if code != 200 || body["length"] == nil {
		t.Fatalf("active_packagesets: %d %v", code, body)
	}

	// all_pkgsets: the branches loaded by the data tool.
	code, _, body = getJSON(t, s.gateway+"/api/site/all_pkgsets", nil)
	if code != 200 {
		t.Fatalf("all_pkgsets: %d %v", code, body)
	}
	branches := body["branches"].([]any)
	if len(branches) == 0 || branches[0].(map[string]any)["branch"] != "sisyphus" {
		t.Fatalf("all_pkgsets branches = %v", branches)
	}

	// package_info of a binary package picked from the database.
	var pick []struct {
		Name    string `ch:"pkg_name"`
		Version string `ch:"pkg_version"`
		Arch    string `ch:"pkg_arch"`
	}
	if err := s.db.Select(ctx, "pick", &pick, "SELECT pkg_name, pkg_version, toString(pkg_arch) AS pkg_arch FROM last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 0 AND pkg_arch = 'x86_64' LIMIT 1"); err != nil || len(pick) == 0 {
		t.Fatalf("pick a package: %v %v", err, pick)
	}
	p := pick[0]
	code, hdr, body := getJSON(t, fmt.Sprintf("%s/api/package/package_info?name=%s&branch=sisyphus", s.gateway, p.Name), map[string]string{"X-Request-ID": "e2e-req-1"})
	if code != 200 {
		t.Fatalf("package_info: %d %v", code, body)
	}
	if hdr.Get("X-Request-ID") != "e2e-req-1" {
		t.Errorf("request ID not echoed: %q", hdr.Get("X-Request-ID"))
	}
	pk := body["packages"].([]any)[0].(map[string]any)
	if pk["name"] != p.Name || pk["version"] != p.Version || pk["arch"] != "x86_64" {
		t.Errorf("package_info package = %v, want %+v", pk, p)
	}
	// The request ID reached ClickHouse as the query_id prefix.
	// The server logs a query once finished: flush and look again a while.
	var ids []struct {
		N uint64 `ch:"n"`
	}
	var err error
	for i := 0; i < 50; i++ {
		_ = s.db.Exec(ctx, "flush", "SYSTEM FLUSH LOGS")
		ids = nil
		err = s.db.Select(ctx, "qlog", &ids, "SELECT count() AS n FROM system.query_log WHERE query_id LIKE 'e2e-req-1-%'")
		if err != nil || (len(ids) > 0 && ids[0].N > 0) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || len(ids) == 0 || ids[0].N == 0 {
		t.Errorf("query_id with the request ID not found in system.query_log: %v %v", err, ids)
	}

	// 400 and 404 through the gateway.
	code, _, body = getJSON(t, s.gateway+"/api/package/package_info?name=x&branch=nope", nil)
	if code != 400 || body["message"] != "Input payload validation failed" {
		t.Errorf("bad params: %d %v", code, body)
	}
	code, _, body = getJSON(t, s.gateway+"/api/package/package_info?name=no-such-package-zz", nil)
	if code != 404 {
		t.Errorf("unknown package: %d %v", code, body)
	}
	code, _, body = getJSON(t, s.gateway+"/api/package/package_info?name=bash&bogus=1", nil)
	if code != 400 || body["message"] != "Unknown arguments: bogus" {
		t.Errorf("unknown argument: %d %v", code, body)
	}

	// export/branch_binary_packages streams every binary of the branch.
	resp, err := http.Get(s.gateway + "/api/export/branch_binary_packages/sisyphus?arch=x86_64")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Length   int              `json:"length"`
		Packages []map[string]any `json:"packages"`
	}
	err = json.NewDecoder(bufio.NewReader(resp.Body)).Decode(&exp)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || exp.Length == 0 || exp.Length != len(exp.Packages) {
		t.Fatalf("branch_binary_packages: %d %v length=%d n=%d", resp.StatusCode, err, exp.Length, len(exp.Packages))
	}
	for _, p := range exp.Packages {
		if p["arch"] != "x86_64" {
			t.Fatalf("arch filter ignored: %v", p)
		}
	}
	code, _, body = getJSON(t, s.gateway+"/api/export/branch_binary_packages/p5", nil)
	if code != 400 || body["message"] != "Request parameters validation error" {
		t.Errorf("export unknown branch: %d %v", code, body)
	}

	// site/package_info of a source package of the branch.
	var src []struct {
		Hash uint64 `ch:"pkg_hash"`
		Name string `ch:"pkg_name"`
	}
	if err := s.db.Select(ctx, "pick_src", &src, "SELECT pkg_hash, pkg_name FROM static_last_packages WHERE pkgset_name = 'sisyphus' AND pkg_sourcepackage = 1 ORDER BY pkg_name LIMIT 1"); err != nil || len(src) == 0 {
		t.Fatalf("pick a source package: %v %v", err, src)
	}
	code, _, body = getJSON(t, fmt.Sprintf("%s/api/site/package_info/%d?branch=sisyphus", s.gateway, src[0].Hash), nil)
	if code != 200 || body["name"] != src[0].Name || body["pkghash"] != fmt.Sprint(src[0].Hash) || body["arch"] != "src" {
		t.Errorf("site package_info: %d %v", code, body)
	}
	if code, _, _ = getJSON(t, fmt.Sprintf("%s/api/site/package_info/%d?branch=sisyphus&changelog_last=0", s.gateway, src[0].Hash), nil); code != 400 {
		t.Errorf("site package_info changelog_last=0: %d", code)
	}
	if code, _, _ = getJSON(t, s.gateway+"/api/site/package_info/1?branch=sisyphus", nil); code != 404 {
		t.Errorf("site package_info unknown hash: %d", code)
	}
	if code, _, _ = getJSON(t, s.gateway+"/api/site/package_info/abc?branch=sisyphus", nil); code != 404 {
		t.Errorf("site package_info non-numeric hash: %d", code)
	}

	// A service that is down answers 502 with a JSON body.
	code, _, body = getJSON(t, s.gateway+"/api/task/task_info/1", nil)
	if code != 502 || body["message"] == nil {
		t.Errorf("down service: %d %v", code, body)
	}

	// The merged OpenAPI document lists the implemented routes only.
	code, _, body = getJSON(t, s.gateway+"/api/openapi.json", nil)
	if code != 200 {
		t.Fatalf("openapi: %d", code)
	}
	paths := body["paths"].(map[string]any)
	for _, p := range []string{"/api/package/package_info", "/api/site/all_pkgsets", "/api/site/package_info/{pkghash}", "/api/export/branch_binary_packages/{branch}"} {
		if paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
}
