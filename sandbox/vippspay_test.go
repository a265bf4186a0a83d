package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/management"
	"github.com/paykit-go/paykit/gen/vipps/partner"
	"github.com/paykit-go/paykit/gen/vipps/userinfo"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// vippspayDocuments are the documents of the APIs the Vipps payments family serves.
var vippspayDocuments = []string{
	"vipps/accesstoken.yaml",
	"vipps/epayment.yaml",
	"vipps/webhooks.yaml",
	"vipps/userinfo.yaml",
	"vipps/management.yaml",
	"vipps/partner.yaml",
}

// vippspayEvents are the ePayment webhook events.
var vippspayEvents = []string{
	"epayments.payment.created.v1", "epayments.payment.aborted.v1", "epayments.payment.expired.v1",
	"epayments.payment.cancelled.v1", "epayments.payment.captured.v1", "epayments.payment.refunded.v1",
	"epayments.payment.authorized.v1", "epayments.payment.terminated.v1",
}

// vippspayRoute is one operation of the documents, matched by method and path template.
type vippspayRoute struct {
	key     string // "<document>/<operationId>"
	method  string
	pattern *regexp.Regexp
}

// vippspayRoutes reads every operation of the documents with kin-openapi.
func vippspayRoutes(t *testing.T) []vippspayRoute {
	t.Helper()
	var out []vippspayRoute
	for _, name := range vippspayDocuments {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = true
		loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			return fs.ReadFile(api.FS(), path.Clean(strings.TrimPrefix(u.Path, "/")))
		}
		doc, err := loader.LoadFromFile(name)
		require.NoError(t, err, name)
		for p, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				out = append(out, vippspayRoute{
					key:     strings.TrimSuffix(path.Base(name), ".yaml") + "/" + op.OperationID,
					method:  method,
					pattern: regexp.MustCompile("^" + vippspayTemplate(p) + "$"),
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// vippspayTemplate turns a path template into a regular expression.
func vippspayTemplate(p string) string {
	var b strings.Builder
	for _, part := range regexp.MustCompile(`\{[^}]+\}`).Split(p, -1) {
		if b.Len() > 0 || strings.HasPrefix(p, "{") {
			b.WriteString(`[^/]+`)
		}
		b.WriteString(regexp.QuoteMeta(part))
	}
	return b.String()
}

// vippspayEnv is a sandbox served through the validator, with what the tests need.
type vippspayEnv struct {
	sb    *sandbox.Sandbox
	v     *contract.Validator
	srv   *httptest.Server
	creds sandbox.Credentials
	hc    *http.Client

	routes []vippspayRoute
	mu     sync.Mutex
	done   map[string]bool // operations answered with a 2xx
}

// vippspayStatus records the status a handler writes.
type vippspayStatus struct {
	http.ResponseWriter
	status int
}

func (w *vippspayStatus) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *vippspayStatus) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func newVippspayEnv(t *testing.T, opts ...sandbox.Option) *vippspayEnv {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	v, err := contract.New(api.FS(), vippspayDocuments...)
	require.NoError(t, err)
	e := &vippspayEnv{sb: sb, v: v, creds: sb.Credentials(), routes: vippspayRoutes(t), done: map[string]bool{}}
	inner := v.Middleware(sb)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			// The control routes are the sandbox's own, outside the documents.
			sb.ServeHTTP(w, r)
			return
		}
		sw := &vippspayStatus{ResponseWriter: w}
		inner.ServeHTTP(sw, r)
		if sw.status >= 200 && sw.status < 300 {
			e.mark(r.Method, r.URL.Path)
		}
	}))
	e.hc = &http.Client{Transport: v.Transport(http.DefaultTransport), Timeout: 10 * time.Second}
	t.Cleanup(func() {
		e.srv.Close()
		sb.Close()
	})
	return e
}

func (e *vippspayEnv) mark(method, p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.routes {
		if r.method == method && r.pattern.MatchString(p) {
			e.done[r.key] = true
			return
		}
	}
}

// merchant returns the wired clients for the merchant keys.
func (e *vippspayEnv) merchant(t *testing.T) *vipps.Clients {
	t.Helper()
	c, err := vipps.New(vipps.Config{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Merchant, MSN: e.creds.Vipps.MerchantMSN, HTTPClient: e.hc, SkipValidation: true})
	require.NoError(t, err)
	return c
}

// partnerFor returns the wired clients of the partner keys for merchant msn.
func (e *vippspayEnv) partnerFor(t *testing.T, msn string, perMerchant bool) *vipps.Clients {
	t.Helper()
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Partner, HTTPClient: e.hc, TokenPerMerchant: perMerchant, SkipValidation: true})
	require.NoError(t, err)
	c, err := p.ForMerchant(msn)
	require.NoError(t, err)
	return c
}

// miami returns a management client with a /miami/v1/token token of the management keys.
func (e *vippspayEnv) miami(t *testing.T) *management.ClientWithResponses {
	t.Helper()
	src, err := vippsauth.NewManagementTokenSource(vippsauth.ManagementTokenConfig{
		BaseURL: e.srv.URL, ClientID: e.creds.Vipps.ManagementClientID,
		ClientSecret: auth.Secret(e.creds.Vipps.ManagementClientSecret), HTTPClient: e.hc,
	})
	require.NoError(t, err)
	c, err := management.NewClientWithResponses(e.srv.URL, management.WithHTTPClient(auth.Authorize(e.hc, auth.NewCache(src))))
	require.NoError(t, err)
	return c
}

// tokens returns the generated access token client.
func (e *vippspayEnv) tokens(t *testing.T) *accesstoken.ClientWithResponses {
	t.Helper()
	c, err := accesstoken.NewClientWithResponses(e.srv.URL, accesstoken.WithHTTPClient(e.hc))
	require.NoError(t, err)
	return c
}

// requireClean fails with every violation the validator recorded.
func (e *vippspayEnv) requireClean(t *testing.T) {
	t.Helper()
	for _, viol := range e.v.Violations() {
		t.Errorf("violation: %s", viol)
	}
}

