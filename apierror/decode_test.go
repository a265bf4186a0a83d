package apierror_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/apierror"
)

// hdr builds a header from name/value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const (
	momoJSON  = "application/json;charset=utf-8"
	problem   = "application/problem+json"
	azureCtx  = "appId=cid-v1:e996501c-e721-4ac1-97ff-dc6887b85e8c"
	html411   = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n<HTML><HEAD><TITLE>Length Required</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=us-ascii\"></HEAD>\r\n<BODY><h2>Length Required</h2>\r\n<hr><p>HTTP Error 411. The request must be chunked or have a content length.</p>\r\n</BODY></HTML>\r\n"
	html503   = "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n</body>\n</html>\n"
	apimKey   = "{ \"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.\" }"
	apimRealm = `AzureApiManagementKey realm="https://sandbox.momodeveloper.mtn.com/disbursement",name="Ocp-Apim-Subscription-Key",type="header"`
)

// TestDecodeShapes decodes every error shape in the facts and in recorded sandbox traffic.
func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   apierror.Error // Body is filled in from body
		text   string         // Error()
	}{
		{
			name: "MoMo code and message, recorded 500", status: 500,
			header: hdr("Content-Type", momoJSON, "Request-Context", azureCtx, "Date", "Thu, 27 Feb 2020 13:02:08 GMT"),
			body:   `{"message":"Access to target environment is forbidden.","code":"NOT_ALLOWED_TARGET_ENVIRONMENT"}`,
			want: apierror.Error{StatusCode: 500, Header: hdr("Content-Type", momoJSON, "Request-Context", azureCtx),
				Code: apierror.MoMoNotAllowedTargetEnvironment, Message: "Access to target environment is forbidden."},
			text: "HTTP 500 NOT_ALLOWED_TARGET_ENVIRONMENT: Access to target environment is forbidden.",
		},
		{
			name: "MoMo 503, recorded", status: 503, header: hdr("Content-Type", momoJSON),
			body: `{"message":"Service temporarily unavailable, try again later.","code":"SERVICE_UNAVAILABLE"}`,
			want: apierror.Error{StatusCode: 503, Header: hdr("Content-Type", momoJSON),
				Code: apierror.MoMoServiceUnavailable, Message: "Service temporarily unavailable, try again later."},
			text: "HTTP 503 SERVICE_UNAVAILABLE: Service temporarily unavailable, try again later.",
		},
		{
			name: "MoMo 409 duplicate reference", status: 409, header: hdr("Content-Type", momoJSON),
			body: `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`,
			want: apierror.Error{StatusCode: 409, Header: hdr("Content-Type", momoJSON),
				Code: apierror.MoMoResourceAlreadyExist, Message: "Duplicated reference id. Creation of resource failed."},
			text: "HTTP 409 RESOURCE_ALREADY_EXIST: Duplicated reference id. Creation of resource failed.",
		},
		{
			name: "MoMo token login_failed", status: 500, header: hdr("Content-Type", "application/json"),
			body: `{"error":"login_failed"}`,
			want: apierror.Error{StatusCode: 500, Header: hdr("Content-Type", "application/json"), Code: apierror.MoMoLoginFailed},
			text: "HTTP 500 login_failed",
		},
		{
			name: "OAuth error with description", status: 401, body: `{"error":"invalid_client","error_description":"Client authentication failed"}`,
			want: apierror.Error{StatusCode: 401, Code: "invalid_client", Message: "Client authentication failed"},
			text: "HTTP 401 invalid_client: Client authentication failed",
		},
		{
			name: "APIM 401, recorded", status: 401,
			header: hdr("Content-Type", "application/json", "WWW-Authenticate", apimRealm, "Content-Length", "143"),
			body:   apimKey,
			want: apierror.Error{StatusCode: 401, Header: hdr("Content-Type", "application/json", "WWW-Authenticate", apimRealm),
				Message: "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
				Gateway: &apierror.GatewayError{StatusCode: 401,
					Message: "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}},
			text: "HTTP 401: Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
		},
		{
			name: "empty 401, expired bearer, recorded", status: 401, header: hdr("Content-Length", "0", "Request-Context", azureCtx),
			want: apierror.Error{StatusCode: 401, Header: hdr("Request-Context", azureCtx)},
			text: "HTTP 401 Unauthorized",
		},
		{
			name: "empty 400, malformed reference id", status: 400,
			want: apierror.Error{StatusCode: 400}, text: "HTTP 400 Bad Request",
		},
		{
			name: "HTML 411, bodyless POST", status: 411, header: hdr("Content-Type", "text/html; charset=us-ascii"),
			body: html411,
			want: apierror.Error{StatusCode: 411, Header: hdr("Content-Type", "text/html; charset=us-ascii"), Message: "Length Required"},
			text: "HTTP 411: Length Required",
		},
		{
			name: "HTML 503 from a proxy", status: 503, header: hdr("Content-Type", "text/html", "Retry-After", "30"),
			body: html503,
			want: apierror.Error{StatusCode: 503, Header: hdr("Content-Type", "text/html", "Retry-After", "30"),
				Message: "503 Service Temporarily Unavailable"},
			text: "HTTP 503: 503 Service Temporarily Unavailable",
		},
		{
			name: "ePayment problem with ErrorCode", status: 409, header: hdr("Content-Type", problem),
			body: `{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems","title":"Conflict",` +
				`"detail":"The idempotency key was used for another request","status":409,"traceId":"77afe10c-8d5a-4b5c-a5f4-1e0e1c0e1e7b",` +
				`"instance":"/epayment/v1/payments","extraDetails":[{"name":"ErrorCode","reason":"4020"}]}`,
			want: apierror.Error{StatusCode: 409, Header: hdr("Content-Type", problem),
				Code: apierror.EPaymentIdempotencyKeyExists, Message: "The idempotency key was used for another request",
				Problem: &apierror.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems",
					Title: "Conflict", Detail: "The idempotency key was used for another request", Status: 409,
					TraceID: "77afe10c-8d5a-4b5c-a5f4-1e0e1c0e1e7b", Instance: "/epayment/v1/payments",
					ExtraDetails: []apierror.ExtraDetail{{Name: "ErrorCode", Reason: "4020"}}}},
			text: "HTTP 409 4020: The idempotency key was used for another request",
		},
		{
			name: "ePayment 400 naming a field, no code", status: 400, header: hdr("Content-Type", "application/problem+json; charset=utf-8"),
			body: `{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems","title":"Bad Request","status":400,` +
				`"traceId":"t-1","extraDetails":[{"name":"amount.value","reason":"must be at least 100"},{"name":"ErrorCode","reason":"6010"}]}`,
			want: apierror.Error{StatusCode: 400, Header: hdr("Content-Type", "application/problem+json; charset=utf-8"),
				Code: apierror.EPaymentAmountTooSmall, Message: "Bad Request",
				Problem: &apierror.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems",
					Title: "Bad Request", Status: 400, TraceID: "t-1",
					ExtraDetails: []apierror.ExtraDetail{{Name: "amount.value", Reason: "must be at least 100"}, {Name: "ErrorCode", Reason: "6010"}}}},
			text: "HTTP 400 6010: Bad Request",
		},
		{
			name: "Userinfo problem, status a string", status: 404, header: hdr("Content-Type", "application/json;charset=UTF-8"),
			body: `{"type":"about:blank","title":"Not Found","status":"404","detail":"No user for that sub","instance":"/vipps-userinfo-api/userinfo/abc","extraInfo":{"hint":"consent revoked"}}`,
			want: apierror.Error{StatusCode: 404, Header: hdr("Content-Type", "application/json;charset=UTF-8"), Message: "No user for that sub",
				Problem: &apierror.Problem{Type: "about:blank", Title: "Not Found", Status: 404, Detail: "No user for that sub",
					Instance: "/vipps-userinfo-api/userinfo/abc"}},
			text: "HTTP 404: No user for that sub",
		},
		{
			name: "knowledge-base problem, status a string", status: 400,
			body: `{"type":"https://developer.vippsmobilepay.com/docs/knowledge-base/errors","title":"Bad Request","status":"400","detail":"Validation failed","extraDetails":[{"name":"phoneNumber","reason":"invalid"}]}`,
			want: apierror.Error{StatusCode: 400, Message: "Validation failed",
				Problem: &apierror.Problem{Type: "https://developer.vippsmobilepay.com/docs/knowledge-base/errors", Title: "Bad Request",
					Status: 400, Detail: "Validation failed", ExtraDetails: []apierror.ExtraDetail{{Name: "phoneNumber", Reason: "invalid"}}}},
			text: "HTTP 400: Validation failed",
		},
		{
			name: "Recurring ErrorV3 with field and text", status: 400, header: hdr("Content-Type", problem),
			body: `{"type":"https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#validation-error",` +
				`"title":"Bad Request","status":400,"detail":"Input validation failed","instance":"/recurring/v3/agreements/agr_5kSeqz",` +
				`"contextId":"b9b8a2e3-5d0c-4b8a-9a9c-2f5b9c1d2e3f","extraDetails":[{"field":"pricing.amount","text":"must be greater than 0"}]}`,
			want: apierror.Error{StatusCode: 400, Header: hdr("Content-Type", problem),
				Code: apierror.RecurringValidationError, Message: "Input validation failed",
				Problem: &apierror.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#validation-error",
					Title: "Bad Request", Status: 400, Detail: "Input validation failed", Instance: "/recurring/v3/agreements/agr_5kSeqz",
					ContextID:    "b9b8a2e3-5d0c-4b8a-9a9c-2f5b9c1d2e3f",
					ExtraDetails: []apierror.ExtraDetail{{Field: "pricing.amount", Text: "must be greater than 0"}}}},
			text: "HTTP 400 validation-error: Input validation failed",
		},
		{
			name: "Recurring idempotency conflict", status: 409, header: hdr("Content-Type", problem),
			body: `{"type":"https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#idempotency-conflict","title":"Conflict","status":409,"detail":"Idempotency key reused with another body","contextId":"c-9"}`,
			want: apierror.Error{StatusCode: 409, Header: hdr("Content-Type", problem),
				Code: apierror.RecurringIdempotencyConflict, Message: "Idempotency key reused with another body",
				Problem: &apierror.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#idempotency-conflict",
					Title: "Conflict", Status: 409, Detail: "Idempotency key reused with another body", ContextID: "c-9"}},
			text: "HTTP 409 idempotency-conflict: Idempotency key reused with another body",
		},
		{
			name: "Management problem with key and value", status: 400, header: hdr("Content-Type", "application/problem+json;charset=UTF-8"),
			body: `{"type":"about:blank","title":"Bad Request","status":400,` +
				`"detail":"Invalid organisation number","instance":"/management/v1/merchants/DK:123","extraDetails":[{"key":"businessIdentifier","value":"DK:123"},{"key":"attempt","value":2}]}`,
			want: apierror.Error{StatusCode: 400, Header: hdr("Content-Type", "application/problem+json;charset=UTF-8"),
				Message: "Invalid organisation number",
				Problem: &apierror.Problem{Type: "about:blank",
					Title: "Bad Request", Status: 400, Detail: "Invalid organisation number", Instance: "/management/v1/merchants/DK:123",
					ExtraDetails: []apierror.ExtraDetail{{Key: "businessIdentifier", Value: "DK:123"}, {Key: "attempt", Value: "2"}}}},
			text: "HTTP 400: Invalid organisation number",
		},
		{
			name: "Webhooks ProblemDetails with nulls", status: 400, header: hdr("Content-Type", problem),
			body: `{"type":"00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00","title":"Bad Request","status":400,"detail":null,"instance":null,"traceId":"00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00","extraDetails":null}`,
			want: apierror.Error{StatusCode: 400, Header: hdr("Content-Type", problem), Message: "Bad Request",
				Problem: &apierror.Problem{Type: "00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00", Title: "Bad Request", Status: 400,
					TraceID: "00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00"}},
			text: "HTTP 400: Bad Request",
		},
		{
			name: "eCom array, code a string", status: 400, header: hdr("Content-Type", "application/json;charset=UTF-8"),
			body: `[{"errorGroup":"Merchant","errorCode":"35","errorMessage":"Requested Order not found","contextId":"ctx-1"},` +
				`{"errorGroup":"InvalidRequest","errorCode":"transaction.amount.invalid","errorMessage":"Amount must be positive"}]`,
			want: apierror.Error{StatusCode: 400, Header: hdr("Content-Type", "application/json;charset=UTF-8"),
				Code: apierror.EcomOrderIDNotFound, Message: "Requested Order not found",
				Ecom: []apierror.EcomError{
					{ErrorGroup: apierror.EcomGroupMerchant, ErrorCode: "35", ErrorMessage: "Requested Order not found", ContextID: "ctx-1"},
					{ErrorGroup: apierror.EcomGroupInvalidRequest, ErrorCode: "transaction.amount.invalid", ErrorMessage: "Amount must be positive"},
				}},
			text: "HTTP 400 35: Requested Order not found",
		},
		{
			name: "eCom array, code a number", status: 402,
			body: `[ {"errorGroup":"Payment","errorCode":61,"errorMessage":"Captured amount exceeds the reserved amount","contextId":"ctx-2"} ]`,
			want: apierror.Error{StatusCode: 402, Code: apierror.EcomCaptureTooHigh, Message: "Captured amount exceeds the reserved amount",
				Ecom: []apierror.EcomError{{ErrorGroup: apierror.EcomGroupPayment, ErrorCode: "61",
					ErrorMessage: "Captured amount exceeds the reserved amount", ContextID: "ctx-2"}}},
			text: "HTTP 402 61: Captured amount exceeds the reserved amount",
		},
		{
			name: "eCom single error object", status: 400,
			body: `{"errorGroup":"VippsError","errorCode":"94","errorMessage":"Order locked"}`,
			want: apierror.Error{StatusCode: 400, Code: apierror.EcomLocked, Message: "Order locked",
				Ecom: []apierror.EcomError{{ErrorGroup: apierror.EcomGroupVippsError, ErrorCode: "94", ErrorMessage: "Order locked"}}},
			text: "HTTP 400 94: Order locked",
		},
		{
			name: "Azure errorCode/errorMessage/contextId", status: 401, header: hdr("Content-Type", "application/json"),
			body: `{"errorCode":"Unauthorized","errorMessage":"Subscription not found","contextId":"4a5f0bb3-1bd9-4c5b-9c8e-5d8f7c0b9e21"}`,
			want: apierror.Error{StatusCode: 401, Header: hdr("Content-Type", "application/json"), Code: "Unauthorized", Message: "Subscription not found",
				Gateway: &apierror.GatewayError{ErrorCode: "Unauthorized", ErrorMessage: "Subscription not found",
					ContextID: "4a5f0bb3-1bd9-4c5b-9c8e-5d8f7c0b9e21"}},
			text: "HTTP 401 Unauthorized: Subscription not found",
		},
		{
			name: "ErrorFromAzure responseInfo and result", status: 401,
			body: `{"responseInfo":{"responseCode":401,"responseMessage":"Unauthorized"},"result":{"message":"Something went wrong, please try again later"}}`,
			want: apierror.Error{StatusCode: 401, Message: "Something went wrong, please try again later",
				Gateway: &apierror.GatewayError{ResponseCode: 401, ResponseMessage: "Unauthorized",
					ResultMessage: "Something went wrong, please try again later"}},
			text: "HTTP 401: Something went wrong, please try again later",
		},
		{
			name: "gateway 429 with Retry-After, statusCode a string", status: 429, header: hdr("Retry-After", "7", "Content-Type", "application/json"),
			body: `{"statusCode":"429","message":"Rate limit is exceeded. Try again in 7 seconds."}`,
			want: apierror.Error{StatusCode: 429, Header: hdr("Retry-After", "7", "Content-Type", "application/json"),
				Message: "Rate limit is exceeded. Try again in 7 seconds.",
				Gateway: &apierror.GatewayError{StatusCode: 429, Message: "Rate limit is exceeded. Try again in 7 seconds."}},
			text: "HTTP 429: Rate limit is exceeded. Try again in 7 seconds.",
		},
		{
			name: "Partner MiddlewareError, code a number", status: 500,
			body: `{"code":500,"message":"Internal middleware error"}`,
			want: apierror.Error{StatusCode: 500, Code: "500", Message: "Internal middleware error"},
			text: "HTTP 500 500: Internal middleware error",
		},
		{
			name: "message only", status: 502, body: `{"message":"Bad gateway"}`,
			want: apierror.Error{StatusCode: 502, Message: "Bad gateway"}, text: "HTTP 502: Bad gateway",
		},
		{
			name: "plain text", status: 404, header: hdr("Content-Type", "text/plain"), body: "Resource not found\nmore lines",
			want: apierror.Error{StatusCode: 404, Header: hdr("Content-Type", "text/plain"), Message: "Resource not found"},
			text: "HTTP 404: Resource not found",
		},
		{
			name: "broken JSON", status: 500, header: hdr("Content-Type", momoJSON), body: `{"code":"NOT_ALLOWED","message":`,
			want: apierror.Error{StatusCode: 500, Header: hdr("Content-Type", momoJSON)}, text: "HTTP 500 Internal Server Error",
		},
		{
			name: "binary garbage", status: 500, body: "\x00\xff\xfe garbage \x01",
			want: apierror.Error{StatusCode: 500}, text: "HTTP 500 Internal Server Error",
		},
		{
			name: "JSON of the wrong kind", status: 400, body: `{"type":{"nested":[1,2]},"status":true,"extraDetails":{"name":"x"}}`,
			want: apierror.Error{StatusCode: 400, Problem: &apierror.Problem{Type: `{"nested":[1,2]}`}},
			text: "HTTP 400 Bad Request",
		},
		{
			name: "302 without body", status: 302, header: hdr("Location", "/collection/token/"),
			want: apierror.Error{StatusCode: 302}, text: "HTTP 302 Found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apierror.Decode(tt.status, tt.header, []byte(tt.body))
			want := tt.want
			if tt.body != "" {
				want.Body = []byte(tt.body)
			}
			assert.Equal(t, &want, got)
			assert.Equal(t, tt.text, got.Error())
		})
	}
}

