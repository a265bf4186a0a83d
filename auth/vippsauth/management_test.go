package vippsauth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/vippsauth"
)

func TestManagementTokenSourceSendsClientCredentials(t *testing.T) {
	tests := []struct {
		name      string
		basePath  string
		tokenPath string
		wantPath  string
	}{
		{"default path", "", "", "/miami/v1/token"},
		{"announced new path", "", "/authentication/v1/token", "/authentication/v1/token"},
		{"base URL with a path prefix", "/vipps", "", "/vipps/miami/v1/token"},
		{"prefix and new path", "/vipps/", "/authentication/v1/token", "/vipps/authentication/v1/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, mgmtAnswer)
			cfg := mgmtConfig(ts.URL + tt.basePath)
			cfg.TokenPath = tt.tokenPath
			src, err := vippsauth.NewManagementTokenSource(cfg)
			require.NoError(t, err)

			before := time.Now()
			tok, err := src.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, testMgmtToken, tok.AccessToken.Reveal())
			assert.WithinDuration(t, before.Add(15*time.Minute), tok.Expiry, 3*time.Second)

			r := ts.last(t)
			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, tt.wantPath, r.path)
			wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testMgmtID+":"+testMgmtPass.Reveal()))
			assert.Equal(t, wantBasic, r.header.Get("Authorization"))
			assert.Equal(t, "grant_type=client_credentials", r.body)
			assert.Contains(t, r.header.Get("Content-Type"), "application/x-www-form-urlencoded")
			assert.NotContains(t, r.header, "Ocp-Apim-Subscription-Key", "a subscription key makes this endpoint answer 401")
			assert.NotContains(t, r.header, "Client_id", "the credentials go in Basic, not in headers")
			assert.NotContains(t, r.header, "Client_secret")
		})
	}
}

func TestManagementTokenSourceExpiresIn(t *testing.T) {
	tests := []struct {
		name string
		body string
		want time.Duration
	}{
		{"number, as documented", `{"access_token":"m","token_type":"Bearer","expires_in":900}`, 900 * time.Second},
		{"string, as the schema says", `{"access_token":"m","token_type":"Bearer","expires_in":"900"}`, 900 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, tt.body)
			src, err := vippsauth.NewManagementTokenSource(mgmtConfig(ts.URL))
			require.NoError(t, err)
			before := time.Now()
			tok, err := src.Token(context.Background())
			require.NoError(t, err)
			assert.WithinDuration(t, before.Add(tt.want), tok.Expiry, 3*time.Second)
		})
	}
}

func TestManagementTokenSourceErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantInErr string
		wantCode  string
		refused   bool
	}{
		{"wrong secret", 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`, "HTTP 401 invalid_client: Client authentication failed", "invalid_client", true},
		{"bad grant", 400, `{"error":"unsupported_grant_type"}`, "HTTP 400 unsupported_grant_type", "unsupported_grant_type", false},
		{"no access_token", 200, `{"token_type":"Bearer","expires_in":900}`, "answer has no access_token", "", false},
		{"expires_in zero", 200, `{"access_token":"` + testMgmtToken + `","expires_in":0}`, "expires_in is 0", "", false},
		{"expires_in not a number", 200, `{"access_token":"` + testMgmtToken + `","expires_in":"15m"}`, "answer field expires_in", "", false},
		{"not JSON", 200, `access_token=` + testMgmtToken, "answer is not valid JSON", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, tt.status, tt.body)
			src, err := vippsauth.NewManagementTokenSource(mgmtConfig(ts.URL))
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "vipps: token from /miami/v1/token: ")
			assert.Contains(t, err.Error(), tt.wantInErr)
			assert.Equal(t, tt.refused, errors.Is(err, vippsauth.ErrCredentialsRefused))
			var te *vippsauth.TokenError
			if tt.status != http.StatusOK {
				require.ErrorAs(t, err, &te)
				assert.Equal(t, tt.wantCode, te.Code)
				assert.Equal(t, "/miami/v1/token", te.Endpoint)
			}
			assertNoSecrets(t, err)
			t.Logf("%v", err)
		})
	}
}

func TestManagementTokenConfigIsCheckedBeforeSending(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*vippsauth.ManagementTokenConfig)
		inErr string
	}{
		{"relative base URL", func(c *vippsauth.ManagementTokenConfig) { c.BaseURL = "api.vipps.no" }, "base URL"},
		{"no client id", func(c *vippsauth.ManagementTokenConfig) { c.ClientID = "" }, "ClientID (client_id) is required"},
		{"colon in client id", func(c *vippsauth.ManagementTokenConfig) { c.ClientID = "a:b" }, "must not contain ':'"},
		{"no client secret", func(c *vippsauth.ManagementTokenConfig) { c.ClientSecret = "" }, "ClientSecret (client_secret) is required"},
		{"relative token path", func(c *vippsauth.ManagementTokenConfig) { c.TokenPath = "miami/v1/token" }, "want an absolute path"},
		{"query in token path", func(c *vippsauth.ManagementTokenConfig) { c.TokenPath = "/token?x=1" }, "want an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, mgmtAnswer)
			cfg := mgmtConfig(ts.URL)
			tt.edit(&cfg)
			_, err := vippsauth.NewManagementTokenSource(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
			_, err = vippsauth.NewRegistry().ManagementSource(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
			assert.Zero(t, ts.calls.Load())
		})
	}
}
