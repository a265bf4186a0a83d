package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

// waitTimeout bounds every wait in these tests, so a bug shows up as a failure, not a hang.
const waitTimeout = 5 * time.Second

// fakeClock is a settable clock for Cache's WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fetcher is a token source that counts its fetches and hands out "tok-1", "tok-2", ... each
// valid for ttl by clock. When gate is non-nil each fetch waits for a value on it (or for it
// to be closed), which lets a test hold a fetch in flight while callers pile up.
type fetcher struct {
	clock   *fakeClock
	ttl     time.Duration
	gate    chan struct{}
	started chan int64 // if non-nil, receives the number of each fetch as it starts
	err     error
	fetches atomic.Int64
}

func (f *fetcher) Token(ctx context.Context) (auth.Token, error) {
	n := f.fetches.Add(1)
	if f.started != nil {
		f.started <- n
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return auth.Token{}, ctx.Err()
		}
	}
	if f.err != nil {
		return auth.Token{}, f.err
	}
	return auth.Token{
		AccessToken: auth.Secret(fmt.Sprintf("tok-%d", n)),
		TokenType:   "Bearer",
		Expiry:      f.clock.Now().Add(f.ttl),
	}, nil
}

// waiterCounter hands out contexts that count how many callers are blocked in Cache.Token.
//
// Cache.Token calls ctx.Done only after the caller has joined the fetch in flight, right
// before it blocks, so the count says exactly when every caller is waiting, without sleeps.
type waiterCounter struct {
	n atomic.Int64
}

type countingCtx struct {
	context.Context
	n *atomic.Int64
}

func (c countingCtx) Done() <-chan struct{} {
	c.n.Add(1)
	return c.Context.Done()
}

func (w *waiterCounter) ctx(parent context.Context) context.Context {
	return countingCtx{Context: parent, n: &w.n}
}

// waitUntil waits until waiting callers reach want.
func (w *waiterCounter) waitUntil(t *testing.T, want int64) {
	t.Helper()
	require.Eventually(t, func() bool { return w.n.Load() >= want }, waitTimeout, time.Millisecond,
		"callers waiting on the fetch")
}

// noGoroutineLeaks fails the test if goroutines started during it are still running once it
// and its other cleanups are done. Call it first so that its cleanup runs last.
func noGoroutineLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(waitTimeout)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

// tokenWithin calls src.Token and fails if it does not return within waitTimeout, for calls
// that must not block on a fetch.
func tokenWithin(t *testing.T, src auth.TokenSource) (auth.Token, error) {
	t.Helper()
	type result struct {
		tok auth.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := src.Token(context.Background())
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-time.After(waitTimeout):
		t.Fatal("Token blocked")
		return auth.Token{}, nil
	}
}

// endpointSource fetches tokens from an OAuth-style token endpoint at url with Basic client
// credentials, the way a MoMo or Vipps token client would.
func endpointSource(client *http.Client, url, clientID string, secret auth.Secret) auth.TokenSource {
	return auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		if err != nil {
			return auth.Token{}, err
		}
		if err := auth.Basic(clientID, secret)(ctx, req); err != nil {
			return auth.Token{}, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return auth.Token{}, err
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != http.StatusOK {
			return auth.Token{}, fmt.Errorf("token endpoint: HTTP %d", resp.StatusCode)
		}
		var body struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int    `json:"expires_in"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return auth.Token{}, fmt.Errorf("token endpoint: decode response: %w", err)
		}
		return auth.Token{
			AccessToken: auth.Secret(body.AccessToken),
			TokenType:   body.TokenType,
			Expiry:      time.Now().Add(time.Duration(body.ExpiresIn) * time.Second),
		}, nil
	})
}

// bearerRequest builds a request carrying src's token, as a generated client would.
func bearerRequest(t *testing.T, ctx context.Context, method, url, body string, src auth.TokenSource) *http.Request {
	t.Helper()
	var req *http.Request
	var err error
	if body == "" {
		req, err = http.NewRequestWithContext(ctx, method, url, nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	}
	require.NoError(t, err)
	require.NoError(t, auth.Bearer(src)(ctx, req))
	return req
}
