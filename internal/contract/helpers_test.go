package contract

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	refID       = "6f1c2a7e-3b1d-4c2a-9f3e-1a2b3c4d5e6f"
	paymentBody = `{"amount":"10.50","currency":"EUR","externalId":"ext-1","payer":{"partyIdType":"MSISDN","partyId":"4670000000"},"payerMessage":"hi"}`
	consentBody = `login_hint=ID%3A4670000000%2FMSISDN&scope=profile&access_type=offline`
	resultBody  = `{"amount":"10.50","currency":"EUR","status":"SUCCESSFUL","payer":{"partyIdType":"MSISDN","partyId":"4670000000"}}`
)

// newValidator loads the fixture documents: one with base path /product and
// one with no base path.
func newValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := New(os.DirFS("testdata"), "shop/product.yaml", "shop/provisioning.yaml")
	require.NoError(t, err)
	return v
}

func newRequest(t testing.TB, method, url, body string, header ...string) *http.Request {
	t.Helper()
	var r *http.Request
	var err error
	if body == "" {
		r, err = http.NewRequest(method, url, nil)
	} else {
		r, err = http.NewRequest(method, url, strings.NewReader(body))
	}
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

// The builders below return valid requests for each fixture operation;
// base is scheme, host and port, or "" for a server-side request URI.

func paymentRequest(t testing.TB, base string) *http.Request {
	return newRequest(t, http.MethodPost, base+"/product/v1_0/payment", paymentBody,
		"Ocp-Apim-Subscription-Key", "key",
		"Authorization", "Bearer token",
		"X-Reference-Id", refID,
		"X-Callback-Url", "https://merchant.example.test/callback",
		"X-Target-Environment", "sandbox",
		"Content-Type", "application/json")
}

func tokenRequest(t testing.TB, base string) *http.Request {
	return newRequest(t, http.MethodPost, base+"/product/token/", "",
		"Ocp-Apim-Subscription-Key", "key",
		"Authorization", "Basic dXNlcjpwYXNz")
}

func statusRequest(t testing.TB, base string) *http.Request {
	return newRequest(t, http.MethodGet, base+"/product/v1_0/payment/"+refID, "",
		"Ocp-Apim-Subscription-Key", "key",
		"Authorization", "Bearer token")
}

func consentRequest(t testing.TB, base string) *http.Request {
	return newRequest(t, http.MethodPost, base+"/product/v1_0/bc-authorize", consentBody,
		"Ocp-Apim-Subscription-Key", "key",
		"Authorization", "Bearer token",
		"Content-Type", "application/x-www-form-urlencoded")
}

func apiUserRequest(t testing.TB, base string) *http.Request {
	return newRequest(t, http.MethodPost, base+"/v1_0/apiuser", `{"providerCallbackHost":"merchant.example.test"}`,
		"Ocp-Apim-Subscription-Key", "key",
		"X-Reference-Id", refID,
		"Content-Type", "application/json")
}

// problems returns the problems of an *Error, failing the test for any other error.
func problems(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ce *Error
	require.True(t, errors.As(err, &ce), "want *Error, got %T: %v", err, err)
	return ce.Problems
}

// with returns a request builder that applies edit to a valid request.
func with(build func(testing.TB, string) *http.Request, edit func(*http.Request)) func(testing.TB, string) *http.Request {
	return func(t testing.TB, base string) *http.Request {
		r := build(t, base)
		edit(r)
		return r
	}
}

// withBody replaces the body of a valid request.
func withBody(build func(testing.TB, string) *http.Request, body string) func(testing.TB, string) *http.Request {
	return func(t testing.TB, base string) *http.Request {
		r := build(t, base)
		nr := newRequest(t, r.Method, r.URL.String(), body)
		nr.Header = r.Header
		return nr
	}
}

func setHeader(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func delHeader(name string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Del(name) }
}
