package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the ePayment tests send; the fake API checks them.
const (
	epaymentDocument = "vipps/epayment.yaml"
	epaymentToken    = "test-token"
	epaymentSubKey   = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	epaymentMSN      = "123456"
	epaymentRef      = "acme-order-20240611-0001"
)

// epaymentOperationIDs loads the document with kin-openapi and lists its operationIds, sorted.
func epaymentOperationIDs(t *testing.T) []string {
	t.Helper()
	v, err := contract.New(api.FS(), epaymentDocument)
	require.NoError(t, err)
	return v.OperationIDs()
}

// epaymentAnswer is a canned answer the fake API gives instead of its normal one.
type epaymentAnswer struct {
	status      int
	contentType string // empty: no Content-Type and no body
	header      map[string]string
	body        string
}

// epaymentPayment is the fake API's record of one payment.
type epaymentPayment struct {
	amount     map[string]any
	currency   string
	value      int64
	state      string
	authorized int64
	captured   int64
	cancelled  int64
	refunded   int64
	metadata   map[string]string
	createdPSP string
	events     []map[string]any
}

// epaymentFake is a small ePayment API written from the facts sheet: it checks the
// credentials and headers of every call, keeps payments in memory and answers with the wire
// shapes, or with a forced answer when one is set.
type epaymentFake struct {
	mu       sync.Mutex
	calls    map[string]int      // calls per operationId
	keys     map[string][]string // Idempotency-Key values seen per operationId
	problems []string            // header and credential problems found
	payments map[string]*epaymentPayment
	psp      int
	force    *epaymentAnswer
}

func newEpaymentFake() *epaymentFake {
	return &epaymentFake{
		calls:    map[string]int{},
		keys:     map[string][]string{},
		payments: map[string]*epaymentPayment{},
	}
}

func (f *epaymentFake) problemf(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// handler routes the seven client operations; the merchant-side shipping callback is not part
// of this API document.
func (f *epaymentFake) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /epayment/v1/payments", f.wrap("CreatePayment", true, f.create))
	mux.HandleFunc("GET /epayment/v1/payments/{reference}", f.wrap("GetPayment", false, f.get))
	mux.HandleFunc("GET /epayment/v1/payments/{reference}/events", f.wrap("GetPaymentEventLog", false, f.events))
	mux.HandleFunc("POST /epayment/v1/payments/{reference}/cancel", f.wrap("CancelPayment", false, f.cancel))
	mux.HandleFunc("POST /epayment/v1/payments/{reference}/capture", f.wrap("CapturePayment", true, f.capture))
	mux.HandleFunc("POST /epayment/v1/payments/{reference}/refund", f.wrap("RefundPayment", true, f.refund))
	mux.HandleFunc("POST /epayment/v1/test/payments/{reference}/approve", f.wrap("ForceApprove", false, f.approve))
	return mux
}

// wrap records the call, checks what every ePayment call must carry (Bearer token,
// subscription key, MSN, no empty headers, the Idempotency-Key where required), then answers.
func (f *epaymentFake) wrap(opID string, keyRequired bool, next func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[opID]++
		if got := r.Header.Get("Authorization"); got != "Bearer "+epaymentToken {
			f.problemf("%s: Authorization %q", opID, got)
		}
		if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != epaymentSubKey {
			f.problemf("%s: subscription key %q", opID, got)
		}
		if got := r.Header.Get("Merchant-Serial-Number"); got != epaymentMSN {
			f.problemf("%s: Merchant-Serial-Number %q", opID, got)
		}
		for name, values := range r.Header {
			for _, v := range values {
				if v == "" {
					f.problemf("%s: empty header %s", opID, name)
				}
			}
		}
		key := r.Header.Get("Idempotency-Key")
		if keyRequired && key == "" {
			f.problemf("%s: no Idempotency-Key", opID)
		}
		if key != "" {
			f.keys[opID] = append(f.keys[opID], key)
		}
		if f.force != nil {
			epaymentWriteRaw(w, *f.force)
			return
		}
		next(w, r, key)
	}
}

