package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

const (
	ttl    = 10 * time.Minute
	margin = time.Minute
)

// newPrimedCache returns a Cache over f that already holds "tok-1", so that a test can start
// from a token of known age. f.gate must be nil or have room for one value.
func newPrimedCache(t *testing.T, f *fetcher) *auth.Cache {
	t.Helper()
	if f.gate != nil {
		f.gate <- struct{}{}
	}
	c := auth.NewCache(f, auth.WithClock(f.clock.Now), auth.WithRefreshMargin(margin),
		auth.WithFetchTimeout(waitTimeout)) // a fetch stuck by a bug fails the test, not hangs it
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, auth.Secret("tok-1"), tok.AccessToken)
	return c
}

func TestCacheThousandCallersAtExpiryCauseOneFetch(t *testing.T) {
	noGoroutineLeaks(t)
	const callers = 1000
	f := &fetcher{clock: newFakeClock(), ttl: ttl, gate: make(chan struct{}, 1)}
	c := newPrimedCache(t, f)
	f.clock.Advance(ttl) // the token has just expired: every caller must wait

	var waiting waiterCounter
	start := make(chan struct{})
	toks := make([]auth.Token, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			toks[i], errs[i] = c.Token(waiting.ctx(context.Background()))
		})
	}
	close(start)
	waiting.waitUntil(t, callers) // all 1000 are blocked on the one fetch
	close(f.gate)
	wg.Wait()

	fetches := f.fetches.Load() - 1 // not counting the fetch that primed the cache
	t.Logf("%d callers -> %d fetch", callers, fetches)
	assert.EqualValues(t, 1, fetches)
	for i := range callers {
		require.NoError(t, errs[i])
		require.Equal(t, auth.Secret("tok-2"), toks[i].AccessToken)
	}
}

func TestCacheFailingEndpointWithHundredWaitersMakesOneRequest(t *testing.T) {
	noGoroutineLeaks(t)
	const waiters = 100
	var requests atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-release
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	c := auth.NewCache(endpointSource(srv.Client(), srv.URL, "client-id", "client-secret"))

	var waiting waiterCounter
	start := make(chan struct{})
	errs := make([]error, waiters)
	var wg sync.WaitGroup
	for i := range waiters {
		wg.Go(func() {
			<-start
			_, errs[i] = c.Token(waiting.ctx(context.Background()))
		})
	}
	close(start)
	waiting.waitUntil(t, waiters)
	close(release) // let the request fail, and any later one at once
	wg.Wait()

	failed := 0
	for _, err := range errs {
		if assert.Error(t, err) {
			assert.EqualError(t, err, "auth: fetch token: token endpoint: HTTP 503")
			failed++
		}
	}
	t.Logf("%d waiters on a failing token endpoint -> %d request, %d errors", waiters, requests.Load(), failed)
	assert.EqualValues(t, 1, requests.Load())
	assert.Equal(t, waiters, failed)

	// The failure is not cached: the next call asks the endpoint again.
	_, err := c.Token(context.Background())
	require.Error(t, err)
	t.Logf("next call after the failure -> request %d", requests.Load())
	assert.EqualValues(t, 2, requests.Load())
}

func TestCacheCancelledCallerDoesNotCancelTheFetch(t *testing.T) {
	noGoroutineLeaks(t)
	const others = 10
	release := make(chan struct{})
	fetchStarted := make(chan context.Context, 1)
	var fetches atomic.Int64
	var fetchErr error // the fetch context's state when the fetch finished
	c := auth.NewCache(auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		if fetches.Add(1) == 1 {
			fetchStarted <- ctx
		}
		<-release
		fetchErr = ctx.Err()
		return auth.Token{AccessToken: "fresh", Expiry: time.Now().Add(time.Hour)}, nil
	}))

	// The first caller starts the fetch, so the fetch would inherit its cancellation if it
	// were not detached.
	var waiting waiterCounter
	firstCtx, cancelFirst := context.WithCancel(context.Background())
	defer cancelFirst()
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Token(waiting.ctx(firstCtx))
		firstErr <- err
	}()
	fetchCtx := <-fetchStarted

	toks := make([]auth.Token, others)
	errs := make([]error, others)
	var wg sync.WaitGroup
	for i := range others {
		wg.Go(func() { toks[i], errs[i] = c.Token(waiting.ctx(context.Background())) })
	}
	waiting.waitUntil(t, others+1)

	cancelFirst()
	select {
	case err := <-firstErr:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(waitTimeout):
		t.Fatal("cancelled caller still blocked")
	}
	require.NoError(t, fetchCtx.Err(), "the fetch's context was cancelled with the first caller")

	close(release)
	wg.Wait()
	require.NoError(t, fetchErr)
	for i := range others {
		require.NoError(t, errs[i])
		assert.Equal(t, auth.Secret("fresh"), toks[i].AccessToken)
	}
	t.Logf("1 cancelled caller + %d others -> %d fetch, cancelled caller got %v, others got the token",
		others, fetches.Load(), context.Canceled)
	assert.EqualValues(t, 1, fetches.Load())
}

