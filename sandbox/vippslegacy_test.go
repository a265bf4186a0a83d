package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
	"github.com/paykit-go/paykit/vipps/ecomcallback"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// The documents this family serves; the token and webhooks documents are loaded too because
// the wired clients fetch tokens and register webhooks through the same validating
// transport, and merchant.yaml because the receivers check what the sandbox sends.
var (
	vippslegacyServed    = []string{"vipps/ecom.yaml", "vipps/recurring.yaml"}
	vippslegacyDocuments = []string{"vipps/accesstoken.yaml", "vipps/ecom.yaml", "vipps/recurring.yaml", "vipps/webhooks.yaml", "vipps/merchant.yaml"}
)

const vippslegacyProblemBase = "https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#"

// vippslegacyOperations maps the ServeMux pattern of every operation of the served
// documents ("POST /ecomm/v2/payments") to its operationId, read with kin-openapi.
func vippslegacyOperations(t *testing.T) map[string]string {
	t.Helper()
	ops := map[string]string{}
	for _, name := range vippslegacyServed {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = true
		loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			if u.Scheme != "" || u.Host != "" {
				return nil, fmt.Errorf("reference %q leaves the embedded documents", u)
			}
			return fs.ReadFile(api.FS(), strings.TrimPrefix(path.Clean(u.Path), "/"))
		}
		doc, err := loader.LoadFromURI(&url.URL{Path: name})
		require.NoError(t, err)
		for p, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				ops[method+" "+p] = op.OperationID
			}
		}
	}
	return ops
}

// vippslegacyTracker records which operations the sandbox answered with a 2xx.
type vippslegacyTracker struct {
	mux *http.ServeMux
	ops map[string]string

	mu   sync.Mutex
	done map[string]int
}

func newVippslegacyTracker(t *testing.T) *vippslegacyTracker {
	tr := &vippslegacyTracker{mux: http.NewServeMux(), ops: vippslegacyOperations(t), done: map[string]int{}}
	for pattern := range tr.ops {
		tr.mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	}
	return tr
}

type vippslegacyStatus struct {
	http.ResponseWriter
	status int
}

func (w *vippslegacyStatus) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *vippslegacyStatus) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (tr *vippslegacyTracker) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &vippslegacyStatus{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if _, pattern := tr.mux.Handler(r); tr.ops[pattern] != "" && sw.status >= 200 && sw.status < 300 {
			tr.mu.Lock()
			tr.done[tr.ops[pattern]]++
			tr.mu.Unlock()
		}
	})
}

// missing lists the operations never answered with a 2xx, sorted.
func (tr *vippslegacyTracker) missing() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for _, id := range tr.ops {
		if tr.done[id] == 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// vippslegacyClock is a clock the tests move by hand.
type vippslegacyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *vippslegacyClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vippslegacyClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// vippslegacyEnv is a sandbox behind a validating server, with wired merchant clients.
type vippslegacyEnv struct {
	sb      *sandbox.Sandbox
	v       *contract.Validator
	srv     *httptest.Server
	tracker *vippslegacyTracker
	c       *vipps.Clients
	msn     string
	http    *http.Client
}

func newVippslegacyEnv(t *testing.T, opts ...sandbox.Option) *vippslegacyEnv {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	v, err := contract.New(api.FS(), vippslegacyDocuments...)
	require.NoError(t, err)
	tr := newVippslegacyTracker(t)
	checked := v.Middleware(tr.wrap(sb))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			sb.ServeHTTP(w, r) // the sandbox's own routes are in no document
			return
		}
		checked.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e := &vippslegacyEnv{sb: sb, v: v, srv: srv, tracker: tr, msn: sb.Credentials().Vipps.MerchantMSN,
		http: &http.Client{Transport: v.Transport(http.DefaultTransport), Timeout: 10 * time.Second}}
	e.c = e.clients(t, e.msn)
	return e
}

// clients returns wired clients for the merchant's keys, bound to msn ("" for unbound).
func (e *vippslegacyEnv) clients(t *testing.T, msn string) *vipps.Clients {
	t.Helper()
	creds := e.sb.Credentials()
	c, err := vipps.New(vipps.Config{BaseURL: e.srv.URL, Credentials: creds.Vipps.Merchant, MSN: msn, HTTPClient: e.http, SkipValidation: true})
	require.NoError(t, err)
	return c
}

// requireNoViolations fails with every recorded violation printed.
func (e *vippslegacyEnv) requireNoViolations(t *testing.T) {
	t.Helper()
	viol := e.v.Violations()
	msgs := make([]string, len(viol))
	for i, x := range viol {
		msgs[i] = x.String()
	}
	require.Empty(t, viol, "contract violations:\n%s", strings.Join(msgs, "\n"))
}