func epaymentWriteRaw(w http.ResponseWriter, a epaymentAnswer) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.WriteHeader(a.status)
	if a.body != "" {
		_, _ = w.Write([]byte(a.body))
	}
}

func epaymentWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// epaymentProblem answers with the API's problem body carrying an error code.
func epaymentProblem(w http.ResponseWriter, status int, title, code string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type":         "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/problems#" + code,
		"title":        title,
		"detail":       title,
		"status":       status,
		"traceId":      "77bc3ea1-7f36-4fa6-ba3b-6f2c4b9a1f0e",
		"instance":     "/epayment/v1/payments",
		"extraDetails": []map[string]string{{"name": "ErrorCode", "reason": code}},
	})
}

func epaymentAmount(currency string, value int64) map[string]any {
	return map[string]any{"currency": currency, "value": value}
}

func (f *epaymentFake) nextPSP() string {
	f.psp++
	return fmt.Sprintf("%d", 7686000000+f.psp)
}

// event logs one event; key is "" for events no call with a key caused (sent as null).
func (f *epaymentFake) event(p *epaymentPayment, ref, name string, value int64, key string) string {
	psp := f.nextPSP()
	var k any
	if key != "" {
		k = key
	}
	p.events = append(p.events, map[string]any{
		"reference":      ref,
		"pspReference":   psp,
		"name":           name,
		"amount":         epaymentAmount(p.currency, value),
		"timestamp":      time.Date(2024, 6, 11, 12, 0, len(p.events), 0, time.UTC).Format(time.RFC3339Nano),
		"idempotencyKey": k,
		"success":        true,
	})
	return psp
}

func (p *epaymentPayment) aggregate() map[string]any {
	return map[string]any{
		"authorizedAmount": epaymentAmount(p.currency, p.authorized),
		"cancelledAmount":  epaymentAmount(p.currency, p.cancelled),
		"capturedAmount":   epaymentAmount(p.currency, p.captured),
		"refundedAmount":   epaymentAmount(p.currency, p.refunded),
	}
}

func (f *epaymentFake) lookup(w http.ResponseWriter, r *http.Request) (*epaymentPayment, string, bool) {
	ref := r.PathValue("reference")
	p, ok := f.payments[ref]
	if !ok {
		epaymentProblem(w, http.StatusNotFound, "Reference not found", "5090")
	}
	return p, ref, ok
}

