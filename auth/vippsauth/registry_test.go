package vippsauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// gateway issues a new token on every token call (token-1, token-2, ...) and records, for
// every API call, the MSN and the token it carried.
type gateway struct {
	*httptest.Server
	fetches atomic.Int32

	mu        sync.Mutex
	tokenMSNs []string          // the MSN header of each token call
	apiCalls  map[string]string // MSN -> bearer token of its last API call
	apiCount  int
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{apiCalls: map[string]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		if r.URL.Path == "/accesstoken/get" || strings.HasSuffix(r.URL.Path, "/token") {
			n := g.fetches.Add(1)
			g.tokenMSNs = append(g.tokenMSNs, r.Header.Get("Merchant-Serial-Number"))
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"Bearer","expires_in":"3600"}`, n)
			return
		}
		g.apiCount++
		g.apiCalls[r.Header.Get("Merchant-Serial-Number")] = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(g.Close)
	return g
}

// merchantCall makes one API call as a merchant client would: bound to msn, with the
// subscription key, and a bearer token from tokens.
func merchantCall(t *testing.T, g *gateway, tokens *auth.Cache, msn string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, g.URL+"/epayment/v1/payments/order-1", nil)
	require.NoError(t, err)
	edit := auth.Chain(vippsauth.SubscriptionKey(testSubKey), vippsauth.MerchantSerialNumber(msn))
	require.NoError(t, edit(req.Context(), req))
	resp, err := auth.Authorize(g.Client(), tokens).Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRegistryPartnerTokenIsSharedByMerchants(t *testing.T) {
	g := newGateway(t)
	reg := vippsauth.NewRegistry()
	merchants := []string{"123456", "654321"}
	for i := range 10 {
		msn := merchants[i%2]
		// Each merchant's client asks the registry with the same partner configuration.
		tokens, err := reg.Source(tokenConfig(g.URL))
		require.NoError(t, err)
		merchantCall(t, g, tokens, msn)
	}
	a, err := reg.Source(tokenConfig(g.URL))
	require.NoError(t, err)
	b, err := reg.Source(tokenConfig(g.URL + "/"))
	require.NoError(t, err)
	assert.Same(t, a, b, "a trailing slash does not make another credential set")

	assert.Equal(t, int32(1), g.fetches.Load(), "10 calls from 2 merchants, one token fetch")
	assert.Equal(t, 10, g.apiCount)
	assert.Equal(t, map[string]string{"123456": "token-1", "654321": "token-1"}, g.apiCalls)
	assert.Equal(t, []string{""}, g.tokenMSNs, "the shared token was fetched without an MSN")
	t.Logf("%d API calls from %d merchants, %d token fetch(es)", g.apiCount, len(merchants), g.fetches.Load())
}

func TestRegistryTokenPerMSNWhenTheMSNIsSentOnTheTokenCall(t *testing.T) {
	g := newGateway(t)
	reg := vippsauth.NewRegistry()
	caches := map[string]*auth.Cache{}
	for i := range 10 {
		msn := []string{"123456", "654321"}[i%2]
		cfg := tokenConfig(g.URL)
		cfg.MSN = msn
		tokens, err := reg.Source(cfg)
		require.NoError(t, err)
		if prev, ok := caches[msn]; ok {
			assert.Same(t, prev, tokens)
		}
		caches[msn] = tokens
		merchantCall(t, g, tokens, msn)
	}
	assert.NotSame(t, caches["123456"], caches["654321"])
	assert.Equal(t, int32(2), g.fetches.Load(), "one fetch per merchant")
	assert.ElementsMatch(t, []string{"123456", "654321"}, g.tokenMSNs, "each token call carried its MSN")
	assert.NotEqual(t, g.apiCalls["123456"], g.apiCalls["654321"], "each merchant used its own token")
	t.Logf("%d API calls from 2 merchants, %d token fetches, tokens %v", g.apiCount, g.fetches.Load(), g.apiCalls)
}

func TestRegistryNeverSharesAcrossCredentials(t *testing.T) {
	g := newGateway(t)
	reg := vippsauth.NewRegistry()
	base, err := reg.Source(tokenConfig(g.URL))
	require.NoError(t, err)

	variants := map[string]func(*vippsauth.TokenConfig){
		"other subscription key": func(c *vippsauth.TokenConfig) { c.Credentials.SubscriptionKey = "1111ebcab0ec4b29ae0cb90d91b4a84a" },
		"other client id":        func(c *vippsauth.TokenConfig) { c.Credentials.ClientID = "0d3b5a9e-9e49-4a36-8a6e-0b8e2f7f6b11" },
		"other client secret":    func(c *vippsauth.TokenConfig) { c.Credentials.ClientSecret = "another-secret" },
		"secret bytes moved into the key": func(c *vippsauth.TokenConfig) {
			c.Credentials.ClientSecret = testSecret[:4]
			c.Credentials.SubscriptionKey = testSecret[4:] + testSubKey
		},
		"MSN on the token call": func(c *vippsauth.TokenConfig) { c.MSN = "123456" },
		"other host":            func(c *vippsauth.TokenConfig) { c.BaseURL = strings.Replace(c.BaseURL, "127.0.0.1", "localhost", 1) },
	}
	seen := map[*auth.Cache]string{base: "base"}
	for name, edit := range variants {
		cfg := tokenConfig(g.URL)
		edit(&cfg)
		c, err := reg.Source(cfg)
		require.NoError(t, err, name)
		prev, dup := seen[c]
		assert.False(t, dup, "%s shares a cache with %s", name, prev)
		seen[c] = name
		again, err := reg.Source(cfg)
		require.NoError(t, err)
		assert.Same(t, c, again, "%s is stable", name)
	}
	// Changing what is not part of a token's identity keeps the cache.
	cfg := tokenConfig(g.URL)
	cfg.System = vippsauth.System{Name: "acme"}
	cfg.HTTPClient = g.Client()
	same, err := reg.Source(cfg)
	require.NoError(t, err)
	assert.Same(t, base, same, "system headers and the HTTP client do not change the token")

	for c := range seen {
		_, err := c.Token(context.Background())
		require.NoError(t, err)
		_, err = c.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(len(seen)), g.fetches.Load(), "one fetch per credential set, none shared")
	t.Logf("%d credential sets, %d token fetches for %d calls", len(seen), g.fetches.Load(), 2*len(seen))
}

func TestRegistryManagementSource(t *testing.T) {
	g := newGateway(t)
	reg := vippsauth.NewRegistry()
	a, err := reg.ManagementSource(mgmtConfig(g.URL))
	require.NoError(t, err)
	cfg := mgmtConfig(g.URL)
	cfg.TokenPath = vippsauth.DefaultManagementTokenPath
	b, err := reg.ManagementSource(cfg)
	require.NoError(t, err)
	assert.Same(t, a, b, "an empty TokenPath is the default path")

	cfg.TokenPath = "/authentication/v1/token"
	moved, err := reg.ManagementSource(cfg)
	require.NoError(t, err)
	assert.NotSame(t, a, moved)

	cfg = mgmtConfig(g.URL)
	cfg.ClientSecret = "rotated-secret"
	rotated, err := reg.ManagementSource(cfg)
	require.NoError(t, err)
	assert.NotSame(t, a, rotated)

	// Keys issued for /accesstoken/get with the same id and secret are another credential set.
	tc := tokenConfig(g.URL)
	tc.Credentials.ClientID, tc.Credentials.ClientSecret = testMgmtID, testMgmtPass
	merchant, err := reg.Source(tc)
	require.NoError(t, err)
	assert.NotSame(t, a, merchant)

	for range 5 {
		_, err := a.Token(context.Background())
		require.NoError(t, err)
		_, err = b.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), g.fetches.Load(), "10 calls on one management cache, one fetch")
}

func TestRegistryConcurrentCallers(t *testing.T) {
	g := newGateway(t)
	reg := vippsauth.NewRegistry()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			c, err := reg.Source(tokenConfig(g.URL))
			if !assert.NoError(t, err) {
				return
			}
			tok, err := c.Token(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, "token-1", tok.AccessToken.Reveal())
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), g.fetches.Load())
	t.Logf("50 concurrent callers, %d token fetch(es)", g.fetches.Load())
}
