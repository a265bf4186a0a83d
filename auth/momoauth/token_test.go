package momoauth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
)

const (
	testKey    = auth.Secret("sub-key-0123456789abcdef")
	testAPIKey = auth.Secret("f1db798c98df4bcf83b538175893bbf0")
	testUserID = "783a8f21-3fc6-4e39-aa76-da8e562fba7e"
)

var testUser = momoauth.APIUser{ID: testUserID, Key: testAPIKey}

// tokenServer answers POST /{product}/token/ like the gateway and records what it saw.
type tokenServer struct {
	*httptest.Server
	calls    atomic.Int32
	status   int
	body     string
	lastSeen atomic.Pointer[http.Request]
	bodySeen atomic.Pointer[[]byte]
}

func newTokenServer(t *testing.T, status int, body string) *tokenServer {
	t.Helper()
	ts := &tokenServer{status: status, body: body}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		ts.lastSeen.Store(r)
		ts.bodySeen.Store(&b)
		if ts.body != "" {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
		}
		w.WriteHeader(ts.status)
		_, _ = io.WriteString(w, ts.body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func sourceConfig(url string, p momoauth.Product) momoauth.SourceConfig {
	return momoauth.SourceConfig{BaseURL: url, Product: p, SubscriptionKey: testKey, APIUser: testUser}
}

func TestTokenSourceSendsTheGatewayRequest(t *testing.T) {
	for _, p := range momoauth.Products {
		t.Run(string(p), func(t *testing.T) {
			ts := newTokenServer(t, 200, `{"access_token":"eyJ0.abc","token_type":"access_token","expires_in":3600}`)
			src, err := momoauth.NewTokenSource(sourceConfig(ts.URL, p))
			require.NoError(t, err)

			before := time.Now()
			tok, err := src.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "eyJ0.abc", tok.AccessToken.Reveal())
			assert.WithinDuration(t, before.Add(time.Hour), tok.Expiry, 5*time.Second)

			r := ts.lastSeen.Load()
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/"+string(p)+"/token/", r.URL.Path, "the trailing slash is required")
			assert.Equal(t, testKey.Reveal(), r.Header.Get("Ocp-Apim-Subscription-Key"))
			wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testUserID+":"+testAPIKey.Reveal()))
			assert.Equal(t, wantBasic, r.Header.Get("Authorization"))
			assert.Equal(t, "0", r.Header.Get("Content-Length"), "a bodyless POST must say Content-Length: 0")
			assert.Empty(t, r.TransferEncoding, "chunked encoding is refused by the gateway")
			assert.Empty(t, *ts.bodySeen.Load())
			assert.Empty(t, r.Header.Get("X-Target-Environment"), "the token operation takes no environment")
		})
	}
}

func TestTokenSourceErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		is        error
		wantInErr string
	}{
		{"login failed as the wire answers", 500, `{"error":"login_failed"}`, momoauth.ErrBadCredentials, "HTTP 500 login_failed"},
		{"documented 401", 401, `{"error":"invalid_client"}`, momoauth.ErrBadCredentials, "HTTP 401 invalid_client"},
		{"gateway refuses the key", 401, `{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }`, momoauth.ErrSubscriptionKeyRefused, "Access denied"},
		{"service unavailable", 503, `{"message":"Service temporarily unavailable, try again later.","code":"SERVICE_UNAVAILABLE"}`, nil, "HTTP 503 SERVICE_UNAVAILABLE"},
		{"redirect is not followed", 302, ``, nil, "HTTP 302"},
		{"no token in the answer", 200, `{"token_type":"access_token","expires_in":3600}`, nil, "no access_token"},
		{"no lifetime", 200, `{"access_token":"x","token_type":"access_token","expires_in":0}`, nil, "expires_in 0"},
		{"not JSON", 200, ``, nil, "without a JSON token body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, tt.status, tt.body)
			src, err := momoauth.NewTokenSource(sourceConfig(ts.URL, momoauth.Collection))
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantInErr)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.NotContains(t, err.Error(), testKey.Reveal())
			assert.NotContains(t, err.Error(), testAPIKey.Reveal())
		})
	}
}

