// Package testharness starts throwaway ClickHouse, Redis and NATS servers
// from installed binaries for tests: each server listens on free loopback
// ports, keeps its data in a temporary directory and is killed (with its
// directory removed) by Stop.
//
// Typical use in a test package:
//
//	func TestMain(m *testing.M) { testharness.Main(m) }
//
//	func TestX(t *testing.T) {
//		ch := testharness.SharedClickHouse(t)
//		db := ch.NewDatabase(t)
//		conn := ch.Conn(t, db)
//		...
//	}
package testharness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrMissingBinary is returned (wrapped) by the Start functions when the
// server binary is not installed.
var ErrMissingBinary = errors.New("testharness: server binary not installed")

// RequireServersEnv names the environment variable that turns a missing
// server binary into a test failure instead of a skip when set to "1".
const RequireServersEnv = "ALTREPO_REQUIRE_SERVERS"

// startTimeout bounds how long a server may take to become ready.
const startTimeout = 30 * time.Second

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freePorts returns n distinct free ports.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	seen := map[int]bool{}
	for len(ports) < n {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports, nil
}

// process is a started server process with its temporary directory.
type process struct {
	name    string
	cmd     *exec.Cmd
	dir     string
	outPath string // captured stdout+stderr
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// ownerFile names the file in a server's temporary directory that holds the
// pid of the test process owning it.
const ownerFile = "owner.pid"

// makeServerDir creates a temporary directory for a server, records the
// owning process in it and removes stale directories of test processes that
// died without stopping their servers.
func makeServerDir(kind string) (string, error) {
	removeStaleDirs(kind)
	dir, err := os.MkdirTemp("", "altrepo-"+kind+"-")
	if err != nil {
		return "", fmt.Errorf("%s temp dir: %w", kind, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("%s temp dir: %w", kind, err)
	}
	return dir, nil
}

// removeStaleDirs removes altrepo-<kind>-* directories whose owner process
// no longer exists (the servers died with it through Pdeathsig).
func removeStaleDirs(kind string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "altrepo-"+kind+"-*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

// startProcess runs bin with args in its own process group; stdout and
// stderr go to dir/<name>.out. The child is killed when the test process
// dies (Pdeathsig).
func startProcess(name, dir, bin string, args ...string) (*process, error) {
	outPath := filepath.Join(dir, name+".out")
	out, err := os.Create(outPath)
	if err != nil {
		return nil, fmt.Errorf("create %s output file: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, dir: dir, outPath: outPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	return p, nil
}

// hasExited reports whether the process has terminated.
func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// kill kills the whole process group, reaps the process and removes dir.
func (p *process) kill() error {
	p.stopOnce.Do(func() {
		if !p.hasExited() {
			// Negative pid: the whole process group.
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			_ = p.cmd.Process.Kill()
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				p.stopErr = fmt.Errorf("stop %s: process %d did not exit", p.name, p.cmd.Process.Pid)
			}
		}
		if err := os.RemoveAll(p.dir); err != nil && p.stopErr == nil {
			p.stopErr = fmt.Errorf("stop %s: remove %s: %w", p.name, p.dir, err)
		}
	})
	return p.stopErr
}

// tailFiles returns the last lines of the given files, for error messages.
func tailFiles(paths ...string) string {
	var b strings.Builder
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(&b, "\n--- %s (tail) ---\n%s", filepath.Base(path), strings.Join(lines, "\n"))
	}
	return b.String()
}

// waitReady calls probe until it succeeds, the process exits or the
// deadline passes.
func waitReady(ctx context.Context, p *process, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		if p.hasExited() {
			return fmt.Errorf("%s exited before becoming ready: %v", p.name, p.waitErr)
		}
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		last = probe(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %v", p.name, startTimeout, last)
		case <-p.exited:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lookBinary finds the first of the candidates on PATH (or as given, when it
// contains a slash). An environment override, when set, is the only
// candidate.
func lookBinary(envOverride string, candidates ...string) (string, error) {
	if v := os.Getenv(envOverride); v != "" {
		candidates = []string{v}
	}
	for _, c := range candidates {
		if path, err := exec.LookPath(c); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s found in PATH", ErrMissingBinary, strings.Join(candidates, ", "))
}

// tcpProbe returns a probe that connects to addr and checks that the first
// line the server sends after writing hello (if any) starts with want.
func tcpProbe(addr, hello, want string) func(context.Context) error {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		if dl, ok := ctx.Deadline(); ok {
			_ = c.SetDeadline(dl)
		}
		if hello != "" {
			if _, err := c.Write([]byte(hello)); err != nil {
				return err
			}
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, want) {
			return fmt.Errorf("unexpected greeting %q", strings.TrimSpace(line))
		}
		return nil
	}
}

// isBindError reports whether a failed start looks like a port clash, in
// which case the caller retries with other ports.
func isBindError(outputs ...string) bool {
	for _, path := range outputs {
		data, _ := os.ReadFile(path)
		s := strings.ToLower(string(data))
		if strings.Contains(s, "address already in use") || strings.Contains(s, "net::exception") && strings.Contains(s, "bind") {
			return true
		}
	}
	return false
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// startOnePort starts a server listening on one free loopback port, in a
// fresh temporary directory, and waits until probe(addr) succeeds. A start
// that fails on a port clash (or an early exit) is retried on another port.
func startOnePort(ctx context.Context, name, bin string, args func(dir string, port int) []string, probe func(addr string) func(context.Context) error) (*process, string, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		dir, err := makeServerDir(name)
		if err != nil {
			return nil, "", err
		}
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", err
		}
		p, err := startProcess(name, dir, bin, args(dir, port)...)
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", err
		}
		addr := hostPort(port)
		err = waitReady(ctx, p, probe(addr))
		if err == nil {
			return p, addr, nil
		}
		clash := isBindError(p.outPath)
		lastErr = fmt.Errorf("start %s: %w%s", name, err, tailFiles(p.outPath))
		_ = p.kill()
		if !clash && !strings.Contains(err.Error(), "exited") {
			break
		}
	}
	return nil, "", lastErr
}
