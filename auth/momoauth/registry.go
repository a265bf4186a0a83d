package momoauth

import (
	"crypto/sha256"
	"strings"
	"sync"

	"github.com/paykit-go/paykit/auth"
)

// Registry hands out one cached token source per (base URL, product, API user), so that all
// clients using the same credentials share one token and one refresh. Safe for concurrent
// use; the zero value is not usable, call NewRegistry.
type Registry struct {
	mu      sync.Mutex
	opts    []auth.CacheOption
	sources map[registryKey]*auth.Cache
}

// registryKey includes a digest of the secrets so that a changed API key (MoMo invalidates
// the old one when a new one is issued) or subscription key never reuses a token fetched
// with the old one, without keeping the secrets themselves as map keys.
type registryKey struct {
	baseURL string
	product Product
	apiUser string
	secrets [sha256.Size]byte
}

// NewRegistry returns an empty registry whose caches are built with opts.
func NewRegistry(opts ...auth.CacheOption) *Registry {
	return &Registry{opts: opts, sources: make(map[registryKey]*auth.Cache)}
}

// Source returns the cached token source for cfg's credentials, creating it on first use.
func (r *Registry) Source(cfg SourceConfig) (*auth.Cache, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte(cfg.SubscriptionKey.Reveal()))
	h.Write([]byte{0})
	h.Write([]byte(cfg.APIUser.Key.Reveal()))
	key := registryKey{
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		product: cfg.Product,
		apiUser: cfg.APIUser.ID,
	}
	copy(key.secrets[:], h.Sum(nil))

	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.sources[key]; ok {
		return c, nil
	}
	src, err := NewTokenSource(cfg)
	if err != nil {
		return nil, err
	}
	c := auth.NewCache(src, r.opts...)
	r.sources[key] = c
	return c, nil
}
