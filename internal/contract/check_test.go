package contract

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type requestCase struct {
	name      string
	build     func(testing.TB, string) *http.Request
	operation string
	problems  []string // nil: valid
}

// requestCases are shared by the direct, Transport and Middleware tests.
var requestCases = []requestCase{
	{name: "valid payment", build: paymentRequest, operation: "requestPayment"},
	{name: "valid payment without optional header", build: with(paymentRequest, delHeader("X-Callback-Url")), operation: "requestPayment"},
	{name: "valid json with charset", build: with(paymentRequest, setHeader("Content-Type", "application/json; charset=utf-8")), operation: "requestPayment"},
	{name: "valid json with unknown field", build: withBody(paymentRequest, `{"amount":"1","currency":"EUR","externalId":"e","payer":{"partyIdType":"EMAIL","partyId":"a@b.test"},"extra":true}`), operation: "requestPayment"},
	{name: "valid token", build: tokenRequest, operation: "createAccessToken"},
	{name: "valid status", build: statusRequest, operation: "getPaymentStatus"},
	{name: "valid form", build: consentRequest, operation: "authorizeConsent"},
	{name: "valid api user", build: apiUserRequest, operation: "createApiUser"},
	{name: "lower-case auth scheme", build: with(statusRequest, setHeader("Authorization", "bearer token")), operation: "getPaymentStatus"},

	// format: uuid
	{
		name: "reference id not a uuid", build: with(paymentRequest, setHeader("X-Reference-Id", "not-a-uuid")), operation: "requestPayment",
		problems: []string{`header X-Reference-Id: string doesn't match the format "uuid" (not an RFC 9562 UUID)`},
	},
	{
		name: "reference id missing", build: with(paymentRequest, delHeader("X-Reference-Id")), operation: "requestPayment",
		problems: []string{`header X-Reference-Id: value is required but missing`},
	},
	{
		name: "path id not a uuid",
		build: func(t testing.TB, base string) *http.Request {
			r := statusRequest(t, base)
			r.URL.Path = "/product/v1_0/payment/12345"
			return r
		},
		operation: "getPaymentStatus",
		problems:  []string{`path referenceId: string doesn't match the format "uuid" (not an RFC 9562 UUID)`},
	},
	{
		name: "api user reference id not a uuid", build: with(apiUserRequest, setHeader("X-Reference-Id", "6f1c2a7e3b1d4c2a9f3e1a2b3c4d5e6f")), operation: "createApiUser",
		problems: []string{`header X-Reference-Id: string doesn't match the format "uuid" (not an RFC 9562 UUID)`},
	},

	// format: uri
	{
		name: "callback not a uri", build: with(paymentRequest, setHeader("X-Callback-Url", "merchant callback")), operation: "requestPayment",
		problems: []string{`header X-Callback-Url: string doesn't match the format "uri" (not an absolute URI)`},
	},

	// security: apiKey + bearer
	{
		name: "api key missing", build: with(paymentRequest, delHeader("Ocp-Apim-Subscription-Key")), operation: "requestPayment",
		problems: []string{`security: ApiKey: header Ocp-Apim-Subscription-Key missing`},
	},
	{
		name: "bearer missing", build: with(statusRequest, delHeader("Authorization")), operation: "getPaymentStatus",
		problems: []string{`security: Bearer: Authorization header "Bearer" credentials missing`},
	},
	{
		name: "bearer empty", build: with(statusRequest, setHeader("Authorization", "Bearer ")), operation: "getPaymentStatus",
		problems: []string{`security: Bearer: Authorization header "Bearer" credentials missing`},
	},
	{
		name: "basic instead of bearer", build: with(consentRequest, setHeader("Authorization", "Basic dXNlcjpwYXNz")), operation: "authorizeConsent",
		problems: []string{`security: Bearer: Authorization header "Bearer" credentials missing`},
	},
	// security: apiKey + basic
	{
		name: "bearer instead of basic", build: with(tokenRequest, setHeader("Authorization", "Bearer token")), operation: "createAccessToken",
		problems: []string{`security: Basic: Authorization header "Basic" credentials missing`},
	},
	{
		name: "basic empty", build: with(tokenRequest, setHeader("Authorization", "Basic")), operation: "createAccessToken",
		problems: []string{`security: Basic: Authorization header "Basic" credentials missing`},
	},
	{
		name: "token api key missing", build: with(tokenRequest, delHeader("Ocp-Apim-Subscription-Key")), operation: "createAccessToken",
		problems: []string{`security: ApiKey: header Ocp-Apim-Subscription-Key missing`},
	},
	{
		name: "api user api key missing", build: with(apiUserRequest, delHeader("Ocp-Apim-Subscription-Key")), operation: "createApiUser",
		problems: []string{`security: ApiKey: header Ocp-Apim-Subscription-Key missing`},
	},

	// JSON body
	{
		name: "body field missing", build: withBody(paymentRequest, `{"amount":"1","currency":"EUR","payer":{"partyIdType":"MSISDN","partyId":"1"}}`), operation: "requestPayment",
		problems: []string{`request body: externalId: property "externalId" is missing`},
	},
	{
		name: "body field wrong type", build: withBody(paymentRequest, `{"amount":10,"currency":"EUR","externalId":"e","payer":{"partyIdType":"MSISDN","partyId":"1"}}`), operation: "requestPayment",
		problems: []string{`request body: amount: value must be a string`},
	},
	{
		name: "body field breaks pattern", build: withBody(paymentRequest, `{"amount":"ten","currency":"EUR","externalId":"e","payer":{"partyIdType":"MSISDN","partyId":"1"}}`), operation: "requestPayment",
		problems: []string{`request body: amount: string doesn't match the regular expression "^[0-9]+(\.[0-9]+)?$"`},
	},
	{
		name: "body not json", build: withBody(paymentRequest, `{"amount":`), operation: "requestPayment",
		problems: []string{`request body: failed to decode request body: unexpected EOF`},
	},
	{
		name: "required body missing", build: withBody(paymentRequest, ""), operation: "requestPayment",
		problems: []string{`request body: value is required but missing`},
	},
	{
		name: "body content type wrong", build: with(paymentRequest, setHeader("Content-Type", "text/plain")), operation: "requestPayment",
		problems: []string{`request body: header Content-Type has unexpected value "text/plain"`},
	},
	{
		name: "body without operation body", build: withBody(tokenRequest, `{}`), operation: "createAccessToken",
		problems: []string{`request body not allowed for this request`},
	},

	// form body
	{
		name: "form field missing", build: withBody(consentRequest, `login_hint=x`), operation: "authorizeConsent",
		problems: []string{`request body: scope: property "scope" is missing`},
	},
	{
		name: "form enum", build: withBody(consentRequest, `login_hint=x&scope=y&access_type=forever`), operation: "authorizeConsent",
		problems: []string{`request body: access_type: value is not one of the allowed values ["online","offline"]`},
	},
	{
		name: "form sent as json", build: with(consentRequest, setHeader("Content-Type", "application/json")), operation: "authorizeConsent",
		problems: []string{`request body: header Content-Type has unexpected value "application/json"`},
	},

	// every problem is listed, not only the first
	{
		name: "several problems",
		build: with(withBody(paymentRequest, `{"amount":"1","currency":"EUR","externalId":"e"}`), func(r *http.Request) {
			r.Header.Del("Ocp-Apim-Subscription-Key")
			r.Header.Set("X-Reference-Id", "1")
			r.Header.Del("X-Target-Environment")
		}),
		operation: "requestPayment",
		problems: []string{
			`security: ApiKey: header Ocp-Apim-Subscription-Key missing`,
			`header X-Reference-Id: string doesn't match the format "uuid" (not an RFC 9562 UUID)`,
			`header X-Target-Environment: value is required but missing`,
			`request body: payer: property "payer" is missing`,
		},
	},
}