func TestCacheRefreshWithinMarginReturnsOldTokenAndFetchesOnceInBackground(t *testing.T) {
	noGoroutineLeaks(t)
	const calls = 20
	f := &fetcher{clock: newFakeClock(), ttl: ttl, gate: make(chan struct{}, 1), started: make(chan int64, 4)}
	c := newPrimedCache(t, f)
	<-f.started
	f.clock.Advance(ttl - margin/2) // still valid, but inside the refresh margin

	for range calls {
		// The background fetch is blocked on the gate, so these return only if they do not
		// wait for it.
		tok, err := tokenWithin(t, c)
		require.NoError(t, err)
		require.Equal(t, auth.Secret("tok-1"), tok.AccessToken)
	}
	select {
	case n := <-f.started:
		require.EqualValues(t, 2, n)
	case <-time.After(waitTimeout):
		t.Fatal("no background fetch")
	}

	close(f.gate)
	require.Eventually(t, func() bool {
		tok, err := c.Token(context.Background())
		return err == nil && tok.AccessToken == "tok-2"
	}, waitTimeout, time.Millisecond)

	background := f.fetches.Load() - 1
	t.Logf("%d calls inside the margin -> old token at once, %d background fetch", calls, background)
	assert.EqualValues(t, 1, background)
}

func TestCacheTokenAge(t *testing.T) {
	// How a call behaves depends on how much life the cached token has left.
	tests := []struct {
		name      string
		advance   time.Duration
		want      auth.Secret // what the call returns
		wantFetch int64       // fetches caused by the call, waited for
	}{
		{"fresh", ttl - margin - time.Second, "tok-1", 0},
		{"inside margin", ttl - margin + time.Second, "tok-1", 1},
		{"at expiry", ttl, "tok-2", 1},
		{"long expired", 10 * ttl, "tok-2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noGoroutineLeaks(t)
			f := &fetcher{clock: newFakeClock(), ttl: ttl}
			c := newPrimedCache(t, f)
			f.clock.Advance(tt.advance)

			tok, err := c.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, tok.AccessToken)

			// Once any fetch has landed, calls see its token and nothing more is fetched.
			after := auth.Secret(fmt.Sprintf("tok-%d", 1+tt.wantFetch))
			require.Eventually(t, func() bool {
				tok, err := c.Token(context.Background())
				return err == nil && tok.AccessToken == after
			}, waitTimeout, time.Millisecond)
			assert.Equal(t, tt.wantFetch, f.fetches.Load()-1)
		})
	}
}

func TestCacheInvalidate(t *testing.T) {
	noGoroutineLeaks(t)
	const concurrent401s = 50
	f := &fetcher{clock: newFakeClock(), ttl: ttl, gate: make(chan struct{}, 1)}
	c := newPrimedCache(t, f)

	c.Invalidate("tok-0") // a token that was replaced long ago
	c.Invalidate("")
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, auth.Secret("tok-1"), tok.AccessToken)
	t.Logf("Invalidate with a stale token -> %d fetch", f.fetches.Load()-1)
	require.EqualValues(t, 1, f.fetches.Load(), "a stale Invalidate caused a fetch")

	// Many requests are rejected with tok-1 at once; each reports it and asks for a token.
	var invalidated atomic.Int64
	toks := make([]auth.Token, concurrent401s)
	errs := make([]error, concurrent401s)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range concurrent401s {
		wg.Go(func() {
			<-start
			c.Invalidate("tok-1")
			invalidated.Add(1)
			toks[i], errs[i] = c.Token(context.Background())
		})
	}
	close(start)
	// Hold the refetch until every Invalidate has run, so all 50 overlap with it.
	require.Eventually(t, func() bool { return invalidated.Load() == concurrent401s }, waitTimeout, time.Millisecond)
	close(f.gate)
	wg.Wait()

	refetches := f.fetches.Load() - 1
	t.Logf("%d concurrent 401s with the current token -> %d refetch", concurrent401s, refetches)
	assert.EqualValues(t, 1, refetches)
	for i := range concurrent401s {
		require.NoError(t, errs[i])
		require.Equal(t, auth.Secret("tok-2"), toks[i].AccessToken)
	}

	c.Invalidate("tok-1") // late report of the old token: tok-2 stays
	tok, err = c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, auth.Secret("tok-2"), tok.AccessToken)
	assert.EqualValues(t, 2, f.fetches.Load())
}

