// Package ldapauth is the LDAP login provider (behavior/auth.md 4.1):
// bind as the user, find the configured access groups the user belongs to
// and read the display name.
package ldapauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Errors of Authenticate.
var (
	// ErrInvalidCredentials: the bind was refused.
	ErrInvalidCredentials = errors.New("LDAP authentication failed")
	// ErrNotAuthorized: the user is in none of the configured groups.
	ErrNotAuthorized = errors.New("LDAP authorization failed")
)

// AccessGroupNames are the [GROUPS] keys, in the reference's order.
var AccessGroupNames = []string{"API_ADMIN", "API_USER", "CVE_ADMIN", "CVE_EXPERT", "CVE_USER"}

// Config holds the [LDAP] and [GROUPS] settings.
type Config struct {
	// URI is LDAP_SERVER_URI (ldap://, ldaps://).
	URI string
	// UserSearch is LDAP_USER_SEARCH, a DN template with %(user)s.
	UserSearch string
	// RequireGroup is LDAP_REQUIRE_GROUP, a DN template with %(group)s.
	RequireGroup string
	// Groups maps access group names (AccessGroupNames) to LDAP group CNs.
	Groups map[string]string
	// Timeout bounds dialing and each operation (default 10 s).
	Timeout time.Duration
	// InsecureSkipVerify disables TLS verification for ldaps://.
	InsecureSkipVerify bool
}

// Result is a successful login.
type Result struct {
	UserDN      string
	DisplayName string
	// AccessGroups are the matched access group names, sorted.
	AccessGroups []string
}

// Provider authenticates users against LDAP.
type Provider struct{ cfg Config }

// New returns a provider; URI and UserSearch are required.
func New(cfg Config) (*Provider, error) {
	if cfg.URI == "" || cfg.UserSearch == "" {
		return nil, errors.New("ldap: LDAP_SERVER_URI and LDAP_USER_SEARCH are required")
	}
	if !strings.Contains(cfg.UserSearch, "%(user)s") {
		return nil, errors.New("ldap: LDAP_USER_SEARCH must contain %(user)s")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Provider{cfg: cfg}, nil
}

// UserDN renders the user DN for nickname (value escaped for DNs).
func (p *Provider) UserDN(nickname string) string {
	return strings.ReplaceAll(p.cfg.UserSearch, "%(user)s", ldap.EscapeDN(nickname))
}

func (p *Provider) groupDN(group string) string {
	return strings.ReplaceAll(p.cfg.RequireGroup, "%(group)s", ldap.EscapeDN(group))
}

// Authenticate binds as nickname and resolves its access groups. It
// returns ErrInvalidCredentials or ErrNotAuthorized for refused logins;
// other errors mean the server could not be used.
func (p *Provider) Authenticate(ctx context.Context, nickname, password string) (Result, error) {
	if password == "" {
		// An empty password would be an unauthenticated bind, which succeeds.
		return Result{}, ErrInvalidCredentials
	}
	conn, err := ldap.DialURL(p.cfg.URI,
		ldap.DialWithDialer(&net.Dialer{Timeout: p.cfg.Timeout}),
		ldap.DialWithTLSConfig(&tls.Config{InsecureSkipVerify: p.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}))
	if err != nil {
		return Result{}, fmt.Errorf("ldap dial: %w", err)
	}
	defer conn.Close()
	conn.SetTimeout(p.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok {
		conn.SetTimeout(time.Until(dl))
	}

	userDN := p.UserDN(nickname)
	if err := conn.Bind(userDN, password); err != nil {
		if ldap.IsErrorAnyOf(err, ldap.LDAPResultInvalidCredentials, ldap.LDAPResultNoSuchObject, ldap.LDAPResultInvalidDNSyntax) {
			return Result{}, ErrInvalidCredentials
		}
		return Result{}, fmt.Errorf("ldap bind: %w", err)
	}

	matched := map[string]bool{} // LDAP group names the user is in
	checked := map[string]bool{}
	var groups []string
	for _, ag := range AccessGroupNames {
		name := p.cfg.Groups[ag]
		if name == "" || p.cfg.RequireGroup == "" {
			continue
		}
		if !checked[name] {
			checked[name] = true
			in, err := p.isMember(conn, userDN, p.groupDN(name))
			if err != nil {
				return Result{}, err
			}
			matched[name] = in
		}
		if matched[name] {
			groups = append(groups, ag)
		}
	}
	if len(groups) == 0 {
		return Result{}, ErrNotAuthorized
	}
	sort.Strings(groups)
	return Result{UserDN: userDN, DisplayName: p.displayName(conn, userDN), AccessGroups: groups}, nil
}

// isMember: a memberOf search at the user entry, else a compare of the
// group's member attribute. "No such attribute/object" and protocol errors
// mean "not a member".
func (p *Provider) isMember(conn *ldap.Conn, userDN, groupDN string) (bool, error) {
	notMember := []uint16{ldap.LDAPResultNoSuchAttribute, ldap.LDAPResultNoSuchObject,
		ldap.LDAPResultProtocolError, ldap.LDAPResultUndefinedAttributeType, ldap.LDAPResultInvalidDNSyntax,
		ldap.LDAPResultInappropriateMatching}
	res, err := conn.Search(ldap.NewSearchRequest(userDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 1, 0, false,
		"(memberOf="+ldap.EscapeFilter(groupDN)+")", []string{"dn"}, nil))
	switch {
	case err == nil && len(res.Entries) > 0:
		return true, nil
	case err != nil && !ldap.IsErrorAnyOf(err, notMember...) && !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
		return false, fmt.Errorf("ldap memberOf search: %w", err)
	case err != nil && ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded):
		return true, nil
	}
	ok, err := conn.Compare(groupDN, "member", userDN)
	if err != nil {
		if ldap.IsErrorAnyOf(err, notMember...) {
			return false, nil
		}
		return false, fmt.Errorf("ldap compare: %w", err)
	}
	return ok, nil
}

// displayName returns the first displayName value of the user entry, or "".
func (p *Provider) displayName(conn *ldap.Conn, userDN string) string {
	res, err := conn.Search(ldap.NewSearchRequest(userDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"displayName"}, nil))
	if err != nil {
		return ""
	}
	for _, e := range res.Entries {
		if strings.EqualFold(e.DN, userDN) || len(res.Entries) == 1 {
			return e.GetAttributeValue("displayName")
		}
	}
	return ""
}
