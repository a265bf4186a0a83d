package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults for NewCache.
const (
	// DefaultRefreshMargin is how long before expiry a token is replaced; it covers the
	// request's own latency and modest clock skew between client and issuer.
	DefaultRefreshMargin = 60 * time.Second
	// DefaultFetchTimeout bounds one fetch, since no caller's deadline applies to it.
	DefaultFetchTimeout = 30 * time.Second
)

// Cache is a TokenSource that keeps the token from another TokenSource until shortly before
// it expires, with at most one fetch in flight however many callers ask. It is safe for
// concurrent use; create it with NewCache.
//
// A fresh token is returned at once. A token that is still valid but within the refresh margin
// is also returned at once while one fetch runs in the background. A missing or expired token
// makes callers wait for the fetch, each until its own context is done. The fetch runs on a
// context detached from the callers (keeping their values, not their cancellation) and bounded
// by the fetch timeout, so one caller giving up does not fail the others. A failed fetch is
// returned to every caller waiting on it and is not cached: the next call fetches again.
type Cache struct {
	fetch   TokenSource
	margin  time.Duration
	timeout time.Duration
	now     func() time.Time

	mu     sync.Mutex
	tok    Token         // zero until the first successful fetch, and after Invalidate
	early  time.Duration // how long before tok.Expiry to refresh: margin, capped for short tokens
	flight *flight       // the fetch in progress, if any
}

// flight is one fetch and everyone waiting for it.
type flight struct {
	done chan struct{} // closed once tok and err are set
	tok  Token
	err  error
}

// CacheOption configures a Cache.
type CacheOption func(*Cache)

// WithRefreshMargin sets how long before expiry a token is refreshed; negative values are
// ignored.
func WithRefreshMargin(d time.Duration) CacheOption {
	return func(c *Cache) {
		if d >= 0 {
			c.margin = d
		}
	}
}

// WithFetchTimeout sets the limit on one fetch; non-positive values are ignored, because a
// fetch without a limit could hold up every later caller indefinitely.
func WithFetchTimeout(d time.Duration) CacheOption {
	return func(c *Cache) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithClock sets the clock the Cache judges expiry by, for tests; nil is ignored.
func WithClock(now func() time.Time) CacheOption {
	return func(c *Cache) {
		if now != nil {
			c.now = now
		}
	}
}

// NewCache returns a Cache that gets its tokens from fetch, which must not be nil.
func NewCache(fetch TokenSource, opts ...CacheOption) *Cache {
	c := &Cache{
		fetch:   fetch,
		margin:  DefaultRefreshMargin,
		timeout: DefaultFetchTimeout,
		now:     time.Now,
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// Token returns the cached token, fetching a new one as described on Cache.
func (c *Cache) Token(ctx context.Context) (Token, error) {
	c.mu.Lock()
	now := c.now()
	tok := c.tok
	if tok.ValidAt(now, c.early) {
		c.mu.Unlock()
		return tok, nil
	}
	if tok.ValidAt(now, 0) {
		// Still usable: let this caller go on and replace the token behind its back.
		c.startLocked(ctx)
		c.mu.Unlock()
		return tok, nil
	}
	if err := ctx.Err(); err != nil {
		// Nobody is waiting, so there is no reason to start a fetch.
		c.mu.Unlock()
		return Token{}, err
	}
	f := c.startLocked(ctx)
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// Invalidate drops the cached token if it is still rejected, so that the next call fetches a
// new one. A token that has already been replaced is left alone: when many requests fail with
// the same token at once, only the first Invalidate has an effect and they share one fetch.
func (c *Cache) Invalidate(rejected Secret) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rejected != "" && c.tok.AccessToken == rejected {
		c.tok = Token{}
	}
}

// startLocked returns the fetch in flight, starting one if there is none. c.mu must be held.
func (c *Cache) startLocked(ctx context.Context) *flight {
	if c.flight != nil {
		return c.flight
	}
	f := &flight{done: make(chan struct{})}
	c.flight = f
	go c.run(context.WithoutCancel(ctx), f)
	return f
}

// run performs one fetch, stores a good token and hands the outcome to the flight's waiters.
func (c *Cache) run(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	tok, err := c.fetch.Token(ctx)
	switch {
	case err != nil:
		err = fmt.Errorf("auth: fetch token: %w", err)
	case tok.AccessToken == "":
		err = errors.New("auth: fetch token: token source returned an empty token")
	}
	if err != nil {
		tok = Token{}
	}

	c.mu.Lock()
	if err == nil {
		c.tok = tok
		c.early = c.margin
		// A token that lives shorter than the margin would be "due for refresh" from the moment
		// it arrives and every call would start another fetch; refresh it at half-life instead.
		if life := tok.Expiry.Sub(c.now()); !tok.Expiry.IsZero() && life/2 < c.early {
			c.early = max(life/2, 0)
		}
	}
	c.flight = nil
	c.mu.Unlock()

	f.tok, f.err = tok, err
	close(f.done)
}
