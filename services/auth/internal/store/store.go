// Package store keeps the auth service's refresh sessions and token
// blacklist (behavior/auth.md section 5) in Redis, with the reference's
// key layout so that the gateway (libs/authn) sees the same blacklist:
//
//	refresh-token:<user>               hash: refresh token -> session JSON
//	blacklisted:access-token:<token>   hash: expires_at (libs/authn)
//
// Memory is an in-process implementation for TOKEN_STORAGE = file
// (single process; the gateway cannot see its blacklist).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"altrepo/libs/authn"
)

// Session is one refresh session (the JSON value stored per refresh token).
type Session struct {
	Nickname    string `json:"nickname"`
	Fingerprint string `json:"fingerprint"`
	// Expires is the session lifetime in seconds.
	Expires int64 `json:"expires"`
	// CreateAt is the Unix time of the login.
	CreateAt int64 `json:"create_at"`
}

// Expired reports whether create_at + expires <= now.
func (s Session) Expired(now time.Time) bool { return s.CreateAt+s.Expires <= now.Unix() }

// Store is the token store.
type Store interface {
	// AddSession registers a refresh session of user (section 5.2): when
	// the user already has max or more sessions all of them are dropped
	// first; the entry's TTL is reset to the session lifetime.
	AddSession(ctx context.Context, user, refreshToken string, s Session, max int) error
	// Session returns the session of refreshToken; ok is false if missing.
	Session(ctx context.Context, user, refreshToken string) (Session, bool, error)
	// DeleteSession removes one session (the whole entry with the last one).
	DeleteSession(ctx context.Context, user, refreshToken string) error
	// Blacklist revokes an access token until ttl passes.
	Blacklist(ctx context.Context, token string, expiresAt time.Time) error
	// IsBlacklisted reports whether token is revoked.
	IsBlacklisted(ctx context.Context, token string) (bool, error)
	// Ping checks the backend.
	Ping(ctx context.Context) error
}

// SessionKeyPrefix prefixes a user's refresh session hash.
const SessionKeyPrefix = "refresh-token:"

// Redis is the Redis token store.
type Redis struct {
	rdb redis.UniversalClient
	bl  *authn.Blacklist
}

// NewRedis returns a store on rdb; blacklist entries live for accessTTL.
func NewRedis(rdb redis.UniversalClient, accessTTL time.Duration) *Redis {
	return &Redis{rdb: rdb, bl: authn.NewBlacklist(rdb, accessTTL)}
}

// addSession drops all sessions when there are already ARGV[3] or more,
// adds the new one and resets the TTL, atomically.
var addSession = redis.NewScript(`
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`)

// AddSession implements Store.
func (r *Redis) AddSession(ctx context.Context, user, refreshToken string, s Session, max int) error {
	val, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if max < 1 {
		max = 1
	}
	ttl := max64(s.Expires, 1)
	if err := addSession.Run(ctx, r.rdb, []string{SessionKeyPrefix + user}, refreshToken, string(val), max, ttl).Err(); err != nil {
		return fmt.Errorf("add refresh session: %w", err)
	}
	return nil
}

// Session implements Store.
func (r *Redis) Session(ctx context.Context, user, refreshToken string) (Session, bool, error) {
	raw, err := r.rdb.HGet(ctx, SessionKeyPrefix+user, refreshToken).Result()
	if errors.Is(err, redis.Nil) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("read refresh session: %w", err)
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Session{}, false, fmt.Errorf("decode refresh session: %w", err)
	}
	return s, true, nil
}

// DeleteSession implements Store. Redis removes a hash with its last field.
func (r *Redis) DeleteSession(ctx context.Context, user, refreshToken string) error {
	if err := r.rdb.HDel(ctx, SessionKeyPrefix+user, refreshToken).Err(); err != nil {
		return fmt.Errorf("delete refresh session: %w", err)
	}
	return nil
}

// Blacklist implements Store.
func (r *Redis) Blacklist(ctx context.Context, token string, expiresAt time.Time) error {
	return r.bl.Add(ctx, token, expiresAt)
}

// IsBlacklisted implements Store.
func (r *Redis) IsBlacklisted(ctx context.Context, token string) (bool, error) {
	return r.bl.Contains(ctx, token)
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// Memory is an in-process Store.
type Memory struct {
	mu        sync.Mutex
	now       func() time.Time
	accessTTL time.Duration
	sessions  map[string]memEntry
	blacklist map[string]time.Time // token -> entry expiry
}

type memEntry struct {
	sessions map[string]Session
	expires  time.Time
}

// NewMemory returns an in-process store; now may be nil.
func NewMemory(accessTTL time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	if accessTTL <= 0 {
		accessTTL = 300 * time.Second
	}
	return &Memory{now: now, accessTTL: accessTTL, sessions: map[string]memEntry{}, blacklist: map[string]time.Time{}}
}

func (m *Memory) entry(user string) (memEntry, bool) {
	e, ok := m.sessions[user]
	if ok && !m.now().Before(e.expires) {
		delete(m.sessions, user)
		return memEntry{}, false
	}
	return e, ok
}

// AddSession implements Store.
func (m *Memory) AddSession(_ context.Context, user, refreshToken string, s Session, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entry(user)
	if !ok || len(e.sessions) >= max {
		e = memEntry{sessions: map[string]Session{}}
	}
	e.sessions[refreshToken] = s
	e.expires = m.now().Add(time.Duration(max64(s.Expires, 1)) * time.Second)
	m.sessions[user] = e
	return nil
}

// Session implements Store.
func (m *Memory) Session(_ context.Context, user, refreshToken string) (Session, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entry(user)
	if !ok {
		return Session{}, false, nil
	}
	s, ok := e.sessions[refreshToken]
	return s, ok, nil
}

// DeleteSession implements Store.
func (m *Memory) DeleteSession(_ context.Context, user, refreshToken string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entry(user); ok {
		delete(e.sessions, refreshToken)
		if len(e.sessions) == 0 {
			delete(m.sessions, user)
		}
	}
	return nil
}

// Blacklist implements Store.
func (m *Memory) Blacklist(_ context.Context, token string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blacklist[token] = m.now().Add(m.accessTTL)
	for t, exp := range m.blacklist {
		if !m.now().Before(exp) {
			delete(m.blacklist, t)
		}
	}
	return nil
}

// IsBlacklisted implements Store.
func (m *Memory) IsBlacklisted(_ context.Context, token string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.blacklist[token]
	return ok && m.now().Before(exp), nil
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error { return nil }

// ErrUnknownStorage is returned by Open for TOKEN_STORAGE values other
// than "file" and "redis".
var ErrUnknownStorage = errors.New("unknown TOKEN_STORAGE (want file or redis)")

// Open returns the store for TOKEN_STORAGE: "redis" needs rdb.
func Open(kind string, rdb redis.UniversalClient, accessTTL time.Duration) (Store, error) {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "redis":
		if rdb == nil {
			return nil, errors.New("TOKEN_STORAGE = redis needs [REDIS] REDIS_URL")
		}
		return NewRedis(rdb, accessTTL), nil
	case "file", "":
		return NewMemory(accessTTL, nil), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownStorage, kind)
}