// requireCleanResponses fails with every response violation (for tests that send bad
// requests on purpose).
func (e *vippspayEnv) requireCleanResponses(t *testing.T) {
	t.Helper()
	for _, viol := range e.v.Violations() {
		if viol.Side == contract.SideResponse {
			t.Errorf("violation: %s", viol)
		}
	}
}

func vippspayPhone(t *testing.T, phone string) epayment.Customer {
	t.Helper()
	var c epayment.Customer
	require.NoError(t, c.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: phone}))
	return c
}

func vippspayNOK(v int64) epayment.Amount { return epayment.Amount{Currency: "NOK", Value: v} }

// vippspayCreate creates a WEB_REDIRECT payment and returns its reference.
func vippspayCreate(t *testing.T, c *vipps.Clients, reference string, value int64, scope string) *epayment.CreatePaymentResponse {
	t.Helper()
	body := epayment.CreatePaymentRequest{
		Amount: vippspayNOK(value), PaymentMethod: epayment.PaymentMethod{Type: "WALLET"},
		Reference: reference, UserFlow: epayment.WEBREDIRECT, ReturnUrl: "https://shop.example.com/return",
		PaymentDescription: "Sandbox order", Profile: epayment.ProfileRequest{Scope: scope},
	}
	r, err := c.EPayment.CreatePaymentWithResponse(context.Background(), &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: c.MSN}, body)
	require.NoError(t, err)
	return r
}

func vippspayApprove(t *testing.T, c *vipps.Clients, reference string) {
	t.Helper()
	r, err := c.EPayment.ForceApproveWithResponse(context.Background(), reference, &epayment.ForceApproveParams{MerchantSerialNumber: c.MSN},
		epayment.ForceApprove{Customer: vippspayPhone(t, "4712345678")})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.StatusCode(), string(r.Body))
}

func vippspayCapture(t *testing.T, c *vipps.Clients, reference, key string, value int64) *epayment.CapturePaymentResponse {
	t.Helper()
	r, err := c.EPayment.CapturePaymentWithResponse(context.Background(), reference, &epayment.CapturePaymentParams{MerchantSerialNumber: c.MSN, IdempotencyKey: key},
		epayment.CaptureModificationRequest{ModificationAmount: vippspayNOK(value)})
	require.NoError(t, err)
	return r
}

func vippspayRefund(t *testing.T, c *vipps.Clients, reference, key string, value int64) *epayment.RefundPaymentResponse {
	t.Helper()
	r, err := c.EPayment.RefundPaymentWithResponse(context.Background(), reference, &epayment.RefundPaymentParams{MerchantSerialNumber: c.MSN, IdempotencyKey: key},
		epayment.RefundModificationRequest{ModificationAmount: vippspayNOK(value)})
	require.NoError(t, err)
	return r
}

func vippspayCancel(t *testing.T, c *vipps.Clients, reference string, only bool) *epayment.CancelPaymentResponse {
	t.Helper()
	key := uuid.NewString()
	r, err := c.EPayment.CancelPaymentWithResponse(context.Background(), reference, &epayment.CancelPaymentParams{MerchantSerialNumber: c.MSN, IdempotencyKey: &key},
		epayment.CancelModificationRequest{CancelTransactionOnly: only})
	require.NoError(t, err)
	return r
}

func vippspayGet(t *testing.T, c *vipps.Clients, reference string) *epayment.GetPaymentResponse {
	t.Helper()
	r, err := c.EPayment.GetPaymentWithResponse(context.Background(), reference, &epayment.GetPaymentParams{MerchantSerialNumber: c.MSN})
	require.NoError(t, err)
	return r
}

// vippspayCode returns the ErrorCode of a problem body.
func vippspayCode(body []byte) string {
	var p struct {
		ExtraDetails []struct{ Name, Reason string } `json:"extraDetails"`
	}
	_ = json.Unmarshal(body, &p)
	for _, d := range p.ExtraDetails {
		if d.Name == "ErrorCode" {
			return d.Reason
		}
	}
	return ""
}

// vippspayFields returns the field names of a problem body's extraDetails.
func vippspayFields(body []byte) []string {
	var p struct {
		ExtraDetails []struct{ Name, Reason string } `json:"extraDetails"`
	}
	_ = json.Unmarshal(body, &p)
	var out []string
	for _, d := range p.ExtraDetails {
		out = append(out, d.Name)
	}
	return out
}

