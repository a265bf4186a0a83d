package apierror_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/apierror"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/gen/vipps/userinfo"
)

// answer is what the test server sends back.
type answer struct {
	status int
	header http.Header
	body   string
}

// serve starts a server that gives every request the same answer and records the last
// request's method and path.
func serve(t *testing.T, a answer) (url string, last func() string) {
	t.Helper()
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Method + " " + r.URL.Path
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() string { return seen }
}

// want is what the error of a generated call should hold.
type want struct {
	status    int
	code      string
	message   string
	sentinel  error
	temporary bool
}

func assertAPIError(t *testing.T, err error, w want) *apierror.Error {
	t.Helper()
	if w.status >= 200 && w.status <= 299 {
		require.NoError(t, err)
		return nil
	}
	var apiErr *apierror.Error
	require.True(t, errors.As(err, &apiErr), "want an *apierror.Error, got %T: %v", err, err)
	assert.Equal(t, w.status, apiErr.StatusCode)
	assert.Equal(t, w.code, apiErr.Code)
	assert.Equal(t, w.message, apiErr.Message)
	assert.Equal(t, w.temporary, apiErr.Temporary())
	if w.sentinel != nil {
		assert.ErrorIs(t, err, w.sentinel)
	}
	t.Logf("%v", err)
	return apiErr
}

func TestCheckMoMoCollection(t *testing.T) {
	tests := []struct {
		name string
		a    answer
		w    want
	}{
		{"accepted", answer{status: 202}, want{status: 202}},
		{"duplicate reference", answer{409, hdr("Content-Type", momoJSON),
			`{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`},
			want{409, apierror.MoMoResourceAlreadyExist, "Duplicated reference id. Creation of resource failed.", apierror.ErrConflict, false}},
		{"sandbox unavailable", answer{503, hdr("Content-Type", momoJSON, "Retry-After", "2"),
			`{"message":"Service temporarily unavailable, try again later.","code":"SERVICE_UNAVAILABLE"}`},
			want{503, apierror.MoMoServiceUnavailable, "Service temporarily unavailable, try again later.", apierror.ErrServer, true}},
		{"wrong environment", answer{500, hdr("Content-Type", momoJSON),
			`{"message":"Access to target environment is forbidden.","code":"NOT_ALLOWED_TARGET_ENVIRONMENT"}`},
			want{500, apierror.MoMoNotAllowedTargetEnvironment, "Access to target environment is forbidden.", apierror.ErrServer, false}},
		{"subscription key refused", answer{401, hdr("Content-Type", "application/json", "WWW-Authenticate", apimRealm), apimKey},
			want{401, "", "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.", apierror.ErrUnauthorized, false}},
		{"bearer expired, empty body", answer{401, hdr("Content-Length", "0"), ""},
			want{401, "", "", apierror.ErrUnauthorized, false}},
		{"malformed reference, empty body", answer{400, nil, ""}, want{400, "", "", apierror.ErrBadRequest, false}},
		{"bodyless POST, HTML", answer{411, hdr("Content-Type", "text/html; charset=us-ascii"), html411},
			want{411, "", "Length Required", nil, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, last := serve(t, tt.a)
			c, err := collection.NewClientWithResponses(url)
			require.NoError(t, err)
			res, err := apierror.Check(c.RequestToPayWithResponse(context.Background(),
				&collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: "sandbox"},
				collection.RequestToPayJSONRequestBody{Amount: "100", Currency: "EUR", ExternalId: "order-17"}))
			assert.Equal(t, "POST /v1_0/requesttopay", last())
			require.NotNil(t, res, "Check keeps the response")
			assert.Equal(t, tt.w.status, res.StatusCode())
			apiErr := assertAPIError(t, err, tt.w)
			if apiErr != nil && tt.a.header.Get("Content-Type") != "" {
				assert.Equal(t, tt.a.header.Get("Content-Type"), apiErr.Header.Get("Content-Type"), "headers come through")
			}
		})
	}
}

