// Command altrepo-healthcheck is the container health probe shipped in every
// altrepo image. The runtime image is distroless (no shell, curl or wget), so
// Docker's HEALTHCHECK and docker-compose healthchecks run this static binary.
//
// It requests one URL and exits 0 on a 2xx answer, 1 otherwise. The URL is,
// in order of preference:
//
//  1. the first command-line argument (a full URL, or a path such as /readyz);
//  2. $ALTREPO_HEALTHCHECK_URL;
//  3. http://127.0.0.1:<port>/healthz where <port> is $ALTREPO_APPLICATION_PORT,
//     else PORT of the [APPLICATION] section of the config file
//     ($ALTREPO_API_CONFIG, else /etc/altrepo-api/api.conf).
//
// It is deliberately separate from the project's workspace modules (own
// go.mod, standard library only) and is built by deploy/docker/build.sh.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

const defaultConfig = "/etc/altrepo-api/api.conf"

func main() {
	url, err := target(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
	req.Header.Set("User-Agent", "altrepo-healthcheck")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintf(os.Stderr, "healthcheck: %s answered %s\n", url, resp.Status)
		os.Exit(1)
	}
}

// target resolves the URL to probe.
func target(args []string) (string, error) {
	path := "/healthz"
	if len(args) > 0 && args[0] != "" {
		if strings.Contains(args[0], "://") {
			return args[0], nil
		}
		path = args[0]
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
	} else if u := os.Getenv("ALTREPO_HEALTHCHECK_URL"); u != "" {
		return u, nil
	}
	port := os.Getenv("ALTREPO_APPLICATION_PORT")
	if port == "" {
		cfg := os.Getenv("ALTREPO_API_CONFIG")
		if cfg == "" {
			cfg = defaultConfig
		}
		port = iniValue(cfg, "APPLICATION", "PORT")
	}
	if port == "" {
		return "", fmt.Errorf("no port: set ALTREPO_APPLICATION_PORT or ALTREPO_HEALTHCHECK_URL")
	}
	return "http://127.0.0.1:" + port + path, nil
}

// iniValue returns section.key of an INI file ("" when absent or unreadable).
func iniValue(file, section, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	cur := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && line[len(line)-1] == ']' {
			cur = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		if !strings.EqualFold(cur, section) {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(line[:i]), key) {
			return strings.TrimSpace(line[i+1:])
		}
	}
	return ""
}