// TestVippspayOperations runs every operation of the six documents through the wired
// clients against the sandbox, validated on both sides.
func TestVippspayOperations(t *testing.T) {
	t.Parallel()
	e := newVippspayEnv(t)
	ctx := context.Background()
	m := e.merchant(t)
	msn := e.creds.Vipps.MerchantMSN

	// Access tokens: every field of /accesstoken/get is a string, miami's expires_in a number.
	tc := e.tokens(t)
	tok, err := tc.FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{},
		accesstoken.RequestEditorFn(auth.Header("client_id", e.creds.Vipps.Merchant.ClientID)),
		accesstoken.RequestEditorFn(auth.SecretHeader("client_secret", e.creds.Vipps.Merchant.ClientSecret)),
		accesstoken.RequestEditorFn(auth.SecretHeader("Ocp-Apim-Subscription-Key", e.creds.Vipps.Merchant.SubscriptionKey)))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tok.StatusCode(), string(tok.Body))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(tok.Body, &raw))
	for _, k := range []string{"token_type", "expires_in", "ext_expires_in", "expires_on", "not_before", "resource", "access_token"} {
		assert.IsType(t, "", raw[k], k)
	}
	assert.Equal(t, "3600", raw["expires_in"])
	assert.Equal(t, "Bearer", raw["token_type"])
	miamiTok, err := tc.FetchTokenWithFormdataBodyWithResponse(ctx, &accesstoken.FetchTokenParams{},
		accesstoken.FetchTokenFormdataRequestBody{GrantType: accesstoken.ClientCredentials},
		accesstoken.RequestEditorFn(auth.Basic(e.creds.Vipps.ManagementClientID, auth.Secret(e.creds.Vipps.ManagementClientSecret))))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, miamiTok.StatusCode(), string(miamiTok.Body))
	require.NoError(t, json.Unmarshal(miamiTok.Body, &raw))
	assert.IsType(t, float64(0), raw["expires_in"])

	// Webhooks: register (a local receiver: the events below are delivered), list, delete.
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(recv.Close)
	reg, err := m.Webhooks.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{},
		webhooks.RegisterWebhookRequest{Url: recv.URL + "/vipps/webhooks", Events: vippspayEvents})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, reg.StatusCode(), string(reg.Body))
	assert.NotEmpty(t, reg.JSON201.Secret)
	list, err := m.Webhooks.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Len(t, list.JSON200.Webhooks, 1)
	assert.Equal(t, reg.JSON201.Id, list.JSON200.Webhooks[0].Id)

	// ePayment: the whole life of a payment that asked for the user's profile.
	ref := "vippspay-ops-0001"
	created := vippspayCreate(t, m, ref, 10000, "name email phoneNumber")
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	assert.NotEmpty(t, created.JSON201.RedirectUrl)
	vippspayApprove(t, m, ref)
	require.Equal(t, http.StatusOK, vippspayCapture(t, m, ref, uuid.NewString(), 10000).StatusCode())
	require.Equal(t, http.StatusOK, vippspayRefund(t, m, ref, uuid.NewString(), 1000).StatusCode())
	got := vippspayGet(t, m, ref)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	sub := got.JSON200.Profile.Sub
	require.NotEmpty(t, sub)
	events, err := m.EPayment.GetPaymentEventLogWithResponse(ctx, ref, &epayment.GetPaymentEventLogParams{MerchantSerialNumber: msn})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, events.StatusCode(), string(events.Body))
	other := "vippspay-ops-0002"
	require.Equal(t, http.StatusCreated, vippspayCreate(t, m, other, 2500, "").StatusCode())
	cancelled := vippspayCancel(t, m, other, false)
	require.Equal(t, http.StatusOK, cancelled.StatusCode(), string(cancelled.Body))
	assert.Equal(t, "TERMINATED", cancelled.JSON200.State)

	// Userinfo: the sub of the authorized payment, and the Login-flow variant.
	ui, err := m.Userinfo.GetUserinfoWithResponse(ctx, sub, &userinfo.GetUserinfoParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, ui.StatusCode(), string(ui.Body))
	assert.Equal(t, sub, ui.JSON200.Sub)
	assert.NotEmpty(t, ui.JSON200.Email)
	assert.Empty(t, ui.JSON200.Nin, "nin was not in the scope")
	login, err := m.Userinfo.GetUserinfoWithLoginTokenWithResponse(ctx, &userinfo.GetUserinfoWithLoginTokenParams{},
		userinfo.RequestEditorFn(auth.Header("Authorization", "Bearer user-login-token")))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, login.StatusCode(), string(login.Body))
	assert.NotEmpty(t, login.JSON200.Sub)

	// Management with the partner's keys (classic token and subscription key).
	p0 := e.partnerFor(t, e.creds.Vipps.PartnerMSNs[0], false)
	pkgs, err := p0.Management.GetPartnerPricePackagesWithResponse(ctx, &management.GetPartnerPricePackagesParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pkgs.StatusCode(), string(pkgs.Body))
	require.NotEmpty(t, *pkgs.JSON200)
	order, err := p0.Management.OrderProductWithResponse(ctx, &management.OrderProductParams{IdempotencyKey: "vippspay-order-1"}, management.ProductOrderRequest{
		BusinessIdentifier: management.BusinessIdentifier{Scheme: "business:NO:ORG", Id: "923456789"},
		ProductType:        management.PAYMENTINTEGRATION, SalesUnitName: "Sandbox Bakery",
		PricePackageId: (*pkgs.JSON200)[0].PricePackageId,
		Website:        management.Website{Url: "https://bakery.example.com", TermsUrl: "https://bakery.example.com/terms"},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, order.StatusCode(), string(order.Body))
	orderID := order.JSON201.PrefilledOrderId
	assert.NotEmpty(t, order.JSON201.PrefillUrl)
	orders, err := p0.Management.GetProductOrdersWithResponse(ctx, &management.GetProductOrdersParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, orders.StatusCode(), string(orders.Body))
	require.Len(t, *orders.JSON200, 1)
	details, err := p0.Management.GetProductOrderDetailsWithResponse(ctx, orderID, &management.GetProductOrderDetailsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, details.StatusCode(), string(details.Body))
	assert.Equal(t, "RECEIVED", details.JSON200.Status)
	merch, err := p0.Management.GetMerchantByBusinessIdentifierWithResponse(ctx, "business:NO:ORG", "912345678", &management.GetMerchantByBusinessIdentifierParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, merch.StatusCode(), string(merch.Body))
	units, err := p0.Management.GetSalesUnitsByBusinessIdentifierWithResponse(ctx, "business:NO:ORG", "912345678", &management.GetSalesUnitsByBusinessIdentifierParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, units.StatusCode(), string(units.Body))
	assert.Len(t, *units.JSON200, len(e.creds.Vipps.PartnerMSNs))
	all, err := p0.Management.GetAllSalesUnitsWithResponse(ctx, &management.GetAllSalesUnitsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, all.StatusCode(), string(all.Body))
	for i, u := range *all.JSON200 {
		assert.Equal(t, e.creds.Vipps.PartnerMSNs[i], u.Msn)
		assert.NotEmpty(t, u.Name)
	}
	unit, err := p0.Management.GetMsnWithResponse(ctx, e.creds.Vipps.PartnerMSNs[1], &management.GetMsnParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, unit.StatusCode(), string(unit.Body))
	assert.Equal(t, "ReserveCapture", unit.JSON200.Configuration.CaptureType)

	// Management with the management keys' /miami token: the same orders, then withdrawn.
	mi := e.miami(t)
	miOrders, err := mi.GetProductOrdersWithResponse(ctx, &management.GetProductOrdersParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, miOrders.StatusCode(), string(miOrders.Body))
	require.Len(t, *miOrders.JSON200, 1)
	del, err := mi.DeleteProductOrderWithResponse(ctx, orderID, &management.DeleteProductOrderParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, del.StatusCode(), string(del.Body))
	gone, err := p0.Management.GetProductOrderDetailsWithResponse(ctx, orderID, &management.GetProductOrderDetailsParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, gone.StatusCode())

	// The partner API.
	porder, err := p0.Partner.OrderProductWithResponse(ctx, &partner.OrderProductParams{IdempotencyKey: uuid.NewString()}, partner.ProductOrderRequest{
		Orgno: "923456789", ProductType: partner.VIPPSPANETT, SalesUnitName: "Sandbox Bakery",
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, porder.StatusCode(), string(porder.Body))
	assert.NotEmpty(t, porder.JSON200.ReturnUrl)
	pm, err := p0.Partner.GetMerchantWithResponse(ctx, "912345678", &partner.GetMerchantParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pm.StatusCode(), string(pm.Body))
	assert.Equal(t, e.creds.Vipps.PartnerMSNs, pm.JSON200.Msn)
	psu, err := p0.Partner.GetSalesUnitWithResponse(ctx, e.creds.Vipps.PartnerMSNs[0], &partner.GetSalesUnitParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, psu.StatusCode(), string(psu.Body))
	assert.Equal(t, "912345678", psu.JSON200.Orgno)

	// Webhooks: delete the registration.
	delHook, err := m.Webhooks.DeleteWebhookWithResponse(ctx, reg.JSON201.Id, &webhooks.DeleteWebhookParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, delHook.StatusCode(), string(delHook.Body))

	var missing []string
	for _, r := range e.routes {
		if !e.done[r.key] {
			missing = append(missing, r.key)
		}
	}
	assert.Empty(t, missing, "operations never answered with success")
	e.requireClean(t)
	t.Logf("vippspay: %d operations simulated of %d in the documents, %d violations", len(e.done), len(e.routes), len(e.v.Violations()))
}

// TestVippspayEPaymentFlow follows a payment from creation to refund and checks the
// aggregates, the event log and the ledger at each step.
func TestVippspayEPaymentFlow(t *testing.T) {
	t.Parallel()
	e := newVippspayEnv(t)
	ctx := context.Background()
	m := e.merchant(t)
	ref := "vippspay-flow-0001"

	created := vippspayCreate(t, m, ref, 10000, "")
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	got := vippspayGet(t, m, ref)
	require.Equal(t, "CREATED", got.JSON200.State)
	assert.Zero(t, got.JSON200.Aggregate.AuthorizedAmount.Value)
	createdPSP := got.JSON200.PspReference

	// Capturing before the user approved is refused with 6080.
	early := vippspayCapture(t, m, ref, uuid.NewString(), 100)
	assert.Equal(t, http.StatusBadRequest, early.StatusCode())
	assert.Equal(t, "6080", vippspayCode(early.Body))

	vippspayApprove(t, m, ref)
	first := vippspayCapture(t, m, ref, uuid.NewString(), 3000)
	require.Equal(t, http.StatusOK, first.StatusCode(), string(first.Body))
	assert.Equal(t, "AUTHORIZED", first.JSON200.State)
	assert.EqualValues(t, 10000, first.JSON200.Aggregate.AuthorizedAmount.Value)
	assert.EqualValues(t, 3000, first.JSON200.Aggregate.CapturedAmount.Value)
	rest := vippspayCapture(t, m, ref, uuid.NewString(), 7000)
	require.Equal(t, http.StatusOK, rest.StatusCode(), string(rest.Body))
	assert.EqualValues(t, 10000, rest.JSON200.Aggregate.CapturedAmount.Value)
	over := vippspayCapture(t, m, ref, uuid.NewString(), 1)
	assert.Equal(t, http.StatusBadRequest, over.StatusCode())
	assert.Equal(t, "6090", vippspayCode(over.Body))

	refund := vippspayRefund(t, m, ref, uuid.NewString(), 2500)
	require.Equal(t, http.StatusOK, refund.StatusCode(), string(refund.Body))
	assert.EqualValues(t, 2500, refund.JSON200.Aggregate.RefundedAmount.Value)
	tooMuch := vippspayRefund(t, m, ref, uuid.NewString(), 7501)
	assert.Equal(t, http.StatusBadRequest, tooMuch.StatusCode())
	assert.Equal(t, "6150", vippspayCode(tooMuch.Body))
	fullyCaptured := vippspayCancel(t, m, ref, false)
	assert.Equal(t, http.StatusBadRequest, fullyCaptured.StatusCode())
	assert.Equal(t, "6040", vippspayCode(fullyCaptured.Body))

	got = vippspayGet(t, m, ref)
	require.Equal(t, http.StatusOK, got.StatusCode())
	assert.Equal(t, "AUTHORIZED", got.JSON200.State)
	assert.Equal(t, epayment.Aggregate{
		AuthorizedAmount: vippspayNOK(10000), CapturedAmount: vippspayNOK(10000),
		CancelledAmount: vippspayNOK(0), RefundedAmount: vippspayNOK(2500),
	}, got.JSON200.Aggregate)
	assert.Equal(t, createdPSP, got.JSON200.PspReference, "GET shows the CREATED event's pspReference")

	log, err := m.EPayment.GetPaymentEventLogWithResponse(ctx, ref, &epayment.GetPaymentEventLogParams{MerchantSerialNumber: m.MSN})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, log.StatusCode())
	var names []string
	psps := map[string]bool{}
	for _, ev := range *log.JSON200 {
		names = append(names, ev.Name)
		psps[ev.PspReference] = true
		assert.True(t, ev.Success)
	}
	assert.Equal(t, []string{"CREATED", "AUTHORIZED", "CAPTURED", "CAPTURED", "REFUNDED"}, names)
	assert.Len(t, psps, len(names), "every event has its own pspReference")
	assert.Equal(t, createdPSP, (*log.JSON200)[0].PspReference)
	assert.EqualValues(t, 3000, (*log.JSON200)[2].Amount.Value)
	assert.Equal(t, first.JSON200.PspReference, (*log.JSON200)[2].PspReference)

	var entry *sandbox.LedgerEntry
	for _, le := range e.sb.Ledger() {
		if le.Family == "vipps" && le.API == "epayment" && le.Reference == ref {
			entry = &le
		}
	}
	require.NotNil(t, entry)
	assert.Equal(t, "payment", entry.Kind)
	assert.Equal(t, m.MSN, entry.Owner)
	assert.Equal(t, "10000", entry.Amount)
	assert.Equal(t, "NOK", entry.Currency)
	assert.Equal(t, "AUTHORIZED", entry.Status)
	assert.Equal(t, "authorized=10000 captured=10000 cancelled=0 refunded=2500", entry.Reason)
	assert.NotEmpty(t, entry.IdempotencyKey)

	missing := vippspayGet(t, m, "vippspay-unknown-1")
	assert.Equal(t, http.StatusNotFound, missing.StatusCode())
	assert.Equal(t, "5090", vippspayCode(missing.Body))
	e.requireClean(t)
}