func (f *epaymentFake) create(w http.ResponseWriter, r *http.Request, key string) {
	var req struct {
		Amount struct {
			Currency string `json:"currency"`
			Value    int64  `json:"value"`
		} `json:"amount"`
		Reference string            `json:"reference"`
		Metadata  map[string]string `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		epaymentProblem(w, http.StatusBadRequest, "Malformed body", "4140")
		return
	}
	if _, ok := f.payments[req.Reference]; ok {
		epaymentProblem(w, http.StatusConflict, "Reference already exists", "4150")
		return
	}
	p := &epaymentPayment{
		currency: req.Amount.Currency,
		value:    req.Amount.Value,
		amount:   epaymentAmount(req.Amount.Currency, req.Amount.Value),
		state:    "CREATED",
		metadata: req.Metadata,
	}
	f.payments[req.Reference] = p
	p.createdPSP = f.event(p, req.Reference, "CREATED", p.value, key)
	epaymentWriteJSON(w, http.StatusCreated, map[string]any{
		"reference":   req.Reference,
		"redirectUrl": "https://landing.vipps.no/v2/payment?token=eyJraWQiOiJhcGl0ZXN0IiwiYWxnIjoiUlMyNTYifQ",
	})
}

func (f *epaymentFake) get(w http.ResponseWriter, r *http.Request, _ string) {
	p, ref, ok := f.lookup(w, r)
	if !ok {
		return
	}
	body := map[string]any{
		"aggregate":     p.aggregate(),
		"amount":        p.amount,
		"state":         p.state,
		"paymentMethod": map[string]any{"type": "WALLET"},
		"profile":       map[string]any{},
		"pspReference":  p.createdPSP,
		"reference":     ref,
		"redirectUrl":   "https://landing.vipps.no/v2/payment?token=eyJraWQiOiJhcGl0ZXN0IiwiYWxnIjoiUlMyNTYifQ",
		"metadata":      p.metadata,
	}
	if p.state == "AUTHORIZED" {
		body["profile"] = map[string]any{"sub": "c06c4afe-d9e1-4c5d-939a-177d752a0944"}
		body["userDetails"] = map[string]any{
			"email": "ola.nordmann@example.com", "firstName": "Ola", "lastName": "Nordmann",
			"mobileNumber": "4712345678", "dateOfBirth": "1990-12-31",
			"addresses": []map[string]any{{"addressLine1": "Robert Levins gate 5", "city": "Oslo", "country": "NO", "postCode": "0154"}},
		}
		body["shippingDetails"] = map[string]any{
			"address":      map[string]any{"addressLine1": "Robert Levins gate 5", "city": "Oslo", "country": "NO", "postCode": "0154"},
			"shippingCost": 4900, "shippingOptionId": "posten-mailbox", "shippingOptionName": "Posten, in the mailbox",
		}
		// A field the document does not know: clients must tolerate it.
		body["futureField"] = "ignored"
	}
	epaymentWriteJSON(w, http.StatusOK, body)
}

func (f *epaymentFake) events(w http.ResponseWriter, r *http.Request, _ string) {
	p, _, ok := f.lookup(w, r)
	if !ok {
		return
	}
	epaymentWriteJSON(w, http.StatusOK, p.events)
}

func (f *epaymentFake) approve(w http.ResponseWriter, r *http.Request, _ string) {
	p, ref, ok := f.lookup(w, r)
	if !ok {
		return
	}
	if p.state != "CREATED" {
		epaymentProblem(w, http.StatusBadRequest, "Approve failed", "10010")
		return
	}
	p.state = "AUTHORIZED"
	p.authorized = p.value
	f.event(p, ref, "AUTHORIZED", p.value, "")
	w.WriteHeader(http.StatusOK)
}

// modification answers the three modification operations with the wire's content type for
// them: the API labels this success body application/problem+json.
func (f *epaymentFake) modification(w http.ResponseWriter, p *epaymentPayment, ref, psp string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"amount":       p.amount,
		"state":        p.state,
		"aggregate":    p.aggregate(),
		"pspReference": psp,
		"reference":    ref,
	})
}

func (f *epaymentFake) modificationAmount(w http.ResponseWriter, r *http.Request) (int64, bool) {
	var req struct {
		ModificationAmount struct {
			Value int64 `json:"value"`
		} `json:"modificationAmount"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		epaymentProblem(w, http.StatusBadRequest, "Malformed body", "4140")
		return 0, false
	}
	return req.ModificationAmount.Value, true
}

func (f *epaymentFake) capture(w http.ResponseWriter, r *http.Request, key string) {
	p, ref, ok := f.lookup(w, r)
	if !ok {
		return
	}
	v, ok := f.modificationAmount(w, r)
	if !ok {
		return
	}
	if p.state != "AUTHORIZED" {
		epaymentProblem(w, http.StatusBadRequest, "Capture before reservation", "6080")
		return
	}
	if v > p.authorized-p.captured-p.cancelled {
		epaymentProblem(w, http.StatusBadRequest, "Capture amount too high", "6090")
		return
	}
	p.captured += v
	f.modification(w, p, ref, f.event(p, ref, "CAPTURED", v, key))
}

func (f *epaymentFake) refund(w http.ResponseWriter, r *http.Request, key string) {
	p, ref, ok := f.lookup(w, r)
	if !ok {
		return
	}
	v, ok := f.modificationAmount(w, r)
	if !ok {
		return
	}
	if v > p.captured-p.refunded {
		epaymentProblem(w, http.StatusBadRequest, "Not enough refundable", "6150")
		return
	}
	p.refunded += v
	f.modification(w, p, ref, f.event(p, ref, "REFUNDED", v, key))
}

