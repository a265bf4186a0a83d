package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the Recurring tests send; the fake Recurring checks them.
const (
	recurringDocument    = "vipps/recurring.yaml"
	recurringToken       = "test-token"
	recurringSubKey      = "5c8e1f0a2b4d6e8f0a1c3e5f7b9d1e2f"
	recurringMSN         = "123456"
	recurringAgreementID = "agr_5kSeqz"
	recurringChargeID    = "chr_WCVbcA"
	recurringPageToken   = "8d7f9f3c-2a43-4d5e-8a51-0d8f0b3c2e17"
	recurringProblemBase = "https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#"
)

// recurringKeyPattern is the Recurring Idempotency-Key rule: 1 to 40 characters, none of # ? / \.
var recurringKeyPattern = regexp.MustCompile(`^[^#?/\\]{1,40}$`)

// recurringOperationIDs loads the Recurring document with kin-openapi and lists its operationIds, sorted.
func recurringOperationIDs(t *testing.T) []string {
	t.Helper()
	v, err := contract.New(api.FS(), recurringDocument)
	require.NoError(t, err)
	return v.OperationIDs()
}

// recurringFake is a small Recurring API written from the facts sheet: it checks the
// credentials of every request and the Idempotency-Key of every POST, PATCH and DELETE, pages
// lists with Continuation-Token, and answers each operation with a realistic body.
type recurringFake struct {
	mu       sync.Mutex
	seen     map[string]int    // requests per operationId
	keys     map[string]string // Idempotency-Key per operationId
	problems []string          // header and credential problems found
}

func newRecurringFake() *recurringFake {
	return &recurringFake{seen: map[string]int{}, keys: map[string]string{}}
}

