package authn

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// BlacklistKeyPrefix prefixes the Redis hash of a revoked token; the full
// token string follows (as in the reference's token store).
const BlacklistKeyPrefix = "blacklisted:access-token:"

// Blacklist stores revoked access tokens in Redis: one hash per token
// with field expires_at = the token's exp, expiring after ttl.
type Blacklist struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// NewBlacklist returns a blacklist whose entries live for ttl
// (EXPIRES_ACCESS_TOKEN; 300 s when zero).
func NewBlacklist(rdb redis.UniversalClient, ttl time.Duration) *Blacklist {
	if ttl <= 0 {
		ttl = 300 * time.Second
	}
	return &Blacklist{rdb: rdb, ttl: ttl}
}

// Add revokes token.
func (b *Blacklist) Add(ctx context.Context, token string, expiresAt time.Time) error {
	key := BlacklistKeyPrefix + token
	_, err := b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "expires_at", strconv.FormatInt(expiresAt.Unix(), 10))
		p.Expire(ctx, key, b.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("blacklist token: %w", err)
	}
	return nil
}

// Contains reports whether token is revoked.
func (b *Blacklist) Contains(ctx context.Context, token string) (bool, error) {
	n, err := b.rdb.Exists(ctx, BlacklistKeyPrefix+token).Result()
	if err != nil {
		return false, fmt.Errorf("check token blacklist: %w", err)
	}
	return n > 0, nil
}