// control posts to a /_sandbox/ route and decodes the answer.
func (e *vippslegacyEnv) control(t *testing.T, route string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(e.srv.URL+"/_sandbox/"+route, "application/json", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func vippslegacyPtr[T any](v T) *T { return &v }

// vippslegacyCallbacks is an eCom callback receiver behind a validating server.
type vippslegacyCallbacks struct {
	srv   *httptest.Server
	got   chan ecomcallback.Callback
	token string
}

func newVippslegacyCallbacks(t *testing.T, v *contract.Validator) *vippslegacyCallbacks {
	cb := &vippslegacyCallbacks{got: make(chan ecomcallback.Callback, 8), token: "cb-" + uuid.NewString()}
	h := ecomcallback.Handler(auth.Secret(cb.token), func(_ context.Context, c ecomcallback.Callback) error {
		cb.got <- c
		return nil
	})
	cb.srv = httptest.NewServer(v.Middleware(h))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *vippslegacyCallbacks) next(t *testing.T) ecomcallback.Callback {
	t.Helper()
	select {
	case c := <-cb.got:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no eCom callback arrived")
		return ecomcallback.Callback{}
	}
}

func vippslegacyInitiate(msn, orderID, callbackPrefix, authToken string, amount int64) ecom.InitiatePaymentCommand {
	return ecom.InitiatePaymentCommand{
		CustomerInfo: ecom.CustomerInfo{MobileNumber: "91234567"},
		MerchantInfo: ecom.MerchantInfo{
			MerchantSerialNumber: msn,
			CallbackPrefix:       callbackPrefix,
			FallBack:             "https://shop.example.com/vipps/fallback/" + orderID,
			AuthToken:            authToken,
		},
		Transaction: ecom.InitiateTransaction{Amount: amount, OrderId: orderID, TransactionText: "Order " + orderID},
	}
}

func vippslegacyAction(msn string, amount int64, text string) ecom.PaymentActionsRequest {
	return ecom.PaymentActionsRequest{
		MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn},
		Transaction:  ecom.ActionTransaction{Amount: amount, TransactionText: text},
	}
}

func vippslegacyLegacyDraft(t *testing.T, price int64) recurring.DraftAgreementV3 {
	t.Helper()
	var pricing recurring.PricingRequest
	require.NoError(t, pricing.FromLegacyPricingRequest(recurring.LegacyPricingRequest{Currency: "NOK", Amount: price}))
	return recurring.DraftAgreementV3{
		Pricing:              pricing,
		Interval:             recurring.TimePeriod{Unit: "MONTH", Count: 1},
		MerchantRedirectUrl:  "https://shop.example.com/vipps/return",
		MerchantAgreementUrl: "https://shop.example.com/account/subscription",
		ProductName:          "Acme Weekly",
		ProductDescription:   "The paper, every week",
		PhoneNumber:          "4712345678",
	}
}

func vippslegacyErrorCode(t *testing.T, body []byte) string {
	t.Helper()
	var errs ecom.ErrorArray
	require.NoError(t, json.Unmarshal(body, &errs), string(body))
	require.NotEmpty(t, errs)
	return errs[0].ErrorCode
}

func vippslegacyProblemType(t *testing.T, body []byte) string {
	t.Helper()
	var p recurring.ErrorV3
	require.NoError(t, json.Unmarshal(body, &p), string(body))
	return strings.TrimPrefix(p.Type, vippslegacyProblemBase)
}

// TestVippsLegacyOperations runs every operation of ecom.yaml and recurring.yaml through
// the wired clients against the sandbox, with both sides held to the documents.
func TestVippsLegacyOperations(t *testing.T) {
	e := newVippslegacyEnv(t)
	ctx := context.Background()
	cb := newVippslegacyCallbacks(t, e.v)
	msn := e.msn
	ec, rc := e.c.Ecom, e.c.Recurring

	t.Run("ecom", func(t *testing.T) {
		orderID := "vl-ops-" + uuid.NewString()[:8]
		init, err := ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate(msn, orderID, cb.srv.URL, cb.token, 20000))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, init.StatusCode(), string(init.Body))
		assert.Equal(t, orderID, init.JSON200.OrderId)
		landing, err := url.Parse(init.JSON200.Url)
		require.NoError(t, err)
		token := landing.Query().Get("token")
		require.NotEmpty(t, token)

		status, err := ec.GetOrderStatusWithResponse(ctx, orderID, &ecom.GetOrderStatusParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status.StatusCode(), string(status.Body))
		assert.Equal(t, "INITIATE", status.JSON200.TransactionInfo.Status)

		approve, err := ec.IntegrationTestApprovePaymentWithResponse(ctx, orderID, &ecom.IntegrationTestApprovePaymentParams{XRequestId: vippslegacyPtr(uuid.NewString())},
			ecom.ForceApproveRequest{CustomerPhoneNumber: "91234567", Token: token})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, approve.StatusCode(), string(approve.Body))

		got := cb.next(t)
		assert.Equal(t, orderID, got.OrderID)
		assert.Equal(t, "RESERVED", got.Status())
		assert.True(t, got.Reserved())
		assert.EqualValues(t, 20000, got.Body.TransactionInfo.Amount)
		assert.Contains(t, string(got.Raw), `"merchantSerialNumber":`+msn, "the MSN travels as a JSON number")

		capture, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: uuid.NewString()}, vippslegacyAction(msn, 15000, "First parcel"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, capture.StatusCode(), string(capture.Body))
		assert.Equal(t, "Captured", capture.JSON200.TransactionInfo.Status)
		assert.EqualValues(t, 15000, capture.JSON200.TransactionSummary.CapturedAmount)
		assert.EqualValues(t, 5000, capture.JSON200.TransactionSummary.RemainingAmountToCapture)

		refund, err := ec.RefundPaymentWithResponse(ctx, orderID, &ecom.RefundPaymentParams{XRequestId: uuid.NewString()}, vippslegacyAction(msn, 4000, "Returned item"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, refund.StatusCode(), string(refund.Body))
		assert.Equal(t, "Refund", refund.JSON200.Transaction.Status)
		assert.EqualValues(t, 11000, refund.JSON200.TransactionSummary.RemainingAmountToRefund)

		cancel, err := ec.CancelPaymentWithResponse(ctx, orderID, &ecom.CancelPaymentParams{}, ecom.CancelPaymentActionRequest{
			MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn},
			Transaction:  ecom.CancelTransaction{TransactionText: "Second parcel never shipped"}, ShouldReleaseRemainingFunds: true,
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, cancel.StatusCode(), string(cancel.Body))
		assert.Equal(t, "Cancelled", cancel.JSON200.TransactionInfo.Status)
		assert.EqualValues(t, 5000, cancel.JSON200.TransactionInfo.Amount)
		assert.EqualValues(t, 0, cancel.JSON200.TransactionSummary.RemainingAmountToCapture)

		details, err := ec.GetPaymentDetailsWithResponse(ctx, orderID, &ecom.GetPaymentDetailsParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, details.StatusCode(), string(details.Body))
		var ops []string
		for _, h := range details.JSON200.TransactionLogHistory {
			ops = append(ops, h.Operation)
		}
		assert.Equal(t, []string{"VOID", "REFUND", "CAPTURE", "RESERVE", "INITIATE"}, ops, "newest first")
		sum := details.JSON200.TransactionSummary
		assert.EqualValues(t, 15000, sum.CapturedAmount)
		assert.EqualValues(t, 4000, sum.RefundedAmount)
		assert.NotEmpty(t, sum.BankIdentificationNumber.String())
		assert.NotEmpty(t, details.JSON200.Sub)

		status, err = ec.GetOrderStatusWithResponse(ctx, orderID, &ecom.GetOrderStatusParams{})
		require.NoError(t, err)
		assert.Equal(t, "VOID", status.JSON200.TransactionInfo.Status)
	})

	t.Run("recurring", func(t *testing.T) {
		draft := vippslegacyLegacyDraft(t, 4900)
		var campaign recurring.CampaignRequest
		require.NoError(t, campaign.FromPriceCampaignV3(recurring.PriceCampaignV3{Price: 100, End: time.Now().AddDate(0, 2, 0).UTC().Truncate(time.Second)}))
		draft.Campaign = campaign
		draft.InitialCharge = recurring.InitialChargeV3{Amount: 100, Description: "First month at campaign price", TransactionType: "DIRECT_CAPTURE"}
		dr, err := rc.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, draft)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, dr.StatusCode(), string(dr.Body))
		agreementID := dr.JSON201.AgreementId
		require.NotEmpty(t, dr.JSON201.ChargeId)
		assert.NotEmpty(t, dr.JSON201.VippsConfirmationUrl)

		acc, err := rc.AcceptAgreementWithResponse(ctx, agreementID, &recurring.AcceptAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.AcceptAgreementV3{PhoneNumber: "4712345678"})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, acc.StatusCode(), string(acc.Body))

		fa, err := rc.FetchAgreementWithResponse(ctx, agreementID, &recurring.FetchAgreementParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, fa.StatusCode(), string(fa.Body))
		assert.Equal(t, "ACTIVE", fa.JSON200.Status)
		assert.Equal(t, "PRICE_CAMPAIGN", fa.JSON200.Campaign.Type)
		assert.False(t, fa.JSON200.Start.IsZero())

		initial, err := rc.FetchChargeWithResponse(ctx, agreementID, dr.JSON201.ChargeId, &recurring.FetchChargeParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, initial.StatusCode(), string(initial.Body))
		assert.Equal(t, "CHARGED", initial.JSON200.Status)
		assert.Equal(t, "INITIAL", initial.JSON200.Type)

		list, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
		require.Len(t, *list.JSON200, 1)
		assert.Equal(t, agreementID, (*list.JSON200)[0].Id)

		upd, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()},
			recurring.PatchAgreementV3{ProductName: "Acme Weekly Plus", Pricing: recurring.PatchPricingV3{Amount: 5900}})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, upd.StatusCode(), string(upd.Body))

		create, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()}, recurring.CreateChargeV3{
			Amount: 5900, Description: "Extra issue", TransactionType: "RESERVE_CAPTURE", Type: recurring.CreateChargeV3TypeUNSCHEDULED,
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, create.StatusCode(), string(create.Body))
		chargeID := create.JSON201.ChargeId

		byID, err := rc.FetchChargeByIdWithResponse(ctx, chargeID, &recurring.FetchChargeByIdParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, byID.StatusCode(), string(byID.Body))
		assert.Equal(t, "RESERVED", byID.JSON200.Status)
		require.NotNil(t, byID.JSON200.TransactionId)

		capKey := uuid.NewString()
		capture, err := rc.CaptureChargeWithResponse(ctx, agreementID, chargeID, &recurring.CaptureChargeParams{IdempotencyKey: capKey}, recurring.CaptureChargeV3{Amount: 5900})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, capture.StatusCode(), string(capture.Body))

		refund, err := rc.RefundChargeWithResponse(ctx, agreementID, chargeID, &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()}, recurring.RefundChargeV3{Amount: 900, Description: "Late delivery"})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, refund.StatusCode(), string(refund.Body))

		fc, err := rc.FetchChargeWithResponse(ctx, agreementID, chargeID, &recurring.FetchChargeParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, fc.StatusCode(), string(fc.Body))
		assert.Equal(t, "PARTIALLY_REFUNDED", fc.JSON200.Status)
		assert.Equal(t, recurring.ChargeSummaryV3{Captured: 5900, Refunded: 900, Cancelled: 0}, fc.JSON200.Summary)
		var events []string
		for _, h := range fc.JSON200.History {
			events = append(events, h.Event)
			assert.NotEmpty(t, h.IdempotencyKey)
		}
		assert.Equal(t, []string{"CREATE", "RESERVE", "CAPTURE", "REFUND"}, events)
		assert.Equal(t, capKey, fc.JSON200.History[2].IdempotencyKey)

		due := openapi_types.Date{Time: time.Now().UTC().AddDate(0, 0, 7)}
		batch, err := rc.CreateChargeAsyncWithResponse(ctx, &recurring.CreateChargeAsyncParams{IdempotencyKey: uuid.NewString()}, []recurring.CreateChargeAsyncV3{
			{AgreementId: agreementID, Amount: 5900, Description: "Week 2", Due: due, RetryDays: 3, TransactionType: "DIRECT_CAPTURE", OrderId: "vl-w2-" + uuid.NewString()[:8]},
			{AgreementId: agreementID, Amount: 5900, Description: "Week 3", Due: openapi_types.Date{Time: due.AddDate(0, 0, 7)}, RetryDays: 3, TransactionType: "DIRECT_CAPTURE", OrderId: "vl-w3-" + uuid.NewString()[:8]},
			{AgreementId: agreementID, Amount: 99999, Description: "Too much", Due: due, RetryDays: 3, TransactionType: "DIRECT_CAPTURE", OrderId: "vl-big-" + uuid.NewString()[:8]},
			{AgreementId: "agr_nope", Amount: 5900, Description: "Nobody's", Due: due, RetryDays: 3, TransactionType: "DIRECT_CAPTURE", OrderId: "vl-none-" + uuid.NewString()[:8]},
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, batch.StatusCode(), string(batch.Body))
		assert.Len(t, batch.JSON202.ValidCharges, 2)
		require.Len(t, batch.JSON202.InvalidCharges, 2)
		assert.Contains(t, batch.JSON202.InvalidCharges[0].Errors[0], "amount")

		del, err := rc.CancelChargeWithResponse(ctx, agreementID, batch.JSON202.ValidCharges[1], &recurring.CancelChargeParams{IdempotencyKey: uuid.NewString()})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, del.StatusCode(), string(del.Body))

		// Four charges now (the initial, the unscheduled, two of the batch); pages of two, linked by Continuation-Token.
		var ids []string
		var token *string
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "paging does not end")
			lc, err := rc.ListChargesWithResponse(ctx, agreementID, &recurring.ListChargesParams{ContinuationToken: token})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, lc.StatusCode(), string(lc.Body))
			for _, c := range *lc.JSON200 {
				ids = append(ids, c.Id)
			}
			if lc.HTTPResponse.Header.Get("Continuation-Token") == "" {
				break
			}
			token = vippslegacyPtr(lc.Headers200.ContinuationToken)
		}
		assert.Len(t, ids, 4)
		assert.Contains(t, ids, chargeID)

		stop, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.PatchAgreementV3{Status: recurring.STOPPED})
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, stop.StatusCode(), string(stop.Body))
		fa, err = rc.FetchAgreementWithResponse(ctx, agreementID, &recurring.FetchAgreementParams{})
		require.NoError(t, err)
		assert.Equal(t, "STOPPED", fa.JSON200.Status)
		assert.False(t, fa.JSON200.Stop.IsZero())
		week2, err := rc.FetchChargeWithResponse(ctx, agreementID, batch.JSON202.ValidCharges[0], &recurring.FetchChargeParams{})
		require.NoError(t, err)
		assert.Equal(t, "CANCELLED", week2.JSON200.Status, "stopping cancels open charges")
	})

	missing := e.tracker.missing()
	assert.Empty(t, missing, "operations never answered with a 2xx")
	e.requireNoViolations(t)
	st := e.v.Stats()
	total := len(e.tracker.ops)
	t.Logf("vippslegacy: %d operations simulated of %d in the documents, %d violations (%d requests, %d responses validated)",
		total-len(missing), total, len(e.v.Violations()), st.Requests, st.Responses)
}