// TestVippspayStates covers the other ways a payment ends: the user rejects or never
// answers, the merchant cancels before or after authorization.
func TestVippspayStates(t *testing.T) {
	t.Parallel()
	t.Run("user policy approve and reject", func(t *testing.T) {
		for policy, want := range map[sandbox.UserPolicy]string{sandbox.UserApproves: "AUTHORIZED", sandbox.UserRejects: "ABORTED"} {
			e := newVippspayEnv(t, sandbox.WithUserPolicy(policy))
			m := e.merchant(t)
			require.Equal(t, http.StatusCreated, vippspayCreate(t, m, "vippspay-policy-1", 5000, "").StatusCode())
			assert.Equal(t, want, vippspayGet(t, m, "vippspay-policy-1").JSON200.State, policy)
			e.requireClean(t)
		}
	})
	t.Run("expires after 10 minutes by the clock", func(t *testing.T) {
		clock := &vippspayClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
		e := newVippspayEnv(t, sandbox.WithClock(clock.now))
		m := e.merchant(t)
		require.Equal(t, http.StatusCreated, vippspayCreate(t, m, "vippspay-expiry-1", 5000, "").StatusCode())
		clock.advance(9 * time.Minute)
		assert.Equal(t, "CREATED", vippspayGet(t, m, "vippspay-expiry-1").JSON200.State)
		clock.advance(2 * time.Minute)
		assert.Equal(t, "EXPIRED", vippspayGet(t, m, "vippspay-expiry-1").JSON200.State)
		r, err := m.EPayment.ForceApproveWithResponse(context.Background(), "vippspay-expiry-1", &epayment.ForceApproveParams{MerchantSerialNumber: m.MSN}, epayment.ForceApprove{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, r.StatusCode())
		e.requireClean(t)
	})
	t.Run("cancel", func(t *testing.T) {
		e := newVippspayEnv(t)
		m := e.merchant(t)
		ref := "vippspay-cancel-1"
		require.Equal(t, http.StatusCreated, vippspayCreate(t, m, ref, 8000, "").StatusCode())
		vippspayApprove(t, m, ref)
		only := vippspayCancel(t, m, ref, true)
		assert.Equal(t, http.StatusBadRequest, only.StatusCode())
		assert.Equal(t, "6060", vippspayCode(only.Body))
		require.Equal(t, http.StatusOK, vippspayCapture(t, m, ref, uuid.NewString(), 3000).StatusCode())
		c := vippspayCancel(t, m, ref, false)
		require.Equal(t, http.StatusOK, c.StatusCode(), string(c.Body))
		assert.Equal(t, "AUTHORIZED", c.JSON200.State, "cancel after authorization keeps AUTHORIZED")
		assert.EqualValues(t, 5000, c.JSON200.Aggregate.CancelledAmount.Value)
		after := vippspayCapture(t, m, ref, uuid.NewString(), 100)
		assert.Equal(t, http.StatusBadRequest, after.StatusCode())
		assert.Equal(t, "6070", vippspayCode(after.Body))
		e.requireClean(t)
	})
	t.Run("control routes play the user", func(t *testing.T) {
		e := newVippspayEnv(t)
		m := e.merchant(t)
		for action, want := range map[string]string{"approve": "AUTHORIZED", "reject": "ABORTED"} {
			ref := "vippspay-control-" + action
			require.Equal(t, http.StatusCreated, vippspayCreate(t, m, ref, 5000, "").StatusCode())
			resp, err := http.Post(e.srv.URL+"/_sandbox/vipps/epayment/"+m.MSN+"/"+ref+"/"+action, "application/json", nil)
			require.NoError(t, err)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, want, vippspayGet(t, m, ref).JSON200.State)
			again, err := http.Post(e.srv.URL+"/_sandbox/vipps/epayment/"+m.MSN+"/"+ref+"/"+action, "application/json", nil)
			require.NoError(t, err)
			_ = again.Body.Close()
			assert.Equal(t, http.StatusConflict, again.StatusCode)
		}
		e.requireClean(t)
	})
}

