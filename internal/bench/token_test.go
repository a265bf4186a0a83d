package bench_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
)

// stampedeCallers is how many goroutines ask for a token at the moment it expires.
const stampedeCallers = 1000

// clock is a settable clock for the token cache.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// newTokenSource fetches MoMo tokens from the stub at base, with their expiry on clk: the
// fetcher dates tokens by the real clock, which the cache would otherwise disagree with
// once clk has been moved on.
func newTokenSource(tb testing.TB, base string, clk *clock) auth.TokenSource {
	tb.Helper()
	src, err := momoauth.NewTokenSource(momoauth.SourceConfig{
		BaseURL: base, Product: momoauth.Collection, SubscriptionKey: stubKey,
		APIUser: momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey}, HTTPClient: momoauth.DefaultHTTPClient(),
	})
	require.NoError(tb, err)
	return auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		tok, err := src.Token(ctx)
		tok.Expiry = clk.now().Add(time.Hour)
		return tok, err
	})
}

// stampede has stampedeCallers goroutines ask cache for a token at once and returns when
// all have one.
func stampede(tb testing.TB, cache *auth.Cache) {
	tb.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		fails atomic.Int64
	)
	for range stampedeCallers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := cache.Token(context.Background()); err != nil {
				fails.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := fails.Load(); n > 0 {
		tb.Fatalf("%d callers got no token", n)
	}
}

// When the token has expired, 1,000 goroutines asking at once cause one fetch; when it is
// only due for refresh, they all get the old token at once and one fetch replaces it.
func TestTokenStampedeFetchesOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
	}{
		{"expired", 2 * time.Hour},
		{"due for refresh", time.Hour - 30*time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, stub, _ := loopbackStub(t, false)
			var clk clock
			cache := auth.NewCache(newTokenSource(t, srv.URL, &clk), auth.WithClock(clk.now))
			_, err := cache.Token(context.Background())
			require.NoError(t, err)
			require.Equal(t, int64(1), stub.tokens.Load())

			clk.advance(tc.advance)
			stampede(t, cache)
			require.Eventually(t, func() bool { return stub.tokens.Load() == 2 }, 5*time.Second, time.Millisecond)
			time.Sleep(20 * time.Millisecond) // a second fetch, if any, would have started by now
			require.Equal(t, int64(2), stub.tokens.Load(), "one fetch for %d callers", stampedeCallers)
		})
	}
}

// BenchmarkToken measures the token path of every call: a cache hit, the bearer editor
// that puts the cached token on a request (the typed call's way), and auth.Authorize
// (the wired clients' way, which copies the request before setting the header), each
// with one goroutine and with all of them in parallel.
func BenchmarkToken(b *testing.B) {
	cache := auth.NewCache(auth.StaticTokenSource(auth.Token{
		AccessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSMjU2In0.stub", Expiry: time.Now().Add(time.Hour),
	}))
	ctx := context.Background()
	if _, err := cache.Token(ctx); err != nil {
		b.Fatal(err)
	}
	editor := auth.Bearer(cache)
	// The answer is shared so that only Authorize's own allocations count.
	ok := &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}
	authorize := auth.Authorize(auth.DoerFunc(func(*http.Request) (*http.Response, error) { return ok, nil }), cache)
	newReq := func() *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://stub.invalid/collection/v1_0/requesttopay/"+statusRef, nil)
		if err != nil {
			b.Fatal(err)
		}
		return req
	}
	ops := []struct {
		name string
		op   func(req *http.Request) error
	}{
		{"cache-hit", func(*http.Request) error { _, err := cache.Token(ctx); return err }},
		{"bearer-editor", func(req *http.Request) error { return editor(ctx, req) }},
		{"authorize-doer", func(req *http.Request) error { _, err := authorize.Do(req); return err }},
	}
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			req := newReq()
			b.ReportAllocs()
			for b.Loop() {
				if err := o.op(req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(o.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := newReq()
				for pb.Next() {
					if err := o.op(req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkTokenStampede lets the cached token expire and has 1,000 goroutines ask for one
// at the same moment, the fetch going to a stub token endpoint on loopback. ns/op is the
// time until all 1,000 hold the new token; fetches/op must stay 1.
func BenchmarkTokenStampede(b *testing.B) {
	srv, stub, _ := loopbackStub(b, false)
	var clk clock
	cache := auth.NewCache(newTokenSource(b, srv.URL, &clk), auth.WithClock(clk.now))
	if _, err := cache.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	before := stub.tokens.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.advance(2 * time.Hour)
		stampede(b, cache)
	}
	b.StopTimer()
	b.ReportMetric(float64(stub.tokens.Load()-before)/float64(b.N), "fetches/op")
}