// TestVippsLegacyEcomRules checks eCom's state machine errors, the X-Request-Id replay and
// the error codes.
func TestVippsLegacyEcomRules(t *testing.T) {
	e := newVippslegacyEnv(t)
	ctx := context.Background()
	cb := newVippslegacyCallbacks(t, e.v)
	ec, msn := e.c.Ecom, e.msn
	orderID := "vl-rules-" + uuid.NewString()[:8]

	init, err := ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate(msn, orderID, cb.srv.URL, cb.token, 10000))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, init.StatusCode(), string(init.Body))

	dup, err := ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate(msn, orderID, cb.srv.URL, cb.token, 10000))
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, dup.StatusCode())
	assert.Equal(t, "34", vippslegacyErrorCode(t, dup.Body), "duplicate orderId")

	early, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: uuid.NewString()}, vippslegacyAction(msn, 0, "Too early"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, early.StatusCode())
	assert.Equal(t, "62", vippslegacyErrorCode(t, early.Body), "not reserved")

	code, out := e.control(t, "vipps/ecom/"+msn+"/"+orderID+"/approve")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "RESERVE", out["status"])
	assert.True(t, cb.next(t).Reserved())

	code, _ = e.control(t, "vipps/ecom/"+msn+"/"+orderID+"/approve")
	assert.Equal(t, http.StatusConflict, code, "approve twice")

	tooMuch, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: uuid.NewString()}, vippslegacyAction(msn, 10001, "Too much"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, tooMuch.StatusCode())
	assert.Equal(t, "61", vippslegacyErrorCode(t, tooMuch.Body), "capture more than reserved")

	reqID := uuid.NewString()
	first, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: reqID}, vippslegacyAction(msn, 3000, "Part one"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, first.StatusCode(), string(first.Body))
	again, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: reqID}, vippslegacyAction(msn, 3000, "Part one"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, again.StatusCode())
	assert.Equal(t, string(first.Body), string(again.Body), "the same X-Request-Id and body get the same answer")
	other, err := ec.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: reqID}, vippslegacyAction(msn, 4000, "Part one"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, other.StatusCode())
	assert.Equal(t, "93", vippslegacyErrorCode(t, other.Body), "the same X-Request-Id with another body")

	overRefund, err := ec.RefundPaymentWithResponse(ctx, orderID, &ecom.RefundPaymentParams{XRequestId: uuid.NewString()}, vippslegacyAction(msn, 3001, "Too much back"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, overRefund.StatusCode())
	assert.Equal(t, "71", vippslegacyErrorCode(t, overRefund.Body), "refund more than captured")

	noRelease, err := ec.CancelPaymentWithResponse(ctx, orderID, &ecom.CancelPaymentParams{}, ecom.CancelPaymentActionRequest{
		MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.CancelTransaction{TransactionText: "Stop"},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, noRelease.StatusCode())
	assert.Equal(t, "51", vippslegacyErrorCode(t, noRelease.Body), "cancel after a capture needs shouldReleaseRemainingFunds")

	details, err := ec.GetPaymentDetailsWithResponse(ctx, orderID, &ecom.GetPaymentDetailsParams{})
	require.NoError(t, err)
	require.Len(t, details.JSON200.TransactionLogHistory, 3, "INITIATE, RESERVE and one CAPTURE: the replay captured nothing")
	assert.Equal(t, reqID, details.JSON200.TransactionLogHistory[0].RequestId)
	assert.EqualValues(t, 7000, details.JSON200.TransactionSummary.RemainingAmountToCapture)

	unknown, err := ec.GetPaymentDetailsWithResponse(ctx, "vl-no-such-order", &ecom.GetPaymentDetailsParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, unknown.StatusCode())
	assert.Equal(t, "35", vippslegacyErrorCode(t, unknown.Body))

	// A payment cancelled before the user acted logs CANCEL; a rejected one too.
	early2 := "vl-cancel-" + uuid.NewString()[:8]
	_, err = ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate(msn, early2, cb.srv.URL, "", 10000))
	require.NoError(t, err)
	cancel, err := ec.CancelPaymentWithResponse(ctx, early2, &ecom.CancelPaymentParams{}, ecom.CancelPaymentActionRequest{
		MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.CancelTransaction{TransactionText: "Never mind"},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cancel.StatusCode(), string(cancel.Body))
	st, err := ec.GetOrderStatusWithResponse(ctx, early2, &ecom.GetOrderStatusParams{})
	require.NoError(t, err)
	assert.Equal(t, "CANCEL", st.JSON200.TransactionInfo.Status)

	rejected := "vl-reject-" + uuid.NewString()[:8]
	_, err = ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate(msn, rejected, cb.srv.URL, cb.token, 10000))
	require.NoError(t, err)
	code, out = e.control(t, "vipps/ecom/"+msn+"/"+rejected+"/reject")
	require.Equal(t, http.StatusOK, code, out)
	got := cb.next(t)
	assert.Equal(t, "CANCELLED", got.Status())
	assert.True(t, got.Failed())

	var ledger []sandbox.LedgerEntry
	for _, le := range e.sb.Ledger() {
		if le.API == "ecom" {
			ledger = append(ledger, le)
		}
	}
	require.Len(t, ledger, 3)
	first0 := ledger[0]
	assert.Equal(t, []string{"vipps", "payment", orderID, msn, "91234567", "10000", "NOK", "CAPTURE"},
		[]string{first0.Family, first0.Kind, first0.Reference, first0.Owner, first0.Party, first0.Amount, first0.Currency, first0.Status})
	assert.Equal(t, "CANCEL", ledger[1].Status)
	e.requireNoViolations(t)
}

