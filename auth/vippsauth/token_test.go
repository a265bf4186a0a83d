package vippsauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

func TestTokenSourceSendsTheTokenRequest(t *testing.T) {
	systemHeaders := []string{"Vipps-System-Name", "Vipps-System-Version", "Vipps-System-Plugin-Name", "Vipps-System-Plugin-Version"}
	tests := []struct {
		name       string
		msn        string
		system     vippsauth.System
		wantSystem map[string]string
	}{
		{name: "merchant keys, nothing optional"},
		{name: "partner keys with the merchant's MSN", msn: "123456"},
		{name: "MSN longer than any spec allows today", msn: "12345678901"},
		{
			name:       "all system headers",
			system:     vippsauth.System{Name: "acme", Version: "3.1.2", PluginName: "acme-webshop", PluginVersion: "4.5.6"},
			wantSystem: map[string]string{"Vipps-System-Name": "acme", "Vipps-System-Version": "3.1.2", "Vipps-System-Plugin-Name": "acme-webshop", "Vipps-System-Plugin-Version": "4.5.6"},
		},
		{
			name:       "some system headers",
			system:     vippsauth.System{Name: "acme", PluginVersion: "4.5.6"},
			wantSystem: map[string]string{"Vipps-System-Name": "acme", "Vipps-System-Plugin-Version": "4.5.6"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, tokenAnswer)
			cfg := tokenConfig(ts.URL)
			cfg.MSN, cfg.System = tt.msn, tt.system
			src, err := vippsauth.NewTokenSource(cfg)
			require.NoError(t, err)

			tok, err := src.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, testToken, tok.AccessToken.Reveal())
			assert.Equal(t, "Bearer", tok.TokenType)

			r := ts.last(t)
			assert.Equal(t, http.MethodPost, r.method)
			assert.Equal(t, "/accesstoken/get", r.path)
			assert.Equal(t, testClientID, r.header.Get("client_id"))
			assert.Equal(t, testSecret.Reveal(), r.header.Get("client_secret"))
			assert.Equal(t, testSubKey.Reveal(), r.header.Get("Ocp-Apim-Subscription-Key"))
			assert.Empty(t, r.header.Get("Authorization"))
			assert.Equal(t, "0", r.header.Get("Content-Length"), "a bodyless POST must say Content-Length: 0")
			assert.False(t, r.chunked, "no chunked encoding on an empty body")
			assert.Empty(t, r.body)

			if tt.msn != "" {
				assert.Equal(t, tt.msn, r.header.Get("Merchant-Serial-Number"))
			} else {
				assert.NotContains(t, r.header, "Merchant-Serial-Number", "no MSN header unless configured")
			}
			for _, h := range systemHeaders {
				if want, ok := tt.wantSystem[h]; ok {
					assert.Equal(t, want, r.header.Get(h))
				} else {
					assert.NotContains(t, r.header, h, "unset system headers are not sent, not even empty")
				}
			}
		})
	}
}

func TestTokenSourceExpiry(t *testing.T) {
	now := time.Now()
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name string
		body string
		want time.Duration // lifetime from now
	}{
		{"expires_in as a string, as the wire sends it", `{"access_token":"t","token_type":"Bearer","expires_in":"86398"}`, 86398 * time.Second},
		{"expires_in as a number, as the YAML example shows", `{"access_token":"t","token_type":"Bearer","expires_in":86398}`, 86398 * time.Second},
		{"test lifetime", `{"access_token":"t","token_type":"Bearer","expires_in":"3599","ext_expires_in":"0"}`, 3599 * time.Second},
		{"expires_on earlier wins", `{"access_token":"t","expires_in":"86398","expires_on":"` + unix(10*time.Minute) + `"}`, 10 * time.Minute},
		{"expires_on earlier wins, as a number", `{"access_token":"t","expires_in":"86398","expires_on":` + unix(20*time.Minute) + `}`, 20 * time.Minute},
		{"expires_on later is ignored", `{"access_token":"t","expires_in":"3600","expires_on":"` + unix(48*time.Hour) + `"}`, time.Hour},
		{"expires_on already past is ignored as clock skew", `{"access_token":"t","expires_in":"3600","expires_on":"` + unix(-time.Hour) + `"}`, time.Hour},
		{"expires_on zero is absent", `{"access_token":"t","expires_in":"3600","expires_on":"0"}`, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, tt.body)
			src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL))
			require.NoError(t, err)
			tok, err := src.Token(context.Background())
			require.NoError(t, err)
			assert.WithinDuration(t, now.Add(tt.want), tok.Expiry, 3*time.Second)
			t.Logf("lifetime %v", time.Until(tok.Expiry).Round(time.Second))
		})
	}
}