// TestDecodeHugeBodies keeps 4 KiB of a 10 MB body and does not decode it.
func TestDecodeHugeBodies(t *testing.T) {
	const size = 10 << 20
	tests := []struct {
		name    string
		body    []byte
		message string
	}{
		{"JSON", append([]byte(`{"code":"X","message":"`), bytes.Repeat([]byte("a"), size)...), ""},
		{"array", append([]byte(`[`), bytes.Repeat([]byte(`{"errorCode":"1"},`), size/18)...), ""},
		{"HTML", append([]byte("<html><head><title>Gateway Timeout</title></head><body>"), bytes.Repeat([]byte("x"), size)...), "Gateway Timeout"},
		{"garbage", bytes.Repeat([]byte{0xff, 0x00, '{'}, size/3), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got := apierror.Decode(http.StatusBadGateway, nil, tt.body)
			t.Logf("%d-byte body decoded in %v", len(tt.body), time.Since(start))
			assert.Len(t, got.Body, apierror.MaxBody)
			assert.Equal(t, tt.body[:apierror.MaxBody], got.Body)
			assert.Equal(t, tt.message, got.Message)
			assert.Empty(t, got.Code)
			assert.Less(t, len(got.Error()), 300)
		})
	}
}

// TestDecodeCopiesTheBody makes sure the Error does not hold on to the caller's buffer.
func TestDecodeCopiesTheBody(t *testing.T) {
	body := []byte(`{"code":"EXPIRED"}`)
	got := apierror.Decode(500, nil, body)
	body[2] = 'X'
	assert.Equal(t, `{"code":"EXPIRED"}`, string(got.Body))
}