// TestVippsLegacyRecurringRules checks Recurring idempotency, the charge rules and the
// clock-driven states.
func TestVippsLegacyRecurringRules(t *testing.T) {
	clock := &vippslegacyClock{t: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
	e := newVippslegacyEnv(t, sandbox.WithClock(clock.now), sandbox.WithTokenTTL(365*24*time.Hour))
	ctx := context.Background()
	rc := e.c.Recurring

	dr, err := rc.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, dr.StatusCode(), string(dr.Body))
	agreementID := dr.JSON201.AgreementId

	// Charges need an ACTIVE agreement.
	early, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
		recurring.CreateChargeV3{Amount: 1000, Description: "Too early", TransactionType: "DIRECT_CAPTURE", Type: recurring.CreateChargeV3TypeUNSCHEDULED})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, early.StatusCode(), string(early.Body))

	code, out := e.control(t, "vipps/recurring/"+e.msn+"/"+agreementID+"/accept")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "ACTIVE", out["status"])

	// Idempotency-Key: the same body gets the same charge, another body a conflict.
	key := uuid.NewString()
	due := openapi_types.Date{Time: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC)}
	body := recurring.CreateChargeV3{Amount: 1000, Description: "March", TransactionType: "RESERVE_CAPTURE", Due: due, RetryDays: vippslegacyPtr(int32(2))}
	c1, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: key}, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, c1.StatusCode(), string(c1.Body))
	c2, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: key}, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, c2.StatusCode(), string(c2.Body))
	assert.Equal(t, c1.JSON201.ChargeId, c2.JSON201.ChargeId, "a replay returns the same charge")
	changed := body
	changed.Amount = 2000
	c3, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: key}, changed)
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, c3.StatusCode())
	assert.Equal(t, "idempotency-conflict", vippslegacyProblemType(t, c3.Body))
	chargeID := c1.JSON201.ChargeId

	fetch := func() recurring.ChargeResponseV3 {
		t.Helper()
		r, err := rc.FetchChargeWithResponse(ctx, agreementID, chargeID, &recurring.FetchChargeParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
		return *r.JSON200
	}
	c := fetch()
	assert.Equal(t, "PENDING", c.Status)
	assert.Nil(t, c.TransactionId, "no transaction id before DUE")
	clock.add(48 * time.Hour) // 12 March: the day before due
	c = fetch()
	assert.Equal(t, "DUE", c.Status)
	require.NotNil(t, c.TransactionId)
	clock.add(24 * time.Hour) // 13 March: due
	c = fetch()
	assert.Equal(t, "RESERVED", c.Status)

	// Capture part, then cancel the rest: PARTIALLY_CAPTURED, then CHARGED.
	cp, err := rc.CaptureChargeWithResponse(ctx, agreementID, chargeID, &recurring.CaptureChargeParams{IdempotencyKey: uuid.NewString()}, recurring.CaptureChargeV3{Amount: 600})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, cp.StatusCode(), string(cp.Body))
	assert.Equal(t, "PARTIALLY_CAPTURED", fetch().Status)
	over, err := rc.RefundChargeWithResponse(ctx, agreementID, chargeID, &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()}, recurring.RefundChargeV3{Amount: 601, Description: "Too much"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, over.StatusCode(), "refund more than captured")
	cc, err := rc.CancelChargeWithResponse(ctx, agreementID, chargeID, &recurring.CancelChargeParams{IdempotencyKey: uuid.NewString()})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, cc.StatusCode(), string(cc.Body))
	c = fetch()
	assert.Equal(t, "CHARGED", c.Status)
	assert.Equal(t, recurring.ChargeSummaryV3{Captured: 600, Cancelled: 400}, c.Summary)
	rf, err := rc.RefundChargeWithResponse(ctx, agreementID, chargeID, &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()}, recurring.RefundChargeV3{Amount: 600, Description: "All back"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, rf.StatusCode(), string(rf.Body))
	assert.Equal(t, "REFUNDED", fetch().Status)

	// The rules on new charges.
	cases := []struct {
		name string
		body recurring.CreateChargeV3
		kind string
	}{
		{"more than 5 times the price", recurring.CreateChargeV3{Amount: 5001, Description: "x", TransactionType: "DIRECT_CAPTURE", Type: recurring.CreateChargeV3TypeUNSCHEDULED}, "charge-amount-too-high"},
		{"due too soon", recurring.CreateChargeV3{Amount: 1000, Description: "x", TransactionType: "DIRECT_CAPTURE", Due: openapi_types.Date{Time: clock.now()}, RetryDays: vippslegacyPtr(int32(0))}, "charge-due-too-soon"},
		{"due too late", recurring.CreateChargeV3{Amount: 1000, Description: "x", TransactionType: "DIRECT_CAPTURE", Due: openapi_types.Date{Time: clock.now().AddDate(3, 0, 0)}, RetryDays: vippslegacyPtr(int32(0))}, "charge-due-in-too-long"},
		{"RECURRING without due", recurring.CreateChargeV3{Amount: 1000, Description: "x", TransactionType: "DIRECT_CAPTURE", RetryDays: vippslegacyPtr(int32(0))}, "validation-error"},
	}
	for _, tc := range cases {
		r, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()}, tc.body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, r.StatusCode(), tc.name)
		assert.Equal(t, tc.kind, vippslegacyProblemType(t, r.Body), tc.name)
	}

	// A test failure amount: DUE while retried, then FAILED.
	fail, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
		recurring.CreateChargeV3{Amount: 151, Description: "Insufficient funds", TransactionType: "DIRECT_CAPTURE",
			Due: openapi_types.Date{Time: clock.now().AddDate(0, 0, 2)}, RetryDays: vippslegacyPtr(int32(1))})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, fail.StatusCode(), string(fail.Body))
	clock.add(60 * time.Hour)
	byID, err := rc.FetchChargeByIdWithResponse(ctx, fail.JSON201.ChargeId, &recurring.FetchChargeByIdParams{})
	require.NoError(t, err)
	assert.Equal(t, "DUE", byID.JSON200.Status, "retried until retryDays have passed")
	clock.add(24 * time.Hour)
	byID, err = rc.FetchChargeByIdWithResponse(ctx, fail.JSON201.ChargeId, &recurring.FetchChargeByIdParams{})
	require.NoError(t, err)
	assert.Equal(t, "FAILED", byID.JSON200.Status)
	assert.Equal(t, "user_action_required", byID.JSON200.FailureReason)

	// Stopping cannot be combined with other changes; it cancels open charges.
	pending, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
		recurring.CreateChargeV3{Amount: 1000, Description: "April", TransactionType: "DIRECT_CAPTURE", Due: openapi_types.Date{Time: clock.now().AddDate(0, 0, 20)}, RetryDays: vippslegacyPtr(int32(2))})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, pending.StatusCode(), string(pending.Body))
	mixed, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.PatchAgreementV3{Status: recurring.STOPPED, ProductName: "New"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, mixed.StatusCode())
	assert.Contains(t, string(mixed.Body), `"name":"status"`)
	stop, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.PatchAgreementV3{Status: recurring.STOPPED})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, stop.StatusCode(), string(stop.Body))
	pc, err := rc.FetchChargeWithResponse(ctx, agreementID, pending.JSON201.ChargeId, &recurring.FetchChargeParams{})
	require.NoError(t, err)
	assert.Equal(t, "CANCELLED", pc.JSON200.Status)
	again, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.PatchAgreementV3{ProductName: "Back again"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, again.StatusCode(), "STOPPED is final")
	assert.Equal(t, "illegal-agreement-update", vippslegacyProblemType(t, again.Body))

	// A draft nobody accepts expires after 10 minutes.
	lone, err := rc.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, lone.StatusCode(), string(lone.Body))
	clock.add(11 * time.Minute)
	la, err := rc.FetchAgreementWithResponse(ctx, lone.JSON201.AgreementId, &recurring.FetchAgreementParams{})
	require.NoError(t, err)
	assert.Equal(t, "EXPIRED", la.JSON200.Status)
	late, err := rc.AcceptAgreementWithResponse(ctx, lone.JSON201.AgreementId, &recurring.AcceptAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.AcceptAgreementV3{PhoneNumber: "4712345678"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, late.StatusCode())

	// Lists: ACTIVE by default (none left), by status on request, paged.
	active, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, active.StatusCode(), string(active.Body))
	assert.Empty(t, *active.JSON200)
	for range 3 {
		d, err := rc.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, d.StatusCode(), string(d.Body))
	}
	pageOne, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{Status: vippslegacyPtr("PENDING"), PageSize: vippslegacyPtr(int32(2))})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pageOne.StatusCode(), string(pageOne.Body))
	assert.Len(t, *pageOne.JSON200, 2)
	require.NotEmpty(t, pageOne.Headers200.ContinuationToken)
	pageTwo, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{ContinuationToken: vippslegacyPtr(pageOne.Headers200.ContinuationToken)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pageTwo.StatusCode(), string(pageTwo.Body))
	assert.Len(t, *pageTwo.JSON200, 1)
	assert.Empty(t, pageTwo.HTTPResponse.Header.Get("Continuation-Token"), "no token on the last page")
	byNumber, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{Status: vippslegacyPtr("PENDING"), PageSize: vippslegacyPtr(int32(2)), PageNumber: vippslegacyPtr(int32(2))})
	require.NoError(t, err)
	assert.Equal(t, *pageTwo.JSON200, *byNumber.JSON200, "pageNumber and Continuation-Token agree")
	clock.add(6 * time.Minute)
	stale, err := rc.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{ContinuationToken: vippslegacyPtr(pageOne.Headers200.ContinuationToken)})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnprocessableEntity, stale.StatusCode(), "tokens live for minutes")

	var charges []sandbox.LedgerEntry
	for _, le := range e.sb.Ledger() {
		if le.API == "recurring" {
			charges = append(charges, le)
		}
	}
	require.NotEmpty(t, charges)
	assert.Equal(t, "charge", charges[0].Kind)
	assert.Equal(t, chargeID, charges[0].Reference)
	assert.Equal(t, key, charges[0].IdempotencyKey)
	assert.Equal(t, "REFUNDED", charges[0].Status)
	e.requireNoViolations(t)
}

