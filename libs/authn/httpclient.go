package authn

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

// NewKeycloakHTTPClient builds the HTTP client for Keycloak from
// KEYCLOAK_SERVER_CHECK_SSL and KEYCLOAK_SERVER_SSL_CERTIFICATE: without
// checking, certificates are not verified (the reference's default); with
// checking and a certificate file, that file (which must exist) is added to
// the system roots.
func NewKeycloakHTTPClient(checkSSL bool, certFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case !checkSSL:
		tr.TLSClientConfig.InsecureSkipVerify = true
	case certFile != "":
		pem, err := os.ReadFile(certFile)
		if err != nil {
			return nil, fmt.Errorf("keycloak certificate: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("keycloak certificate %s: no PEM certificates", certFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, nil
}
