package vippsauth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// Test credentials; every test checks that none of the secrets shows up where it must not.
const (
	testClientID  = "fb492b5e-7907-4d83-ba20-c7fb60ca35de"
	testSecret    = auth.Secret("Y8Kteew6GE2ZmeycEt6egg==")
	testSubKey    = auth.Secret("0f14ebcab0ec4b29ae0cb90d91b4a84a")
	testMgmtID    = "mgmt-client-7c1d"
	testMgmtPass  = auth.Secret("mgmt-secret-d41d8cd98f00b204")
	testToken     = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-body.sig"
	testMgmtToken = "eyJraWQiOiJtaWFtaSJ9.management-token-body.sig"
)

// secrets lists every value that must never be printed.
var secrets = []string{testSecret.Reveal(), testSubKey.Reveal(), testMgmtPass.Reveal(), testToken, testMgmtToken}

var testCreds = vippsauth.Credentials{ClientID: testClientID, ClientSecret: testSecret, SubscriptionKey: testSubKey}

// tokenAnswer is the documented /accesstoken/get answer: every field a string.
const tokenAnswer = `{"token_type":"Bearer","expires_in":"86398","ext_expires_in":"0","expires_on":"4102444800",` +
	`"not_before":"1495184574","resource":"00000002-0000-0000-c000-000000000000","access_token":"` + testToken + `"}`

// mgmtAnswer is the documented /miami/v1/token answer: expires_in a number.
const mgmtAnswer = `{"access_token":"` + testMgmtToken + `","token_type":"Bearer","expires_in":900}`

// seen is one request as the server received it.
type seen struct {
	method, path string
	header       http.Header
	body         string
	contentLen   int64
	chunked      bool
}

// tokenServer answers every request with a fixed status, content type and body, and records
// what it received.
type tokenServer struct {
	*httptest.Server
	calls atomic.Int32

	mu          sync.Mutex
	status      int
	contentType string
	body        string
	requests    []seen
}

func newTokenServer(t *testing.T, status int, body string) *tokenServer {
	t.Helper()
	ts := &tokenServer{status: status, body: body, contentType: "application/json;charset=UTF-8"}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.requests = append(ts.requests, seen{
			method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: string(b),
			contentLen: r.ContentLength, chunked: len(r.TransferEncoding) > 0,
		})
		status, contentType, body := ts.status, ts.contentType, ts.body
		ts.mu.Unlock()
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "https://elsewhere.example/accesstoken/get")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// last returns the last request received.
func (ts *tokenServer) last(t *testing.T) seen {
	t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.requests) == 0 {
		t.Fatal("the server received no request")
	}
	return ts.requests[len(ts.requests)-1]
}

func tokenConfig(baseURL string) vippsauth.TokenConfig {
	return vippsauth.TokenConfig{BaseURL: baseURL, Credentials: testCreds}
}

func mgmtConfig(baseURL string) vippsauth.ManagementTokenConfig {
	return vippsauth.ManagementTokenConfig{BaseURL: baseURL, ClientID: testMgmtID, ClientSecret: testMgmtPass}
}