func TestValidateRequest(t *testing.T) {
	v := newValidator(t)
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.ValidateRequest(tc.build(t, "http://127.0.0.1:9"))
			assert.Equal(t, tc.problems, problems(t, err))
			var ce *Error
			if errors.As(err, &ce) {
				assert.Equal(t, tc.operation, ce.Operation)
				assert.True(t, strings.HasPrefix(err.Error(), tc.operation+": "), err.Error())
			}
		})
	}
	// Direct validation records nothing.
	assert.Empty(t, v.Violations())
	assert.Equal(t, Stats{}, v.Stats())
}

func TestValidateRequestRestoresBody(t *testing.T) {
	v := newValidator(t)
	for _, build := range []func(testing.TB, string) *http.Request{paymentRequest, consentRequest, with(paymentRequest, delHeader("Ocp-Apim-Subscription-Key"))} {
		r := build(t, "http://127.0.0.1:9")
		want := r.ContentLength
		_ = v.ValidateRequest(r)
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, want, int64(len(body)))
		assert.Equal(t, want, r.ContentLength)
		again, err := r.GetBody()
		require.NoError(t, err)
		b2, _ := io.ReadAll(again)
		assert.Equal(t, body, b2)
	}
	// Nothing is added to the caller's request (kin-openapi could set defaults).
	r := statusRequest(t, "")
	before := r.Header.Clone()
	require.NoError(t, v.ValidateRequest(r))
	assert.Equal(t, before, r.Header)
}

func TestErrorKeepsKinOpenAPIError(t *testing.T) {
	v := newValidator(t)
	err := v.ValidateRequest(with(paymentRequest, setHeader("X-Reference-Id", "x"))(t, ""))
	var re *openapi3filter.RequestError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, "X-Reference-Id", re.Parameter.Name)
	// Messages stay short: no schema or value dumps.
	assert.NotContains(t, err.Error(), "Schema:")
	assert.NotContains(t, err.Error(), "\n")
}

