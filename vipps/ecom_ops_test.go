package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the eCom tests send; the fake eCom checks them.
const (
	ecomDocument      = "vipps/ecom.yaml"
	ecomToken         = "test-token"
	ecomSubKey        = "0f14d0ab9605e7a1e4c0d3b1a2f5c6d7"
	ecomMSN           = "123456"
	ecomOrderID       = "acme-shop-123-order123abc"
	ecomCaptureReqID  = "7b0c1c1e-3c52-4bb3-9a3e-2d5f8f0c1a11"
	ecomRefundReqID   = "0d9f2b63-5d7e-4f6e-8e0b-6c2a4e1f3b22"
	ecomApproveReqID  = "a1f3c5e7-9b2d-4f6a-8c0e-1d3f5a7b9c33"
	ecomJSON          = "application/json;charset=UTF-8"
	ecomTimeStamp     = "2024-05-02T10:15:30.123Z"
	ecomTransactionID = "5001420062"
)

// ecomOperationIDs loads the eCom document with kin-openapi and lists its operationIds, sorted.
func ecomOperationIDs(t *testing.T) []string {
	t.Helper()
	v, err := contract.New(api.FS(), ecomDocument)
	require.NoError(t, err)
	return v.OperationIDs()
}

// ecomFake is a small eCom written from the facts sheet: it checks the credentials and the
// idempotency header of every request and answers each operation with a realistic body.
type ecomFake struct {
	mu         sync.Mutex
	seen       map[string]int    // requests per operationId
	requestIDs map[string]string // X-Request-Id per operationId
	problems   []string          // header and credential problems found
}

func newEcomFake() *ecomFake {
	return &ecomFake{seen: map[string]int{}, requestIDs: map[string]string{}}
}

func (f *ecomFake) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// operations returns the operationIds the fake has answered, sorted.
func (f *ecomFake) operations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// ecomWrite answers with a JSON body the way eCom does (with a charset parameter).
func ecomWrite(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", ecomJSON)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// op wraps an operation's handler with the checks every eCom call gets: Bearer token,
// subscription key, MSN when sent, and X-Request-Id where the facts require it.
func (f *ecomFake) op(id string, requestID bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+ecomToken {
			f.problem("%s: Authorization %q", id, got)
			ecomWrite(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Unauthorized"}`)
			return
		}
		if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != ecomSubKey {
			f.problem("%s: subscription key %q", id, got)
			ecomWrite(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`)
			return
		}
		if got := r.Header.Get("Merchant-Serial-Number"); got != "" && got != ecomMSN {
			f.problem("%s: Merchant-Serial-Number %q", id, got)
		}
		rid := r.Header.Get("X-Request-Id")
		if requestID && (rid == "" || len(rid) > 40) {
			f.problem("%s: X-Request-Id %q", id, rid)
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"X-Request-Id","errorMessage":"X-Request-Id is required"}]`)
			return
		}
		f.mu.Lock()
		f.seen[id]++
		if rid != "" {
			f.requestIDs[id] = rid
		}
		f.mu.Unlock()
		h(w, r)
	}
}

// decode reads a JSON request body into v, recording a problem when it cannot.
func (f *ecomFake) decode(id string, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		f.problem("%s: body: %v", id, err)
		return false
	}
	return true
}

