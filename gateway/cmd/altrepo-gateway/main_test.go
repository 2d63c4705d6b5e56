package main

import (
	"strings"
	"testing"

	"altrepo/libs/config"
)

func TestParseArgs(t *testing.T) {
	cases := []struct {
		args        []string
		cfg, listen string
		wantErr     bool
	}{
		{nil, "", "", false},
		{[]string{"/etc/a.conf"}, "/etc/a.conf", "", false},
		{[]string{"/etc/a.conf", "-listen", ":9"}, "/etc/a.conf", ":9", false},
		{[]string{"-listen", ":9", "/etc/a.conf"}, "/etc/a.conf", ":9", false},
		{[]string{"a", "b"}, "", "", true},
		{[]string{"-nosuch"}, "", "", true},
	}
	for _, c := range cases {
		cfg, listen, err := parseArgs(c.args)
		if (err != nil) != c.wantErr || cfg != c.cfg || listen != c.listen {
			t.Errorf("parseArgs(%q) = %q, %q, %v", c.args, cfg, listen, err)
		}
	}
}

func TestListenAddr(t *testing.T) {
	c, err := config.Parse(strings.NewReader(""), "")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	c.WithEnv(func(k string) string { return env[k] })
	if got := listenAddr(c); got != "127.0.0.1:8080" {
		t.Errorf("default %q", got)
	}
	env["ALTREPO_APPLICATION_PORT"] = "9090"
	env["ALTREPO_APPLICATION_HOST"] = "0.0.0.0"
	if got := listenAddr(c); got != "0.0.0.0:9090" {
		t.Errorf("env %q", got)
	}
}
