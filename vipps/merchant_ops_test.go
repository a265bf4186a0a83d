package vipps_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/merchant"
	"github.com/paykit-go/paykit/internal/contract"
)

// Values the merchant tests use: the generated client plays Vipps MobilePay, the fake plays
// the merchant's server.
const (
	merchantDoc           = "vipps/merchant.yaml"
	merchantAuthToken     = "acme-callback-token-42"               // eCom authToken and dynamic shipping token
	merchantWebhookSecret = "090a478d-37ff-4e77-970e-d457aeb26a3a" // as returned by webhook registration
	merchantMSN           = "123456"
	merchantOrderID       = "acme-shop-123-order123abc"
	merchantFailingOrder  = "acme-shop-123-broken"
	merchantReference     = "24ab7cd6ef658155992"
	merchantUserID        = "uiJskNQ6qNN1iwN891uuob=="
	merchantWebhookPath   = "/merchant/webhooks/vipps"
	merchantEpaymentPath  = "/merchant/webhooks/vipps/epayment"
)

// merchantRoute is one operation of the document: its id and a matcher for its method and path.
type merchantRoute struct {
	id     string
	method string
	path   *regexp.Regexp
}

// merchantRoutes loads the document with kin-openapi (common.yaml resolved from the embedded
// files) and lists its operations.
func merchantRoutes(t *testing.T) []merchantRoute {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return fs.ReadFile(api.FS(), strings.TrimPrefix(path.Clean(u.Path), "/"))
	}
	doc, err := loader.LoadFromURI(&url.URL{Path: merchantDoc})
	require.NoError(t, err)
	var routes []merchantRoute
	for tmpl, item := range doc.Paths.Map() {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^/]+?\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), "[^/]+") + "$")
		for method, op := range item.Operations() {
			routes = append(routes, merchantRoute{id: op.OperationID, method: method, path: re})
		}
	}
	require.NotEmpty(t, routes)
	return routes
}

// merchantSign signs a webhook delivery as Vipps MobilePay does: the content hash of the raw
// body, then HMAC-SHA256 keyed with the secret's UTF-8 bytes over method, path and query,
// date, host and hash. It returns the x-ms-content-sha256 and Authorization values.
func merchantSign(secret, pathAndQuery, host, date string, body []byte) (contentHash, authorization string) {
	sum := sha256.Sum256(body)
	contentHash = base64.StdEncoding.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("POST\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash))
	signature := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return contentHash, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature
}

// TestMerchantWebhookSignatureVector checks merchantSign against the official test vector.
func TestMerchantWebhookSignatureVector(t *testing.T) {
	body := []byte(`{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}`)
	hash, auth := merchantSign("A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==",
		"/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63", "webhook.site", "Thu, 30 Mar 2023 08:38:32 GMT", body)
	assert.Equal(t, "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=", hash)
	assert.Equal(t, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=", auth)
}

// merchantFake plays a merchant's server: it checks the raw tokens and webhook signatures
// (in constant time), decodes the bodies with the generated types and keeps what it received.
type merchantFake struct {
	routes []merchantRoute
	mux    *http.ServeMux
	base   *url.URL // the registered base URL, from which webhook host and path are taken

	mu        sync.Mutex
	called    map[string]int
	problems  []string
	callbacks []merchant.EcomCallbackBody
	users     map[string]bool // userIds learnt from Express callbacks
	webhooks  []merchant.WebhookPayload
	events    []merchant.WebhookEvent
}

func newMerchantFake(t *testing.T) *merchantFake {
	f := &merchantFake{routes: merchantRoutes(t), mux: http.NewServeMux(), called: map[string]int{}, users: map[string]bool{}}
	f.mux.HandleFunc("POST /v2/payments/{orderId}", f.ecomCallback)
	f.mux.HandleFunc("POST /v2/payments/{orderId}/shippingDetails", f.shippingDetails)
	f.mux.HandleFunc("DELETE /v2/consents/{userId}", f.removeConsent)
	f.mux.HandleFunc("POST /merchant/epayment/dynamic-shipping", f.dynamicShipping)
	f.mux.HandleFunc("POST "+merchantWebhookPath, f.webhook)
	f.mux.HandleFunc("POST "+merchantEpaymentPath, f.epaymentWebhook)
	return f
}

func (f *merchantFake) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *merchantFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := ""
	for _, rt := range f.routes {
		if rt.method == r.Method && rt.path.MatchString(r.URL.Path) {
			id = rt.id
		}
	}
	if id == "" {
		f.problem("%s %s: no operation in %s", r.Method, r.URL.Path, merchantDoc)
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Ocp-Apim-Subscription-Key") != "" || strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		f.problem("%s: Vipps credentials sent to a merchant", id)
	}
	f.mu.Lock()
	f.called[id]++
	f.mu.Unlock()
	f.mux.ServeHTTP(w, r)
}

// tokenOK compares the raw Authorization value with the merchant's token in constant time.
func (f *merchantFake) tokenOK(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(merchantAuthToken)) == 1
}