// vippspayClock is a clock the test moves by hand.
type vippspayClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *vippspayClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vippspayClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestVippspayIdempotency checks the replay and conflict rules of create and capture.
func TestVippspayIdempotency(t *testing.T) {
	t.Parallel()
	e := newVippspayEnv(t)
	ctx := context.Background()
	m := e.merchant(t)
	key := uuid.NewString()
	body := epayment.CreatePaymentRequest{
		Amount: vippspayNOK(4200), PaymentMethod: epayment.PaymentMethod{Type: "WALLET"},
		Reference: "vippspay-idem-0001", UserFlow: epayment.PUSHMESSAGE, Customer: vippspayPhone(t, "4712345678"),
	}
	params := &epayment.CreatePaymentParams{IdempotencyKey: key, MerchantSerialNumber: m.MSN}
	first, err := m.EPayment.CreatePaymentWithResponse(ctx, params, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, first.StatusCode(), string(first.Body))
	assert.Empty(t, first.JSON201.RedirectUrl, "no redirectUrl for PUSH_MESSAGE")
	replay, err := m.EPayment.CreatePaymentWithResponse(ctx, params, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, replay.StatusCode())
	assert.Equal(t, first.JSON201, replay.JSON201)

	changed := body
	changed.Amount = vippspayNOK(4300)
	conflict, err := m.EPayment.CreatePaymentWithResponse(ctx, params, changed)
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, conflict.StatusCode())

	sameRef, err := m.EPayment.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: m.MSN}, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, sameRef.StatusCode())
	assert.Equal(t, "4150", vippspayCode(sameRef.Body))

	vippspayApprove(t, m, body.Reference)
	captureKey := uuid.NewString()
	c1 := vippspayCapture(t, m, body.Reference, captureKey, 1000)
	require.Equal(t, http.StatusOK, c1.StatusCode(), string(c1.Body))
	c2 := vippspayCapture(t, m, body.Reference, captureKey, 1000)
	require.Equal(t, http.StatusOK, c2.StatusCode())
	assert.Equal(t, c1.JSON200, c2.JSON200, "a replay answers the same, with no second capture")
	c3 := vippspayCapture(t, m, body.Reference, captureKey, 2000)
	assert.Equal(t, http.StatusConflict, c3.StatusCode())
	assert.Equal(t, "4010", vippspayCode(c3.Body))
	assert.EqualValues(t, 1000, vippspayGet(t, m, body.Reference).JSON200.Aggregate.CapturedAmount.Value)

	refundKey := uuid.NewString()
	require.Equal(t, http.StatusOK, vippspayRefund(t, m, body.Reference, refundKey, 500).StatusCode())
	require.Equal(t, http.StatusOK, vippspayRefund(t, m, body.Reference, refundKey, 500).StatusCode())
	assert.Equal(t, http.StatusConflict, vippspayRefund(t, m, body.Reference, refundKey, 600).StatusCode())
	assert.EqualValues(t, 500, vippspayGet(t, m, body.Reference).JSON200.Aggregate.RefundedAmount.Value)

	// A 4xx is stored against its key too: a corrected request needs a new key.
	badKey := uuid.NewString()
	assert.Equal(t, http.StatusBadRequest, vippspayCapture(t, m, body.Reference, badKey, 99999).StatusCode())
	assert.Equal(t, http.StatusBadRequest, vippspayCapture(t, m, body.Reference, badKey, 99999).StatusCode())
	e.requireClean(t)
}

