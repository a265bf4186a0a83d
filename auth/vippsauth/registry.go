package vippsauth

import (
	"crypto/sha256"
	"sync"

	"github.com/paykit-go/paykit/auth"
)

// Registry hands out one cached token source per credential set, so that all clients using
// the same keys share one token and one refresh. Safe for concurrent use; the zero value is
// not usable, call NewRegistry.
//
// The first configuration for a key decides the HTTP client and the system headers of its
// token calls; later ones with the same key get the same cache.
type Registry struct {
	mu      sync.Mutex
	opts    []auth.CacheOption
	sources map[registryKey]*auth.Cache
}

// registryKey is what makes two tokens interchangeable. A token only works with the
// subscription key it was fetched with, and, when an MSN was sent on the token call, with
// that MSN; so both are part of the key, while a token fetched without an MSN is shared by
// every merchant of a partner. The secrets enter as a digest, so that a rotated secret never
// reuses a token fetched with the old one without the map holding the secrets themselves.
type registryKey struct {
	baseURL  string
	endpoint string // "accesstoken", or the client-credentials token path
	clientID string
	secrets  [sha256.Size]byte
	msn      string // the MSN sent on the token call; empty when none is
}

// NewRegistry returns an empty registry whose caches are built with opts.
func NewRegistry(opts ...auth.CacheOption) *Registry {
	return &Registry{opts: opts, sources: make(map[registryKey]*auth.Cache)}
}

// Source returns the cached /accesstoken/get source for cfg's credentials (and cfg.MSN, when
// set), creating it on first use.
func (r *Registry) Source(cfg TokenConfig) (*auth.Cache, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	key := registryKey{
		baseURL:  base,
		endpoint: "accesstoken",
		clientID: cfg.Credentials.ClientID,
		secrets:  digest(cfg.Credentials.ClientSecret, cfg.Credentials.SubscriptionKey),
		msn:      cfg.MSN,
	}
	return r.source(key, func() (auth.TokenSource, error) { return NewTokenSource(cfg) })
}

// ManagementSource returns the cached client-credentials source for cfg's credentials,
// creating it on first use.
func (r *Registry) ManagementSource(cfg ManagementTokenConfig) (*auth.Cache, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	key := registryKey{
		baseURL:  base,
		endpoint: cfg.tokenPath(),
		clientID: cfg.ClientID,
		secrets:  digest(cfg.ClientSecret, ""),
	}
	return r.source(key, func() (auth.TokenSource, error) { return NewManagementTokenSource(cfg) })
}

// source returns the cache for key, creating it with newSource on first use.
func (r *Registry) source(key registryKey, newSource func() (auth.TokenSource, error)) (*auth.Cache, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.sources[key]; ok {
		return c, nil
	}
	src, err := newSource()
	if err != nil {
		return nil, err
	}
	c := auth.NewCache(src, r.opts...)
	r.sources[key] = c
	return c, nil
}

// digest hashes the secrets of a credential set, separated so that moving bytes from one to
// the other changes the digest.
func digest(clientSecret, subscriptionKey auth.Secret) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(clientSecret.Reveal()))
	h.Write([]byte{0})
	h.Write([]byte(subscriptionKey.Reveal()))
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}