func (f *ecomFake) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ecomm/v2/payments", f.op("InitiatePayment", false, func(w http.ResponseWriter, r *http.Request) {
		var body ecom.InitiatePaymentCommand
		if !f.decode("InitiatePayment", r, &body) {
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"body","errorMessage":"Unreadable body"}]`)
			return
		}
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{"orderId":%q,"url":"https://api.vipps.no/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=eyJraWQiOiJqd3RrZXkiLCJhbGciOiJSUzI1NiJ9"}`, body.Transaction.OrderId))
	}))
	mux.HandleFunc("POST /ecomm/v2/payments/{orderId}/capture", f.op("CapturePayment", true, func(w http.ResponseWriter, r *http.Request) {
		var body ecom.PaymentActionsRequest
		if !f.decode("CapturePayment", r, &body) {
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"body","errorMessage":"Unreadable body"}]`)
			return
		}
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{"orderId":%q,"paymentInstrument":"VIPPS","transactionInfo":{"amount":%d,"status":"Captured","timeStamp":%q,"transactionId":%q,"transactionText":%q},"transactionSummary":{"capturedAmount":%d,"refundedAmount":0,"remainingAmountToCapture":%d,"remainingAmountToRefund":%d}}`,
			r.PathValue("orderId"), body.Transaction.Amount, ecomTimeStamp, ecomTransactionID, body.Transaction.TransactionText,
			body.Transaction.Amount, 20000-body.Transaction.Amount, body.Transaction.Amount))
	}))
	mux.HandleFunc("PUT /ecomm/v2/payments/{orderId}/cancel", f.op("CancelPayment", false, func(w http.ResponseWriter, r *http.Request) {
		var body ecom.CancelPaymentActionRequest
		if !f.decode("CancelPayment", r, &body) {
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"body","errorMessage":"Unreadable body"}]`)
			return
		}
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{"orderId":%q,"transactionInfo":{"amount":20000,"status":"Cancelled","timeStamp":%q,"transactionText":%q},"transactionSummary":{"capturedAmount":0,"refundedAmount":0,"remainingAmountToCapture":0,"remainingAmountToRefund":0}}`,
			r.PathValue("orderId"), ecomTimeStamp, body.Transaction.TransactionText))
	}))
	mux.HandleFunc("POST /ecomm/v2/payments/{orderId}/refund", f.op("RefundPayment", true, func(w http.ResponseWriter, r *http.Request) {
		var body ecom.PaymentActionsRequest
		if !f.decode("RefundPayment", r, &body) {
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"body","errorMessage":"Unreadable body"}]`)
			return
		}
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{"orderId":%q,"transaction":{"amount":%d,"status":"Refund","timeStamp":%q,"transactionId":"5001420063","transactionText":%q},"transactionSummary":{"capturedAmount":20000,"refundedAmount":%d,"remainingAmountToCapture":0,"remainingAmountToRefund":%d}}`,
			r.PathValue("orderId"), body.Transaction.Amount, ecomTimeStamp, body.Transaction.TransactionText, body.Transaction.Amount, 20000-body.Transaction.Amount))
	}))
	mux.HandleFunc("POST /ecomm/v2/integration-test/payments/{orderId}/approve", f.op("IntegrationTestApprovePayment", false, func(w http.ResponseWriter, r *http.Request) {
		var body ecom.ForceApproveRequest
		if !f.decode("IntegrationTestApprovePayment", r, &body) {
			ecomWrite(w, http.StatusBadRequest, `[{"errorGroup":"InvalidRequest","errorCode":"body","errorMessage":"Unreadable body"}]`)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	mux.HandleFunc("GET /ecomm/v2/payments/{orderId}/details", f.op("GetPaymentDetails", false, func(w http.ResponseWriter, r *http.Request) {
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{
			"orderId": %q,
			"transactionLogHistory": [
				{"amount": 5000, "operation": "REFUND", "operationSuccess": true, "requestId": %q, "timeStamp": "2024-05-02T10:20:00.000Z", "transactionId": "5001420063", "transactionText": "Refund of one item"},
				{"amount": 20000, "operation": "CAPTURE", "operationSuccess": true, "requestId": %q, "timeStamp": "2024-05-02T10:16:00.000Z", "transactionId": %q, "transactionText": "Order shipped"},
				{"amount": 20000, "operation": "RESERVE", "operationSuccess": true, "timeStamp": "2024-05-02T10:15:00.000Z", "transactionId": %q, "transactionText": "Acme order 123"},
				{"amount": 20000, "operation": "INITIATE", "operationSuccess": true, "timeStamp": "2024-05-02T10:14:00.000Z", "transactionText": "Acme order 123"}
			],
			"transactionSummary": {"capturedAmount": 20000, "refundedAmount": 5000, "remainingAmountToCapture": 0, "remainingAmountToRefund": 15000, "bankIdentificationNumber": 540185},
			"shippingDetails": {"address": {"addressLine1": "Robert Levins gate 5", "city": "Oslo", "country": "NO", "zipCode": "0154"}, "shippingCost": 30.5, "shippingMethod": "Posten Servicepakke", "shippingMethodId": "posten-1"},
			"userDetails": {"bankIdVerified": "Y", "email": "user@example.com", "firstName": "Ada", "lastName": "Lovelace", "mobileNumber": "91234567", "userId": "uiJskNQ6qNN1iwN891uuob=="},
			"sub": "c06c4afe-d9e1-4c5d-939a-177d752a0944"
		}`, r.PathValue("orderId"), ecomRefundReqID, ecomCaptureReqID, ecomTransactionID, ecomTransactionID))
	}))
	mux.HandleFunc("GET /ecomm/v2/payments/{orderId}/status", f.op("GetOrderStatus", false, func(w http.ResponseWriter, r *http.Request) {
		ecomWrite(w, http.StatusOK, fmt.Sprintf(`{"orderId":%q,"transactionInfo":{"amount":20000,"status":"RESERVE","timeStamp":%q,"transactionId":%q}}`,
			r.PathValue("orderId"), ecomTimeStamp, ecomTransactionID))
	}))
	return mux
}

// ecomClient returns a generated client for base whose traffic v validates, with the
// credentials every call carries.
func ecomClient(t *testing.T, v *contract.Validator, base string) *ecom.ClientWithResponses {
	t.Helper()
	c, err := ecom.NewClientWithResponses(base,
		ecom.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport)}),
		ecom.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+ecomToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", ecomSubKey)
			return nil
		}),
	)
	require.NoError(t, err)
	return c
}

// ecomRequireNoViolations fails the test with every recorded violation printed.
func ecomRequireNoViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	require.Empty(t, v.Violations(), "contract violations:\n%s", v.Report())
}

func ecomPtr[T any](v T) *T { return &v }

// TestEcomOperations calls every operation of ecom.yaml through the generated client against
// the fake eCom, with the contract validated on both sides.
func TestEcomOperations(t *testing.T) {
	v, err := contract.New(api.FS(), ecomDocument)
	require.NoError(t, err)
	fake := newEcomFake()
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c := ecomClient(t, v, srv.URL)
	ctx := context.Background()

	msn := ecomPtr(ecomMSN)
	sys := func(p *ecom.CapturePaymentParams) {
		p.VippsSystemName = ecomPtr("acme")
		p.VippsSystemVersion = ecomPtr("3.1.2")
		p.VippsSystemPluginName = ecomPtr("acme-webshop")
		p.VippsSystemPluginVersion = ecomPtr("4.5.6")
	}

	cases := []struct {
		op   string
		call func(t *testing.T)
	}{
		{"InitiatePayment", func(t *testing.T) {
			resp, err := c.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{MerchantSerialNumber: msn}, ecom.InitiatePaymentCommand{
				CustomerInfo: ecom.CustomerInfo{MobileNumber: "91234567"},
				MerchantInfo: ecom.MerchantInfo{
					MerchantSerialNumber: ecomMSN,
					CallbackPrefix:       "https://example.com/vipps/callback",
					FallBack:             "https://example.com/vipps/fallback/" + ecomOrderID,
					AuthToken:            "b2a5c1d4-callback-token",
					IsApp:                false,
					PaymentType:          ecom.MerchantInfoPaymentType("eComm Regular Payment"),
				},
				Transaction: ecom.InitiateTransaction{
					Amount:          20000,
					OrderId:         ecomOrderID,
					TransactionText: "Acme order 123",
					Scope:           "name email",
				},
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Equal(t, ecomOrderID, resp.JSON200.OrderId)
			assert.True(t, strings.HasPrefix(resp.JSON200.Url, "https://"), resp.JSON200.Url)
		}},
		{"IntegrationTestApprovePayment", func(t *testing.T) {
			resp, err := c.IntegrationTestApprovePaymentWithResponse(ctx, ecomOrderID, &ecom.IntegrationTestApprovePaymentParams{
				XRequestId:           ecomPtr(ecomApproveReqID),
				MerchantSerialNumber: msn,
			}, ecom.ForceApproveRequest{CustomerPhoneNumber: "91234567"})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			assert.Empty(t, resp.Body)
		}},
		{"GetOrderStatus", func(t *testing.T) {
			resp, err := c.GetOrderStatusWithResponse(ctx, ecomOrderID, &ecom.GetOrderStatusParams{MerchantSerialNumber: msn})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Equal(t, ecomOrderID, resp.JSON200.OrderId)
			assert.Equal(t, "RESERVE", resp.JSON200.TransactionInfo.Status)
			assert.EqualValues(t, 20000, resp.JSON200.TransactionInfo.Amount)
			assert.Equal(t, ecomTransactionID, resp.JSON200.TransactionInfo.TransactionId)
		}},
		{"CapturePayment", func(t *testing.T) {
			params := &ecom.CapturePaymentParams{XRequestId: ecomCaptureReqID, MerchantSerialNumber: msn}
			sys(params)
			resp, err := c.CapturePaymentWithResponse(ctx, ecomOrderID, params, ecom.PaymentActionsRequest{
				MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: ecomMSN},
				Transaction:  ecom.ActionTransaction{Amount: 20000, TransactionText: "Order shipped"},
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			info := resp.JSON200.TransactionInfo
			assert.Equal(t, "Captured", info.Status)
			assert.EqualValues(t, 20000, info.Amount)
			assert.Equal(t, ecomTransactionID, info.TransactionId)
			assert.Equal(t, "VIPPS", resp.JSON200.PaymentInstrument)
			assert.EqualValues(t, 20000, resp.JSON200.TransactionSummary.CapturedAmount)
			assert.EqualValues(t, 20000, resp.JSON200.TransactionSummary.RemainingAmountToRefund)
		}},
		{"RefundPayment", func(t *testing.T) {
			resp, err := c.RefundPaymentWithResponse(ctx, ecomOrderID, &ecom.RefundPaymentParams{XRequestId: ecomRefundReqID, MerchantSerialNumber: msn}, ecom.PaymentActionsRequest{
				MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: ecomMSN},
				Transaction:  ecom.ActionTransaction{Amount: 5000, TransactionText: "Refund of one item"},
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Equal(t, "Refund", resp.JSON200.Transaction.Status)
			assert.EqualValues(t, 5000, resp.JSON200.Transaction.Amount)
			assert.EqualValues(t, 5000, resp.JSON200.TransactionSummary.RefundedAmount)
			assert.EqualValues(t, 15000, resp.JSON200.TransactionSummary.RemainingAmountToRefund)
		}},
		{"GetPaymentDetails", func(t *testing.T) {
			resp, err := c.GetPaymentDetailsWithResponse(ctx, ecomOrderID, &ecom.GetPaymentDetailsParams{MerchantSerialNumber: msn})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			d := resp.JSON200
			require.NotNil(t, d)
			require.Len(t, d.TransactionLogHistory, 4)
			assert.Equal(t, "REFUND", d.TransactionLogHistory[0].Operation)
			assert.Equal(t, ecomRefundReqID, d.TransactionLogHistory[0].RequestId)
			assert.Equal(t, "INITIATE", d.TransactionLogHistory[3].Operation)
			assert.Equal(t, "540185", d.TransactionSummary.BankIdentificationNumber.String(), "BIN sent as a number")
			assert.Equal(t, "0154", d.ShippingDetails.Address.ZipCode)
			assert.InDelta(t, 30.5, d.ShippingDetails.ShippingCost, 1e-9)
			assert.Equal(t, "uiJskNQ6qNN1iwN891uuob==", d.UserDetails.UserId)
			assert.Equal(t, "c06c4afe-d9e1-4c5d-939a-177d752a0944", d.Sub)
		}},
		{"CancelPayment", func(t *testing.T) {
			resp, err := c.CancelPaymentWithResponse(ctx, ecomOrderID, &ecom.CancelPaymentParams{MerchantSerialNumber: msn}, ecom.CancelPaymentActionRequest{
				MerchantInfo:                ecom.ActionMerchantInfo{MerchantSerialNumber: ecomMSN},
				Transaction:                 ecom.CancelTransaction{TransactionText: "Customer changed their mind"},
				ShouldReleaseRemainingFunds: true,
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Equal(t, "Cancelled", resp.JSON200.TransactionInfo.Status)
			assert.Empty(t, resp.JSON200.TransactionInfo.TransactionId, "cancel may omit transactionId")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.op, tc.call)
	}

	// The server saw the idempotency keys the facts require.
	fake.mu.Lock()
	assert.Equal(t, map[string]string{
		"CapturePayment":                ecomCaptureReqID,
		"RefundPayment":                 ecomRefundReqID,
		"IntegrationTestApprovePayment": ecomApproveReqID,
	}, fake.requestIDs)
	assert.Empty(t, fake.problems, "fake eCom found problems")
	fake.mu.Unlock()

	want := ecomOperationIDs(t)
	called := fake.operations()
	assert.Equal(t, want, called, "every operation of %s is called", ecomDocument)
	var tabled []string
	for _, tc := range cases {
		tabled = append(tabled, tc.op)
	}
	slices.Sort(tabled)
	assert.Equal(t, want, tabled)

	ecomRequireNoViolations(t, v)
	t.Logf("ecom: %d operations called, %d violations", len(called), len(v.Violations()))
}

// TestEcomErrorShapes answers calls with one error of each shape eCom and its gateway send
// and checks that the client decodes it and the contract accepts it.
func TestEcomErrorShapes(t *testing.T) {
	v, err := contract.New(api.FS(), ecomDocument)
	require.NoError(t, err)
	ctx := context.Background()

	capture := func(c *ecom.ClientWithResponses) (*ecom.CapturePaymentResponse, error) {
		return c.CapturePaymentWithResponse(ctx, ecomOrderID, &ecom.CapturePaymentParams{XRequestId: ecomCaptureReqID}, ecom.PaymentActionsRequest{
			MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: ecomMSN},
			Transaction:  ecom.ActionTransaction{Amount: 90000, TransactionText: "Order shipped"},
		})
	}

	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(t *testing.T, c *ecom.ClientWithResponses)
	}{
		{
			name: "error array", status: http.StatusBadRequest,
			header: map[string]string{"Content-Type": ecomJSON},
			body:   `[{"errorGroup":"Payment","errorCode":"61","errorMessage":"Captured amount exceeds the reserved amount","contextId":"b8b9c2e5-7d6a-4f0e-9c1d-3a2b4c5d6e7f"}]`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := capture(c)
				require.NoError(t, err)
				require.NotNil(t, resp.JSON400)
				require.Len(t, *resp.JSON400, 1)
				e := (*resp.JSON400)[0]
				assert.Equal(t, "Payment", e.ErrorGroup)
				assert.Equal(t, "61", e.ErrorCode)
				assert.NotEmpty(t, e.ContextId)
			},
		},
		{
			name: "error array on 404", status: http.StatusNotFound,
			header: map[string]string{"Content-Type": ecomJSON},
			body:   `[{"errorGroup":"Merchant","errorCode":"35","errorMessage":"Requested order not found"}]`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := c.GetPaymentDetailsWithResponse(ctx, "unknown-order", &ecom.GetPaymentDetailsParams{})
				require.NoError(t, err)
				require.NotNil(t, resp.JSON404)
				assert.Equal(t, "35", (*resp.JSON404)[0].ErrorCode)
			},
		},
		{
			name: "error array on 403", status: http.StatusForbidden,
			header: map[string]string{"Content-Type": ecomJSON},
			body:   `[{"errorGroup":"Merchant","errorCode":"97","errorMessage":"Merchant Not Allowed for Ecommerce Payment"}]`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := c.GetOrderStatusWithResponse(ctx, ecomOrderID, &ecom.GetOrderStatusParams{})
				require.NoError(t, err)
				require.NotNil(t, resp.JSON403)
				arr, err := resp.JSON403.AsErrorArray()
				require.NoError(t, err)
				require.Len(t, arr, 1)
				assert.Equal(t, "97", arr[0].ErrorCode)
			},
		},
		{
			name: "gateway 403", status: http.StatusForbidden,
			header: map[string]string{"Content-Type": "application/json"},
			body:   `{"statusCode":403,"message":"Invalid MSN: 654321. This MSN is not valid for the provided supermerchant ID."}`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := c.GetOrderStatusWithResponse(ctx, ecomOrderID, &ecom.GetOrderStatusParams{MerchantSerialNumber: ecomPtr("654321")})
				require.NoError(t, err)
				require.NotNil(t, resp.JSON403)
				g, err := resp.JSON403.AsExternalRef0GatewayError()
				require.NoError(t, err)
				assert.Equal(t, 403, g.StatusCode)
				assert.Contains(t, g.Message, "Invalid MSN")
			},
		},
		{
			name: "gateway 401", status: http.StatusUnauthorized,
			header: map[string]string{"Content-Type": "application/json"},
			body:   `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := capture(c)
				require.NoError(t, err)
				require.NotNil(t, resp.JSON401)
				assert.Equal(t, 401, resp.JSON401.StatusCode)
				assert.Contains(t, resp.JSON401.Message, "subscription key")
			},
		},
		{
			name: "429 with Retry-After", status: http.StatusTooManyRequests,
			header: map[string]string{"Content-Type": "application/json", "Retry-After": "30"},
			body:   `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 30 seconds."}`,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := capture(c)
				require.NoError(t, err)
				require.NotNil(t, resp.Headers429)
				assert.Equal(t, "30", resp.Headers429.RetryAfter)
				require.NotNil(t, resp.JSON429)
				assert.Equal(t, 429, resp.JSON429.StatusCode)
			},
		},
		{
			name: "500 without body", status: http.StatusInternalServerError,
			check: func(t *testing.T, c *ecom.ClientWithResponses) {
				resp, err := capture(c)
				require.NoError(t, err)
				assert.Equal(t, http.StatusInternalServerError, resp.StatusCode())
				assert.Nil(t, resp.JSON500)
				assert.Empty(t, resp.Body)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, val := range tc.header {
					w.Header().Set(k, val)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})))
			defer srv.Close()
			tc.check(t, ecomClient(t, v, srv.URL))
		})
	}
	ecomRequireNoViolations(t, v)
	t.Logf("ecom: %d error shapes answered, %d violations", len(cases), len(v.Violations()))
}