// TestVippspayWebhookDelivery registers a receiver that verifies signatures, fails the
// first delivery and then accepts: every event arrives, signed, after a retry.
func TestVippspayWebhookDelivery(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		secret   string
		calls    int
		received []webhook.Event
	)
	arrived := make(chan struct{}, 16)
	var hookURL string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first, s := calls == 1, secret
		mu.Unlock()
		if first {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		webhook.Handler(webhook.Verifier{Secret: auth.Secret(s), URL: hookURL}, func(_ context.Context, ev webhook.Event) error {
			mu.Lock()
			received = append(received, ev)
			mu.Unlock()
			arrived <- struct{}{}
			return nil
		}).ServeHTTP(w, r)
	}))
	t.Cleanup(recv.Close)
	hookURL = recv.URL + "/vipps/webhooks?shop=1"

	e := newVippspayEnv(t, sandbox.WithRetrySchedule(20*time.Millisecond, 20*time.Millisecond, 50*time.Millisecond))
	ctx := context.Background()
	m := e.merchant(t)
	reg, err := m.Webhooks.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{},
		webhooks.RegisterWebhookRequest{Url: hookURL, Events: vippspayEvents})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, reg.StatusCode(), string(reg.Body))
	mu.Lock()
	secret = reg.JSON201.Secret
	mu.Unlock()

	ref := "vippspay-hook-0001"
	require.Equal(t, http.StatusCreated, vippspayCreate(t, m, ref, 35000, "").StatusCode())
	vippspayApprove(t, m, ref)
	captureKey := uuid.NewString()
	require.Equal(t, http.StatusOK, vippspayCapture(t, m, ref, captureKey, 35000).StatusCode())
	for range 3 {
		select {
		case <-arrived:
		case <-time.After(5 * time.Second):
			t.Fatal("webhook events did not arrive")
		}
	}

	merchantDoc, err := contract.New(api.FS(), "vipps/merchant.yaml")
	require.NoError(t, err)
	mu.Lock()
	got, key := slices.Clone(received), secret
	mu.Unlock()
	byName := map[string]webhook.Event{}
	for _, ev := range got {
		ep, err := ev.EPayment()
		require.NoError(t, err)
		byName[ep.Name] = ev
		assert.Equal(t, m.MSN, ep.Msn)
		assert.Equal(t, ref, ep.Reference)
		assert.NotEmpty(t, ep.PspReference)
		assert.True(t, ep.Success)
		// The body is the merchant document's WebhookEvent.
		req := httptest.NewRequest(http.MethodPost, "/merchant/webhooks/vipps/epayment", bytes.NewReader(ev.Body))
		req.Header.Set("Content-Type", "application/json")
		signed, err := webhook.Sign(auth.Secret(key), hookURL, ev.Date, ev.Body)
		require.NoError(t, err)
		for k, v := range signed {
			req.Header[k] = v
		}
		assert.NoError(t, merchantDoc.ValidateRequest(req), string(ev.Body))
	}
	require.Contains(t, byName, "CREATED")
	require.Contains(t, byName, "AUTHORIZED")
	require.Contains(t, byName, "CAPTURED")
	captured, _ := byName["CAPTURED"].EPayment()
	assert.Equal(t, captureKey, captured.IdempotencyKey)
	assert.EqualValues(t, 35000, captured.Amount.Value)

	// The record of an attempt is written once the receiver has answered, a moment after
	// the handler ran.
	assert.Eventually(t, func() bool {
		return slices.ContainsFunc(e.sb.Deliveries(), func(d sandbox.DeliveryRecord) bool { return d.Attempts >= 2 && d.Delivered })
	}, 5*time.Second, 10*time.Millisecond, "the delivery that got 500 was retried")
	e.requireClean(t)
}