func (f *epaymentFake) cancel(w http.ResponseWriter, r *http.Request, key string) {
	p, ref, ok := f.lookup(w, r)
	if !ok {
		return
	}
	var req struct {
		CancelTransactionOnly bool `json:"cancelTransactionOnly"`
	}
	if r.ContentLength != 0 {
		_ = json.NewDecoder(r.Body).Decode(&req)
	}
	switch p.state {
	case "CREATED":
		p.state = "TERMINATED"
		f.modification(w, p, ref, f.event(p, ref, "TERMINATED", p.value, key))
	case "AUTHORIZED":
		if req.CancelTransactionOnly {
			epaymentProblem(w, http.StatusBadRequest, "Cannot cancel authorized payment", "6060")
			return
		}
		left := p.authorized - p.captured - p.cancelled
		p.cancelled += left
		// The state stays AUTHORIZED after a cancel of an authorized payment.
		f.modification(w, p, ref, f.event(p, ref, "CANCELLED", left, key))
	default:
		epaymentProblem(w, http.StatusBadRequest, "Cannot cancel", "6190")
	}
}

// epaymentSetup starts the fake behind the validator's middleware and returns a generated
// client whose transport is validated too.
func epaymentSetup(t *testing.T) (*epayment.ClientWithResponses, *epaymentFake, *contract.Validator) {
	t.Helper()
	v, err := contract.New(api.FS(), epaymentDocument)
	require.NoError(t, err)
	fake := newEpaymentFake()
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c, err := epayment.NewClientWithResponses(srv.URL,
		epayment.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport), Timeout: 10 * time.Second}),
		epayment.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+epaymentToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", epaymentSubKey)
			return nil
		}))
	require.NoError(t, err)
	return c, fake, v
}

func epaymentRequireNoViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	require.Empty(t, v.Violations(), "contract violations:\n%s", v.Report())
}

// epaymentFullRequest fills every field of CreatePaymentRequest, so that the whole request
// schema is exercised.
func epaymentFullRequest(t *testing.T) epayment.CreatePaymentRequest {
	t.Helper()
	var customer epayment.Customer
	require.NoError(t, customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: "4712345678"}))
	return epayment.CreatePaymentRequest{
		Amount:              epayment.Amount{Currency: "NOK", Value: 49900},
		PaymentMethod:       epayment.PaymentMethod{Type: "WALLET", BlockedSources: []string{"COMMERCIAL_CARDS"}},
		Reference:           epaymentRef,
		UserFlow:            epayment.WEBREDIRECT,
		Customer:            customer,
		ReturnUrl:           "https://shop.example.com/vipps/return?order=0001",
		PaymentDescription:  "Two coffees and a cake",
		CustomerInteraction: epayment.CUSTOMERNOTPRESENT,
		MinimumUserAge:      18,
		IndustryData: epayment.IndustryData{AirlineData: epayment.AirlineData{
			AgencyInvoiceNumber: "123456", AirlineCode: "074", AirlineDesignatorCode: "KL",
			PassengerName: "NORDMANN/OLA", TicketNumber: "0742345678901",
		}},
		Profile:   epayment.ProfileRequest{Scope: "name phoneNumber email"},
		ExpiresAt: time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second),
		QrFormat:  epayment.QrFormat{Format: epayment.IMAGEPNG, Size: 512},
		Receipt: epayment.Receipt{
			OrderLines: []epayment.OrderLine{{
				Name: "Coffee", Id: "sku-coffee", TotalAmount: 10000, TotalAmountExcludingTax: 8000,
				TotalTaxAmount: 2000, TaxRate: 2500,
				UnitInfo: epayment.UnitInfo{UnitPrice: 5000, Quantity: "2", QuantityUnit: epayment.PCS},
				Discount: 0, ProductUrl: "https://shop.example.com/coffee", IsReturn: false, IsShipping: false,
			}, {
				Name: "Shipping", Id: "shipping", TotalAmount: 4900, TotalAmountExcludingTax: 3920,
				TotalTaxAmount: 980, TaxRate: 2500, IsShipping: true,
			}},
			BottomLine: epayment.BottomLine{
				Currency: "NOK", TipAmount: 1000, PosId: "pos-7", ReceiptNumber: "0001",
				PaymentSources: epayment.PaymentSources{Card: 49900},
				Barcode:        epayment.Barcode{Format: epayment.EAN13, Data: "5901234123457"},
			},
		},
		Metadata:   epayment.Metadata{"orderId": "0001", "channel": "web"},
		ReceiptUrl: "https://shop.example.com/receipts/0001",
		Shipping: epayment.Shipping{
			DynamicOptions: epayment.DynamicShippingOptions{
				CallbackUrl:                "https://shop.example.com/vipps/shipping",
				CallbackAuthorizationToken: "c0ffee-token-1",
			},
			FixedOptions: []epayment.ShippingGroup{{
				IsDefault: true, Priority: 1, Type: "MAILBOX", Brand: "POSTEN",
				Options: []epayment.ShippingOption{{
					Id: "posten-mailbox", IsDefault: true, Amount: epayment.Amount{Currency: "NOK", Value: 4900},
					Name: "Posten, in the mailbox", Priority: 1, Meta: "Delivered to your mailbox", EstimatedDelivery: "1-3 days",
				}},
			}},
		},
		CardPassthrough: epayment.CardPassthrough{
			PspReference: "psp-ref-0001", CardCallbackUrl: "https://psp.example.com/vipps/card",
			AllowedCardTypes: []string{"VISA_DEBIT", "MC_CREDIT"}, PreferVisaPartOfVisaDankort: false,
			PublicEncryptionKeyId: "key-2024-06",
		},
	}
}