func TestSourceConfigIsCheckedBeforeSending(t *testing.T) {
	base := sourceConfig("https://sandbox.example.test", momoauth.Collection)
	tests := []struct {
		name  string
		edit  func(*momoauth.SourceConfig)
		inErr string
	}{
		{"relative base URL", func(c *momoauth.SourceConfig) { c.BaseURL = "/x" }, "base URL"},
		{"unknown product", func(c *momoauth.SourceConfig) { c.Product = "widget" }, `product "widget"`},
		{"no subscription key", func(c *momoauth.SourceConfig) { c.SubscriptionKey = "" }, "collection subscription key: required"},
		{"no API user", func(c *momoauth.SourceConfig) { c.APIUser.ID = "" }, "API user id: required"},
		{"colon in API user", func(c *momoauth.SourceConfig) { c.APIUser.ID = "a:b" }, "must not contain ':'"},
		{"no API key", func(c *momoauth.SourceConfig) { c.APIUser.Key = "" }, "API key: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			_, err := momoauth.NewTokenSource(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
		})
	}
}

func TestRegistrySharesTokensPerCredentials(t *testing.T) {
	ts := newTokenServer(t, 200, `{"access_token":"t","token_type":"access_token","expires_in":3600}`)
	reg := momoauth.NewRegistry()
	a, err := reg.Source(sourceConfig(ts.URL, momoauth.Collection))
	require.NoError(t, err)
	b, err := reg.Source(sourceConfig(ts.URL+"/", momoauth.Collection))
	require.NoError(t, err)
	assert.Same(t, a, b, "same base URL, product and API user share one cache")

	other := []momoauth.SourceConfig{sourceConfig(ts.URL, momoauth.Disbursement)}
	cfg := sourceConfig(ts.URL, momoauth.Collection)
	cfg.APIUser.Key = "another-key"
	other = append(other, cfg)
	cfg = sourceConfig(ts.URL, momoauth.Collection)
	cfg.SubscriptionKey = "another-subscription-key"
	other = append(other, cfg)
	cfg = sourceConfig(ts.URL, momoauth.Collection)
	cfg.APIUser.ID = "a6a5c1a4-5bd0-4c0e-9e0b-7c5e8d5c8a41"
	other = append(other, cfg)
	for i, cfg := range other {
		c, err := reg.Source(cfg)
		require.NoError(t, err)
		assert.NotSame(t, a, c, "case %d must not share a token", i)
	}

	for range 10 {
		_, err := a.Token(context.Background())
		require.NoError(t, err)
		_, err = b.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), ts.calls.Load(), "20 calls on a shared cache fetch once")
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	keys := momoauth.SubscriptionKeys{Collection: testKey, Disbursement: "disb-secret-key", Remittance: "remi-secret-key"}
	values := []any{testUser, &testUser, keys, &keys, sourceConfig("https://x.test", momoauth.Collection)}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out := fmt.Sprintf(verb, v)
			for _, secret := range []string{testKey.Reveal(), testAPIKey.Reveal(), "disb-secret-key", "remi-secret-key"} {
				assert.NotContains(t, out, secret, "%s of %T", verb, v)
			}
		}
	}
	assert.Contains(t, fmt.Sprint(testUser), testUserID, "the user id is not secret and helps debugging")
}

func TestTargetEnvironmentFillsEveryProductCallButTheAccessToken(t *testing.T) {
	edit := momoauth.TargetEnvironment("mtnuganda")
	tests := []struct {
		name, path, given, want string
	}{
		{"declared, left empty", "/collection/v1_0/requesttopay", "", "mtnuganda"},
		{"set per call", "/collection/v1_0/requesttopay", "sandbox", "sandbox"},
		{"consent token takes one", "/collection/oauth2/token/", "", "mtnuganda"},
		{"access token takes none", "/disbursement/token/", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.path, nil)
			if tt.given != "" {
				r.Header.Set("X-Target-Environment", tt.given)
			}
			require.NoError(t, edit(context.Background(), r))
			assert.Equal(t, tt.want, r.Header.Get("X-Target-Environment"))
		})
	}
	r := httptest.NewRequest(http.MethodGet, "/collection/v1_0/account/balance", nil)
	assert.ErrorContains(t, momoauth.TargetEnvironment("")(context.Background(), r), "X-Target-Environment")
}

func TestNewReferenceIDIsVersion4(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := momoauth.NewReferenceID()
		assert.Equal(t, 4, int(id.Version()))
		assert.False(t, seen[id.String()])
		seen[id.String()] = true
	}
}