// TestVippspayPartner checks partner keys: tokens with and without an MSN, calls for each
// of the partner's merchants, and the 403 for a merchant that is not the partner's.
func TestVippspayPartner(t *testing.T) {
	t.Parallel()
	e := newVippspayEnv(t)
	ctx := context.Background()
	msns := e.creds.Vipps.PartnerMSNs

	src, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Partner, MSN: msns[0], HTTPClient: e.hc})
	require.NoError(t, err)
	tok, err := src.Token(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken.Reveal())

	foreign, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Partner, MSN: e.creds.Vipps.MerchantMSN, HTTPClient: e.hc})
	require.NoError(t, err)
	_, err = foreign.Token(ctx)
	require.Error(t, err)
	raw, err := e.tokens(t).FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{MerchantSerialNumber: &e.creds.Vipps.MerchantMSN},
		accesstoken.RequestEditorFn(auth.Header("client_id", e.creds.Vipps.Partner.ClientID)),
		accesstoken.RequestEditorFn(auth.SecretHeader("client_secret", e.creds.Vipps.Partner.ClientSecret)),
		accesstoken.RequestEditorFn(auth.SecretHeader("Ocp-Apim-Subscription-Key", e.creds.Vipps.Partner.SubscriptionKey)))
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, raw.StatusCode())
	require.NotNil(t, raw.JSON403)
	assert.True(t, strings.HasPrefix(raw.JSON403.Message, "Invalid MSN"), raw.JSON403.Message)

	for i, msn := range msns {
		for _, perMerchant := range []bool{false, true} {
			c := e.partnerFor(t, msn, perMerchant)
			ref := "vippspay-partner-" + msn + map[bool]string{false: "-shared", true: "-own"}[perMerchant]
			created := vippspayCreate(t, c, ref, 1500+int64(i), "")
			require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
			got := vippspayGet(t, c, ref)
			require.Equal(t, http.StatusOK, got.StatusCode())
		}
	}
	// One merchant does not see another's payments.
	c0 := e.partnerFor(t, msns[0], false)
	assert.Equal(t, http.StatusNotFound, vippspayGet(t, c0, "vippspay-partner-"+msns[1]+"-shared").StatusCode())

	outsider := e.partnerFor(t, "999999", false)
	refused := vippspayGet(t, outsider, "vippspay-partner-x")
	require.Equal(t, http.StatusForbidden, refused.StatusCode())
	require.NotNil(t, refused.JSON403)
	assert.True(t, strings.HasPrefix(refused.JSON403.Message, "Invalid MSN"), refused.JSON403.Message)

	// Merchant keys see their own sales unit only.
	m := e.merchant(t)
	all, err := m.Management.GetAllSalesUnitsWithResponse(ctx, &management.GetAllSalesUnitsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, all.StatusCode())
	require.Len(t, *all.JSON200, 1)
	assert.Equal(t, m.MSN, (*all.JSON200)[0].Msn)
	notMine, err := m.Management.GetMsnWithResponse(ctx, msns[0], &management.GetMsnParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, notMine.StatusCode())
	unbound, err := vipps.New(vipps.Config{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Merchant, HTTPClient: e.hc, SkipValidation: true})
	require.NoError(t, err)
	crossed, err := unbound.EPayment.GetPaymentWithResponse(ctx, "vippspay-partner-x", &epayment.GetPaymentParams{MerchantSerialNumber: msns[0]})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, crossed.StatusCode(), "merchant keys may not act for the partner's merchants")
	e.requireClean(t)
}

// TestVippspayAuth checks the gateway's 401s: no token, a lower-case bearer, an unknown
// or expired token, a token with another subscription key; and the token endpoints' own.
func TestVippspayAuth(t *testing.T) {
	t.Parallel()
	clock := &vippspayClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := newVippspayEnv(t, sandbox.WithClock(clock.now), sandbox.WithTokenTTL(time.Minute))
	ctx := context.Background()
	creds := e.creds.Vipps
	tok, err := e.tokens(t).FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{},
		accesstoken.RequestEditorFn(auth.Header("client_id", creds.Merchant.ClientID)),
		accesstoken.RequestEditorFn(auth.SecretHeader("client_secret", creds.Merchant.ClientSecret)),
		accesstoken.RequestEditorFn(auth.SecretHeader("Ocp-Apim-Subscription-Key", creds.Merchant.SubscriptionKey)))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tok.StatusCode())
	assert.EqualValues(t, 60, tok.JSON200.ExpiresIn)
	assert.EqualValues(t, clock.now().Add(time.Minute).Unix(), tok.JSON200.ExpiresOn)
	access := tok.JSON200.AccessToken

	plain, err := epayment.NewClientWithResponses(e.srv.URL, epayment.WithHTTPClient(e.hc))
	require.NoError(t, err)
	get := func(authz, key string) int {
		t.Helper()
		r, err := plain.GetPaymentWithResponse(ctx, "vippspay-auth-0001", &epayment.GetPaymentParams{MerchantSerialNumber: creds.MerchantMSN},
			func(_ context.Context, req *http.Request) error {
				if authz != "" {
					req.Header.Set("Authorization", authz)
				}
				if key != "" {
					req.Header.Set("Ocp-Apim-Subscription-Key", key)
				}
				return nil
			})
		require.NoError(t, err)
		return r.StatusCode()
	}
	key := creds.Merchant.SubscriptionKey.Reveal()
	assert.Equal(t, http.StatusNotFound, get("Bearer "+access, key), "a good token reaches the API")
	assert.Equal(t, http.StatusUnauthorized, get("", key), "no token")
	assert.Equal(t, http.StatusUnauthorized, get("bearer "+access, key), "lower-case bearer")
	assert.Equal(t, http.StatusUnauthorized, get("Bearer not-a-token", key), "unknown token")
	assert.Equal(t, http.StatusUnauthorized, get("Bearer "+access, creds.Partner.SubscriptionKey.Reveal()), "another key's token")
	assert.Equal(t, http.StatusUnauthorized, get("Bearer "+access, ""), "no subscription key")
	clock.advance(2 * time.Minute)
	assert.Equal(t, http.StatusUnauthorized, get("Bearer "+access, key), "expired token")

	// The wired client fetches a fresh token by the sandbox's clock and goes on.
	m := e.merchant(t)
	assert.Equal(t, http.StatusNotFound, vippspayGet(t, m, "vippspay-auth-0001").StatusCode())

	// Bad keys on /accesstoken/get, bad Basic credentials or a subscription key on miami.
	bad, err := e.tokens(t).FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{},
		accesstoken.RequestEditorFn(auth.Header("client_id", creds.Merchant.ClientID)),
		accesstoken.RequestEditorFn(auth.Header("client_secret", "wrong")),
		accesstoken.RequestEditorFn(auth.SecretHeader("Ocp-Apim-Subscription-Key", creds.Merchant.SubscriptionKey)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, bad.StatusCode())
	for name, editors := range map[string][]accesstoken.RequestEditorFn{
		"wrong secret": {accesstoken.RequestEditorFn(auth.Basic(creds.ManagementClientID, "wrong"))},
		"subscription key": {accesstoken.RequestEditorFn(auth.Basic(creds.ManagementClientID, auth.Secret(creds.ManagementClientSecret))),
			accesstoken.RequestEditorFn(auth.Header("Ocp-Apim-Subscription-Key", key))},
	} {
		r, err := e.tokens(t).FetchTokenWithFormdataBodyWithResponse(ctx, &accesstoken.FetchTokenParams{},
			accesstoken.FetchTokenFormdataRequestBody{GrantType: accesstoken.ClientCredentials}, editors...)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode(), name)
		require.NotNil(t, r.JSON401, name)
		assert.NotEmpty(t, r.JSON401.Error, name)
	}

	// The Login-flow userinfo refuses a subscription key.
	ui, err := userinfo.NewClientWithResponses(e.srv.URL, userinfo.WithHTTPClient(e.hc))
	require.NoError(t, err)
	r, err := ui.GetUserinfoWithLoginTokenWithResponse(ctx, &userinfo.GetUserinfoWithLoginTokenParams{},
		userinfo.RequestEditorFn(auth.Header("Authorization", "Bearer user-login-token")),
		userinfo.RequestEditorFn(auth.Header("Ocp-Apim-Subscription-Key", key)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode())
	// An unknown sub is 404.
	unknown, err := m.Userinfo.GetUserinfoWithResponse(ctx, "c06c4afe-d9e1-4c5d-939a-177d752a0944", &userinfo.GetUserinfoParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, unknown.StatusCode())
	e.requireCleanResponses(t)
}

