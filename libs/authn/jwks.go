package authn

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// errUnknownKID means the token's kid is not in the (refreshed) key set.
var errUnknownKID = errors.New("unknown signing key id")

// jwksCache holds the realm's RS256 verification keys. Keys are fetched
// on first use, when the set is older than maxAge, and when a token names
// an unknown kid; fetches are at most one per minInterval, so forged kids
// cannot make us hammer Keycloak. A failed fetch keeps the cached keys.
type jwksCache struct {
	url         string
	client      *http.Client
	minInterval time.Duration
	maxAge      time.Duration
	now         func() time.Time

	fetchMu sync.Mutex // serializes fetches

	mu          sync.RWMutex
	keys        map[string]*rsa.PublicKey
	fetchedAt   time.Time // last successful fetch
	lastAttempt time.Time // last fetch attempt
}

// key returns the key for kid, fetching the set when allowed.
func (c *jwksCache) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.RLock()
	k, ok := c.keys[kid]
	stale := c.now().Sub(c.fetchedAt) >= c.maxAge
	c.mu.RUnlock()
	if ok && !stale {
		return k, nil
	}
	if err := c.refresh(ctx, false); err != nil && !ok {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKID
}

// refresh fetches the key set unless (without force) a fetch was attempted
// less than minInterval ago.
func (c *jwksCache) refresh(ctx context.Context, force bool) error {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	c.mu.RLock()
	recent := !c.lastAttempt.IsZero() && c.now().Sub(c.lastAttempt) < c.minInterval
	c.mu.RUnlock()
	if recent && !force {
		return nil
	}
	c.mu.Lock()
	c.lastAttempt = c.now()
	c.mu.Unlock()
	keys, err := c.fetch(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.keys = keys
	c.fetchedAt = c.now()
	c.mu.Unlock()
	return nil
}

type jwk struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (c *jwksCache) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks request: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks: status %s", resp.Status)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		if pub, err := rsaKey(k.N, k.E); err == nil {
			keys[k.Kid] = pub // malformed or weak keys are skipped
		}
	}
	return keys, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	ei := new(big.Int).SetBytes(eb)
	if !ei.IsInt64() || ei.Int64() < 3 || ei.Int64() > 1<<31-1 {
		return nil, errors.New("bad exponent")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(ei.Int64())}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key too small (%d bits)", pub.N.BitLen())
	}
	return pub, nil
}