func TestTokenSourceMalformedAnswers(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantInErr   string
	}{
		{"no access_token", "", `{"token_type":"Bearer","expires_in":"3600"}`, "answer has no access_token"},
		{"empty access_token", "", `{"access_token":"","expires_in":"3600"}`, "answer has no access_token"},
		{"expires_in zero", "", `{"access_token":"` + testToken + `","expires_in":"0"}`, "expires_in is 0, want a positive number of seconds"},
		{"expires_in negative", "", `{"access_token":"` + testToken + `","expires_in":-5}`, "expires_in is -5"},
		{"expires_in missing", "", `{"access_token":"` + testToken + `"}`, "expires_in is 0"},
		{"expires_in not a number", "", `{"access_token":"` + testToken + `","expires_in":"soon"}`, `answer field expires_in: integer: want a whole number, got "soon"`},
		{"expires_on not a number", "", `{"access_token":"` + testToken + `","expires_in":"3600","expires_on":"tomorrow"}`, "answer field expires_on"},
		{"access_token not a string", "", `{"access_token":12345,"expires_in":"3600"}`, "answer field access_token"},
		{"not JSON", "", `<html><body>` + testToken + `</body></html>`, "HTTP 200: answer is not valid JSON"},
		{"truncated JSON", "", `{"access_token":"` + testToken, "answer is not valid JSON"},
		{"empty body", "", ``, "answer is not valid JSON"},
		{"JSON array", "", `[{"access_token":"` + testToken + `"}]`, "answer is not a JSON object"},
		{"HTTP 200 without JSON", "text/html", `<html>maintenance</html>`, `HTTP 200 without a JSON token body (Content-Type "text/html")`},
		{"HTTP 200 without a content type", "-", ``, `without a JSON token body (Content-Type "")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, tt.body)
			switch tt.contentType {
			case "":
			case "-":
				ts.contentType = ""
			default:
				ts.contentType = tt.contentType
			}
			src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL))
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "vipps: token from /accesstoken/get: ")
			assert.Contains(t, err.Error(), tt.wantInErr)
			var te *vippsauth.TokenError
			assert.False(t, errors.As(err, &te), "a 200 is not a TokenError")
			assertNoSecrets(t, err)
			t.Logf("%v", err)
		})
	}
}

func TestTokenSourceGatewayErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantCode    string
		wantMessage string
		refused     bool
	}{
		{
			name: "401 wrong subscription key", status: 401,
			body:        `{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }`,
			wantMessage: "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
			refused:     true,
		},
		{
			name: "401 subscription not found", status: 401,
			body:     `{"errorCode":"Unauthorized","errorMessage":"Subscription not found","contextId":"b7d5e1c0-1f1a-4a6e-9f3c-2f9d4b6c7a81"}`,
			wantCode: "Unauthorized", wantMessage: "Subscription not found", refused: true,
		},
		{
			name: "401 OAuth shape", status: 401,
			body:     `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`,
			wantCode: "invalid_client", wantMessage: "AADSTS7000215: Invalid client secret provided.", refused: true,
		},
		{
			name: "401 statusCode as a string, which the generated parser refuses", status: 401,
			body:        `{"statusCode":"401","message":"Access denied due to missing subscription key."}`,
			wantMessage: "Access denied due to missing subscription key.", refused: true,
		},
		{
			name: "401 without a body", status: 401, contentType: "-",
			refused: true,
		},
		{
			name: "403 MSN not the partner's", status: 403,
			body:        `{"statusCode":403,"message":"Invalid MSN: 654321. This MSN is not valid for the provided supermerchant ID."}`,
			wantMessage: "Invalid MSN: 654321. This MSN is not valid for the provided supermerchant ID.",
		},
		{
			name: "403 modelled Azure shape", status: 403,
			body:        `{"responseInfo":{"responseCode":403,"responseMessage":"Forbidden"},"result":{"message":"Merchant Not Allowed for Ecommerce Payment"}}`,
			wantMessage: "Merchant Not Allowed for Ecommerce Payment",
		},
		{
			name: "500 gateway", status: 500,
			body:        `{"statusCode":500,"message":"Internal server error"}`,
			wantMessage: "Internal server error",
		},
		{
			name: "500 HTML page", status: 500, contentType: "text/html",
			body: `<html><body>Service Unavailable</body></html>`,
		},
		{
			name: "500 broken JSON", status: 500,
			body: `{"statusCode":500,"message":"Internal`,
		},
		{
			name: "429 rate limit", status: 429,
			body:        `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`,
			wantMessage: "Rate limit is exceeded. Try again in 1 seconds.",
		},
		{
			name: "302 is not followed", status: 302, contentType: "-",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, tt.status, tt.body)
			switch tt.contentType {
			case "":
			case "-":
				ts.contentType = ""
			default:
				ts.contentType = tt.contentType
			}
			src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL)) // the default client
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)

			var te *vippsauth.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "/accesstoken/get", te.Endpoint)
			assert.Equal(t, tt.status, te.StatusCode)
			assert.Equal(t, tt.wantCode, te.Code)
			assert.Equal(t, tt.wantMessage, te.Message)
			assert.Equal(t, tt.refused, errors.Is(err, vippsauth.ErrCredentialsRefused))
			assert.Contains(t, err.Error(), fmt.Sprintf("HTTP %d", tt.status))
			assert.Equal(t, int32(1), ts.calls.Load(), "no retry, no redirect")
			assertNoSecrets(t, err)
			t.Logf("%v", err)
		})
	}
}

