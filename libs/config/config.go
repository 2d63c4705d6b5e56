// Package config reads the reference implementation's INI configuration file
// (sections such as DATABASE, APPLICATION, OTHER, ...) as it is, with one
// environment override per key for containers.
//
// Lookup of the file: the path given on the command line, else the
// ALTREPO_API_CONFIG environment variable, else /etc/altrepo-api/api.conf.
// A missing default file is not an error: every key has a default and can be
// set from the environment as ALTREPO_<SECTION>_<KEY> (for example
// ALTREPO_DATABASE_HOST). Section and option names are case-insensitive;
// unknown options are kept but ignored by the services.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultPath is read when neither the command line nor ALTREPO_API_CONFIG
// names a file.
const DefaultPath = "/etc/altrepo-api/api.conf"

// EnvPath names the environment variable holding the config file path.
const EnvPath = "ALTREPO_API_CONFIG"

// Config holds the parsed sections. Values are looked up through Get and
// the typed helpers, which apply environment overrides and defaults.
type Config struct {
	// Path is the file the values came from ("" when none was read).
	Path   string
	values map[string]string // "SECTION.KEY" -> raw value
	env    func(string) string
}

// Resolve returns the config file path: the first argument when it names
// an existing file, else $ALTREPO_API_CONFIG, else DefaultPath.
func Resolve(arg string) string {
	if arg != "" {
		return arg
	}
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	return DefaultPath
}

// Load reads the file at Resolve(arg). A missing file at the default path is
// accepted (defaults and environment apply); a missing file that was named
// explicitly is an error.
func Load(arg string) (*Config, error) {
	path := Resolve(arg)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
			return Parse(strings.NewReader(""), "")
		}
		return nil, fmt.Errorf("config: open %s: %w", path, err)
	}
	defer f.Close()
	c, err := Parse(f, path)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads INI text: "[SECTION]" headers, "key = value" or "key: value"
// options, "#" and ";" comment lines, indented continuation lines appended
// to the previous value (as Python's configparser does).
func Parse(r io.Reader, path string) (*Config, error) {
	c := &Config{Path: path, values: map[string]string{}, env: os.Getenv}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	section, lastKey := "", ""
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if (raw[0] == ' ' || raw[0] == '\t') && lastKey != "" {
			c.values[lastKey] += "\n" + line
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("config: %s:%d: bad section header %q", path, n, line)
			}
			section = strings.ToUpper(strings.TrimSpace(line[1:end]))
			lastKey = ""
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("config: %s:%d: expected key = value, got %q", path, n, line)
		}
		if section == "" {
			return nil, fmt.Errorf("config: %s:%d: option outside of a section", path, n)
		}
		key := section + "." + strings.ToUpper(strings.TrimSpace(line[:i]))
		c.values[key] = strings.TrimSpace(line[i+1:])
		lastKey = key
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return c, nil
}

// EnvName is the environment variable that overrides section/key.
func EnvName(section, key string) string {
	r := strings.NewReplacer("-", "_", ".", "_", " ", "_")
	return "ALTREPO_" + r.Replace(strings.ToUpper(section)) + "_" + r.Replace(strings.ToUpper(key))
}

// Lookup returns the value of section/key: the environment override when
// set, else the file's value; ok is false when neither exists.
func (c *Config) Lookup(section, key string) (string, bool) {
	if c.env != nil {
		if v, ok := lookupEnv(c.env, EnvName(section, key)); ok {
			return v, true
		}
	}
	v, ok := c.values[strings.ToUpper(section)+"."+strings.ToUpper(key)]
	return v, ok
}

func lookupEnv(get func(string) string, name string) (string, bool) {
	if get == nil {
		return "", false
	}
	if v := get(name); v != "" {
		return v, true
	}
	return "", false
}

// String returns section/key or the registered default (see Keys).
func (c *Config) String(section, key string) string {
	if v, ok := c.Lookup(section, key); ok {
		return v
	}
	return Default(section, key)
}

// Int returns section/key as an integer, or an error naming the key.
func (c *Config) Int(section, key string) (int, error) {
	s := c.String(section, key)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("config: [%s] %s: not an integer: %q", section, key, s)
	}
	return n, nil
}

// Bool returns section/key as a boolean (true/yes/on/1, false/no/off/0).
func (c *Config) Bool(section, key string) (bool, error) {
	s := strings.ToLower(strings.TrimSpace(c.String(section, key)))
	switch s {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("config: [%s] %s: not a boolean: %q", section, key, s)
}

// Seconds returns section/key, a number of seconds, as a duration.
func (c *Config) Seconds(section, key string) (time.Duration, error) {
	s := strings.TrimSpace(c.String(section, key))
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("config: [%s] %s: not a number of seconds: %q", section, key, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// List returns section/key split on commas and white space, empty items dropped.
func (c *Config) List(section, key string) []string {
	return strings.FieldsFunc(c.String(section, key), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t'
	})
}

// Section returns every key of the file's section (upper-cased) with its
// value, environment overrides not applied. Used for open-ended sections
// such as [ROUTES] and [FEATURES].
func (c *Config) Section(section string) map[string]string {
	prefix := strings.ToUpper(section) + "."
	out := map[string]string{}
	for k, v := range c.values {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
}

// Set stores a value, as if it had been read from the file (tests, flags).
func (c *Config) Set(section, key, value string) {
	c.values[strings.ToUpper(section)+"."+strings.ToUpper(key)] = value
}

// WithEnv replaces the environment lookup (tests); nil disables overrides.
func (c *Config) WithEnv(get func(string) string) *Config {
	c.env = get
	return c
}
