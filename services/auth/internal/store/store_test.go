package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func stores(t *testing.T) map[string]Store {
	rdb := redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	return map[string]Store{"redis": NewRedis(rdb, 300*time.Second), "memory": NewMemory(300*time.Second, nil)}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			user := "user-" + name + "-" + strconv.FormatInt(time.Now().UnixNano(), 10)
			now := time.Now().Unix()
			s := Session{Nickname: user, Fingerprint: "fp", Expires: 3600, CreateAt: now}
			for _, tok := range []string{"a", "b"} {
				if err := st.AddSession(ctx, user, tok, s, 2); err != nil {
					t.Fatal(err)
				}
			}
			got, ok, err := st.Session(ctx, user, "a")
			if err != nil || !ok || got != s {
				t.Fatalf("session a: %+v %v %v", got, ok, err)
			}
			// A third login with max 2 drops every earlier session.
			if err := st.AddSession(ctx, user, "c", s, 2); err != nil {
				t.Fatal(err)
			}
			for tok, want := range map[string]bool{"a": false, "b": false, "c": true} {
				if _, ok, _ := st.Session(ctx, user, tok); ok != want {
					t.Fatalf("session %s present=%v, want %v", tok, ok, want)
				}
			}
			if err := st.DeleteSession(ctx, user, "c"); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := st.Session(ctx, user, "c"); ok {
				t.Fatal("deleted session still present")
			}
			if !(Session{CreateAt: now - 10, Expires: 10}).Expired(time.Unix(now, 0)) || (Session{CreateAt: now, Expires: 10}).Expired(time.Unix(now, 0)) {
				t.Fatal("Expired is wrong")
			}

			tok := "tok-" + user
			if b, err := st.IsBlacklisted(ctx, tok); err != nil || b {
				t.Fatalf("fresh token blacklisted: %v %v", b, err)
			}
			if err := st.Blacklist(ctx, tok, time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if b, err := st.IsBlacklisted(ctx, tok); err != nil || !b {
				t.Fatalf("blacklisted token: %v %v", b, err)
			}
			if err := st.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRedisLayout(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: testharness.SharedRedis(t).Addr()})
	defer rdb.Close()
	st := NewRedis(rdb, 300*time.Second)
	if err := st.AddSession(ctx, "layout", "rt", Session{Nickname: "layout", Fingerprint: "f", Expires: 120, CreateAt: 1700000000}, 3); err != nil {
		t.Fatal(err)
	}
	raw, err := rdb.HGet(ctx, "refresh-token:layout", "rt").Result()
	if err != nil || raw != `{"nickname":"layout","fingerprint":"f","expires":120,"create_at":1700000000}` {
		t.Fatalf("stored %q %v", raw, err)
	}
	ttl, _ := rdb.TTL(ctx, "refresh-token:layout").Result()
	if ttl <= 0 || ttl > 120*time.Second {
		t.Fatalf("ttl %v", ttl)
	}
}

func TestOpen(t *testing.T) {
	if _, err := Open("bogus", nil, 0); err == nil {
		t.Fatal("bogus storage accepted")
	}
	if _, err := Open("redis", nil, 0); err == nil {
		t.Fatal("redis without client accepted")
	}
	if s, err := Open("file", nil, 0); err != nil || s == nil {
		t.Fatal("file storage refused")
	}
}