func TestTokenErrorThroughACache(t *testing.T) {
	ts := newTokenServer(t, http.StatusUnauthorized, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`)
	src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL))
	require.NoError(t, err)
	_, err = auth.NewCache(src).Token(context.Background())
	require.ErrorIs(t, err, vippsauth.ErrCredentialsRefused)
	var te *vippsauth.TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 401, te.StatusCode)
}

func TestTokenErrorMessageIsBounded(t *testing.T) {
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	ts := newTokenServer(t, 500, `{"message":"`+string(long)+`"}`)
	src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL))
	require.NoError(t, err)
	_, err = src.Token(context.Background())
	var te *vippsauth.TokenError
	require.ErrorAs(t, err, &te)
	assert.LessOrEqual(t, len(te.Message), 200+len("…"))
}

func TestTokenSourceNetworkFailure(t *testing.T) {
	ts := newTokenServer(t, http.StatusOK, tokenAnswer)
	url := ts.URL
	ts.Close()
	src, err := vippsauth.NewTokenSource(tokenConfig(url))
	require.NoError(t, err)
	_, err = src.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "vipps: token from /accesstoken/get: ")
	var te *vippsauth.TokenError
	assert.False(t, errors.As(err, &te))
	assertNoSecrets(t, err)
}

func TestTokenSourceHonoursContext(t *testing.T) {
	ts := newTokenServer(t, http.StatusOK, tokenAnswer)
	src, err := vippsauth.NewTokenSource(tokenConfig(ts.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = src.Token(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestTokenConfigIsCheckedBeforeSending(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*vippsauth.TokenConfig)
		inErr string
	}{
		{"relative base URL", func(c *vippsauth.TokenConfig) { c.BaseURL = "/accesstoken" }, "base URL"},
		{"no scheme", func(c *vippsauth.TokenConfig) { c.BaseURL = "apitest.vipps.no" }, "want an absolute http(s) URL"},
		{"password in a bad base URL is not shown", func(c *vippsauth.TokenConfig) { c.BaseURL = "ftp://u:" + testSecret.Reveal() + "@h" }, "base URL"},
		{"no client id", func(c *vippsauth.TokenConfig) { c.Credentials.ClientID = "" }, "ClientID (client_id) is required"},
		{"no client secret", func(c *vippsauth.TokenConfig) { c.Credentials.ClientSecret = "" }, "ClientSecret (client_secret) is required"},
		{"no subscription key", func(c *vippsauth.TokenConfig) { c.Credentials.SubscriptionKey = "" }, "SubscriptionKey (Ocp-Apim-Subscription-Key) is required"},
		{"MSN with letters", func(c *vippsauth.TokenConfig) { c.MSN = "12ab" }, `Merchant-Serial-Number "12ab": digits only`},
		{"system name too long", func(c *vippsauth.TokenConfig) { c.System.Name = "a-system-name-of-31-characters!" }, "Vipps-System-Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, http.StatusOK, tokenAnswer)
			cfg := tokenConfig(ts.URL)
			tt.edit(&cfg)
			_, err := vippsauth.NewTokenSource(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
			_, err = vippsauth.NewRegistry().Source(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
			assertNoSecrets(t, err)
			assert.Zero(t, ts.calls.Load())
		})
	}
}

func TestCredentialsValidate(t *testing.T) {
	require.NoError(t, testCreds.Validate())
	c := testCreds
	c.ClientSecret = ""
	assert.ErrorContains(t, c.Validate(), "ClientSecret")
}

func TestDefaultHTTPClient(t *testing.T) {
	c := vippsauth.DefaultHTTPClient()
	require.NotNil(t, c.CheckRedirect)
	assert.ErrorIs(t, c.CheckRedirect(nil, nil), http.ErrUseLastResponse)
	bounded, ok := c.Transport.(*auth.TimeoutTransport)
	require.True(t, ok, "the timeout is kept by the transport")
	assert.Equal(t, 30*time.Second, bounded.Timeout)
	tr, ok := bounded.Base.(*http.Transport)
	require.True(t, ok)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 100)
	assert.NotNil(t, tr.Proxy, "proxies from the environment still apply")
	assert.NotSame(t, tr, vippsauth.NewTransport(), "each client gets its own transport")
}