// TestEpaymentOperations calls every ePayment operation through the generated client against
// the fake API, through the life of one payment: create, read, approve, capture, refund,
// cancel the rest, read the event log.
func TestEpaymentOperations(t *testing.T) {
	c, fake, v := epaymentSetup(t)
	ctx := context.Background()
	sysName, sysVersion := "acme", "3.1.2"
	keys := map[string]string{
		"CreatePayment":  "7b5c0e5a-4d3f-4e57-9f0c-5a0f2b1c9d01",
		"CapturePayment": "7b5c0e5a-4d3f-4e57-9f0c-5a0f2b1c9d02",
		"RefundPayment":  "7b5c0e5a-4d3f-4e57-9f0c-5a0f2b1c9d03",
		"CancelPayment":  "7b5c0e5a-4d3f-4e57-9f0c-5a0f2b1c9d04",
	}

	created, err := c.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{
		IdempotencyKey:       keys["CreatePayment"],
		MerchantSerialNumber: epaymentMSN,
		VippsSystemName:      &sysName,
		VippsSystemVersion:   &sysVersion,
	}, epaymentFullRequest(t))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	require.NotNil(t, created.JSON201)
	assert.Equal(t, epaymentRef, created.JSON201.Reference)
	assert.True(t, strings.HasPrefix(created.JSON201.RedirectUrl, "https://landing.vipps.no/"))

	got, err := c.GetPaymentWithResponse(ctx, epaymentRef, &epayment.GetPaymentParams{MerchantSerialNumber: epaymentMSN})
	require.NoError(t, err)
	require.NotNil(t, got.JSON200, string(got.Body))
	assert.Equal(t, "CREATED", got.JSON200.State)
	assert.Equal(t, int64(49900), got.JSON200.Amount.Value)
	assert.Equal(t, int64(0), got.JSON200.Aggregate.AuthorizedAmount.Value)
	assert.Equal(t, "0001", got.JSON200.Metadata["orderId"])
	assert.Empty(t, got.JSON200.Profile.Sub)

	var tester epayment.Customer
	require.NoError(t, tester.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: "4712345678"}))
	approved, err := c.ForceApproveWithResponse(ctx, epaymentRef, &epayment.ForceApproveParams{MerchantSerialNumber: epaymentMSN},
		epayment.ForceApprove{Customer: tester})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, approved.StatusCode(), string(approved.Body))
	assert.Empty(t, approved.Body)

	captured, err := c.CapturePaymentWithResponse(ctx, epaymentRef, &epayment.CapturePaymentParams{
		MerchantSerialNumber: epaymentMSN, IdempotencyKey: keys["CapturePayment"],
	}, epayment.CaptureModificationRequest{ModificationAmount: epayment.Amount{Currency: "NOK", Value: 20000}})
	require.NoError(t, err)
	require.NotNil(t, captured.JSON200, string(captured.Body))
	assert.Equal(t, "AUTHORIZED", captured.JSON200.State)
	assert.Equal(t, int64(49900), captured.JSON200.Aggregate.AuthorizedAmount.Value)
	assert.Equal(t, int64(20000), captured.JSON200.Aggregate.CapturedAmount.Value)
	assert.NotEmpty(t, captured.JSON200.PspReference)

	refunded, err := c.RefundPaymentWithResponse(ctx, epaymentRef, &epayment.RefundPaymentParams{
		MerchantSerialNumber: epaymentMSN, IdempotencyKey: keys["RefundPayment"],
	}, epayment.RefundModificationRequest{ModificationAmount: epayment.Amount{Currency: "NOK", Value: 5000}})
	require.NoError(t, err)
	require.NotNil(t, refunded.JSON200, string(refunded.Body))
	assert.Equal(t, int64(5000), refunded.JSON200.Aggregate.RefundedAmount.Value)
	assert.NotEqual(t, captured.JSON200.PspReference, refunded.JSON200.PspReference)

	cancelKey := keys["CancelPayment"]
	cancelled, err := c.CancelPaymentWithResponse(ctx, epaymentRef, &epayment.CancelPaymentParams{
		MerchantSerialNumber: epaymentMSN, IdempotencyKey: &cancelKey,
	}, epayment.CancelModificationRequest{})
	require.NoError(t, err)
	require.NotNil(t, cancelled.JSON200, string(cancelled.Body))
	assert.Equal(t, "AUTHORIZED", cancelled.JSON200.State, "an authorized payment stays AUTHORIZED after cancel")
	assert.Equal(t, int64(29900), cancelled.JSON200.Aggregate.CancelledAmount.Value)

	log, err := c.GetPaymentEventLogWithResponse(ctx, epaymentRef, &epayment.GetPaymentEventLogParams{MerchantSerialNumber: epaymentMSN})
	require.NoError(t, err)
	require.NotNil(t, log.JSON200, string(log.Body))
	var names []string
	for _, e := range *log.JSON200 {
		names = append(names, e.Name)
		assert.True(t, e.Success)
		assert.Equal(t, epaymentRef, e.Reference)
		assert.False(t, e.Timestamp.IsZero())
	}
	assert.Equal(t, []string{"CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED"}, names)
	assert.Equal(t, keys["CapturePayment"], (*log.JSON200)[2].IdempotencyKey)
	assert.Empty(t, (*log.JSON200)[1].IdempotencyKey, "null key of the AUTHORIZED event")

	after, err := c.GetPaymentWithResponse(ctx, epaymentRef, &epayment.GetPaymentParams{MerchantSerialNumber: epaymentMSN})
	require.NoError(t, err)
	require.NotNil(t, after.JSON200, string(after.Body))
	assert.Equal(t, "c06c4afe-d9e1-4c5d-939a-177d752a0944", after.JSON200.Profile.Sub)
	assert.Equal(t, "Ola", after.JSON200.UserDetails.FirstName)
	assert.Equal(t, int64(4900), after.JSON200.ShippingDetails.ShippingCost)
	assert.Equal(t, "Oslo", after.JSON200.UserDetails.Addresses[0].City)

	fake.mu.Lock()
	defer fake.mu.Unlock()
	assert.Empty(t, fake.problems, "headers the fake API found wrong")
	for op, key := range keys {
		assert.Equal(t, []string{key}, fake.keys[op], "Idempotency-Key of %s", op)
	}
	var called []string
	total := 0
	for op, n := range fake.calls {
		called = append(called, op)
		total += n
	}
	sort.Strings(called)
	assert.Equal(t, epaymentOperationIDs(t), called, "operations exercised")
	stats := v.Stats()
	assert.Equal(t, 2*total, stats.Requests, "every request validated on both sides")
	assert.Equal(t, 2*total, stats.Responses, "every response validated on both sides")
	epaymentRequireNoViolations(t, v)
	t.Logf("epayment: %d operations called, %d violations", len(called), len(v.Violations()))
}