func (f *recurringFake) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// operations returns the operationIds the fake has answered, sorted.
func (f *recurringFake) operations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func recurringWrite(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func recurringProblem(w http.ResponseWriter, status int, kind, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"type":%q,"title":%q,"status":%d,"detail":%q,"instance":"/recurring/v3","contextId":"1d5e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f"}`,
		recurringProblemBase+kind, title, status, detail)
}

// op wraps an operation's handler with the checks every Recurring call gets: Bearer token,
// subscription key, MSN when sent, and the Idempotency-Key on every POST, PATCH and DELETE.
func (f *recurringFake) op(id string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+recurringToken {
			f.problem("%s: Authorization %q", id, got)
			recurringWrite(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Unauthorized"}`)
			return
		}
		if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != recurringSubKey {
			f.problem("%s: subscription key %q", id, got)
			recurringWrite(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`)
			return
		}
		if got := r.Header.Get("Merchant-Serial-Number"); got != "" && got != recurringMSN {
			f.problem("%s: Merchant-Serial-Number %q", id, got)
		}
		key := r.Header.Get("Idempotency-Key")
		switch r.Method {
		case http.MethodPost, http.MethodPatch, http.MethodDelete:
			if !recurringKeyPattern.MatchString(key) {
				f.problem("%s: Idempotency-Key %q", id, key)
				recurringProblem(w, http.StatusBadRequest, "idempotency-key-header", "Bad Idempotency-Key", "Idempotency-Key must be 1-40 characters without #?/\\")
				return
			}
		default:
			if key != "" {
				f.problem("%s: Idempotency-Key sent on %s", id, r.Method)
			}
		}
		f.mu.Lock()
		f.seen[id]++
		if key != "" {
			f.keys[id] = key
		}
		f.mu.Unlock()
		h(w, r)
	}
}

// decode reads a JSON request body into v, answering a validation problem when it cannot.
func (f *recurringFake) decode(id string, w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		f.problem("%s: body: %v", id, err)
		recurringProblem(w, http.StatusBadRequest, "invalid-json", "Invalid JSON", err.Error())
		return false
	}
	return true
}

// recurringAgreement is an agreement as the API answers it; n picks one of three shapes.
func recurringAgreement(n int) string {
	pricing := []string{
		`{"type":"LEGACY","currency":"NOK","amount":49900}`,
		`{"type":"VARIABLE","currency":"NOK","suggestedMaxAmount":300000,"maxAmount":250000}`,
		`{"type":"FLEXIBLE","currency":"DKK"}`,
	}[n%3]
	campaign := []string{
		`,"campaign":{"type":"PRICE_CAMPAIGN","price":100,"end":"2025-01-31T00:00:00Z","explanation":"1 kr until 31.01.2025, then 499 kr every month"}`,
		`,"campaign":{"type":"LEGACY_CAMPAIGN","price":0,"end":"2024-12-31T00:00:00Z"}`,
		``,
	}[n%3]
	id := fmt.Sprintf("agr_%07d", n)
	if n == 0 {
		id = recurringAgreementID
	}
	return fmt.Sprintf(`{"id":%q,"uuid":"2b8c5e6a-1d4f-4e3a-9b7c-0a1d2e3f4a5b","status":"ACTIVE","productName":"Premier League","productDescription":"All matches, every month",
		"interval":{"unit":"MONTH","count":1,"text":"every month"},"pricing":%s%s,"countryCode":"NO",
		"created":"2024-08-20T09:12:44.123Z","start":"2024-08-20T09:14:02.000Z","stop":null,
		"merchantAgreementUrl":"https://example.com/my-subscriptions","merchantRedirectUrl":"https://example.com/subscription/done",
		"sub":"c06c4afe-d9e1-4c5d-939a-177d752a0944","userinfoUrl":"https://api.vipps.no/vipps-userinfo-api/userinfo/c06c4afe-d9e1-4c5d-939a-177d752a0944",
		"externalId":"acme-customer-42"}`, id, pricing, campaign)
}

// recurringCharge is a charge as the API answers it; pending ones have no transactionId yet.
func recurringCharge(id, status string) string {
	txn := `"5001419121"`
	history := `[{"occurred":"2024-09-01T06:00:00Z","event":"CREATE","amount":49900,"idempotencyKey":"3e2c1a0b-0c1d-4e2f-8a3b-4c5d6e7f8a9b","success":true},
		{"occurred":"2024-09-03T06:00:00Z","event":"CAPTURE","amount":49900,"idempotencyKey":"7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d","success":true,"transactionId":"5001419121"}]`
	captured := 49900
	if status == "PENDING" {
		txn = "null"
		history = `[{"occurred":"2024-09-01T06:00:00Z","event":"CREATE","amount":49900,"idempotencyKey":"3e2c1a0b-0c1d-4e2f-8a3b-4c5d6e7f8a9b","success":true}]`
		captured = 0
	}
	return fmt.Sprintf(`{"id":%q,"agreementId":%q,"externalAgreementId":"acme-customer-42","amount":49900,"currency":"NOK",
		"description":"Premier League, September","due":"2024-09-03T00:00:00Z","status":%q,"type":"RECURRING",
		"transactionType":"DIRECT_CAPTURE","transactionId":%s,"retryDays":5,"processingMode":"MULTIPLE_ATTEMPTS",
		"externalId":"acme-invoice-9001","failureReason":null,"summary":{"captured":%d,"refunded":0,"cancelled":0},"history":%s}`,
		id, recurringAgreementID, status, txn, captured, history)
}

func recurringJoin(items ...string) string { return "[" + strings.Join(items, ",") + "]" }

func (f *recurringFake) handler() http.Handler {
	mux := http.NewServeMux()
	const base = "/recurring/v3"
	mux.HandleFunc("GET "+base+"/agreements", f.op("ListAgreements", func(w http.ResponseWriter, r *http.Request) {
		all := []string{recurringAgreement(0), recurringAgreement(1), recurringAgreement(2)}
		q := r.URL.Query()
		if q.Has("pageNumber") || q.Has("pageSize") {
			// Paging by number and size (3.1.2).
			number, size := 1, 500
			if s := q.Get("pageNumber"); s != "" {
				number, _ = strconv.Atoi(s)
			}
			if s := q.Get("pageSize"); s != "" {
				size, _ = strconv.Atoi(s)
			}
			from := min((number-1)*size, len(all))
			recurringWrite(w, http.StatusOK, recurringJoin(all[from:min(from+size, len(all))]...))
			return
		}
		// Paging by Continuation-Token (2.6.17): two, then the rest.
		switch r.Header.Get("Continuation-Token") {
		case "":
			w.Header().Set("Continuation-Token", recurringPageToken)
			recurringWrite(w, http.StatusOK, recurringJoin(all[:2]...))
		case recurringPageToken:
			recurringWrite(w, http.StatusOK, recurringJoin(all[2:]...))
		default:
			recurringProblem(w, http.StatusUnprocessableEntity, "validation-error", "Invalid token", "Continuation-Token is unknown or expired")
		}
	}))
	mux.HandleFunc("POST "+base+"/agreements", f.op("DraftAgreement", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Pricing  struct{ Type string } `json:"pricing"`
			Campaign struct{ Type string } `json:"campaign"`
		}
		if !f.decode("DraftAgreement", w, r, &body) {
			return
		}
		if body.Pricing.Type != "LEGACY" || body.Campaign.Type != "PRICE_CAMPAIGN" {
			f.problem("DraftAgreement: pricing %q campaign %q", body.Pricing.Type, body.Campaign.Type)
		}
		recurringWrite(w, http.StatusCreated, fmt.Sprintf(`{"agreementId":%q,"uuid":"2b8c5e6a-1d4f-4e3a-9b7c-0a1d2e3f4a5b","vippsConfirmationUrl":"https://api.vipps.no/v2/register/page?token=eyJraWQiOiJqd3RrZXkiLCJhbGciOiJSUzI1NiJ9","chargeId":"acme-initial-0001"}`, recurringAgreementID))
	}))
	mux.HandleFunc("GET "+base+"/agreements/{agreementId}", f.op("FetchAgreement", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("agreementId") != recurringAgreementID {
			recurringProblem(w, http.StatusNotFound, "resource-not-found", "Not found", "No agreement "+r.PathValue("agreementId"))
			return
		}
		recurringWrite(w, http.StatusOK, recurringAgreement(0))
	}))
	mux.HandleFunc("PATCH "+base+"/agreements/{agreementId}", f.op("UpdateAgreement", func(w http.ResponseWriter, r *http.Request) {
		var body recurring.PatchAgreementV3
		if !f.decode("UpdateAgreement", w, r, &body) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("PATCH "+base+"/agreements/{agreementId}/accept", f.op("AcceptAgreement", func(w http.ResponseWriter, r *http.Request) {
		var body recurring.AcceptAgreementV3
		if !f.decode("AcceptAgreement", w, r, &body) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET "+base+"/agreements/{agreementId}/charges", f.op("ListCharges", func(w http.ResponseWriter, r *http.Request) {
		// Two charges, then one: the first page says where the next one starts.
		switch r.Header.Get("Continuation-Token") {
		case "":
			w.Header().Set("Continuation-Token", recurringPageToken)
			recurringWrite(w, http.StatusOK, recurringJoin(recurringCharge("chr_0000001", "CHARGED"), recurringCharge("chr_0000002", "CHARGED")))
		case recurringPageToken:
			recurringWrite(w, http.StatusOK, recurringJoin(recurringCharge("chr_0000003", "PENDING")))
		default:
			recurringProblem(w, http.StatusUnprocessableEntity, "validation-error", "Invalid token", "Continuation-Token is unknown or expired")
		}
	}))
	mux.HandleFunc("POST "+base+"/agreements/{agreementId}/charges", f.op("CreateCharge", func(w http.ResponseWriter, r *http.Request) {
		var body recurring.CreateChargeV3
		if !f.decode("CreateCharge", w, r, &body) {
			return
		}
		recurringWrite(w, http.StatusCreated, fmt.Sprintf(`{"chargeId":%q}`, body.OrderId))
	}))
	mux.HandleFunc("POST "+base+"/agreements/charges", f.op("CreateChargeAsync", func(w http.ResponseWriter, r *http.Request) {
		var body []recurring.CreateChargeAsyncV3
		if !f.decode("CreateChargeAsync", w, r, &body) {
			return
		}
		recurringWrite(w, http.StatusAccepted, fmt.Sprintf(`{"validCharges":[%q],"invalidCharges":[{"chargeBatchItemDto":{"agreementId":%q,"amount":49900,"description":"Premier League, October","due":"2024-10-03","retryDays":5,"transactionType":"DIRECT_CAPTURE","orderId":%q},"errors":["Charge due date must be at least 2 days ahead"]}]}`,
			body[0].OrderId, body[1].AgreementId, body[1].OrderId))
	}))
	mux.HandleFunc("GET "+base+"/agreements/{agreementId}/charges/{chargeId}", f.op("FetchCharge", func(w http.ResponseWriter, r *http.Request) {
		recurringWrite(w, http.StatusOK, recurringCharge(r.PathValue("chargeId"), "CHARGED"))
	}))
	mux.HandleFunc("DELETE "+base+"/agreements/{agreementId}/charges/{chargeId}", f.op("CancelCharge", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	mux.HandleFunc("GET "+base+"/charges/{chargeId}", f.op("FetchChargeById", func(w http.ResponseWriter, r *http.Request) {
		recurringWrite(w, http.StatusOK, recurringCharge(r.PathValue("chargeId"), "PENDING"))
	}))
	mux.HandleFunc("POST "+base+"/agreements/{agreementId}/charges/{chargeId}/capture", f.op("CaptureCharge", func(w http.ResponseWriter, r *http.Request) {
		var body recurring.CaptureChargeV3
		if !f.decode("CaptureCharge", w, r, &body) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST "+base+"/agreements/{agreementId}/charges/{chargeId}/refund", f.op("RefundCharge", func(w http.ResponseWriter, r *http.Request) {
		var body recurring.RefundChargeV3
		if !f.decode("RefundCharge", w, r, &body) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	return mux
}

// recurringClient returns a generated client for base whose traffic v validates, with the
// credentials every call carries.
func recurringClient(t *testing.T, v *contract.Validator, base string) *recurring.ClientWithResponses {
	t.Helper()
	c, err := recurring.NewClientWithResponses(base,
		recurring.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport)}),
		recurring.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+recurringToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", recurringSubKey)
			return nil
		}),
	)
	require.NoError(t, err)
	return c
}

// recurringRequireNoViolations fails the test with every recorded violation printed.
func recurringRequireNoViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	require.Empty(t, v.Violations(), "contract violations:\n%s", v.Report())
}

func recurringPtr[T any](v T) *T { return &v }

// recurringKey returns the Idempotency-Key the test uses for operation op.
func recurringKey(op string) string { return "acme-" + strings.ToLower(op) + "-7f3e9a" }

// TestRecurringOperations calls every operation of recurring.yaml through the generated client
// against the fake Recurring API, with the contract validated on both sides.
func TestRecurringOperations(t *testing.T) {
	v, err := contract.New(api.FS(), recurringDocument)
	require.NoError(t, err)
	fake := newRecurringFake()
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c := recurringClient(t, v, srv.URL)
	ctx := context.Background()
	msn := recurringPtr(recurringMSN)
	due := openapi_types.Date{Time: time.Date(2024, 10, 3, 0, 0, 0, 0, time.UTC)}

	cases := []struct {
		op   string
		call func(t *testing.T)
	}{
		{"DraftAgreement", func(t *testing.T) {
			var pricing recurring.PricingRequest
			require.NoError(t, pricing.FromLegacyPricingRequest(recurring.LegacyPricingRequest{Currency: "NOK", Amount: 49900}))
			var campaign recurring.CampaignRequest
			require.NoError(t, campaign.FromPriceCampaignV3(recurring.PriceCampaignV3{Price: 100, End: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)}))
			resp, err := c.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{
				IdempotencyKey:           recurringKey("DraftAgreement"),
				MerchantSerialNumber:     msn,
				VippsSystemName:          recurringPtr("acme"),
				VippsSystemVersion:       recurringPtr("3.1.2"),
				VippsSystemPluginName:    recurringPtr("acme-webshop"),
				VippsSystemPluginVersion: recurringPtr("4.5.6"),
			}, recurring.DraftAgreementV3{
				Pricing:              pricing,
				Campaign:             campaign,
				Interval:             recurring.TimePeriod{Unit: "MONTH", Count: 1},
				MerchantRedirectUrl:  "https://example.com/subscription/done",
				MerchantAgreementUrl: "https://example.com/my-subscriptions",
				ProductName:          "Premier League",
				ProductDescription:   "All matches, every month",
				PhoneNumber:          "4712345678",
				InitialCharge: recurring.InitialChargeV3{
					Amount: 100, Description: "First month", TransactionType: "DIRECT_CAPTURE", OrderId: "acme-initial-0001",
				},
				ExternalId: "acme-customer-42",
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON201)
			assert.Equal(t, recurringAgreementID, resp.JSON201.AgreementId)
			assert.Equal(t, "acme-initial-0001", resp.JSON201.ChargeId)
			assert.NotEmpty(t, resp.JSON201.VippsConfirmationUrl)
		}},
		{"AcceptAgreement", func(t *testing.T) {
			resp, err := c.AcceptAgreementWithResponse(ctx, recurringAgreementID, &recurring.AcceptAgreementParams{
				IdempotencyKey: recurringKey("AcceptAgreement"), MerchantSerialNumber: msn,
			}, recurring.AcceptAgreementV3{PhoneNumber: "4712345678"})
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, resp.StatusCode(), string(resp.Body))
			assert.Empty(t, resp.Body)
		}},
		{"ListAgreements", func(t *testing.T) {
			resp, err := c.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{
				Status:               recurringPtr("ACTIVE"),
				CreatedAfter:         recurringPtr(int64(1717200000000)),
				PageNumber:           recurringPtr(int32(1)),
				PageSize:             recurringPtr(int32(2)),
				MerchantSerialNumber: msn,
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			list := *resp.JSON200
			require.Len(t, list, 2)
			assert.Equal(t, recurringAgreementID, list[0].Id)
			assert.Empty(t, resp.Headers200.ContinuationToken, "page numbers need no token")

			disc, err := list[1].Pricing.Discriminator()
			require.NoError(t, err)
			assert.Equal(t, "VARIABLE", disc)
			variable, err := list[1].Pricing.AsVariablePricingResponse()
			require.NoError(t, err)
			assert.EqualValues(t, 250000, variable.MaxAmount)
			assert.Equal(t, "LEGACY_CAMPAIGN", list[1].Campaign.Type)
		}},
		{"FetchAgreement", func(t *testing.T) {
			resp, err := c.FetchAgreementWithResponse(ctx, recurringAgreementID, &recurring.FetchAgreementParams{MerchantSerialNumber: msn})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			a := resp.JSON200
			require.NotNil(t, a)
			assert.Equal(t, "ACTIVE", a.Status)
			assert.Equal(t, "NO", a.CountryCode)
			assert.Equal(t, "MONTH", a.Interval.Unit)
			assert.True(t, a.Stop.IsZero(), "stop is null")
			value, err := a.Pricing.ValueByDiscriminator()
			require.NoError(t, err)
			legacy, ok := value.(recurring.LegacyPricingResponse)
			require.True(t, ok, "%T", value)
			assert.EqualValues(t, 49900, legacy.Amount)
			assert.Equal(t, "PRICE_CAMPAIGN", a.Campaign.Type)
			assert.EqualValues(t, 100, a.Campaign.Price)
		}},
		{"UpdateAgreement", func(t *testing.T) {
			resp, err := c.UpdateAgreementWithResponse(ctx, recurringAgreementID, &recurring.UpdateAgreementParams{
				IdempotencyKey: recurringKey("UpdateAgreement"), MerchantSerialNumber: msn,
			}, recurring.PatchAgreementV3{ProductName: "Premier League+", Pricing: recurring.PatchPricingV3{Amount: 59900}})
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, resp.StatusCode(), string(resp.Body))
			assert.Empty(t, resp.Body)
		}},
		{"CreateCharge", func(t *testing.T) {
			resp, err := c.CreateChargeWithResponse(ctx, recurringAgreementID, &recurring.CreateChargeParams{
				IdempotencyKey: recurringKey("CreateCharge"), MerchantSerialNumber: msn,
			}, recurring.CreateChargeV3{
				Amount: 49900, Description: "Premier League, October", TransactionType: "DIRECT_CAPTURE",
				Type: "RECURRING", Due: due, RetryDays: recurringPtr(int32(0)), ProcessingMode: "SINGLE_ATTEMPT",
				OrderId: "acme-charge-0002", ExternalId: "acme-invoice-9002",
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON201)
			assert.Equal(t, "acme-charge-0002", resp.JSON201.ChargeId)
		}},
		{"CreateChargeAsync", func(t *testing.T) {
			resp, err := c.CreateChargeAsyncWithResponse(ctx, &recurring.CreateChargeAsyncParams{
				IdempotencyKey: recurringKey("CreateChargeAsync"), MerchantSerialNumber: msn,
			}, recurring.CreateChargeAsyncJSONRequestBody{
				{AgreementId: recurringAgreementID, Amount: 49900, Description: "Premier League, October", Due: due, RetryDays: 5, TransactionType: "DIRECT_CAPTURE", OrderId: "acme-charge-0003"},
				{AgreementId: "agr_0000001", Amount: 49900, Description: "Premier League, October", Due: due, RetryDays: 5, TransactionType: "DIRECT_CAPTURE", OrderId: "acme-charge-0004"},
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON202)
			assert.Equal(t, []string{"acme-charge-0003"}, resp.JSON202.ValidCharges)
			require.Len(t, resp.JSON202.InvalidCharges, 1)
			assert.Equal(t, "acme-charge-0004", resp.JSON202.InvalidCharges[0].ChargeBatchItemDto.OrderId)
			assert.NotEmpty(t, resp.JSON202.InvalidCharges[0].Errors)
		}},
		{"ListCharges", func(t *testing.T) {
			resp, err := c.ListChargesWithResponse(ctx, recurringAgreementID, &recurring.ListChargesParams{
				Status: recurringPtr("CHARGED"), MerchantSerialNumber: msn,
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Len(t, *resp.JSON200, 2)
			assert.Equal(t, recurringPageToken, resp.Headers200.ContinuationToken)
		}},
		{"FetchCharge", func(t *testing.T) {
			resp, err := c.FetchChargeWithResponse(ctx, recurringAgreementID, recurringChargeID, &recurring.FetchChargeParams{MerchantSerialNumber: msn})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			ch := resp.JSON200
			require.NotNil(t, ch)
			assert.Equal(t, recurringChargeID, ch.Id)
			assert.Equal(t, "CHARGED", ch.Status)
			require.NotNil(t, ch.TransactionId)
			assert.Equal(t, "5001419121", *ch.TransactionId)
			assert.EqualValues(t, 49900, ch.Summary.Captured)
			require.Len(t, ch.History, 2)
			assert.Equal(t, "CAPTURE", ch.History[1].Event)
		}},
		{"FetchChargeById", func(t *testing.T) {
			resp, err := c.FetchChargeByIdWithResponse(ctx, "acme-charge-0002", &recurring.FetchChargeByIdParams{MerchantSerialNumber: msn})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
			require.NotNil(t, resp.JSON200)
			assert.Equal(t, "acme-charge-0002", resp.JSON200.Id, "an orderId longer than 15 characters is a valid chargeId")
			assert.Equal(t, "PENDING", resp.JSON200.Status)
			assert.Nil(t, resp.JSON200.TransactionId, "transactionId is null until DUE")
		}},
		{"CaptureCharge", func(t *testing.T) {
			resp, err := c.CaptureChargeWithResponse(ctx, recurringAgreementID, recurringChargeID, &recurring.CaptureChargeParams{
				IdempotencyKey: recurringKey("CaptureCharge"), MerchantSerialNumber: msn,
			}, recurring.CaptureChargeV3{Amount: 49900})
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, resp.StatusCode(), string(resp.Body))
		}},
		{"RefundCharge", func(t *testing.T) {
			resp, err := c.RefundChargeWithResponse(ctx, recurringAgreementID, recurringChargeID, &recurring.RefundChargeParams{
				IdempotencyKey: recurringKey("RefundCharge"), MerchantSerialNumber: msn,
			}, recurring.RefundChargeV3{Amount: 10000, Description: "Partial refund: match cancelled"})
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, resp.StatusCode(), string(resp.Body))
		}},
		{"CancelCharge", func(t *testing.T) {
			resp, err := c.CancelChargeWithResponse(ctx, recurringAgreementID, "acme-charge-0002", &recurring.CancelChargeParams{
				IdempotencyKey: recurringKey("CancelCharge"), MerchantSerialNumber: msn,
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode(), string(resp.Body))
			assert.Empty(t, resp.Body)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.op, tc.call)
	}

	// The server saw an Idempotency-Key on every POST, PATCH and DELETE, and only there.
	wantKeys := map[string]string{}
	for _, op := range []string{"DraftAgreement", "AcceptAgreement", "UpdateAgreement", "CreateCharge", "CreateChargeAsync", "CaptureCharge", "RefundCharge", "CancelCharge"} {
		wantKeys[op] = recurringKey(op)
	}
	fake.mu.Lock()
	assert.Equal(t, wantKeys, fake.keys)
	assert.Empty(t, fake.problems, "fake Recurring found problems")
	fake.mu.Unlock()

	want := recurringOperationIDs(t)
	called := fake.operations()
	assert.Equal(t, want, called, "every operation of %s is called", recurringDocument)
	var tabled []string
	for _, tc := range cases {
		tabled = append(tabled, tc.op)
	}
	slices.Sort(tabled)
	assert.Equal(t, want, tabled)

	recurringRequireNoViolations(t, v)
	t.Logf("recurring: %d operations called, %d violations", len(called), len(v.Violations()))
}

// TestRecurringContinuationToken follows Continuation-Token through the pages of charges (and
// of agreements, the older paging style) until the header is absent.
func TestRecurringContinuationToken(t *testing.T) {
	v, err := contract.New(api.FS(), recurringDocument)
	require.NoError(t, err)
	fake := newRecurringFake()
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c := recurringClient(t, v, srv.URL)
	ctx := context.Background()

	var charges []recurring.ChargeResponseV3
	var token *string
	pages := 0
	for {
		resp, err := c.ListChargesWithResponse(ctx, recurringAgreementID, &recurring.ListChargesParams{ContinuationToken: token})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
		require.NotNil(t, resp.JSON200)
		pages++
		charges = append(charges, *resp.JSON200...)
		next := resp.Headers200.ContinuationToken
		if next == "" {
			break
		}
		require.Less(t, pages, 10, "paging does not end")
		token = &next
	}
	assert.Equal(t, 2, pages)
	chargePages := pages
	ids := make([]string, len(charges))
	for i, ch := range charges {
		ids[i] = ch.Id
	}
	assert.Equal(t, []string{"chr_0000001", "chr_0000002", "chr_0000003"}, ids)

	var agreements []recurring.AgreementResponseV3
	token = nil
	for pages = 1; ; pages++ {
		resp, err := c.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{ContinuationToken: token})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
		agreements = append(agreements, *resp.JSON200...)
		next := resp.Headers200.ContinuationToken
		if next == "" {
			break
		}
		require.Less(t, pages, 10, "paging does not end")
		token = &next
	}
	assert.Equal(t, 2, pages)
	assert.Len(t, agreements, 3)

	fake.mu.Lock()
	assert.Equal(t, map[string]int{"ListCharges": 2, "ListAgreements": 2}, fake.seen)
	assert.Empty(t, fake.problems)
	fake.mu.Unlock()
	recurringRequireNoViolations(t, v)
	t.Logf("recurring: %d charges in %d pages, %d agreements, %d violations", len(charges), chargePages, len(agreements), len(v.Violations()))
}

// TestRecurringErrorShapes answers calls with one error of each shape Recurring and its gateway
// send and checks that the client decodes it and the contract accepts it.
func TestRecurringErrorShapes(t *testing.T) {
	v, err := contract.New(api.FS(), recurringDocument)
	require.NoError(t, err)
	ctx := context.Background()

	createCharge := func(c *recurring.ClientWithResponses) (*recurring.CreateChargeResponse, error) {
		return c.CreateChargeWithResponse(ctx, recurringAgreementID, &recurring.CreateChargeParams{IdempotencyKey: recurringKey("CreateCharge")}, recurring.CreateChargeV3{
			Amount: 500000, Description: "Too much", TransactionType: "DIRECT_CAPTURE", Type: "UNSCHEDULED",
		})
	}

	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(t *testing.T, c *recurring.ClientWithResponses)
	}{
		{
			name: "problem with name/reason", status: http.StatusBadRequest,
			header: map[string]string{"Content-Type": "application/problem+json"},
			body: `{"type":"` + recurringProblemBase + `charge-amount-too-high","title":"Charge amount too high","status":400,
				"detail":"The amount is higher than allowed for this agreement","instance":"/recurring/v3/agreements/agr_5kSeqz/charges",
				"contextId":"1d5e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f","extraDetails":[{"name":"amount","reason":"must be at most 5 times the agreement price"}]}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := createCharge(c)
				require.NoError(t, err)
				p := resp.ApplicationproblemJSON400
				require.NotNil(t, p)
				assert.True(t, strings.HasSuffix(p.Type, "#charge-amount-too-high"), p.Type)
				assert.EqualValues(t, 400, p.Status)
				require.Len(t, p.ExtraDetails, 1)
				assert.Equal(t, "amount", p.ExtraDetails[0].Name)
				assert.NotEmpty(t, p.ExtraDetails[0].Reason)
			},
		},
		{
			name: "problem with field/text", status: http.StatusNotFound,
			header: map[string]string{"Content-Type": "application/problem+json"},
			body: `{"type":"` + recurringProblemBase + `resource-not-found","title":"Not found","status":404,"detail":"Agreement not found",
				"extraDetails":[{"field":"agreementId","text":"no agreement agr_unknown"}]}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := c.FetchAgreementWithResponse(ctx, "agr_unknown", &recurring.FetchAgreementParams{})
				require.NoError(t, err)
				p := resp.ApplicationproblemJSON404
				require.NotNil(t, p)
				require.Len(t, p.ExtraDetails, 1)
				assert.Equal(t, "agreementId", p.ExtraDetails[0].Field)
				assert.Equal(t, "no agreement agr_unknown", p.ExtraDetails[0].Text)
			},
		},
		{
			name: "idempotency conflict", status: http.StatusConflict,
			header: map[string]string{"Content-Type": "application/problem+json"},
			body:   `{"type":"` + recurringProblemBase + `idempotency-conflict","title":"Conflict","status":409,"detail":"The Idempotency-Key was used with another request"}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := c.CancelChargeWithResponse(ctx, recurringAgreementID, recurringChargeID, &recurring.CancelChargeParams{IdempotencyKey: recurringKey("CancelCharge")})
				require.NoError(t, err)
				require.NotNil(t, resp.ApplicationproblemJSON409)
				assert.True(t, strings.HasSuffix(resp.ApplicationproblemJSON409.Type, "#idempotency-conflict"))
			},
		},
		{
			name: "problem on 422", status: http.StatusUnprocessableEntity,
			header: map[string]string{"Content-Type": "application/problem+json"},
			body:   `{"type":"` + recurringProblemBase + `operation-failed","title":"Operation failed","status":422,"detail":"The agreement is STOPPED"}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := createCharge(c)
				require.NoError(t, err)
				require.NotNil(t, resp.ApplicationproblemJSON422)
				assert.EqualValues(t, 422, resp.ApplicationproblemJSON422.Status)
			},
		},
		{
			name: "gateway 403", status: http.StatusForbidden,
			header: map[string]string{"Content-Type": "application/json"},
			body:   `{"statusCode":403,"message":"Invalid MSN: 654321. This MSN is not valid for the provided supermerchant ID."}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := c.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{MerchantSerialNumber: recurringPtr("654321")})
				require.NoError(t, err)
				require.NotNil(t, resp.JSON403)
				assert.Equal(t, 403, resp.JSON403.StatusCode)
			},
		},
		{
			name: "gateway 401", status: http.StatusUnauthorized,
			header: map[string]string{"Content-Type": "application/json"},
			body:   `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := createCharge(c)
				require.NoError(t, err)
				require.NotNil(t, resp.JSON401)
				assert.Equal(t, 401, resp.JSON401.StatusCode)
			},
		},
		{
			name: "429 with Retry-After", status: http.StatusTooManyRequests,
			header: map[string]string{"Content-Type": "application/json", "Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"},
			body:   `{"statusCode":429,"message":"Rate limit is exceeded. Try again later."}`,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := createCharge(c)
				require.NoError(t, err)
				require.NotNil(t, resp.Headers429)
				assert.Equal(t, "Wed, 21 Oct 2026 07:28:00 GMT", resp.Headers429.RetryAfter)
				require.NotNil(t, resp.JSON429)
				assert.Equal(t, 429, resp.JSON429.StatusCode)
			},
		},
		{
			name: "500 without body", status: http.StatusInternalServerError,
			check: func(t *testing.T, c *recurring.ClientWithResponses) {
				resp, err := c.FetchChargeByIdWithResponse(ctx, recurringChargeID, &recurring.FetchChargeByIdParams{})
				require.NoError(t, err)
				assert.Equal(t, http.StatusInternalServerError, resp.StatusCode())
				assert.Nil(t, resp.JSON500)
				assert.Nil(t, resp.ApplicationproblemJSON500)
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
			tc.check(t, recurringClient(t, v, srv.URL))
		})
	}
	recurringRequireNoViolations(t, v)
	t.Logf("recurring: %d error shapes answered, %d violations", len(cases), len(v.Violations()))
}
