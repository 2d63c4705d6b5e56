// Package ldaptest starts a throwaway OpenLDAP slapd (Debian packages
// slapd and ldap-utils' schemas) on a free loopback port for tests, with
// the memberof overlay and a small demo directory.
//
// A missing slapd binary skips the test unless ALTREPO_REQUIRE_SERVERS=1.
package ldaptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Directory layout of the demo tree.
const (
	Suffix       = "dc=example,dc=org"
	RootDN       = "cn=admin," + Suffix
	RootPassword = "root-secret"
	UserSearch   = "uid=%(user)s,ou=people," + Suffix
	RequireGroup = "cn=%(group)s,ou=groups," + Suffix
)

// User of the demo directory. Groups are group CNs.
type User struct {
	UID, Password, DisplayName string
	Groups                     []string
}

// DemoUsers: alice is a CVE expert, carol only an API admin, bob in no
// group, dave in cve-admins (listed in the group but memberOf-less when the
// overlay is missing, which exercises the compare fallback).
var DemoUsers = []User{
	{UID: "alice", Password: "alice-pass", DisplayName: "Алиса Expert", Groups: []string{"cve-experts"}},
	{UID: "bob", Password: "bob-pass", DisplayName: "Bob Nobody"},
	{UID: "carol", Password: "carol-pass", DisplayName: "Carol Api", Groups: []string{"api-admins"}},
	{UID: "dave", Password: "dave-pass", Groups: []string{"cve-admins"}},
}

// Server is a running slapd.
type Server struct {
	URI string
	cmd *exec.Cmd
	dir string
}

// Start runs slapd with the memberof overlay and the demo directory; it is
// stopped at test cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, true)
}

// StartWithoutMemberOf runs slapd without the memberof overlay, so group
// membership is only visible through the groups' member attribute.
func StartWithoutMemberOf(t testing.TB) *Server {
	t.Helper()
	return start(t, false)
}

func start(t testing.TB, memberOf bool) *Server {
	t.Helper()
	bin, err := exec.LookPath("slapd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/slapd", "/usr/local/sbin/slapd"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		if os.Getenv("ALTREPO_REQUIRE_SERVERS") == "1" {
			t.Fatal("slapd not installed (apt-get install slapd ldap-utils)")
		}
		t.Skip("slapd not installed (apt-get install slapd ldap-utils)")
	}
	mo := func(line string) string {
		if memberOf {
			return line
		}
		return ""
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
%[5]s
pidfile %[1]s/slapd.pid
database mdb
maxsize 10485760
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
%[6]s
`, dir, Suffix, RootDN, RootPassword, mo("moduleload memberof"), mo("overlay memberof"))
	confPath := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		uri := "ldap://127.0.0.1:" + strconv.Itoa(port)
		out, _ := os.Create(filepath.Join(dir, "slapd.out"))
		cmd := exec.Command(bin, "-f", confPath, "-h", uri+"/", "-d", "0")
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start slapd: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); out.Close(); close(exited) }()
		s := &Server{URI: uri, cmd: cmd, dir: dir}
		if lastErr = s.waitReady(exited); lastErr == nil {
			t.Cleanup(func() {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			})
			if err := s.populate(); err != nil {
				t.Fatalf("populate ldap: %v", err)
			}
			return s
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	log, _ := os.ReadFile(filepath.Join(dir, "slapd.out"))
	t.Fatalf("slapd did not start: %v\n%s", lastErr, log)
	return nil
}

func (s *Server) waitReady(exited chan struct{}) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("slapd exited")
		default:
		}
		c, err := ldap.DialURL(s.URI)
		if err == nil {
			err = c.Bind(RootDN, RootPassword)
			c.Close()
			if err == nil {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("slapd not ready at %s", s.URI)
}

// Admin returns a connection bound as the root DN.
func (s *Server) Admin() (*ldap.Conn, error) {
	c, err := ldap.DialURL(s.URI)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := c.Bind(RootDN, RootPassword); err != nil {
		c.Close()
		return nil, fmt.Errorf("bind root: %w", err)
	}
	return c, nil
}

func (s *Server) populate() error {
	c, err := s.Admin()
	if err != nil {
		return err
	}
	defer c.Close()
	add := func(dn string, attrs map[string][]string) error {
		r := ldap.NewAddRequest(dn, nil)
		for k, v := range attrs {
			r.Attribute(k, v)
		}
		if err := c.Add(r); err != nil {
			return fmt.Errorf("add %s: %w", dn, err)
		}
		return nil
	}
	if err := add(Suffix, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}}); err != nil {
		return err
	}
	for _, ou := range []string{"people", "groups"} {
		if err := add("ou="+ou+","+Suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {ou}}); err != nil {
			return err
		}
	}
	members := map[string][]string{}
	for _, u := range DemoUsers {
		attrs := map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {u.UID}, "cn": {u.UID}, "sn": {u.UID},
			"userPassword": {u.Password}}
		if u.DisplayName != "" {
			attrs["displayName"] = []string{u.DisplayName}
		}
		dn := "uid=" + u.UID + ",ou=people," + Suffix
		if err := add(dn, attrs); err != nil {
			return err
		}
		for _, g := range u.Groups {
			members[g] = append(members[g], dn)
		}
	}
	for _, g := range []string{"cve-admins", "cve-experts", "cve-users", "api-admins", "api-users"} {
		m := members[g]
		if len(m) == 0 {
			m = []string{RootDN} // groupOfNames needs a member
		}
		if err := add("cn="+g+",ou=groups,"+Suffix, map[string][]string{"objectClass": {"groupOfNames"}, "cn": {g}, "member": m}); err != nil {
			return err
		}
	}
	return nil
}