// TestVippsLegacyBadRequests checks that requests breaking the documents get a 400 naming
// the field, in each API's own shape, and that eCom refuses a body naming another merchant.
func TestVippsLegacyBadRequests(t *testing.T) {
	e := newVippslegacyEnv(t)
	ctx := context.Background()

	// eCom: amount as a string.
	raw := `{"customerInfo":{},"merchantInfo":{"merchantSerialNumber":"` + e.msn + `","callbackPrefix":"https://shop.example.com/cb","fallBack":"https://shop.example.com/back"},` +
		`"transaction":{"amount":"100","orderId":"vl-bad-1","transactionText":"x"}}`
	r, err := e.c.Ecom.InitiatePaymentWithBodyWithResponse(ctx, &ecom.InitiatePaymentParams{}, "application/json", strings.NewReader(raw))
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
	require.NotNil(t, r.JSON400)
	assert.Equal(t, "InvalidRequest", (*r.JSON400)[0].ErrorGroup)
	assert.Equal(t, "transaction.amount", (*r.JSON400)[0].ErrorCode)
	assert.Contains(t, (*r.JSON400)[0].ErrorMessage, "integer")

	// eCom: merchantInfo names another merchant (an unbound client sends it as it is).
	unbound := e.clients(t, "")
	other, err := unbound.Ecom.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, vippslegacyInitiate("654321", "vl-bad-2", "https://shop.example.com/cb", "", 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, other.StatusCode(), string(other.Body))
	assert.Equal(t, "merchantInfo.merchantSerialNumber", vippslegacyErrorCode(t, other.Body))

	// Recurring: an Idempotency-Key with a slash.
	cr, err := e.c.Recurring.CreateChargeWithResponse(ctx, "agr_whatever", &recurring.CreateChargeParams{IdempotencyKey: "a/b"},
		recurring.CreateChargeV3{Amount: 100, Description: "x", TransactionType: "DIRECT_CAPTURE", Type: recurring.CreateChargeV3TypeUNSCHEDULED})
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, cr.StatusCode(), string(cr.Body))
	require.NotNil(t, cr.ApplicationproblemJSON400)
	assert.Equal(t, vippslegacyProblemBase+"validation-error", cr.ApplicationproblemJSON400.Type)
	require.NotEmpty(t, cr.ApplicationproblemJSON400.ExtraDetails)
	assert.Equal(t, "Idempotency-Key", cr.ApplicationproblemJSON400.ExtraDetails[0].Name)

	// Recurring: a list parameter out of range (ListAgreements documents 422, not 400).
	la, err := e.c.Recurring.ListAgreementsWithResponse(ctx, &recurring.ListAgreementsParams{PageSize: vippslegacyPtr(int32(0))})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, la.StatusCode(), string(la.Body))
	assert.Contains(t, string(la.Body), `"name":"pageSize"`)

	// Without a token the gateway answers, in its own shape.
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/recurring/v3/agreements", nil)
	require.NoError(t, err)
	req.Header.Set("Ocp-Apim-Subscription-Key", e.sb.Credentials().Vipps.Merchant.SubscriptionKey.Reveal())
	resp, err := e.http.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, string(b), `"statusCode":401`)

	// The bad requests break the documents on purpose; every answer keeps to them.
	for _, x := range e.v.Violations() {
		assert.Equal(t, contract.SideRequest, x.Side, "an answer broke the documents: %s", x)
	}
}