func TestCheckVippsEPayment(t *testing.T) {
	tests := []struct {
		name string
		a    answer
		w    want
	}{
		{"created", answer{201, hdr("Content-Type", "application/json"),
			`{"reference":"order-17","redirectUrl":"https://example.com/pay"}`}, want{status: 201}},
		{"idempotency key reused", answer{409, hdr("Content-Type", problem),
			`{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems","title":"Conflict",` +
				`"detail":"Idempotency key already used","status":409,"traceId":"t-409","instance":"/epayment/v1/payments",` +
				`"extraDetails":[{"name":"ErrorCode","reason":"4020"}]}`},
			want{409, apierror.EPaymentIdempotencyKeyExists, "Idempotency key already used", apierror.ErrConflict, false}},
		{"locked", answer{423, hdr("Content-Type", problem),
			`{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems","title":"Locked","status":423,"traceId":"t-423"}`},
			want{423, "", "Locked", nil, true}},
		{"rate limited by the gateway", answer{429, hdr("Content-Type", "application/json", "Retry-After", "3"),
			`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3 seconds."}`},
			want{429, "", "Rate limit is exceeded. Try again in 3 seconds.", apierror.ErrRateLimited, true}},
		{"gateway refuses the key", answer{401, hdr("Content-Type", "application/json"),
			`{"errorCode":"Unauthorized","errorMessage":"Subscription not found","contextId":"ctx-401"}`},
			want{401, "Unauthorized", "Subscription not found", apierror.ErrUnauthorized, false}},
		{"proxy page", answer{503, hdr("Content-Type", "text/html"), html503},
			want{503, "", "503 Service Temporarily Unavailable", apierror.ErrServer, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, last := serve(t, tt.a)
			c, err := epayment.NewClientWithResponses(url)
			require.NoError(t, err)
			_, err = apierror.Check(c.CreatePaymentWithResponse(context.Background(),
				&epayment.CreatePaymentParams{IdempotencyKey: "key-1", MerchantSerialNumber: "123456"},
				epayment.CreatePaymentJSONRequestBody{Reference: "order-17"}))
			assert.Equal(t, "POST /epayment/v1/payments", last())
			apiErr := assertAPIError(t, err, tt.w)
			if tt.w.status == 429 {
				d, ok := apiErr.RetryAfter(time.Now())
				assert.True(t, ok)
				assert.Equal(t, "3s", d.String())
			}
			if tt.w.status == 409 {
				require.NotNil(t, apiErr.Problem)
				assert.Equal(t, "t-409", apiErr.Problem.TraceID)
			}
		})
	}
}

func TestCheckVippsEcom(t *testing.T) {
	url, last := serve(t, answer{400, hdr("Content-Type", "application/json;charset=UTF-8"),
		`[{"errorGroup":"Merchant","errorCode":"34","errorMessage":"Duplicate order id","contextId":"ctx-34"}]`})
	c, err := ecom.NewClientWithResponses(url)
	require.NoError(t, err)
	_, err = apierror.Check(c.InitiatePaymentWithResponse(context.Background(), &ecom.InitiatePaymentParams{},
		ecom.InitiatePaymentJSONRequestBody{}))
	assert.Equal(t, "POST /ecomm/v2/payments", last())
	apiErr := assertAPIError(t, err, want{400, apierror.EcomDuplicateOrderID, "Duplicate order id", apierror.ErrBadRequest, false})
	assert.Equal(t, []apierror.EcomError{{ErrorGroup: "Merchant", ErrorCode: "34", ErrorMessage: "Duplicate order id", ContextID: "ctx-34"}}, apiErr.Ecom)
}

