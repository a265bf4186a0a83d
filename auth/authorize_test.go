package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