type responseCase struct {
	name     string
	build    func(testing.TB, string) *http.Request
	status   int
	header   http.Header
	body     string
	problems []string // nil: valid
}

func jsonHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// responseCases are shared by the direct, Transport and Middleware tests.
var responseCases = []responseCase{
	{name: "200 json", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "3"), body: resultBody},
	{name: "200 json with uuid field", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "3"), body: `{"referenceId":"` + refID + `","amount":"1","currency":"EUR","status":"FAILED"}`},
	{name: "200 json with charset", build: statusRequest, status: 200, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Request-Cost": {"3"}}, body: resultBody},
	{name: "200 unknown field tolerated", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "3"), body: `{"amount":"1","currency":"EUR","status":"PENDING","financialTransactionId":"9"}`},
	{name: "202 no content", build: paymentRequest, status: 202},
	{name: "201 no content, no base path", build: apiUserRequest, status: 201},
	{name: "200 token", build: tokenRequest, status: 200, header: jsonHeader(), body: `{"access_token":"a","token_type":"access_token","expires_in":3600}`},
	{name: "200 form operation", build: consentRequest, status: 200, header: jsonHeader(), body: `{"auth_req_id":"x","interval":5}`},

	// x-may-be-empty
	{name: "401 empty may be empty", build: paymentRequest, status: 401},
	{name: "401 json", build: paymentRequest, status: 401, header: jsonHeader(), body: `{"code":"RESOURCE_NOT_FOUND","message":"Access denied"}`},
	{name: "400 empty may be empty", build: apiUserRequest, status: 400},
	{name: "401 empty on token", build: tokenRequest, status: 401},
	{
		name: "401 body breaks shared schema", build: paymentRequest, status: 401, header: jsonHeader(), body: `{"message":"no code"}`,
		problems: []string{`response body: code: property "code" is missing`},
	},
	{
		name: "500 empty not allowed", build: paymentRequest, status: 500,
		problems: []string{`response body: empty, want application/json`},
	},
	{
		name: "200 empty not allowed", build: tokenRequest, status: 200, header: jsonHeader(),
		problems: []string{`response body: empty, want application/json`},
	},
	{
		name: "200 empty still checks headers", build: statusRequest, status: 200,
		problems: []string{`response body: empty, want application/json`, `response header "X-Request-Cost" missing`},
	},

	// Content-Type
	{
		name: "body without content type", build: tokenRequest, status: 200, header: http.Header{}, body: `{"access_token":"a","token_type":"t","expires_in":1}`,
		problems: []string{`response header Content-Type has unexpected value: ""`},
	},
	{
		name: "body with wrong content type", build: paymentRequest, status: 500, header: http.Header{"Content-Type": {"text/plain"}}, body: `{"code":"X"}`,
		problems: []string{`response header Content-Type has unexpected value: "text/plain"`},
	},

	// status
	{
		name: "status not declared", build: paymentRequest, status: 200, header: jsonHeader(), body: `{}`,
		problems: []string{`status 200 not declared`},
	},
	{
		name: "404 not declared", build: statusRequest, status: 404,
		problems: []string{`status 404 not declared`},
	},

	// headers and schema
	{
		name: "required header missing", build: statusRequest, status: 200, header: jsonHeader(), body: resultBody,
		problems: []string{`response header "X-Request-Cost" missing`},
	},
	{
		name: "header wrong type", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "cheap"), body: resultBody,
		problems: []string{`unable to decode header "X-Request-Cost" value: value cheap: an invalid integer: invalid syntax`},
	},
	{
		name: "body breaks schema", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "3"), body: `{"amount":"1","currency":"EUR","status":"LOST"}`,
		problems: []string{`response body: status: value is not one of the allowed values ["PENDING","SUCCESSFUL","FAILED"]`},
	},
	{
		name: "body field not a uuid", build: statusRequest, status: 200, header: jsonHeader("X-Request-Cost", "3"), body: `{"referenceId":"42","amount":"1","currency":"EUR","status":"PENDING"}`,
		problems: []string{`response body: referenceId: string doesn't match the format "uuid" (not an RFC 9562 UUID)`},
	},
	{
		name: "body not json", build: tokenRequest, status: 200, header: jsonHeader(), body: `<html>`,
		problems: []string{`failed to decode response body: invalid character '<' looking for beginning of value`},
	},
}

func TestValidateResponse(t *testing.T) {
	v := newValidator(t)
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.build(t, "http://127.0.0.1:9")
			err := v.ValidateResponse(req, tc.status, tc.header, []byte(tc.body))
			assert.Equal(t, tc.problems, problems(t, err))
		})
	}
	assert.Empty(t, v.Violations())
}