func (f *merchantFake) ecomCallback(w http.ResponseWriter, r *http.Request) {
	if !f.tokenOK(r) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body merchant.EcomCallbackBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.problem("EcomCallback: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.callbacks = append(f.callbacks, body)
	if body.UserDetails.UserId != "" {
		f.users[body.UserDetails.UserId] = true
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (f *merchantFake) shippingDetails(w http.ResponseWriter, r *http.Request) {
	if !f.tokenOK(r) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body merchant.ShippingCostRequest
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if r.PathValue("orderId") == merchantFailingOrder {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	merchantJSON(w, http.StatusOK, merchant.ShippingCostResponse{
		AddressId: body.AddressId,
		OrderId:   r.PathValue("orderId"),
		ShippingDetails: []merchant.ShippingMethod{
			{IsDefault: merchant.Y, Priority: 1, ShippingCost: 39.5, ShippingMethod: "Posten Servicepakke", ShippingMethodId: "posten-servicepakke"},
			{IsDefault: merchant.N, Priority: 2, ShippingCost: 0, ShippingMethod: "Hent i butikk", ShippingMethodId: "pickup-" + body.PostCode},
		},
	})
}

func (f *merchantFake) removeConsent(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("userId")
	f.mu.Lock()
	known := f.users[user]
	delete(f.users, user)
	f.mu.Unlock()
	if !known {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (f *merchantFake) dynamicShipping(w http.ResponseWriter, r *http.Request) {
	if !f.tokenOK(r) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body merchant.DynamicShippingRequest
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Reference != merchantReference {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	merchantJSON(w, http.StatusOK, merchant.DynamicShippingResponse{Groups: []merchant.ShippingGroup{{
		IsDefault: true,
		Priority:  1,
		Type:      "HOME_DELIVERY",
		Brand:     "POSTEN",
		Options: []merchant.ShippingOption{
			{Id: "posten-home", IsDefault: true, Name: "Home delivery to " + body.City, Amount: merchant.Amount{Currency: "NOK", Value: 9900}, EstimatedDelivery: "1-3 days"},
			{Id: "posten-evening", Name: "Evening delivery", Amount: merchant.Amount{Currency: "NOK", Value: 14900}, Priority: 2},
		},
	}}})
}

// verified reads the raw body and checks the content hash and the signature against the
// registered URL; it answers 400 or 401 itself and returns false when either is wrong.
func (f *merchantFake) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return nil, false
	}
	hash, auth := merchantSign(merchantWebhookSecret, r.URL.RequestURI(), f.base.Host, r.Header.Get("x-ms-date"), raw)
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("x-ms-content-sha256")), []byte(hash)) != 1 {
		w.WriteHeader(http.StatusBadRequest)
		return nil, false
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(auth)) != 1 {
		w.WriteHeader(http.StatusUnauthorized)
		return nil, false
	}
	return raw, true
}

func (f *merchantFake) webhook(w http.ResponseWriter, r *http.Request) {
	raw, ok := f.verified(w, r)
	if !ok {
		return
	}
	var p merchant.WebhookPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		f.problem("WebhookDelivery: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.webhooks = append(f.webhooks, p)
	f.mu.Unlock()
	if p.EventType != "" {
		w.WriteHeader(http.StatusAccepted) // queued; the merchant reads the agreement again
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *merchantFake) epaymentWebhook(w http.ResponseWriter, r *http.Request) {
	raw, ok := f.verified(w, r)
	if !ok {
		return
	}
	var e merchant.WebhookEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		f.problem("EpaymentWebhookDelivery: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func merchantJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// TestMerchantOperations sends every request of merchant.yaml with the generated client (in
// the role of Vipps MobilePay) to a fake merchant, with the contract validator on both sides:
// eCom callbacks with the MSN as a JSON number and as a string, shipping and consent requests,
// dynamic shipping, and signed webhook deliveries; then the merchant's refusals.
func TestMerchantOperations(t *testing.T) {
	v, err := contract.New(api.FS(), merchantDoc)
	require.NoError(t, err)
	fake := newMerchantFake(t)
	srv := httptest.NewServer(v.Middleware(fake))
	defer srv.Close()
	fake.base, err = url.Parse(srv.URL)
	require.NoError(t, err)

	// The sender must not follow redirects (facts §1, §14).
	client, err := merchant.NewClientWithResponses(srv.URL, merchant.WithHTTPClient(&http.Client{
		Transport:     v.Transport(http.DefaultTransport),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}))
	require.NoError(t, err)
	ctx := context.Background()
	token := merchantAuthToken
	wrongToken := "not-the-token"

	// deliver signs raw for the registered URL srv.URL+p and posts it with the generated client.
	deliver := func(t *testing.T, p, secret string, raw []byte, tamper bool) int {
		t.Helper()
		date := time.Now().UTC().Format(http.TimeFormat)
		hash, auth := merchantSign(secret, p, fake.base.Host, date, raw)
		if tamper {
			raw = bytes.Replace(raw, []byte("35000"), []byte("35001"), 1)
		}
		var status int
		switch p {
		case merchantWebhookPath:
			res, err := client.WebhookDeliveryWithBodyWithResponse(ctx, &merchant.WebhookDeliveryParams{
				XMsDate: date, XMsContentSha256: hash, HmacAuthorization: auth,
			}, "application/json", bytes.NewReader(raw))
			require.NoError(t, err)
			status = res.StatusCode()
		case merchantEpaymentPath:
			res, err := client.EpaymentWebhookDeliveryWithBodyWithResponse(ctx, &merchant.EpaymentWebhookDeliveryParams{
				XMsDate: date, XMsContentSha256: hash, HmacAuthorization: auth,
			}, "application/json", bytes.NewReader(raw))
			require.NoError(t, err)
			status = res.StatusCode()
		default:
			t.Fatalf("no webhook operation for %s", p)
		}
		return status
	}
	lastCallback := func(t *testing.T) merchant.EcomCallbackBody {
		t.Helper()
		fake.mu.Lock()
		defer fake.mu.Unlock()
		require.NotEmpty(t, fake.callbacks)
		return fake.callbacks[len(fake.callbacks)-1]
	}
	lastWebhook := func(t *testing.T) merchant.WebhookPayload {
		t.Helper()
		fake.mu.Lock()
		defer fake.mu.Unlock()
		require.NotEmpty(t, fake.webhooks)
		return fake.webhooks[len(fake.webhooks)-1]
	}
	epaymentEvent := `{"msn":"123456","reference":"` + merchantReference + `","pspReference":"1234567891","name":"AUTHORIZED",` +
		`"amount":{"currency":"NOK","value":35000},"timestamp":"2023-08-14T12:48:46.260Z","idempotencyKey":"49ca711a9487112e1def","success":true}`

	t.Run("success", func(t *testing.T) {
		tests := []struct {
			name string
			call func(t *testing.T)
		}{
			{"EcomCallback regular, MSN as a JSON number", func(t *testing.T) {
				raw := `{"merchantSerialNumber":123456,"orderId":"` + merchantOrderID + `",` +
					`"transactionInfo":{"amount":20000,"status":"RESERVED","timeStamp":"2018-12-12T11:18:38.246Z","transactionId":"5001420062"}}`
				res, err := client.EcomCallbackWithBodyWithResponse(ctx, merchantOrderID, &merchant.EcomCallbackParams{AuthToken: &token},
					"application/json", strings.NewReader(raw))
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode())
				got := lastCallback(t)
				assert.Equal(t, merchantMSN, got.MerchantSerialNumber.String())
				assert.Equal(t, "RESERVED", got.TransactionInfo.Status)
				assert.Equal(t, int64(20000), got.TransactionInfo.Amount)
			}},
			{"EcomCallback Express, MSN as a string", func(t *testing.T) {
				res, err := client.EcomCallbackWithResponse(ctx, merchantOrderID, &merchant.EcomCallbackParams{AuthToken: &token}, merchant.EcomCallbackBody{
					MerchantSerialNumber: merchantMSN,
					OrderId:              merchantOrderID,
					TransactionInfo:      merchant.EcomTransactionInfo{Amount: 23950, Status: "RESERVE", TimeStamp: "2018-12-12T11:18:38.246Z", TransactionId: "5001420063"},
					ShippingDetails: merchant.ExpressShippingDetails{
						Address:      merchant.ExpressAddress{AddressLine1: "Robert Levins gate 5", City: "Oslo", Country: "NO", ZipCode: "0154"},
						ShippingCost: 39.5, ShippingMethod: "Posten Servicepakke", ShippingMethodId: "posten-servicepakke",
					},
					UserDetails: merchant.ExpressUserDetails{
						UserId: merchantUserID, Email: "user@example.com", FirstName: "Ada", LastName: "Lovelace", MobileNumber: "91234567", BankIdVerified: "Y",
					},
				})
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode())
				got := lastCallback(t)
				assert.Equal(t, merchantMSN, got.MerchantSerialNumber.String())
				assert.Equal(t, "RESERVE", got.TransactionInfo.Status)
				assert.Equal(t, "0154", got.ShippingDetails.Address.ZipCode)
				assert.InDelta(t, 39.5, got.ShippingDetails.ShippingCost, 1e-9)
				assert.Equal(t, merchantUserID, got.UserDetails.UserId)
			}},
			{"EcomCallback failed, error code as a JSON number", func(t *testing.T) {
				raw := `{"merchantSerialNumber":123456,"orderId":"` + merchantOrderID + `",` +
					`"transactionInfo":{"amount":20000,"status":"RESERVE_FAILED","timeStamp":"2018-12-12T11:18:38.246Z"},` +
					`"errorInfo":{"errorGroup":"Payment","errorCode":45,"errorMessage":"Reservation failed","contextId":"f70b8bf7-c843-4bea-95d9-94725b19895f"}}`
				res, err := client.EcomCallbackWithBodyWithResponse(ctx, merchantOrderID, &merchant.EcomCallbackParams{AuthToken: &token},
					"application/json", strings.NewReader(raw))
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode())
				got := lastCallback(t)
				assert.Equal(t, "RESERVE_FAILED", got.TransactionInfo.Status)
				assert.Equal(t, "45", got.ErrorInfo.ErrorCode.String())
			}},
			{"EcomShippingDetails", func(t *testing.T) {
				res, err := client.EcomShippingDetailsWithResponse(ctx, merchantOrderID, &merchant.EcomShippingDetailsParams{AuthToken: &token},
					merchant.ShippingCostRequest{AddressId: 763, AddressLine1: "Robert Levins gate 5", City: "Oslo", Country: "NO", PostCode: "0154", AddressType: "H"})
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
				require.NotNil(t, res.JSON200)
				assert.Equal(t, int64(763), res.JSON200.AddressId)
				assert.Equal(t, merchantOrderID, res.JSON200.OrderId)
				require.Len(t, res.JSON200.ShippingDetails, 2)
				assert.Equal(t, merchant.Y, res.JSON200.ShippingDetails[0].IsDefault)
				assert.InDelta(t, 39.5, res.JSON200.ShippingDetails[0].ShippingCost, 1e-9, "shipping cost is in NOK")
			}},
			{"EcomRemoveConsent", func(t *testing.T) {
				res, err := client.EcomRemoveConsentWithResponse(ctx, merchantUserID)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode())
				fake.mu.Lock()
				defer fake.mu.Unlock()
				assert.NotContains(t, fake.users, merchantUserID)
			}},
			{"ExpressShippingCallback", func(t *testing.T) {
				res, err := client.ExpressShippingCallbackWithResponse(ctx, &merchant.ExpressShippingCallbackParams{CallbackAuthorizationToken: &token},
					merchant.DynamicShippingRequest{Reference: merchantReference, AddressLine1: "Robert Levins gate 5", City: "Oslo", PostCode: "0154", Country: "NO"})
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
				require.NotNil(t, res.JSON200)
				require.Len(t, res.JSON200.Groups, 1)
				assert.Equal(t, "POSTEN", res.JSON200.Groups[0].Brand)
				require.Len(t, res.JSON200.Groups[0].Options, 2)
				assert.Equal(t, int64(9900), res.JSON200.Groups[0].Options[0].Amount.Value)
			}},
			{"WebhookDelivery ePayment event", func(t *testing.T) {
				require.Equal(t, http.StatusNoContent, deliver(t, merchantWebhookPath, merchantWebhookSecret, []byte(epaymentEvent), false))
				got := lastWebhook(t)
				assert.Equal(t, "AUTHORIZED", got.Name)
				amount, err := got.Amount.AsAmount()
				require.NoError(t, err)
				assert.Equal(t, merchant.Amount{Currency: "NOK", Value: 35000}, amount)
				require.NotNil(t, got.Success)
				assert.True(t, *got.Success)
			}},
			{"WebhookDelivery Recurring event", func(t *testing.T) {
				raw := `{"msn":"123456","agreementId":"agr_5kSeqz","chargeId":"chr-4assY8f","eventType":"recurring.charge-captured.v1",` +
					`"occurred":"2024-09-05T11:59:00Z","amount":149000,"currency":"NOK","amountCaptured":149000,"amountCanceled":0,"amountRefunded":0}`
				require.Equal(t, http.StatusAccepted, deliver(t, merchantWebhookPath, merchantWebhookSecret, []byte(raw), false))
				got := lastWebhook(t)
				assert.Equal(t, "recurring.charge-captured.v1", got.EventType)
				assert.Equal(t, "agr_5kSeqz", got.AgreementId)
				units, err := got.Amount.AsMinorUnits()
				require.NoError(t, err)
				assert.Equal(t, int64(149000), units)
				assert.Equal(t, int64(149000), got.AmountCaptured)
				assert.Nil(t, got.Success)
			}},
			{"EpaymentWebhookDelivery", func(t *testing.T) {
				event := merchant.WebhookEvent{
					Msn: merchantMSN, Reference: merchantReference, PspReference: "1234567892", Name: "CAPTURED",
					Amount: merchant.Amount{Currency: "NOK", Value: 35000}, Timestamp: time.Date(2023, 8, 14, 12, 50, 0, 0, time.UTC),
					IdempotencyKey: "c5a3fbd1-2f0e-4a47-8d7c-3b0f1e9a6d21", Success: true,
				}
				raw, err := json.Marshal(event)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, deliver(t, merchantEpaymentPath, merchantWebhookSecret, raw, false))
				fake.mu.Lock()
				defer fake.mu.Unlock()
				require.Len(t, fake.events, 1)
				assert.Equal(t, event, fake.events[0])
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, tc.call)
		}
	})

	t.Run("merchant refusals", func(t *testing.T) {
		tests := []struct {
			name   string
			status int
			call   func(t *testing.T) int
		}{
			{"EcomCallback with the wrong token", http.StatusUnauthorized, func(t *testing.T) int {
				res, err := client.EcomCallbackWithResponse(ctx, merchantOrderID, &merchant.EcomCallbackParams{AuthToken: &wrongToken}, merchant.EcomCallbackBody{
					MerchantSerialNumber: merchantMSN, OrderId: merchantOrderID,
					TransactionInfo: merchant.EcomTransactionInfo{Amount: 20000, Status: "SALE", TimeStamp: "2018-12-12T11:18:38.246Z"},
				})
				require.NoError(t, err)
				return res.StatusCode()
			}},
			{"EcomShippingDetails failing at the merchant", http.StatusInternalServerError, func(t *testing.T) int {
				res, err := client.EcomShippingDetailsWithResponse(ctx, merchantFailingOrder, &merchant.EcomShippingDetailsParams{AuthToken: &token},
					merchant.ShippingCostRequest{AddressId: 763, AddressLine1: "Robert Levins gate 5", City: "Oslo", Country: "NO", PostCode: "0154"})
				require.NoError(t, err)
				assert.Nil(t, res.JSON200)
				return res.StatusCode()
			}},
			{"EcomRemoveConsent for an unknown user", http.StatusNotFound, func(t *testing.T) int {
				res, err := client.EcomRemoveConsentWithResponse(ctx, "unknownUser+1=")
				require.NoError(t, err)
				return res.StatusCode()
			}},
			{"ExpressShippingCallback for an unknown reference", http.StatusBadRequest, func(t *testing.T) int {
				res, err := client.ExpressShippingCallbackWithResponse(ctx, &merchant.ExpressShippingCallbackParams{CallbackAuthorizationToken: &token},
					merchant.DynamicShippingRequest{Reference: "unknown-reference-1", AddressLine1: "Storgata 1", City: "Bergen", PostCode: "5003", Country: "NO"})
				require.NoError(t, err)
				assert.Nil(t, res.JSON200)
				return res.StatusCode()
			}},
			{"WebhookDelivery signed with another secret", http.StatusUnauthorized, func(t *testing.T) int {
				return deliver(t, merchantWebhookPath, "another-secret", []byte(epaymentEvent), false)
			}},
			{"WebhookDelivery whose body changed after signing", http.StatusBadRequest, func(t *testing.T) int {
				return deliver(t, merchantWebhookPath, merchantWebhookSecret, []byte(epaymentEvent), true)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				assert.Equal(t, tc.status, tc.call(t))
			})
		}
	})

	var want []string
	for _, rt := range fake.routes {
		want = append(want, rt.id)
	}
	slices.Sort(want)
	fake.mu.Lock()
	var got []string
	for id := range fake.called {
		got = append(got, id)
	}
	problems := slices.Clone(fake.problems)
	fake.mu.Unlock()
	slices.Sort(got)

	assert.Equal(t, want, got, "operations called differ from those in %s", merchantDoc)
	assert.Empty(t, problems, "the fake merchant found problems")
	viols := v.Violations()
	assert.Empty(t, viols, "contract violations:\n%v", viols)
	t.Logf("merchant: %d operations called, %d violations", len(got), len(viols))
}