// TestVippspayBadRequests sends malformed requests: each gets a 400 naming the field.
func TestVippspayBadRequests(t *testing.T) {
	t.Parallel()
	e := newVippspayEnv(t)
	ctx := context.Background()
	// Not bound to an MSN, so that a malformed one can be sent.
	c, err := vipps.New(vipps.Config{BaseURL: e.srv.URL, Credentials: e.creds.Vipps.Merchant, HTTPClient: e.hc, SkipValidation: true})
	require.NoError(t, err)
	msn := e.creds.Vipps.MerchantMSN
	create := func(msn, body string) *epayment.CreatePaymentResponse {
		t.Helper()
		r, err := c.EPayment.CreatePaymentWithBodyWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
			"application/json", strings.NewReader(body))
		require.NoError(t, err)
		return r
	}
	good := `{"amount":{"currency":"NOK","value":1000},"paymentMethod":{"type":"WALLET"},"reference":"vippspay-bad-0001","userFlow":"WEB_REDIRECT","returnUrl":"https://shop.example.com/r"}`
	for _, tc := range []struct {
		name, msn, body, field string
	}{
		{"amount value as a string", msn, strings.Replace(good, `"value":1000`, `"value":"1000"`, 1), "amount.value"},
		{"amount value as a decimal", msn, strings.Replace(good, `"value":1000`, `"value":10.5`, 1), "amount.value"},
		{"letters in the MSN", "abcdef", good, "Merchant-Serial-Number"},
		{"reference shorter than 8", msn, strings.Replace(good, `vippspay-bad-0001`, `short`, 1), "reference"},
		{"reference missing", msn, strings.Replace(good, `"reference":"vippspay-bad-0001",`, ``, 1), "reference"},
		{"returnUrl missing for WEB_REDIRECT", msn, strings.Replace(good, `,"returnUrl":"https://shop.example.com/r"`, ``, 1), "returnUrl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := create(tc.msn, tc.body)
			require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
			require.NotNil(t, r.ApplicationproblemJSON400, string(r.Body))
			assert.Contains(t, vippspayFields(r.Body), tc.field, string(r.Body))
			assert.Empty(t, vippspayCode(r.Body), "a malformed field has no error code")
		})
	}
	t.Run("short reference in the path", func(t *testing.T) {
		r, err := c.EPayment.GetPaymentWithResponse(ctx, "short", &epayment.GetPaymentParams{MerchantSerialNumber: msn})
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
		assert.Contains(t, vippspayFields(r.Body), "reference")
	})
	t.Run("capture without an Idempotency-Key", func(t *testing.T) {
		r, err := c.EPayment.CapturePaymentWithBodyWithResponse(ctx, "vippspay-bad-0001", &epayment.CapturePaymentParams{MerchantSerialNumber: msn},
			"application/json", strings.NewReader(`{"modificationAmount":{"currency":"NOK","value":100}}`))
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
		assert.Contains(t, vippspayFields(r.Body), "Idempotency-Key")
	})
	t.Run("management order without a business identifier", func(t *testing.T) {
		p := e.partnerFor(t, e.creds.Vipps.PartnerMSNs[0], false)
		r, err := p.Management.OrderProductWithBodyWithResponse(ctx, &management.OrderProductParams{IdempotencyKey: "vippspay-bad-order"},
			"application/json", strings.NewReader(`{"productType":"PAYMENT_INTEGRATION"}`))
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
		assert.Contains(t, string(r.Body), `"key":"businessIdentifier"`)
	})
	t.Run("webhook without events", func(t *testing.T) {
		m := e.merchant(t)
		r, err := m.Webhooks.RegisterWebhookWithBodyWithResponse(ctx, &webhooks.RegisterWebhookParams{}, "application/json",
			strings.NewReader(`{"url":"https://merchant.example.com/hooks","events":[]}`))
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, r.StatusCode(), string(r.Body))
		assert.Contains(t, vippspayFields(r.Body), "events")
	})
	e.requireCleanResponses(t)
}
