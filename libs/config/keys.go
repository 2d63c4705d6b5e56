package config

import (
	"fmt"
	"io"
	"strings"
)

// Key documents one configuration option.
type Key struct {
	Section, Name, Default, Help string
	// Ours marks keys the reference implementation does not have.
	Ours bool
}

// Keys lists every option the suite reads, in the order of the sample file.
// The reference's keys keep their meaning; keys marked Ours are additions.
var Keys = []Key{
	{"DATABASE", "HOST", "127.0.0.1", "ClickHouse host (native TCP protocol)", false},
	{"DATABASE", "PORT", "9000", "ClickHouse native TCP port", false},
	{"DATABASE", "NAME", "default", "database holding the ALTRepo tables", false},
	{"DATABASE", "USER", "default", "ClickHouse user", false},
	{"DATABASE", "PASSWORD", "", "ClickHouse password", false},
	{"DATABASE", "TRY_CONNECTION_NUMBER", "5", "connection attempts before a request fails with 'Database connection error.'", false},
	{"DATABASE", "TRY_TIMEOUT", "5", "seconds between connection attempts", false},
	{"DATABASE", "QUERY_TIMEOUT", "60", "seconds a request's ClickHouse queries may run before they are cancelled", true},
	{"DATABASE", "MAX_OPEN_CONNS", "16", "connection pool size per service process", true},
	{"APPLICATION", "HOST", "127.0.0.1", "address the service listens on", false},
	{"APPLICATION", "PORT", "5000", "port the service listens on", false},
	{"APPLICATION", "CORS_ORIGINS", "*", "allowed CORS origins, comma separated ('*' echoes the request's Origin)", false},
	{"APPLICATION", "SHUTDOWN_TIMEOUT", "10", "seconds to finish in-flight requests on SIGTERM", true},
	{"OTHER", "ADMIN_USER", "admin", "user name of the admin Basic scheme (upload routes)", false},
	{"OTHER", "ADMIN_PASSWORD", "", "SHA-512 hex digest of the admin password", false},
	{"OTHER", "SQL_DEBUG", "false", "log every SQL statement and add module/sql_request to SQL error details", false},
	{"OTHER", "LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR", false},
	{"OTHER", "LOG_FORMAT", "json", "json or text", true},
	{"LDAP", "LDAP_SERVER_URI", "", "LDAP server URI", false},
	{"LDAP", "LDAP_USER_SEARCH", "", "user DN template with %(user)s", false},
	{"LDAP", "LDAP_REQUIRE_GROUP", "", "group DN template with %(group)s", false},
	{"GROUPS", "API_ADMIN", "", "LDAP group (CN) of the API admins", false},
	{"GROUPS", "API_USER", "", "LDAP group (CN) of the API users", false},
	{"GROUPS", "CVE_ADMIN", "", "LDAP group (CN) bound to access group CVE_ADMIN", false},
	{"GROUPS", "CVE_EXPERT", "", "LDAP group (CN) bound to access group CVE_EXPERT", false},
	{"GROUPS", "CVE_USER", "", "LDAP group (CN) bound to access group CVE_USER", false},
	{"KEYCLOAK", "KEYCLOAK_SERVER_URL", "", "Keycloak base URL", false},
	{"KEYCLOAK", "KEYCLOAK_REALM", "", "Keycloak realm", false},
	{"KEYCLOAK", "KEYCLOAK_CLIENT_ID", "", "OpenID Connect client id (checked as audience/azp)", false},
	{"KEYCLOAK", "KEYCLOAK_CLIENT_SECRET_KEY", "", "OpenID Connect client secret", false},
	{"KEYCLOAK", "KEYCLOAK_SERVER_CHECK_SSL", "false", "verify the Keycloak TLS certificate", false},
	{"KEYCLOAK", "KEYCLOAK_SERVER_SSL_CERTIFICATE", "", "CA certificate file used when checking TLS", false},
	{"KEYCLOAK", "KEYCLOAK_MANAGE_LIST_ROLE", "manage_list", "role required by the management list routes", false},
	{"AUTHENTICATION", "TOKEN_STORAGE", "file", "file or redis", false},
	{"AUTHENTICATION", "EXPIRES_ACCESS_TOKEN", "300", "lifetime of local access tokens, seconds", false},
	{"AUTHENTICATION", "EXPIRES_REFRESH_TOKEN", "43200", "lifetime of refresh sessions, seconds", false},
	{"AUTHENTICATION", "MAX_REFRESH_SESSIONS_COUNT", "2", "concurrent refresh sessions per user", false},
	{"AUTHENTICATION", "AUTH_COOKIES_OPTIONS", "HttpOnly;", "appended to the refresh-token Set-Cookie header", false},
	{"REDIS", "REDIS_URL", "", "Redis URL (token storage, blacklist, rate limits, cache)", false},
	{"GATEWAY", "READ_TIMEOUT", "300", "seconds the gateway waits for a service's answer before 504", true},
	{"GATEWAY", "RATE_LIMIT", "0", "requests per client and window at the gateway, 0 = off", true},
	{"GATEWAY", "RATE_WINDOW", "60", "rate limit window, seconds", true},
	{"GATEWAY", "OPENAPI_REFRESH", "60", "seconds between two fetches of the services' OpenAPI fragments", true},
	{"GATEWAY", "TRUST_FORWARDED", "false", "keep the client's X-Forwarded-* headers (only behind a trusted reverse proxy); they then key rate limits and token fingerprints", true},
	{"GATEWAY", "BLACKLIST_FAIL_OPEN", "false", "accept tokens when the Redis blacklist cannot be read (default: 503)", true},
	{"SERVICES", "PACKAGES", "http://127.0.0.1:8081", "base URL of the packages service", true},
	{"SERVICES", "TASKS", "http://127.0.0.1:8082", "base URL of the tasks service", true},
	{"SERVICES", "BUGS", "http://127.0.0.1:8083", "base URL of the bugs service", true},
	{"SERVICES", "IMAGES", "http://127.0.0.1:8084", "base URL of the images service", true},
	{"SERVICES", "AUTH", "http://127.0.0.1:8085", "base URL of the auth service", true},
}

// Default returns the documented default of section/key ("" when unknown).
func Default(section, key string) string {
	for _, k := range Keys {
		if strings.EqualFold(k.Section, section) && strings.EqualFold(k.Name, key) {
			return k.Default
		}
	}
	return ""
}

// WriteSample writes a commented sample file holding every key.
func WriteSample(w io.Writer) error {
	section := ""
	var b strings.Builder
	b.WriteString("# altrepo configuration (INI, the reference's format).\n")
	b.WriteString("# Every key can be overridden by the environment variable ALTREPO_<SECTION>_<KEY>.\n")
	for _, k := range Keys {
		if k.Section != section {
			if section != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "[%s]\n", k.Section)
			section = k.Section
		}
		origin := ""
		if k.Ours {
			origin = " (altrepo addition)"
		}
		fmt.Fprintf(&b, "# %s%s; env %s\n%s = %s\n", k.Help, origin, EnvName(k.Section, k.Name), k.Name, k.Default)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