func TestCheckVippsRecurring(t *testing.T) {
	url, last := serve(t, answer{409, hdr("Content-Type", problem),
		`{"type":"https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#idempotency-conflict",` +
			`"title":"Conflict","status":409,"detail":"Same key, another body","contextId":"ctx-r",` +
			`"extraDetails":[{"field":"amount","text":"differs from the first request"}]}`})
	c, err := recurring.NewClientWithResponses(url)
	require.NoError(t, err)
	_, err = apierror.Check(c.CreateChargeWithResponse(context.Background(), "agr_5kSeqz",
		&recurring.CreateChargeParams{IdempotencyKey: "key-1"}, recurring.CreateChargeJSONRequestBody{}))
	assert.Equal(t, "POST /recurring/v3/agreements/agr_5kSeqz/charges", last())
	apiErr := assertAPIError(t, err, want{409, apierror.RecurringIdempotencyConflict, "Same key, another body", apierror.ErrConflict, false})
	require.NotNil(t, apiErr.Problem)
	assert.Equal(t, []apierror.ExtraDetail{{Field: "amount", Text: "differs from the first request"}}, apiErr.Problem.ExtraDetails)
}

func TestCheckVippsUserinfo(t *testing.T) {
	url, last := serve(t, answer{404, hdr("Content-Type", "application/json;charset=UTF-8"),
		`{"type":"about:blank","title":"Not Found","status":"404","detail":"Unknown sub","instance":"/vipps-userinfo-api/userinfo/abc"}`})
	c, err := userinfo.NewClientWithResponses(url)
	require.NoError(t, err)
	_, err = apierror.Check(c.GetUserinfoWithResponse(context.Background(), "abc", &userinfo.GetUserinfoParams{}))
	assert.Equal(t, "GET /vipps-userinfo-api/userinfo/abc", last())
	apiErr := assertAPIError(t, err, want{404, "", "Unknown sub", apierror.ErrNotFound, false})
	require.NotNil(t, apiErr.Problem)
	assert.Equal(t, 404, apiErr.Problem.Status)
}

// TestCheckPassesTransportErrorsThrough keeps a failed call's own error.
func TestCheckPassesTransportErrorsThrough(t *testing.T) {
	c, err := collection.NewClientWithResponses("http://127.0.0.1:1")
	require.NoError(t, err)
	res, err := apierror.Check(c.GetAccountBalanceWithResponse(context.Background(), &collection.GetAccountBalanceParams{}))
	require.Error(t, err)
	assert.Nil(t, res)
	var apiErr *apierror.Error
	assert.False(t, errors.As(err, &apiErr))
}

// handWritten is a Response that is not generated, with headers of its own.
type handWritten struct {
	status int
	body   []byte
	header http.Header
}

func (h handWritten) StatusCode() int     { return h.status }
func (h handWritten) GetBody() []byte     { return h.body }
func (h handWritten) Header() http.Header { return h.header }

func TestFromResponse(t *testing.T) {
	var nilResponse *collection.RequestToPayResponse
	tests := []struct {
		name   string
		r      apierror.Response
		status int // 0 with ok for no error
		ok     bool
	}{
		{"2xx value", collection.RequestToPayResponse{HTTPResponse: &http.Response{StatusCode: 202}}, 0, true},
		{"204 pointer", &collection.RequestToPayResponse{HTTPResponse: &http.Response{StatusCode: 204}}, 0, true},
		{"nil pointer", nilResponse, 0, false},
		{"nil interface", nil, 0, false},
		{"no HTTP response", &collection.RequestToPayResponse{}, 0, false},
		{"hand-written 409", handWritten{409, []byte(`{"code":"RESOURCE_ALREADY_EXIST"}`), hdr("X-Request-Id", "r-1")}, 409, false},
		{"300 is not success", &collection.RequestToPayResponse{HTTPResponse: &http.Response{StatusCode: 302}}, 302, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apierror.FromResponse(tt.r)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			var apiErr *apierror.Error
			require.True(t, errors.As(err, &apiErr))
			assert.Equal(t, tt.status, apiErr.StatusCode)
			if h, ok := tt.r.(handWritten); ok {
				assert.Equal(t, apierror.MoMoResourceAlreadyExist, apiErr.Code)
				assert.Equal(t, h.header, apiErr.Header)
			}
		})
	}
}