// TestEpaymentErrorShapes answers calls with one error per shape the ePayment API and its
// gateway send, and checks that the generated client decodes each into its typed field.
func TestEpaymentErrorShapes(t *testing.T) {
	problem := func(status int, code string) string {
		b, _ := json.Marshal(map[string]any{
			"type":         "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/problems#" + code,
			"title":        "Problem " + code,
			"detail":       "See the error code",
			"status":       status,
			"traceId":      "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
			"instance":     "/epayment/v1/payments/" + epaymentRef,
			"extraDetails": []map[string]string{{"name": "ErrorCode", "reason": code}},
		})
		return string(b)
	}
	gateway401 := `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`
	gateway403 := `{"errorCode":"Forbidden","errorMessage":"Invalid MSN","contextId":"7c1b2a3d-0000-4000-8000-000000000001"}`
	capture := func(ctx context.Context, c *epayment.ClientWithResponses) (*epayment.CapturePaymentResponse, error) {
		return c.CapturePaymentWithResponse(ctx, epaymentRef, &epayment.CapturePaymentParams{
			MerchantSerialNumber: epaymentMSN, IdempotencyKey: "5d8c1f7e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
		}, epayment.CaptureModificationRequest{ModificationAmount: epayment.Amount{Currency: "NOK", Value: 100}})
	}
	cases := []struct {
		name   string
		answer epaymentAnswer
		check  func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses)
	}{{
		name:   "400 problem with error code",
		answer: epaymentAnswer{status: 400, contentType: "application/problem+json", body: problem(400, "4040")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{
				IdempotencyKey: "0c7c2d1e-1111-4a2b-8c3d-4e5f6a7b8c9d", MerchantSerialNumber: epaymentMSN,
			}, epayment.CreatePaymentRequest{
				Amount: epayment.Amount{Currency: "NOK", Value: 50}, PaymentMethod: epayment.PaymentMethod{Type: "WALLET"},
				Reference: epaymentRef, UserFlow: epayment.NATIVEREDIRECT,
			})
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON400)
			assert.Equal(t, 400, r.ApplicationproblemJSON400.Status)
			assert.Equal(t, []epayment.ProblemDetail{{Name: "ErrorCode", Reason: "4040"}}, r.ApplicationproblemJSON400.ExtraDetails)
			assert.NotEmpty(t, r.ApplicationproblemJSON400.TraceId)
		},
	}, {
		name:   "404 problem on a GET",
		answer: epaymentAnswer{status: 404, contentType: "application/problem+json", body: problem(404, "5090")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.GetPaymentWithResponse(ctx, epaymentRef, &epayment.GetPaymentParams{MerchantSerialNumber: epaymentMSN})
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON404)
			assert.Equal(t, "5090", r.ApplicationproblemJSON404.ExtraDetails[0].Reason)
		},
	}, {
		name:   "404 problem on the event log",
		answer: epaymentAnswer{status: 404, contentType: "application/problem+json", body: problem(404, "5090")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.GetPaymentEventLogWithResponse(ctx, epaymentRef, &epayment.GetPaymentEventLogParams{MerchantSerialNumber: epaymentMSN})
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON404)
			assert.Equal(t, 404, r.ApplicationproblemJSON404.Status)
		},
	}, {
		name:   "409 idempotency conflict",
		answer: epaymentAnswer{status: 409, contentType: "application/problem+json", body: problem(409, "4010")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := capture(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON409)
			assert.Equal(t, "4010", r.ApplicationproblemJSON409.ExtraDetails[0].Reason)
		},
	}, {
		name:   "401 gateway statusCode and message",
		answer: epaymentAnswer{status: 401, contentType: "application/json", body: gateway401},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.GetPaymentWithResponse(ctx, epaymentRef, &epayment.GetPaymentParams{MerchantSerialNumber: epaymentMSN})
			require.NoError(t, err)
			require.NotNil(t, r.JSON401)
			assert.Equal(t, 401, r.JSON401.StatusCode)
			assert.Contains(t, r.JSON401.Message, "invalid subscription key")
		},
	}, {
		name:   "403 gateway errorCode and errorMessage",
		answer: epaymentAnswer{status: 403, contentType: "application/json", body: gateway403},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := capture(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON403)
			assert.Equal(t, "Invalid MSN", r.JSON403.ErrorMessage)
		},
	}, {
		name:   "403 problem from the API",
		answer: epaymentAnswer{status: 403, contentType: "application/problem+json", body: problem(403, "5030")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{
				IdempotencyKey: "0c7c2d1e-2222-4a2b-8c3d-4e5f6a7b8c9d", MerchantSerialNumber: epaymentMSN,
			}, epayment.CreatePaymentRequest{
				Amount: epayment.Amount{Currency: "NOK", Value: 1000}, PaymentMethod: epayment.PaymentMethod{Type: "WALLET"},
				Reference: epaymentRef, UserFlow: epayment.NATIVEREDIRECT, Profile: epayment.ProfileRequest{Scope: "nin"},
			})
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON403)
			assert.Equal(t, "5030", r.ApplicationproblemJSON403.ExtraDetails[0].Reason)
		},
	}, {
		name:   "423 locked without body",
		answer: epaymentAnswer{status: 423},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := c.RefundPaymentWithResponse(ctx, epaymentRef, &epayment.RefundPaymentParams{
				MerchantSerialNumber: epaymentMSN, IdempotencyKey: "5d8c1f7e-3333-4c3d-9e8f-0a1b2c3d4e5f",
			}, epayment.RefundModificationRequest{ModificationAmount: epayment.Amount{Currency: "NOK", Value: 100}})
			require.NoError(t, err)
			assert.Equal(t, http.StatusLocked, r.StatusCode())
			assert.Nil(t, r.ApplicationproblemJSON423)
			assert.Empty(t, r.Body)
		},
	}, {
		name: "429 with Retry-After",
		answer: epaymentAnswer{status: 429, contentType: "application/json", header: map[string]string{"Retry-After": "12"},
			body: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 12 seconds."}`},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			cancelKey := "5d8c1f7e-4444-4c3d-9e8f-0a1b2c3d4e5f"
			r, err := c.CancelPaymentWithResponse(ctx, epaymentRef, &epayment.CancelPaymentParams{
				MerchantSerialNumber: epaymentMSN, IdempotencyKey: &cancelKey,
			}, epayment.CancelModificationRequest{CancelTransactionOnly: true})
			require.NoError(t, err)
			require.NotNil(t, r.JSON429)
			assert.Equal(t, 429, r.JSON429.StatusCode)
			require.NotNil(t, r.Headers429)
			assert.Equal(t, "12", r.Headers429.RetryAfter)
		},
	}, {
		name:   "500 without body",
		answer: epaymentAnswer{status: 500},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			var tester epayment.Customer
			require.NoError(t, tester.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: "4712345678"}))
			r, err := c.ForceApproveWithResponse(ctx, epaymentRef, &epayment.ForceApproveParams{MerchantSerialNumber: epaymentMSN},
				epayment.ForceApprove{Customer: tester})
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, r.StatusCode())
			assert.Nil(t, r.JSON500)
			assert.Nil(t, r.ApplicationproblemJSON500)
			assert.Empty(t, r.Body)
		},
	}, {
		name:   "500 problem from the API",
		answer: epaymentAnswer{status: 500, contentType: "application/problem+json", body: problem(500, "3010")},
		check: func(t *testing.T, ctx context.Context, c *epayment.ClientWithResponses) {
			r, err := capture(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON500)
			assert.Equal(t, "3010", r.ApplicationproblemJSON500.ExtraDetails[0].Reason)
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, v := epaymentSetup(t)
			fake.force = &tc.answer
			tc.check(t, context.Background(), c)
			fake.mu.Lock()
			assert.Empty(t, fake.problems, "headers the fake API found wrong")
			fake.mu.Unlock()
			epaymentRequireNoViolations(t, v)
		})
	}
}