// TestErrorTextIsOneShortLine checks that a hostile message cannot inject lines or bloat logs.
func TestErrorTextIsOneShortLine(t *testing.T) {
	body := `{"code":"X\r\nforged: yes","message":"line one\nline two\t` + strings.Repeat("é", 500) + `"}`
	got := apierror.Decode(500, nil, []byte(body))
	text := got.Error()
	assert.NotContains(t, text, "\n")
	assert.NotContains(t, text, "\r")
	assert.True(t, strings.HasPrefix(text, "HTTP 500 X forged: yes: line one line two "), text)
	assert.LessOrEqual(t, len(text), 2*200+30)
	assert.True(t, strings.HasSuffix(text, "…"))
	assert.Equal(t, "apierror: no HTTP response", (&apierror.Error{}).Error())
}

func TestIsMatchesSentinelsByStatus(t *testing.T) {
	sentinels := []error{apierror.ErrBadRequest, apierror.ErrUnauthorized, apierror.ErrForbidden,
		apierror.ErrNotFound, apierror.ErrConflict, apierror.ErrRateLimited, apierror.ErrServer}
	tests := []struct {
		status int
		want   error
	}{
		{400, apierror.ErrBadRequest}, {401, apierror.ErrUnauthorized}, {403, apierror.ErrForbidden},
		{404, apierror.ErrNotFound}, {409, apierror.ErrConflict}, {429, apierror.ErrRateLimited},
		{500, apierror.ErrServer}, {503, apierror.ErrServer}, {599, apierror.ErrServer},
		{402, nil}, {411, nil}, {423, nil}, {302, nil}, {600, nil},
	}
	for _, tt := range tests {
		var err error = apierror.Decode(tt.status, nil, nil)
		for _, s := range sentinels {
			assert.Equal(t, s == tt.want, errors.Is(err, s), "HTTP %d vs %v", tt.status, s)
		}
	}
}