func TestCacheFailedBackgroundRefreshKeepsUsableToken(t *testing.T) {
	noGoroutineLeaks(t)
	f := &fetcher{clock: newFakeClock(), ttl: ttl}
	c := newPrimedCache(t, f)
	f.err = errors.New("token endpoint down") // set before any concurrent fetch can read it
	f.clock.Advance(ttl - margin/2)

	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, auth.Secret("tok-1"), tok.AccessToken)
	require.Eventually(t, func() bool { return f.fetches.Load() == 2 }, waitTimeout, time.Millisecond)

	// The refresh failed; the old token is still good until it expires.
	require.Eventually(t, func() bool {
		tok, err := c.Token(context.Background())
		return err == nil && tok.AccessToken == "tok-1"
	}, waitTimeout, time.Millisecond)
	waitFetchesSettled(t, f)

	f.clock.Advance(margin)
	_, err = c.Token(context.Background())
	require.EqualError(t, err, "auth: fetch token: token endpoint down")
}

// waitFetchesSettled waits until the fetch count stops changing, so that no background fetch
// outlives the test.
func waitFetchesSettled(t *testing.T, f *fetcher) {
	t.Helper()
	require.Eventually(t, func() bool {
		n := f.fetches.Load()
		time.Sleep(20 * time.Millisecond)
		return f.fetches.Load() == n
	}, waitTimeout, time.Millisecond)
}

func TestCacheShortLivedTokenIsRefreshedAtHalfLife(t *testing.T) {
	noGoroutineLeaks(t)
	// A token that lives shorter than the margin would otherwise be due for refresh on
	// arrival, and every call would start another fetch.
	f := &fetcher{clock: newFakeClock(), ttl: 30 * time.Second}
	c := newPrimedCache(t, f)

	for range 10 {
		tok, err := c.Token(context.Background())
		require.NoError(t, err)
		require.Equal(t, auth.Secret("tok-1"), tok.AccessToken)
	}
	f.clock.Advance(14 * time.Second)
	_, err := c.Token(context.Background())
	require.NoError(t, err)
	waitFetchesSettled(t, f)
	require.EqualValues(t, 1, f.fetches.Load(), "refreshed before half-life")

	f.clock.Advance(2 * time.Second)
	_, err = c.Token(context.Background())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return f.fetches.Load() == 2 }, waitTimeout, time.Millisecond)
	waitFetchesSettled(t, f)
}

func TestCacheTokenWithoutExpiryIsNeverRefreshed(t *testing.T) {
	var fetches atomic.Int64
	clock := newFakeClock()
	c := auth.NewCache(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		fetches.Add(1)
		return auth.Token{AccessToken: "forever"}, nil
	}), auth.WithClock(clock.Now))
	for range 3 {
		tok, err := c.Token(context.Background())
		require.NoError(t, err)
		require.Equal(t, auth.Secret("forever"), tok.AccessToken)
		clock.Advance(1000 * time.Hour)
	}
	assert.EqualValues(t, 1, fetches.Load())
}

func TestCacheFetchTimeout(t *testing.T) {
	noGoroutineLeaks(t)
	c := auth.NewCache(auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		<-ctx.Done() // a token endpoint that never answers
		return auth.Token{}, ctx.Err()
	}), auth.WithFetchTimeout(20*time.Millisecond))

	_, err := c.Token(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "auth: fetch token: context deadline exceeded")
}

func TestCacheRejectsEmptyToken(t *testing.T) {
	c := auth.NewCache(auth.StaticTokenSource(auth.Token{TokenType: "Bearer"}))
	_, err := c.Token(context.Background())
	require.EqualError(t, err, "auth: fetch token: token source returned an empty token")
}

func TestCacheDoneContextDoesNotStartFetch(t *testing.T) {
	var fetches atomic.Int64
	c := auth.NewCache(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		fetches.Add(1)
		return auth.Token{AccessToken: "t"}, nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Token(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, fetches.Load())
}

func TestCacheFetchKeepsCallerValues(t *testing.T) {
	// The fetch is detached from the caller's cancellation but not its values (trace IDs,
	// loggers), which the token request should still carry.
	type key struct{}
	got := make(chan any, 1)
	c := auth.NewCache(auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		got <- ctx.Value(key{})
		_, hasDeadline := ctx.Deadline()
		if !hasDeadline {
			return auth.Token{}, io.ErrUnexpectedEOF
		}
		return auth.Token{AccessToken: "t"}, nil
	}))
	_, err := c.Token(context.WithValue(context.Background(), key{}, "trace-1"))
	require.NoError(t, err, "the fetch had no deadline")
	assert.Equal(t, "trace-1", <-got)
}
