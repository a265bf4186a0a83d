package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

func TestAuthorizeSetsTheTokenAndRetriesOnceOn401(t *testing.T) {
	var fetches, requests atomic.Int32
	src := auth.NewCache(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		n := fetches.Add(1)
		return auth.Token{AccessToken: auth.Secret([]string{"", "first", "second"}[n])}, nil
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer second" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := auth.Authorize(http.DefaultClient, src).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int32(2), requests.Load())
	assert.Equal(t, int32(2), fetches.Load())
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not changed")
}

func TestAuthorizeLeavesRequestsWithTheirOwnCredentialAlone(t *testing.T) {
	var fetches, requests atomic.Int32
	src := auth.NewCache(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		fetches.Add(1)
		return auth.Token{AccessToken: "product-token"}, nil
	}))
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		seen.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer consent-token")
	resp, err := auth.Authorize(http.DefaultClient, src).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a 401 for a foreign credential is the caller's answer")
	assert.Equal(t, "Bearer consent-token", seen.Load())
	assert.Equal(t, int32(1), requests.Load())
	assert.Equal(t, int32(0), fetches.Load())
}

// Each request carries the token the source gives at that moment: the header value kept
// between calls follows the token, from concurrent callers too.
func TestAuthorizeFollowsTheCurrentToken(t *testing.T) {
	var current atomic.Value
	current.Store(auth.Secret("first"))
	src := fixedSource{auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		return auth.Token{AccessToken: current.Load().(auth.Secret)}, nil
	})}
	seen := make(chan string, 200)
	do := auth.Authorize(auth.DoerFunc(func(r *http.Request) (*http.Response, error) {
		seen <- r.Header.Get("Authorization")
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	}), src)
	call := func() string {
		req, err := http.NewRequest(http.MethodGet, "http://gateway.test/x", nil)
		require.NoError(t, err)
		_, err = do.Do(req)
		require.NoError(t, err)
		return <-seen
	}

	assert.Equal(t, "Bearer first", call())
	assert.Equal(t, "Bearer first", call())
	current.Store(auth.Secret("second"))
	assert.Equal(t, "Bearer second", call())
	current.Store(auth.Secret("first"))
	assert.Equal(t, "Bearer first", call())

	// Concurrent calls through one Authorize while the token changes under them: each
	// request carries the token its own call was given (here chosen by its context).
	type tokenKey struct{}
	byCall := fixedSource{auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		return auth.Token{AccessToken: ctx.Value(tokenKey{}).(auth.Secret)}, nil
	})}
	shared := auth.Authorize(auth.DoerFunc(func(r *http.Request) (*http.Response, error) {
		want := r.Context().Value(tokenKey{}).(auth.Secret)
		if got := r.Header.Get("Authorization"); got != "Bearer "+want.Reveal() {
			return nil, fmt.Errorf("sent %q for token %q", got, want.Reveal())
		}
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	}), byCall)
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(context.Background(), tokenKey{}, auth.Secret([]string{"a", "b", "c"}[i%3]))
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://gateway.test/x", nil)
			if _, err := shared.Do(req); err != nil {
				wrong.Add(1)
				t.Log(err)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, wrong.Load())
}