// TestVippsLegacyUserPolicy checks that the user policy approves eCom payments and accepts
// agreements at once, and the /_sandbox/ agreement routes.
func TestVippsLegacyUserPolicy(t *testing.T) {
	e := newVippslegacyEnv(t, sandbox.WithUserPolicy(sandbox.UserApproves))
	ctx := context.Background()
	cb := newVippslegacyCallbacks(t, e.v)

	// Express: approved by the policy, the callback says RESERVE and carries the user.
	cmd := vippslegacyInitiate(e.msn, "vl-express-1", cb.srv.URL, cb.token, 25000)
	cmd.MerchantInfo.PaymentType = "eComm Express Payment"
	cmd.MerchantInfo.ConsentRemovalPrefix = "https://shop.example.com/vipps/consents"
	cmd.MerchantInfo.StaticShippingDetails = []ecom.ShippingOption{{IsDefault: "Y", ShippingCost: 39.5, ShippingMethod: "Posten", ShippingMethodId: "posten-1"}}
	r, err := e.c.Ecom.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, cmd)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
	got := cb.next(t)
	assert.Equal(t, "RESERVE", got.Status())
	assert.True(t, got.Express())
	assert.Equal(t, "posten-1", got.Body.ShippingDetails.ShippingMethodId)

	dr, err := e.c.Recurring.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, dr.StatusCode(), string(dr.Body))
	fa, err := e.c.Recurring.FetchAgreementWithResponse(ctx, dr.JSON201.AgreementId, &recurring.FetchAgreementParams{})
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", fa.JSON200.Status)
	assert.NotEmpty(t, fa.JSON200.Sub)

	code, _ := e.control(t, "vipps/recurring/"+e.msn+"/"+dr.JSON201.AgreementId+"/reject")
	assert.Equal(t, http.StatusConflict, code, "an ACTIVE agreement is not waiting for the user")
	code, _ = e.control(t, "vipps/recurring/"+e.msn+"/agr_nope/accept")
	assert.Equal(t, http.StatusNotFound, code)
	e.requireNoViolations(t)
}