func TestTemporary(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   bool
	}{
		{500, ``, true},
		{502, `<html></html>`, true},
		{503, `{"code":"SERVICE_UNAVAILABLE","message":"Service temporarily unavailable, try again later."}`, true},
		{500, `{"code":"INTERNAL_PROCESSING_ERROR"}`, true},
		{429, ``, true},
		{423, `{"type":"x","title":"Locked","status":423}`, true},
		{500, `{"error":"login_failed"}`, false},
		{500, `{"code":"NOT_ALLOWED_TARGET_ENVIRONMENT"}`, false},
		{500, `{"code":"INVALID_CURRENCY"}`, false},
		{500, `{"code":"INVALID_CALLBACK_URL_HOST"}`, false},
		{500, `{"code":"NOT_ALLOWED"}`, false},
		{400, ``, false},
		{401, ``, false},
		{404, `{"code":"RESOURCE_NOT_FOUND"}`, false},
		{409, `{"code":"RESOURCE_ALREADY_EXIST"}`, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, apierror.Decode(tt.status, nil, []byte(tt.body)).Temporary(), "%d %s", tt.status, tt.body)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 01 Mar 2026 11:59:00 GMT", 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"99999999999", 0, false},
	}
	for _, tt := range tests {
		e := apierror.Decode(429, hdr("Retry-After", tt.value), nil)
		got, ok := e.RetryAfter(now)
		assert.Equal(t, tt.ok, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}

func TestDecodeKeepsOnlyUsefulHeaders(t *testing.T) {
	h := hdr("Retry-After", "5", "Content-Type", problem, "X-Request-Id", "req-1", "Traceparent", "00-abc-def-01",
		"Set-Cookie", "session=secret", "Authorization", "Bearer secret", "Date", "Thu, 27 Feb 2020 10:08:03 GMT")
	got := apierror.Decode(429, h, nil)
	require.NotNil(t, got.Header)
	assert.Equal(t, hdr("Retry-After", "5", "Content-Type", problem, "X-Request-Id", "req-1", "Traceparent", "00-abc-def-01"), got.Header)
}