// TestVippsLegacyControlReject checks a user rejecting an agreement through /_sandbox/.
func TestVippsLegacyControlReject(t *testing.T) {
	e := newVippslegacyEnv(t)
	ctx := context.Background()
	dr, err := e.c.Recurring.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, dr.StatusCode(), string(dr.Body))
	code, out := e.control(t, "vipps/recurring/"+e.msn+"/"+dr.JSON201.AgreementId+"/reject")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "STOPPED", out["status"])

	resp, err := http.Get(e.srv.URL + "/_sandbox/vipps/recurring/" + e.msn + "/" + dr.JSON201.AgreementId)
	require.NoError(t, err)
	var a recurring.AgreementResponseV3
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	_ = resp.Body.Close()
	assert.Equal(t, "STOPPED", a.Status)
	e.requireNoViolations(t)
}

// TestVippsLegacyWebhooks checks that Recurring events reach a registered webhook, signed,
// with the fields receivers read.
func TestVippsLegacyWebhooks(t *testing.T) {
	e := newVippslegacyEnv(t)
	ctx := context.Background()
	rc := e.c.Recurring

	got := make(chan webhook.Event, 32)
	var verifier webhook.Verifier
	ready := make(chan struct{})
	whSrv := httptest.NewServer(e.v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		webhook.Handler(verifier, func(_ context.Context, ev webhook.Event) error {
			got <- ev
			return nil
		}).ServeHTTP(w, r)
	})))
	t.Cleanup(whSrv.Close)
	hookURL := whSrv.URL + "/merchant/webhooks/vipps"
	events := []webhooks.EventName{
		"recurring.agreement-activated.v1", "recurring.agreement-stopped.v1", "recurring.agreement-expired.v1",
		"recurring.charge-reserved.v1", "recurring.charge-captured.v1", "recurring.charge-canceled.v1",
		"recurring.charge-failed.v1", "recurring.charge-refunded.v1",
	}
	reg, err := e.c.Webhooks.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{}, webhooks.RegisterWebhookRequest{Url: hookURL, Events: events})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, reg.StatusCode(), string(reg.Body))
	verifier = webhook.Verifier{Secret: auth.Secret(reg.JSON201.Secret), URL: hookURL}
	close(ready)

	dr, err := rc.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, vippslegacyLegacyDraft(t, 1000))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, dr.StatusCode(), string(dr.Body))
	agreementID := dr.JSON201.AgreementId
	acc, err := rc.AcceptAgreementWithResponse(ctx, agreementID, &recurring.AcceptAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.AcceptAgreementV3{PhoneNumber: "4712345678"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, acc.StatusCode(), string(acc.Body))
	cr, err := rc.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
		recurring.CreateChargeV3{Amount: 3000, Description: "Extra", TransactionType: "RESERVE_CAPTURE", Type: recurring.CreateChargeV3TypeUNSCHEDULED})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, cr.StatusCode(), string(cr.Body))
	chargeID := cr.JSON201.ChargeId
	cp, err := rc.CaptureChargeWithResponse(ctx, agreementID, chargeID, &recurring.CaptureChargeParams{IdempotencyKey: uuid.NewString()}, recurring.CaptureChargeV3{Amount: 3000})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, cp.StatusCode(), string(cp.Body))
	rf, err := rc.RefundChargeWithResponse(ctx, agreementID, chargeID, &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()}, recurring.RefundChargeV3{Amount: 1000, Description: "Part back"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, rf.StatusCode(), string(rf.Body))
	stop, err := rc.UpdateAgreementWithResponse(ctx, agreementID, &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()}, recurring.PatchAgreementV3{Status: recurring.STOPPED})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, stop.StatusCode(), string(stop.Body))

	want := map[string]bool{
		"recurring.agreement-activated.v1": true, "recurring.charge-reserved.v1": true, "recurring.charge-captured.v1": true,
		"recurring.charge-refunded.v1": true, "recurring.agreement-stopped.v1": true,
	}
	seen := map[string]webhook.Event{}
	deadline := time.After(5 * time.Second)
	for len(seen) < len(want) {
		select {
		case ev := <-got:
			require.Equal(t, webhook.KindRecurring, ev.Kind())
			seen[ev.Payload.EventType] = ev
		case <-deadline:
			t.Fatalf("events received: %v, want %v", slices.Sorted(func(yield func(string) bool) {
				for k := range seen {
					if !yield(k) {
						return
					}
				}
			}), want)
		}
	}
	for name := range want {
		ev, ok := seen[name]
		require.True(t, ok, name)
		assert.Equal(t, agreementID, ev.Payload.AgreementId, name)
		assert.Equal(t, e.msn, ev.Payload.Msn.String(), name)
		assert.NotEmpty(t, ev.Payload.Occurred, name)
	}
	captured := seen["recurring.charge-captured.v1"]
	assert.Equal(t, chargeID, captured.Payload.ChargeId)
	assert.Contains(t, string(captured.Body), `"amount":3000`)
	assert.Equal(t, "MERCHANT", seen["recurring.agreement-stopped.v1"].Payload.Actor)
	e.requireNoViolations(t)
}
