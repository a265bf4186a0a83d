package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/sandbox"
)

// momoDocuments are the MoMo documents of the APIs the sandbox serves; callback.yaml
// describes what the sandbox sends and is checked at the receiver.
var momoDocuments = []string{"momo/provisioning.yaml", "momo/collection.yaml", "momo/disbursement.yaml", "momo/remittance.yaml"}

// momoEnv is a sandbox behind contract validation, with wired clients whose traffic is
// validated too (one validator sees both sides).
type momoEnv struct {
	sb      *sandbox.Sandbox
	v       *contract.Validator
	srv     *httptest.Server
	hc      *http.Client
	creds   sandbox.Credentials
	clients *momo.Clients // the pre-provisioned API user
}

func momoNewEnv(t *testing.T, opts ...sandbox.Option) *momoEnv {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	v, err := contract.New(api.FS(), momoDocuments...)
	require.NoError(t, err)
	checked := v.Middleware(sb)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			sb.ServeHTTP(w, r) // the control endpoints are no part of the documents
			return
		}
		checked.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		sb.Reset() // stops the timers of transactions still on their way
		sb.Close()
	})
	e := &momoEnv{sb: sb, v: v, srv: srv, creds: sb.Credentials(), hc: &http.Client{
		Transport:     v.Transport(http.DefaultTransport),
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	e.clients = e.clientsFor(t, e.creds.MoMo.APIUser)
	return e
}

// clientsFor returns wired clients acting as user.
func (e *momoEnv) clientsFor(t *testing.T, user momoauth.APIUser) *momo.Clients {
	t.Helper()
	c, err := momo.New(momo.Config{BaseURL: e.srv.URL, SubscriptionKeys: e.creds.MoMo.SubscriptionKeys, APIUser: user, HTTPClient: e.hc, SkipValidation: true})
	require.NoError(t, err)
	return c
}

// provision creates an API user whose callback host is host, and its key, through the
// provisioning API.
func (e *momoEnv) provision(t *testing.T, host string) momoauth.APIUser {
	t.Helper()
	ctx := t.Context()
	id := momo.NewReferenceID()
	res, err := e.clients.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: id},
		provisioning.ApiUser{ProviderCallbackHost: host})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	key, err := e.clients.Provisioning.CreateApiKeyWithResponse(ctx, id)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, key.StatusCode(), string(key.Body))
	return momoauth.APIUser{ID: id.String(), Key: auth.Secret(key.JSON201.ApiKey)}
}

// responseViolations are the violations of what the sandbox answered.
func (e *momoEnv) responseViolations() []contract.Violation {
	var out []contract.Violation
	for _, viol := range e.v.Violations() {
		if viol.Side == contract.SideResponse {
			out = append(out, viol)
		}
	}
	return out
}

// momoReceived is one callback the receiver got.
type momoReceived struct {
	Method string
	Path   string
	Header http.Header
	Body   map[string]any
}

// momoReceiver is a provider's callback endpoint, validating what arrives against
// callback.yaml.
type momoReceiver struct {
	srv *httptest.Server
	v   *contract.Validator
	got chan momoReceived
}

func momoNewReceiver(t *testing.T) *momoReceiver {
	t.Helper()
	v, err := contract.New(api.FS(), "momo/callback.yaml")
	require.NoError(t, err)
	rc := &momoReceiver{v: v, got: make(chan momoReceived, 64)}
	rc.srv = httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		rc.got <- momoReceived{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		w.WriteHeader(http.StatusOK)
	})))
	t.Cleanup(rc.srv.Close)
	return rc
}

// url is the callback URL with the given host (the receiver's own port).
func (rc *momoReceiver) url(host string) string {
	port := rc.srv.Listener.Addr().(*net.TCPAddr).Port
	return "http://" + host + ":" + strconv.Itoa(port) + "/momo/callback"
}

// next waits for a callback.
func (rc *momoReceiver) next(t *testing.T) momoReceived {
	t.Helper()
	select {
	case got := <-rc.got:
		return got
	case <-time.After(5 * time.Second):
		t.Fatal("no callback arrived")
		return momoReceived{}
	}
}

// none asserts that no callback arrives for a while.
func (rc *momoReceiver) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case got := <-rc.got:
		t.Fatalf("unexpected callback: %+v", got)
	case <-time.After(wait):
	}
}

// momoCode decodes the code of an ErrorReason body.
func momoCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Code string `json:"code"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "body %q", body)
	return e.Code
}

func momoParty(msisdn string) common.Party {
	return common.Party{PartyIdType: "MSISDN", PartyId: msisdn}
}

func momoPay(msisdn, amount string) common.RequestToPay {
	return common.RequestToPay{Amount: common.Decimal(amount), Currency: "EUR", ExternalId: "order-" + msisdn,
		Payer: momoParty(msisdn), PayerMessage: "Order", PayeeNote: "Order"}
}

func momoTransfer(msisdn, amount string) common.Transfer {
	return common.Transfer{Amount: common.Decimal(amount), Currency: "EUR", ExternalId: "payout-" + msisdn,
		Payee: momoParty(msisdn), PayerMessage: "Payout", PayeeNote: "Payout"}
}

func momoBearer(tok string) auth.Editor { return auth.Header("Authorization", "Bearer "+tok) }

// momoClock is a test clock that moves only when told.
type momoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *momoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *momoClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Every operation of the four MoMo documents runs through the wired clients against the
// sandbox, with both sides validated, and lands where the behaviour rules say.
func TestMoMoOperationsAgainstSandbox(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	rc := momoNewReceiver(t)
	ctx := t.Context()
	cb := rc.url("127.0.0.1")
	callbacks := 0

	// Provisioning: a new API user whose callback host is the receiver's.
	userID := momo.NewReferenceID()
	created, err := e.clients.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: userID},
		provisioning.ApiUser{ProviderCallbackHost: "127.0.0.1"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	assert.Empty(t, created.Body)
	got, err := e.clients.Provisioning.GetApiUserWithResponse(ctx, userID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	assert.Equal(t, "127.0.0.1", got.JSON200.ProviderCallbackHost)
	assert.Equal(t, "sandbox", got.JSON200.TargetEnvironment)
	key, err := e.clients.Provisioning.CreateApiKeyWithResponse(ctx, userID)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, key.StatusCode())
	assert.Regexp(t, `^[0-9a-f]{32}$`, key.JSON201.ApiKey)
	user := momoauth.APIUser{ID: userID.String(), Key: auth.Secret(key.JSON201.ApiKey)}
	c := e.clientsFor(t, user)
	basic := auth.Basic(user.ID, user.Key)

	accessToken := func(status int, tok *common.AccessToken) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		assert.NotEmpty(t, tok.AccessToken)
		assert.Equal(t, "access_token", tok.TokenType)
		assert.Equal(t, 3600, tok.ExpiresIn)
	}
	kyc := func(status int, info *common.ConsentKycResponse) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "Sand Box", info.Name)
		assert.Equal(t, "56733123453", info.PhoneNumber)
		addr, err := info.Address.AsAddress()
		require.NoError(t, err)
		assert.Equal(t, "Karlskrona", addr.Locality)
	}
	balance := func(status int, b *common.Balance, want string) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, want, b.AvailableBalance.String())
		assert.Equal(t, "EUR", b.Currency)
	}
	hint := common.BcAuthorizeRequest{Scope: "all_info", LoginHint: "ID:56733123453/MSISDN", AccessType: common.Offline}
	ciba := func(id string) common.Oauth2TokenRequest {
		return common.Oauth2TokenRequest{GrantType: "urn:openid:params:grant-type:ciba", AuthReqId: id}
	}

	// Collection.
	tok, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(basic))
	require.NoError(t, err)
	accessToken(tok.StatusCode(), tok.JSON200)
	bc, err := c.Collection.BcAuthorizeWithFormdataBodyWithResponse(ctx, &collection.BcAuthorizeParams{}, hint)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, bc.StatusCode(), string(bc.Body))
	consent, err := c.Collection.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &collection.CreateOauth2TokenParams{}, ciba(bc.JSON200.AuthReqId))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, consent.StatusCode(), string(consent.Body))
	assert.Equal(t, "Bearer", consent.JSON200.TokenType)
	info, err := c.Collection.GetUserInfoWithConsentWithResponse(ctx, &collection.GetUserInfoWithConsentParams{},
		collection.RequestEditorFn(momoBearer(consent.JSON200.AccessToken)))
	require.NoError(t, err)
	kyc(info.StatusCode(), info.JSON200)
	bal, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	balance(bal.StatusCode(), bal.JSON200, "0")
	active, err := c.Collection.ValidateAccountHolderStatusWithResponse(ctx, "msisdn", "56733123453", &collection.ValidateAccountHolderStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, active.StatusCode())
	assert.True(t, active.JSON200.Result)
	basicInfo, err := c.Collection.GetBasicUserinfoWithResponse(ctx, "msisdn", "56733123453", &collection.GetBasicUserinfoParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, basicInfo.StatusCode())
	assert.Equal(t, "Sand", basicInfo.JSON200.GivenName)

	rtp := momo.NewReferenceID()
	pay, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: rtp, XCallbackUrl: &cb}, momoPay("56733123453", "100.50"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, pay.StatusCode(), string(pay.Body))
	assert.Empty(t, pay.Body)
	callbacks++
	rtpStatus, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, rtp, &collection.GetRequestToPayStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rtpStatus.StatusCode())
	assert.Equal(t, "SUCCESSFUL", rtpStatus.JSON200.Status)
	assert.Regexp(t, `^[0-9]{10}$`, rtpStatus.JSON200.FinancialTransactionId)
	assert.Equal(t, "100.50", rtpStatus.JSON200.Amount.String())
	balCur, err := c.Collection.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &collection.GetAccountBalanceInSpecificCurrencyParams{})
	require.NoError(t, err)
	balance(balCur.StatusCode(), balCur.JSON200, "100.5")
	msg := "Your order ships today"
	note, err := c.Collection.RequestToPayDeliveryNotificationWithResponse(ctx, rtp,
		&collection.RequestToPayDeliveryNotificationParams{NotificationMessage: &msg}, common.DeliveryNotification{NotificationMessage: msg})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, note.StatusCode(), string(note.Body))

	wd1 := momo.NewReferenceID()
	w1, err := c.Collection.RequestToWithdrawV1WithResponse(ctx, &collection.RequestToWithdrawV1Params{XReferenceId: wd1}, momoPay("46733123451", "5"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, w1.StatusCode(), string(w1.Body))
	w2, err := c.Collection.RequestToWithdrawV2WithResponse(ctx, &collection.RequestToWithdrawV2Params{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &cb},
		momoPay("56733123453", "5"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, w2.StatusCode(), string(w2.Body))
	callbacks++
	wds, err := c.Collection.GetRequestToWithdrawStatusWithResponse(ctx, wd1, &collection.GetRequestToWithdrawStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, wds.StatusCode())
	assert.Equal(t, "FAILED", wds.JSON200.Status)
	assert.Equal(t, "APPROVAL_REJECTED", wds.JSON200.Reason.Code)

	inv := momo.NewReferenceID()
	invoice := collection.CreateInvoice{ExternalId: "invoice-3", Amount: "700", Currency: "EUR", ValidityDuration: "360",
		IntendedPayer: momoParty("56733123453"), Payee: momoParty("56733123999"), Description: "Invoice 3"}
	ci, err := c.Collection.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: inv, XCallbackUrl: &cb}, invoice)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, ci.StatusCode(), string(ci.Body))
	callbacks++
	invs, err := c.Collection.GetInvoiceStatusWithResponse(ctx, inv, &collection.GetInvoiceStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, invs.StatusCode())
	assert.Equal(t, inv.String(), invs.JSON200.ReferenceId)
	assert.Equal(t, "SUCCESSFUL", invs.JSON200.Status)
	assert.NotEmpty(t, invs.JSON200.InvoiceId)
	stuck := momo.NewReferenceID()
	invoice.IntendedPayer = momoParty("46733123454")
	ci, err = c.Collection.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: stuck}, invoice)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, ci.StatusCode(), string(ci.Body))
	cancel, err := c.Collection.CancelInvoiceWithResponse(ctx, stuck, &collection.CancelInvoiceParams{XReferenceId: momo.NewReferenceID()},
		collection.CancelInvoice{ExternalId: "invoice-3"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cancel.StatusCode(), string(cancel.Body))
	assert.Equal(t, "invoice-3", cancel.JSON200.ExternalId)
	invs, err = c.Collection.GetInvoiceStatusWithResponse(ctx, stuck, &collection.GetInvoiceStatusParams{})
	require.NoError(t, err)
	assert.Equal(t, "FAILED", invs.JSON200.Status)
	assert.Equal(t, "TRANSACTION_CANCELED", invs.JSON200.ErrorReason.Code, "invoices name it errorReason")

	pm := momo.NewReferenceID()
	cp, err := c.Collection.CreatePaymentsWithResponse(ctx, &collection.CreatePaymentsParams{XReferenceId: pm},
		collection.CreatePayments{ExternalTransactionId: "bill-12", Money: common.Money{Amount: "35", Currency: "EUR"},
			CustomerReference: "56733123453", ServiceProviderUserName: "utility-co", ReceiverMessage: "Water bill",
			SenderNote: "Water bill", MaxNumberOfRetries: 2, IncludeSenderCharges: true})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, cp.StatusCode(), string(cp.Body))
	pms, err := c.Collection.GetPaymentStatusWithResponse(ctx, pm, &collection.GetPaymentStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pms.StatusCode())
	assert.Equal(t, "SUCCESSFUL", pms.JSON200.Status)
	assert.Equal(t, pm.String(), pms.JSON200.ReferenceId)

	pa := momo.NewReferenceID()
	pre, err := c.Collection.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: pa, XCallbackUrl: &cb},
		collection.PreApproval{Payer: momoParty("56733123453"), PayerCurrency: "EUR", PayerMessage: "Monthly plan", ValidityTime: 3600})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, pre.StatusCode(), string(pre.Body))
	callbacks++
	pas, err := c.Collection.GetPreApprovalStatusWithResponse(ctx, pa, &collection.GetPreApprovalStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pas.StatusCode())
	assert.Equal(t, "SUCCESSFUL", pas.JSON200.Status)
	assert.NotEmpty(t, pas.JSON200.ExpirationDateTime.String())
	approved, err := c.Collection.GetApprovedPreApprovalsWithResponse(ctx, "msisdn", "56733123453", &collection.GetApprovedPreApprovalsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, approved.StatusCode())
	require.Len(t, *approved.JSON200, 1)
	assert.Equal(t, pa.String(), (*approved.JSON200)[0].PreApprovalId)
	assert.Equal(t, "APPROVED", (*approved.JSON200)[0].Status)
	assert.Equal(t, "FRI:56733123453/MSISDN", (*approved.JSON200)[0].FromFri)
	cpa, err := c.Collection.CancelPreApprovalWithResponse(ctx, pa, &collection.CancelPreApprovalParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, cpa.StatusCode(), string(cpa.Body))

	// Disbursement.
	dtok, err := c.Disbursement.CreateAccessTokenWithResponse(ctx, disbursement.RequestEditorFn(basic))
	require.NoError(t, err)
	accessToken(dtok.StatusCode(), dtok.JSON200)
	dbc, err := c.Disbursement.BcAuthorizeWithFormdataBodyWithResponse(ctx, &disbursement.BcAuthorizeParams{XCallbackUrl: &cb}, hint)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dbc.StatusCode(), string(dbc.Body))
	dconsent, err := c.Disbursement.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &disbursement.CreateOauth2TokenParams{}, ciba(dbc.JSON200.AuthReqId))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dconsent.StatusCode(), string(dconsent.Body))
	dinfo, err := c.Disbursement.GetUserInfoWithConsentWithResponse(ctx, &disbursement.GetUserInfoWithConsentParams{},
		disbursement.RequestEditorFn(momoBearer(dconsent.JSON200.AccessToken)))
	require.NoError(t, err)
	kyc(dinfo.StatusCode(), dinfo.JSON200)
	dbal, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
	require.NoError(t, err)
	balance(dbal.StatusCode(), dbal.JSON200, "1000000")
	dactive, err := c.Disbursement.ValidateAccountHolderStatusWithResponse(ctx, "email", "notactive@email.com", &disbursement.ValidateAccountHolderStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dactive.StatusCode())
	assert.False(t, dactive.JSON200.Result)
	dbasic, err := c.Disbursement.GetBasicUserinfoWithResponse(ctx, "msisdn", "56733123453", &disbursement.GetBasicUserinfoParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dbasic.StatusCode())

	tr := momo.NewReferenceID()
	dt, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: tr, XCallbackUrl: &cb}, momoTransfer("56733123453", "500"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, dt.StatusCode(), string(dt.Body))
	callbacks++
	dts, err := c.Disbursement.GetTransferStatusWithResponse(ctx, tr, &disbursement.GetTransferStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, dts.StatusCode())
	assert.Equal(t, "SUCCESSFUL", dts.JSON200.Status)
	assert.Equal(t, "56733123453", dts.JSON200.Payee.PartyId)
	dep := momo.NewReferenceID()
	d1, err := c.Disbursement.DepositV1WithResponse(ctx, &disbursement.DepositV1Params{XReferenceId: dep}, momoTransfer("56733123453", "20"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, d1.StatusCode(), string(d1.Body))
	d2, err := c.Disbursement.DepositV2WithResponse(ctx, &disbursement.DepositV2Params{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &cb},
		momoTransfer("46733123455", "20"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, d2.StatusCode(), string(d2.Body))
	callbacks++
	deps, err := c.Disbursement.GetDepositStatusWithResponse(ctx, dep, &disbursement.GetDepositStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, deps.StatusCode())
	assert.Equal(t, "SUCCESSFUL", deps.JSON200.Status)
	rf := momo.NewReferenceID()
	r1, err := c.Disbursement.RefundV1WithResponse(ctx, &disbursement.RefundV1Params{XReferenceId: rf},
		common.Refund{Amount: "50.25", Currency: "EUR", ExternalId: "refund-1", PayerMessage: "Refund", PayeeNote: "Refund", ReferenceIdToRefund: rtp})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, r1.StatusCode(), string(r1.Body))
	r2, err := c.Disbursement.RefundV2WithResponse(ctx, &disbursement.RefundV2Params{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &cb},
		common.Refund{Amount: "50.25", Currency: "EUR", ExternalId: "refund-2", PayerMessage: "Refund", PayeeNote: "Refund", ReferenceIdToRefund: rtp})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, r2.StatusCode(), string(r2.Body))
	callbacks++
	rfs, err := c.Disbursement.GetRefundStatusWithResponse(ctx, rf, &disbursement.GetRefundStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rfs.StatusCode())
	assert.Equal(t, "SUCCESSFUL", rfs.JSON200.Status)
	assert.Equal(t, "56733123453", rfs.JSON200.Payee.PartyId, "the refund's payee is the refunded payer")
	dbal2, err := c.Disbursement.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &disbursement.GetAccountBalanceInSpecificCurrencyParams{})
	require.NoError(t, err)
	balance(dbal2.StatusCode(), dbal2.JSON200, "999379.5") // 1000000 - 500 - 20 - 50.25 - 50.25; the failed deposit moved nothing

	// Remittance.
	rtok, err := c.Remittance.CreateAccessTokenWithResponse(ctx, remittance.RequestEditorFn(basic))
	require.NoError(t, err)
	accessToken(rtok.StatusCode(), rtok.JSON200)
	rbc, err := c.Remittance.BcAuthorizeWithFormdataBodyWithResponse(ctx, &remittance.BcAuthorizeParams{}, hint)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rbc.StatusCode(), string(rbc.Body))
	rconsent, err := c.Remittance.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &remittance.CreateOauth2TokenParams{}, ciba(rbc.JSON200.AuthReqId))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rconsent.StatusCode(), string(rconsent.Body))
	refreshed, err := c.Remittance.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &remittance.CreateOauth2TokenParams{},
		common.Oauth2TokenRequest{GrantType: "refresh_token", RefreshToken: rconsent.JSON200.RefreshToken})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, refreshed.StatusCode(), string(refreshed.Body))
	rinfo, err := c.Remittance.GetUserInfoWithConsentWithResponse(ctx, &remittance.GetUserInfoWithConsentParams{},
		remittance.RequestEditorFn(momoBearer(refreshed.JSON200.AccessToken)))
	require.NoError(t, err)
	kyc(rinfo.StatusCode(), rinfo.JSON200)
	rbal, err := c.Remittance.GetAccountBalanceWithResponse(ctx, &remittance.GetAccountBalanceParams{})
	require.NoError(t, err)
	balance(rbal.StatusCode(), rbal.JSON200, "1000000")
	rbalCur, err := c.Remittance.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &remittance.GetAccountBalanceInSpecificCurrencyParams{})
	require.NoError(t, err)
	balance(rbalCur.StatusCode(), rbalCur.JSON200, "1000000")
	ractive, err := c.Remittance.ValidateAccountHolderStatusWithResponse(ctx, "party_code", "585c07a4-2c80-42f7-9e73-e586b36dee68",
		&remittance.ValidateAccountHolderStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, ractive.StatusCode(), "the ServiceUnavailable party code")
	assert.Equal(t, "SERVICE_UNAVAILABLE", momoCode(t, ractive.Body))
	rbasic, err := c.Remittance.GetBasicUserinfoWithResponse(ctx, "46733123450", &remittance.GetBasicUserinfoParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, rbasic.StatusCode(), "the NotFound number")
	rtr := momo.NewReferenceID()
	rt, err := c.Remittance.TransferWithResponse(ctx, &remittance.TransferParams{XReferenceId: rtr}, momoTransfer("46733123454", "10"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, rt.StatusCode(), string(rt.Body))
	rts, err := c.Remittance.GetTransferStatusWithResponse(ctx, rtr, &remittance.GetTransferStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rts.StatusCode())
	assert.Equal(t, "CREATED", rts.JSON200.Status, "the delayed number stays CREATED")
	ct := momo.NewReferenceID()
	cash, err := c.Remittance.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: ct, XCallbackUrl: &cb},
		remittance.CashTransfer{Amount: "100", Currency: "EUR", Payee: momoParty("56733123453"), ExternalId: "remit-8",
			OriginatingCountry: "US", OriginalAmount: "110", OriginalCurrency: "USD", PayerMessage: "Family support",
			PayeeNote: "Family support", PayerIdentificationType: "PASS", PayerIdentificationNumber: "S1234567",
			PayerIdentity: "ID:256701081899/MSISDN", PayerFirstName: "Amina", PayerSurName: "Nakato",
			PayerLanguageCode: "en", PayerEmail: "amina@example.com", PayerMsisdn: "256701081899", PayerGender: "FEMALE"})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, cash.StatusCode(), string(cash.Body))
	callbacks++
	cts, err := c.Remittance.GetCashTransferStatusWithResponse(ctx, ct, &remittance.GetCashTransferStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cts.StatusCode())
	assert.Equal(t, "SUCCESSFUL", cts.JSON200.Status)
	assert.Equal(t, "110", cts.JSON200.OriginalAmount.String())
	assert.Equal(t, "Amina", cts.JSON200.PayerFirstName)

	for range callbacks {
		got := rc.next(t)
		assert.Equal(t, http.MethodPost, got.Method)
		assert.NotContains(t, got.Body, "referenceId")
	}
	rc.none(t, 100*time.Millisecond)
	for _, viol := range rc.v.Violations() {
		t.Errorf("callback violation: %s", viol)
	}

	for _, viol := range e.v.Violations() {
		t.Errorf("contract violation: %s", viol)
	}
	assert.Empty(t, e.v.Missed(), "every operation of the documents must be exercised")
	ops := e.v.Operations()
	t.Logf("momo: %d operations simulated of %d in the documents, %d violations", len(ops)-len(e.v.Missed()), len(ops), len(e.v.Violations()))

	ledger := e.sb.Ledger()
	var mine []sandbox.LedgerEntry
	for _, l := range ledger {
		if l.Family == "momo" && l.Owner == user.ID {
			mine = append(mine, l)
		}
	}
	require.NotEmpty(t, mine)
	first := mine[0]
	assert.Equal(t, sandbox.LedgerEntry{Family: "momo", API: "collection", Kind: "requesttopay", Reference: rtp.String(), IdempotencyKey: rtp.String(),
		Owner: user.ID, Party: "56733123453", Amount: "100.50", Currency: "EUR", Status: "SUCCESSFUL", Created: first.Created, Updated: first.Updated}, first)
}

// The request to pay test values reach their states once the delay has passed, read
// lazily from the clock; the delayed number stays CREATED until approved through
// /_sandbox/, and the refusing numbers create nothing.
func TestMoMoRequestToPayTestValues(t *testing.T) {
	clock := &momoClock{now: time.Date(2026, 9, 3, 10, 0, 0, 0, time.UTC)}
	e := momoNewEnv(t, sandbox.WithClock(clock.Now), sandbox.WithMoMoDelay(time.Minute), sandbox.WithTokenTTL(48*time.Hour))
	ctx := t.Context()
	c := e.clients

	cases := []struct {
		name, msisdn, status, reason string
	}{
		{"success", "56733123453", "SUCCESSFUL", ""},
		{"failed", "46733123450", "FAILED", "INTERNAL_PROCESSING_ERROR"},
		{"rejected", "46733123451", "FAILED", "APPROVAL_REJECTED"},
		{"expired", "46733123452", "FAILED", "EXPIRED"},
		{"delayed", "46733123454", "CREATED", ""},
		{"payer not found", "46733123455", "FAILED", "PAYER_NOT_FOUND"},
		{"payee not allowed", "46733123456", "FAILED", "PAYEE_NOT_ALLOWED_TO_RECEIVE"},
		{"could not perform", "46733123463", "FAILED", "COULD_NOT_PERFORM_TRANSACTION"},
		{"ongoing", "46733123453", "PENDING", ""},
		{"any other number", "46700000001", "SUCCESSFUL", ""},
	}
	refs := make([]uuid.UUID, len(cases))
	status := func(ref uuid.UUID) *common.RequestToPayResult {
		t.Helper()
		res, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		return res.JSON200
	}
	for i, tc := range cases {
		refs[i] = momo.NewReferenceID()
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: refs[i]}, momoPay(tc.msisdn, "10"))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode(), "%s: %s", tc.name, res.Body)
		want := "PENDING"
		if tc.status == "CREATED" {
			want = "CREATED"
		}
		got := status(refs[i])
		assert.Equal(t, want, got.Status, "%s before the delay", tc.name)
		assert.Empty(t, got.FinancialTransactionId, tc.name)
		assert.Empty(t, got.Reason.Code, tc.name)
	}

	clock.Advance(time.Minute)
	for i, tc := range cases {
		got := status(refs[i])
		assert.Equal(t, tc.status, got.Status, "%s after the delay", tc.name)
		assert.Equal(t, tc.reason, got.Reason.Code, tc.name)
		if tc.status == "SUCCESSFUL" {
			assert.NotEmpty(t, got.FinancialTransactionId, tc.name)
		}
	}

	// The ongoing number gives up after about three minutes (180 delays).
	clock.Advance(179 * time.Minute)
	got := status(refs[len(cases)-2])
	assert.Equal(t, "FAILED", got.Status)
	assert.Equal(t, "EXPIRED", got.Reason.Code)

	// The delayed one waits for a test to settle it.
	delayed := refs[4]
	assert.Equal(t, "CREATED", status(delayed).Status)
	approve := func(ref uuid.UUID, verb string) *http.Response {
		t.Helper()
		res, err := http.Post(e.srv.URL+"/_sandbox/momo/collection/requesttopay/"+ref.String()+"/"+verb, "", nil)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res
	}
	assert.Equal(t, http.StatusOK, approve(delayed, "approve").StatusCode)
	assert.Equal(t, "SUCCESSFUL", status(delayed).Status)
	assert.Equal(t, http.StatusConflict, approve(delayed, "reject").StatusCode, "a final transaction cannot be settled again")
	assert.Equal(t, http.StatusNotFound, approve(momo.NewReferenceID(), "approve").StatusCode)

	// A pending one can be rejected by hand before its time.
	pending := momo.NewReferenceID()
	res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: pending}, momoPay("56733123453", "1"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode())
	assert.Equal(t, http.StatusOK, approve(pending, "reject").StatusCode)
	got = status(pending)
	assert.Equal(t, "FAILED", got.Status)
	assert.Equal(t, "APPROVAL_REJECTED", got.Reason.Code)

	refused := []struct {
		msisdn string
		status int
		code   string
	}{
		{"46733123457", http.StatusInternalServerError, "NOT_ALLOWED"},
		{"46733123458", http.StatusInternalServerError, "NOT_ALLOWED_TARGET_ENVIRONMENT"},
		{"46733123459", http.StatusInternalServerError, "INVALID_CALLBACK_URL_HOST"},
		{"46733123460", http.StatusInternalServerError, "INVALID_CURRENCY"},
		{"46733123461", http.StatusInternalServerError, "INTERNAL_PROCESSING_ERROR"},
		{"46733123462", http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE"},
	}
	for _, tc := range refused {
		ref := momo.NewReferenceID()
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, momoPay(tc.msisdn, "10"))
		require.NoError(t, err)
		assert.Equal(t, tc.status, res.StatusCode(), tc.msisdn)
		assert.Equal(t, tc.code, momoCode(t, res.Body), tc.msisdn)
		st, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, st.StatusCode(), "%s: a refused create leaves nothing behind", tc.msisdn)
	}

	// Other operation families read the same numbers their own way.
	tr := momo.NewReferenceID()
	tres, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: tr}, momoTransfer("46733123455", "1"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, tres.StatusCode())
	clock.Advance(time.Minute)
	ts, err := c.Disbursement.GetTransferStatusWithResponse(ctx, tr, &disbursement.GetTransferStatusParams{})
	require.NoError(t, err)
	assert.Equal(t, "NOT_ENOUGH_FUNDS", ts.JSON200.Reason.Code, "46733123455 is NotEnoughFunds for a transfer")
	pres, err := c.Collection.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: momo.NewReferenceID()},
		collection.PreApproval{Payer: momoParty("46733123456"), PayerCurrency: "EUR"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, pres.StatusCode(), "46733123456 is NotAllowed for a pre-approval")
	assert.Equal(t, "NOT_ALLOWED", momoCode(t, pres.Body))

	assert.Empty(t, e.v.Violations())
}

// Callbacks go to X-Callback-Url only when it is given and its host is the API user's
// providerCallbackHost, with the configured method and the wallet's headers; another host
// is refused with 500 INVALID_CALLBACK_URL_HOST.
func TestMoMoCallbacks(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			e := momoNewEnv(t, sandbox.WithMoMoDelay(20*time.Millisecond), sandbox.WithCallbackMethod(method))
			rc := momoNewReceiver(t)
			ctx := t.Context()
			user := e.provision(t, "127.0.0.1")
			c := e.clientsFor(t, user)
			cb := rc.url("127.0.0.1")

			ref := momo.NewReferenceID()
			res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: &cb},
				momoPay("46733123451", "100"))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
			got := rc.next(t)
			assert.Equal(t, method, got.Method)
			assert.Equal(t, "/momo/callback", got.Path)
			assert.Equal(t, "application/json; charset=utf-8", got.Header.Get("Content-Type"))
			assert.Equal(t, "LWAC Http Client 1.0", got.Header.Get("User-Agent"))
			assert.Empty(t, got.Header.Get("Authorization"))
			assert.Equal(t, map[string]any{
				"amount": "100", "currency": "EUR", "externalId": "order-46733123451",
				"payer":        map[string]any{"partyIdType": "MSISDN", "partyId": "46733123451"},
				"payerMessage": "Order", "payeeNote": "Order", "status": "FAILED", "reason": "APPROVAL_REJECTED",
			}, got.Body, "the status body without referenceId, reason a bare string")

			// No X-Callback-Url, no callback.
			res, err = c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()},
				momoPay("56733123453", "100"))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode())
			rc.none(t, 200*time.Millisecond)

			// The host must be the user's: another name for the same address is refused.
			other := rc.url("localhost")
			res, err = c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &other},
				momoPay("56733123453", "100"))
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, res.StatusCode())
			assert.Equal(t, "INVALID_CALLBACK_URL_HOST", momoCode(t, res.Body))
			res, err = e.clients.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &cb},
				momoPay("56733123453", "100"))
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, res.StatusCode(), "the configured user's host is localhost")

			// Host names compare without regard to case.
			upper := e.clientsFor(t, e.provision(t, "LocalHost"))
			res, err = upper.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID(), XCallbackUrl: &other},
				momoPay("56733123453", "7"))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
			got = rc.next(t)
			assert.Equal(t, "SUCCESSFUL", got.Body["status"])
			assert.NotEmpty(t, got.Body["financialTransactionId"])

			// A delayed transaction calls back once a test settles it.
			stuck := momo.NewReferenceID()
			tres, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: stuck, XCallbackUrl: &cb},
				momoTransfer("46733123454", "3"))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, tres.StatusCode())
			rc.none(t, 100*time.Millisecond)
			require.NoError(t, e.sb.SettleMoMo("disbursement", "transfer", stuck.String(), true))
			got = rc.next(t)
			assert.Equal(t, "SUCCESSFUL", got.Body["status"])
			assert.Equal(t, "46733123454", got.Body["payee"].(map[string]any)["partyId"])

			for _, viol := range rc.v.Violations() {
				t.Errorf("callback violation: %s", viol)
			}
			for _, viol := range e.v.Violations() {
				t.Errorf("contract violation: %s", viol)
			}
		})
	}
}

// A repeated X-Reference-Id answers 409 within an API user and product; an unknown
// reference answers 404.
func TestMoMoReferences(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	ctx := t.Context()
	c := e.clients
	ref := momo.NewReferenceID()

	res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, momoPay("56733123453", "10"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode())
	res, err = c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, momoPay("56733123453", "99"))
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, res.StatusCode())
	assert.JSONEq(t, `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`, string(res.Body))
	wd, err := c.Collection.RequestToWithdrawV2WithResponse(ctx, &collection.RequestToWithdrawV2Params{XReferenceId: ref}, momoPay("56733123453", "10"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, wd.StatusCode(), "one namespace per product")
	tr, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: ref}, momoTransfer("56733123453", "10"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, tr.StatusCode(), "another product has its own namespace")
	other := e.clientsFor(t, e.provision(t, "merchant.example.com"))
	res, err = other.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, momoPay("56733123453", "10"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, res.StatusCode(), "another API user has its own namespace")

	// A refused create does not take the reference.
	retry := momo.NewReferenceID()
	res, err = c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: retry}, momoPay("46733123461", "10"))
	require.NoError(t, err)
	require.Equal(t, http.StatusInternalServerError, res.StatusCode())
	res, err = c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: retry}, momoPay("56733123453", "10"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, res.StatusCode())

	notFound := func(status int, body []byte, what string) {
		t.Helper()
		assert.Equal(t, http.StatusNotFound, status, what)
		assert.JSONEq(t, `{"code":"RESOURCE_NOT_FOUND","message":"Requested resource was not found."}`, string(body), what)
	}
	st, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, momo.NewReferenceID(), &collection.GetRequestToPayStatusParams{})
	require.NoError(t, err)
	notFound(st.StatusCode(), st.Body, "unknown reference")
	ws, err := c.Collection.GetRequestToWithdrawStatusWithResponse(ctx, ref, &collection.GetRequestToWithdrawStatusParams{})
	require.NoError(t, err)
	notFound(ws.StatusCode(), ws.Body, "a request to pay is no withdrawal")
	ds, err := c.Disbursement.GetDepositStatusWithResponse(ctx, ref, &disbursement.GetDepositStatusParams{})
	require.NoError(t, err)
	notFound(ds.StatusCode(), ds.Body, "a transfer is no deposit")
	os, err := other.Disbursement.GetTransferStatusWithResponse(ctx, ref, &disbursement.GetTransferStatusParams{})
	require.NoError(t, err)
	notFound(os.StatusCode(), os.Body, "another user's transfer")

	// Provisioning.
	dup, err := c.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: uuid.MustParse(e.creds.MoMo.APIUser.ID)},
		provisioning.ApiUser{ProviderCallbackHost: "example.com"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, dup.StatusCode())
	assert.Equal(t, "RESOURCE_ALREADY_EXIST", momoCode(t, dup.Body))
	gu, err := c.Provisioning.GetApiUserWithResponse(ctx, momo.NewReferenceID())
	require.NoError(t, err)
	notFound(gu.StatusCode(), gu.Body, "unknown API user")
	gk, err := c.Provisioning.CreateApiKeyWithResponse(ctx, momo.NewReferenceID())
	require.NoError(t, err)
	notFound(gk.StatusCode(), gk.Body, "key of an unknown API user")
	pre, err := c.Provisioning.GetApiUserWithResponse(ctx, uuid.MustParse(e.creds.MoMo.APIUser.ID))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, pre.StatusCode())
	assert.Equal(t, e.creds.MoMo.CallbackHost, pre.JSON200.ProviderCallbackHost, "the configured user is there from the start")

	assert.Empty(t, e.v.Violations())
}

// Balances move with the transactions, as exact decimals: collections grow the collection
// account, payouts shrink the disbursement and remittance accounts, and a payout above the
// balance fails NOT_ENOUGH_FUNDS.
func TestMoMoBalances(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	ctx := t.Context()
	user := e.provision(t, "127.0.0.1")
	c := e.clientsFor(t, user)

	collected := func() string {
		t.Helper()
		res, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		return res.JSON200.AvailableBalance.String()
	}
	float := func() string {
		t.Helper()
		res, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		return res.JSON200.AvailableBalance.String()
	}
	pay := func(msisdn, amount string) {
		t.Helper()
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, momoPay(msisdn, amount))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
	}
	transfer := func(msisdn, amount string) *common.TransferResult {
		t.Helper()
		ref := momo.NewReferenceID()
		res, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: ref}, momoTransfer(msisdn, amount))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
		st, err := c.Disbursement.GetTransferStatusWithResponse(ctx, ref, &disbursement.GetTransferStatusParams{})
		require.NoError(t, err)
		return st.JSON200
	}

	assert.Equal(t, "0", collected())
	pay("56733123453", "100.25")
	assert.Equal(t, "100.25", collected())
	pay("46733123450", "50") // fails: nothing collected
	assert.Equal(t, "100.25", collected())
	pay("56733123453", "0.000000000000000001")
	assert.Equal(t, "100.250000000000000001", collected(), "no rounding, ever")

	assert.Equal(t, "1000000", float())
	require.NoError(t, e.sb.SetMoMoBalance(user.ID, "disbursement", "50.00"))
	assert.Equal(t, "50", float())
	assert.Equal(t, "SUCCESSFUL", transfer("56733123453", "20.5").Status)
	assert.Equal(t, "29.5", float())
	over := transfer("56733123453", "30")
	assert.Equal(t, "FAILED", over.Status)
	assert.Equal(t, "NOT_ENOUGH_FUNDS", over.Reason.Code)
	assert.Equal(t, "29.5", float(), "a refused payout moves nothing")

	cash, err := c.Remittance.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: momo.NewReferenceID()},
		remittance.CashTransfer{Amount: "0.5", Currency: "EUR", Payee: momoParty("56733123453"), ExternalId: "remit-1"})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, cash.StatusCode(), string(cash.Body))
	rb, err := c.Remittance.GetAccountBalanceWithResponse(ctx, &remittance.GetAccountBalanceParams{})
	require.NoError(t, err)
	assert.Equal(t, "999999.5", rb.JSON200.AvailableBalance.String())

	// The balance scenarios, switched per API user.
	require.NoError(t, e.sb.SetMoMoBalanceScenario(user.ID, sandbox.MoMoBalanceZero))
	assert.Equal(t, "0", collected())
	require.NoError(t, e.sb.SetMoMoBalanceScenario(user.ID, sandbox.MoMoBalanceServiceUnavailable))
	res, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode())
	assert.Equal(t, "SERVICE_UNAVAILABLE", momoCode(t, res.Body))
	req, err := http.NewRequest(http.MethodPut, e.srv.URL+"/_sandbox/momo/balance-scenario/"+user.ID, strings.NewReader(`{"scenario":"Success"}`))
	require.NoError(t, err)
	put, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = put.Body.Close()
	require.Equal(t, http.StatusOK, put.StatusCode)
	assert.Equal(t, "100.250000000000000001", collected())
	usd, err := c.Collection.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "USD", &collection.GetAccountBalanceInSpecificCurrencyParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, usd.StatusCode())
	assert.Equal(t, "INVALID_CURRENCY", momoCode(t, usd.Body))

	assert.Empty(t, e.v.Violations())
}

// Credentials are refused as the gateways refuse them: an expired, unknown or other
// product's token with an empty 401, a wrong API user or key with 500 login_failed, a
// wrong subscription key with the gateway's 401, and a bodyless POST without
// Content-Length with 411.
func TestMoMoCredentials(t *testing.T) {
	clock := &momoClock{now: time.Date(2026, 9, 3, 10, 0, 0, 0, time.UTC)}
	e := momoNewEnv(t, sandbox.WithClock(clock.Now), sandbox.WithTokenTTL(time.Minute))
	ctx := t.Context()
	c := e.clients
	user := e.creds.MoMo.APIUser

	tok, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(auth.Basic(user.ID, user.Key)))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tok.StatusCode())
	assert.Equal(t, 60, tok.JSON200.ExpiresIn)
	bearer := momoBearer(tok.JSON200.AccessToken)
	empty401 := func(status int, body []byte, what string) {
		t.Helper()
		assert.Equal(t, http.StatusUnauthorized, status, what)
		assert.Empty(t, body, what)
	}

	ok, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{}, collection.RequestEditorFn(bearer))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, ok.StatusCode())
	other, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{}, disbursement.RequestEditorFn(bearer))
	require.NoError(t, err)
	empty401(other.StatusCode(), other.Body, "a collection token on disbursement")
	unknown, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{}, collection.RequestEditorFn(momoBearer("nonsense")))
	require.NoError(t, err)
	empty401(unknown.StatusCode(), unknown.Body, "an unknown token")
	clock.Advance(time.Minute)
	expired, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{}, collection.RequestEditorFn(bearer))
	require.NoError(t, err)
	empty401(expired.StatusCode(), expired.Body, "an expired token")

	loginFailed := func(editor auth.Editor, what string) {
		t.Helper()
		res, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(editor))
		require.NoError(t, err)
		assert.Equal(t, http.StatusInternalServerError, res.StatusCode(), what)
		assert.JSONEq(t, `{"error":"login_failed"}`, string(res.Body), what)
	}
	loginFailed(auth.Basic(user.ID, "00000000000000000000000000000000"), "wrong key")
	loginFailed(auth.Basic(momo.NewReferenceID().String(), user.Key), "unknown user")

	// A new key replaces the old one.
	fresh := e.provision(t, "example.com")
	again, err := c.Provisioning.CreateApiKeyWithResponse(ctx, uuid.MustParse(fresh.ID))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, again.StatusCode())
	assert.NotEqual(t, fresh.Key.Reveal(), again.JSON201.ApiKey)
	loginFailed(auth.Basic(fresh.ID, fresh.Key), "the replaced key")
	newTok, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(auth.Basic(fresh.ID, auth.Secret(again.JSON201.ApiKey))))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, newTok.StatusCode())

	// Subscription keys: the product's own, or any product's for provisioning.
	gatewayRefused := func(status int, body []byte, h http.Header, what string) {
		t.Helper()
		assert.Equal(t, http.StatusUnauthorized, status, what)
		assert.JSONEq(t, `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`, string(body), what)
		assert.Contains(t, h.Get("WWW-Authenticate"), "AzureApiManagementKey", what)
	}
	key := func(k string) auth.Editor { return auth.Header("Ocp-Apim-Subscription-Key", k) }
	wrong, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{},
		collection.RequestEditorFn(key(e.creds.MoMo.SubscriptionKeys.Disbursement.Reveal())), collection.RequestEditorFn(bearer))
	require.NoError(t, err)
	gatewayRefused(wrong.StatusCode(), wrong.Body, wrong.HTTPResponse.Header, "another product's key")
	noKey, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Del("Ocp-Apim-Subscription-Key")
		return nil
	}))
	require.NoError(t, err)
	gatewayRefused(noKey.StatusCode(), noKey.Body, noKey.HTTPResponse.Header, "no key")
	prov, err := c.Provisioning.GetApiUserWithResponse(ctx, uuid.MustParse(user.ID),
		provisioning.RequestEditorFn(key(e.creds.MoMo.SubscriptionKeys.Remittance.Reveal())))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, prov.StatusCode(), "provisioning takes any product's key")
	badProv, err := c.Provisioning.GetApiUserWithResponse(ctx, uuid.MustParse(user.ID), provisioning.RequestEditorFn(key("nonsense")))
	require.NoError(t, err)
	gatewayRefused(badProv.StatusCode(), badProv.Body, badProv.HTTPResponse.Header, "an unknown key on provisioning")

	// Bodyless POSTs need Content-Length: a chunked one is refused.
	for _, path := range []string{"/collection/token/", "/v1_0/apiuser/" + user.ID + "/apikey"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+path, io.NopCloser(strings.NewReader("")))
		require.NoError(t, err)
		req.ContentLength = -1 // sent chunked, without Content-Length
		req.Header.Set("Ocp-Apim-Subscription-Key", e.creds.MoMo.SubscriptionKeys.Collection.Reveal())
		req.SetBasicAuth(user.ID, user.Key.Reveal())
		res, err := e.hc.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusLengthRequired, res.StatusCode, path)
		assert.Contains(t, res.Header.Get("Content-Type"), "text/html", path)
	}

	for _, viol := range e.responseViolations() {
		t.Errorf("response violation: %s", viol)
	}
}

// A request that breaks the documents gets 400 naming the field and the rule, in the
// wallet's ErrorReason shape; a currency other than EUR in the sandbox is 500
// INVALID_CURRENCY, as the real one answers.
func TestMoMoBadRequests(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	ctx := t.Context()
	c := e.clients
	badRequest := func(status int, body []byte, field string) {
		t.Helper()
		require.Equal(t, http.StatusBadRequest, status, string(body))
		var reason struct{ Code, Message string }
		require.NoError(t, json.Unmarshal(body, &reason))
		assert.Equal(t, "VALIDATION_ERROR", reason.Code)
		assert.Contains(t, reason.Message, field)
	}

	raw := `{"amount":100,"currency":"EUR","externalId":"order-1","payer":{"partyIdType":"MSISDN","partyId":"56733123453"}}`
	res, err := c.Collection.RequestToPayWithBodyWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()},
		"application/json", bytes.NewReader([]byte(raw)))
	require.NoError(t, err)
	badRequest(res.StatusCode(), res.Body, "amount")

	noRef, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, momoPay("56733123453", "1"),
		collection.RequestEditorFn(func(_ context.Context, r *http.Request) error { r.Header.Del("X-Reference-Id"); return nil }))
	require.NoError(t, err)
	badRequest(noRef.StatusCode(), noRef.Body, "X-Reference-Id")

	notUUID, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: momo.NewReferenceID()}, momoTransfer("56733123453", "1"),
		disbursement.RequestEditorFn(auth.Header("X-Reference-Id", "not-a-uuid")))
	require.NoError(t, err)
	badRequest(notUUID.StatusCode(), notUUID.Body, "X-Reference-Id")

	badPath, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, momo.NewReferenceID(), &collection.GetRequestToPayStatusParams{},
		collection.RequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.URL.Path = "/collection/v1_0/requesttopay/not-a-uuid"
			return nil
		}))
	require.NoError(t, err)
	badRequest(badPath.StatusCode(), badPath.Body, "referenceId")

	apostrophe := momoPay("56733123453", "1")
	apostrophe.PayerMessage = "Don't"
	ap, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, apostrophe)
	require.NoError(t, err)
	badRequest(ap.StatusCode(), ap.Body, "payerMessage")

	zero, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, momoPay("56733123453", "0"))
	require.NoError(t, err)
	badRequest(zero.StatusCode(), zero.Body, "amount")

	ghs := momoPay("56733123453", "1")
	ghs.Currency = "GHS"
	cur, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, ghs)
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, cur.StatusCode())
	assert.JSONEq(t, `{"code":"INVALID_CURRENCY","message":"Currency not supported."}`, string(cur.Body))

	uganda, err := momo.New(momo.Config{BaseURL: e.srv.URL, TargetEnvironment: "mtnuganda", SubscriptionKeys: e.creds.MoMo.SubscriptionKeys, SkipValidation: true,
		APIUser: e.creds.MoMo.APIUser, HTTPClient: e.hc})
	require.NoError(t, err)
	env, err := uganda.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, momoPay("56733123453", "1"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, env.StatusCode())
	assert.JSONEq(t, `{"code":"NOT_ALLOWED_TARGET_ENVIRONMENT","message":"Access to target environment is forbidden."}`, string(env.Body))

	for _, viol := range e.responseViolations() {
		t.Errorf("response violation: %s", viol)
	}
}

// The lifecycles around the transactions: delivery notifications, refunds, invoices,
// pre-approvals and consents follow their rules.
func TestMoMoLifecycles(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	ctx := t.Context()
	c := e.clients
	pay := func(msisdn, amount string) uuid.UUID {
		t.Helper()
		ref := momo.NewReferenceID()
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, momoPay(msisdn, amount))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
		return ref
	}

	t.Run("delivery notification", func(t *testing.T) {
		msg := "Thanks"
		for _, tc := range []struct {
			ref    uuid.UUID
			status int
		}{{pay("56733123453", "1"), http.StatusOK}, {pay("46733123451", "1"), http.StatusConflict}, {momo.NewReferenceID(), http.StatusNotFound}} {
			res, err := c.Collection.RequestToPayDeliveryNotificationWithResponse(ctx, tc.ref,
				&collection.RequestToPayDeliveryNotificationParams{NotificationMessage: &msg}, common.DeliveryNotification{})
			require.NoError(t, err)
			assert.Equal(t, tc.status, res.StatusCode(), string(res.Body))
		}
	})

	t.Run("refund", func(t *testing.T) {
		paid := pay("56733123453", "10")
		refund := func(of uuid.UUID, amount, externalID string) (int, *common.TransferResult) {
			t.Helper()
			ref := momo.NewReferenceID()
			res, err := c.Disbursement.RefundV2WithResponse(ctx, &disbursement.RefundV2Params{XReferenceId: ref},
				common.Refund{Amount: common.Decimal(amount), Currency: "EUR", ExternalId: externalID, ReferenceIdToRefund: of})
			require.NoError(t, err)
			if res.StatusCode() != http.StatusAccepted {
				return res.StatusCode(), nil
			}
			st, err := c.Disbursement.GetRefundStatusWithResponse(ctx, ref, &disbursement.GetRefundStatusParams{})
			require.NoError(t, err)
			return st.StatusCode(), st.JSON200
		}
		_, r := refund(paid, "6", "r-1")
		assert.Equal(t, "SUCCESSFUL", r.Status)
		assert.Equal(t, "56733123453", r.Payee.PartyId)
		_, r = refund(paid, "4.01", "r-2")
		assert.Equal(t, "NOT_ALLOWED", r.Reason.Code, "more than is left to refund")
		_, r = refund(paid, "4", "r-3")
		assert.Equal(t, "SUCCESSFUL", r.Status, "exactly what is left")
		_, r = refund(momo.NewReferenceID(), "1", "r-4")
		assert.Equal(t, "TRANSACTION_NOT_FOUND", r.Reason.Code)
		_, r = refund(pay("46733123450", "10"), "1", "r-5")
		assert.Equal(t, "NOT_ALLOWED", r.Reason.Code, "only a successful request to pay is refunded")
		_, r = refund(paid, "1", "3")
		assert.Equal(t, "APPROVAL_REJECTED", r.Reason.Code, "test id 3 in externalId: rejected")
		status, _ := refund(paid, "1", "7")
		assert.Equal(t, http.StatusInternalServerError, status, "test id 7: NotAllowed")
		_, r = refund(paid, "1", "6")
		assert.Equal(t, "CREATED", r.Status, "test id 6: delayed")
	})

	t.Run("cash transfer test ids", func(t *testing.T) {
		ref := momo.NewReferenceID()
		res, err := c.Remittance.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: ref},
			remittance.CashTransfer{Amount: "1", Currency: "EUR", Payee: momoParty("56733123453"), ExternalId: "5"})
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode())
		st, err := c.Remittance.GetCashTransferStatusWithResponse(ctx, ref, &remittance.GetCashTransferStatusParams{})
		require.NoError(t, err)
		assert.Equal(t, "PAYEE_NOT_FOUND", st.JSON200.Reason.Code)
		res, err = c.Remittance.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: momo.NewReferenceID()},
			remittance.CashTransfer{Amount: "1", Currency: "EUR", Payee: momoParty("12"), ExternalId: "x"})
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode(), "test id 12 in payee.partyId")
	})

	t.Run("invoice", func(t *testing.T) {
		create := func(payer string) uuid.UUID {
			ref := momo.NewReferenceID()
			res, err := c.Collection.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: ref},
				collection.CreateInvoice{ExternalId: "inv", Amount: "70", Currency: "EUR", ValidityDuration: "360",
					IntendedPayer: momoParty(payer), Payee: momoParty("56733123999")})
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode())
			return ref
		}
		cancel := func(ref uuid.UUID) *collection.CancelInvoiceResponse {
			res, err := c.Collection.CancelInvoiceWithResponse(ctx, ref, &collection.CancelInvoiceParams{XReferenceId: momo.NewReferenceID()},
				collection.CancelInvoice{ExternalId: "inv"})
			require.NoError(t, err)
			return res
		}
		failed := create("46733123455")
		st, err := c.Collection.GetInvoiceStatusWithResponse(ctx, failed, &collection.GetInvoiceStatusParams{})
		require.NoError(t, err)
		assert.Equal(t, "FAILED", st.JSON200.Status)
		assert.Equal(t, "PAYER_NOT_FOUND", st.JSON200.ErrorReason.Code)
		res := cancel(failed)
		assert.Equal(t, http.StatusInternalServerError, res.StatusCode(), "a final invoice cannot be cancelled")
		assert.Equal(t, http.StatusNotFound, cancel(momo.NewReferenceID()).StatusCode())
		open := create("46733123454")
		cancelRef := momo.NewReferenceID()
		ok, err := c.Collection.CancelInvoiceWithResponse(ctx, open, &collection.CancelInvoiceParams{XReferenceId: cancelRef}, collection.CancelInvoice{ExternalId: "inv"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, ok.StatusCode())
		again, err := c.Collection.CancelInvoiceWithResponse(ctx, open, &collection.CancelInvoiceParams{XReferenceId: cancelRef}, collection.CancelInvoice{ExternalId: "inv"})
		require.NoError(t, err)
		assert.Equal(t, http.StatusConflict, again.StatusCode(), "the cancellation's reference is taken")
	})

	t.Run("pre-approval", func(t *testing.T) {
		create := func(payer string) uuid.UUID {
			ref := momo.NewReferenceID()
			res, err := c.Collection.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: ref},
				collection.PreApproval{Payer: momoParty(payer), PayerCurrency: "EUR", PayerMessage: "Plan"})
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, res.StatusCode())
			return ref
		}
		list := func(c *momo.Clients, holder string) []collection.PreApprovalDetails {
			res, err := c.Collection.GetApprovedPreApprovalsWithResponse(ctx, "msisdn", holder, &collection.GetApprovedPreApprovalsParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			return *res.JSON200
		}
		a, b := create("56733123401"), create("56733123401")
		create("46733123451") // rejected: never listed
		assert.Len(t, list(c, "56733123401"), 2)
		assert.Empty(t, list(c, "46733123451"))
		other := e.clientsFor(t, e.provision(t, "example.com"))
		assert.Empty(t, list(other, "56733123401"), "only pre-approvals where the caller is payee")
		res, err := other.Collection.CancelPreApprovalWithResponse(ctx, a, &collection.CancelPreApprovalParams{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, res.StatusCode(), "another payee cannot cancel it")
		res, err = c.Collection.CancelPreApprovalWithResponse(ctx, a, &collection.CancelPreApprovalParams{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.StatusCode())
		res, err = c.Collection.CancelPreApprovalWithResponse(ctx, a, &collection.CancelPreApprovalParams{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, res.StatusCode(), "already cancelled")
		left := list(c, "56733123401")
		require.Len(t, left, 1)
		assert.Equal(t, b.String(), left[0].PreApprovalId)
	})

	t.Run("consent", func(t *testing.T) {
		start := func(msisdn string) *collection.BcAuthorizeResponse {
			res, err := c.Collection.BcAuthorizeWithFormdataBodyWithResponse(ctx, &collection.BcAuthorizeParams{},
				common.BcAuthorizeRequest{Scope: "all_info", LoginHint: "ID:" + msisdn + "/MSISDN", AccessType: common.Online})
			require.NoError(t, err)
			return res
		}
		exchange := func(id string) *collection.CreateOauth2TokenResponse {
			res, err := c.Collection.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &collection.CreateOauth2TokenParams{},
				common.Oauth2TokenRequest{GrantType: "urn:openid:params:grant-type:ciba", AuthReqId: id})
			require.NoError(t, err)
			return res
		}
		userinfo := func(tok string) *collection.GetUserInfoWithConsentResponse {
			res, err := c.Collection.GetUserInfoWithConsentWithResponse(ctx, &collection.GetUserInfoWithConsentParams{},
				collection.RequestEditorFn(momoBearer(tok)))
			require.NoError(t, err)
			return res
		}
		unknown := start("46733123450")
		assert.Equal(t, http.StatusBadRequest, unknown.StatusCode())
		assert.Equal(t, "unknown_user_id", momoCode(t, unknown.Body))
		for msisdn, code := range map[string]string{
			"46733123451": "access_denied", "46733123452": "authorization_pending",
			"46733123453": "expired_token", "46733123457": "invalid_grant",
		} {
			res := exchange(start(msisdn).JSON200.AuthReqId)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode(), msisdn)
			assert.Equal(t, code, momoCode(t, res.Body), msisdn)
		}
		good := start("56733123453").JSON200.AuthReqId
		require.Equal(t, http.StatusOK, exchange(good).StatusCode())
		assert.Equal(t, "invalid_grant", momoCode(t, exchange(good).Body), "a consent request is good for one token")
		revoked := exchange(start("46733123455").JSON200.AuthReqId)
		require.Equal(t, http.StatusOK, revoked.StatusCode())
		info := userinfo(revoked.JSON200.AccessToken)
		assert.Equal(t, http.StatusUnauthorized, info.StatusCode())
		assert.Empty(t, info.Body)
		deleted := exchange(start("46733123456").JSON200.AuthReqId)
		info = userinfo(deleted.JSON200.AccessToken)
		require.Equal(t, http.StatusOK, info.StatusCode())
		assert.Equal(t, "0", info.JSON200.Sub)
		assert.Empty(t, info.JSON200.Name, "the scope was deleted")
		stale := exchange(start("46733123454").JSON200.AuthReqId)
		require.Equal(t, http.StatusOK, stale.StatusCode())
		res, err := c.Collection.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &collection.CreateOauth2TokenParams{},
			common.Oauth2TokenRequest{GrantType: "refresh_token", RefreshToken: stale.JSON200.RefreshToken})
		require.NoError(t, err)
		assert.Equal(t, "invalid_grant", momoCode(t, res.Body), "the refresh token has expired")
		dres, err := c.Disbursement.GetUserInfoWithConsentWithResponse(ctx, &disbursement.GetUserInfoWithConsentParams{},
			disbursement.RequestEditorFn(momoBearer(exchange(start("56733123453").JSON200.AuthReqId).JSON200.AccessToken)))
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, dres.StatusCode(), "a consent token is for its product")
	})

	assert.Empty(t, e.v.Violations())
}

// Reset forgets provisioned users, tokens and transactions; the configured user stays.
func TestMoMoReset(t *testing.T) {
	e := momoNewEnv(t, sandbox.WithMoMoDelay(0))
	ctx := t.Context()
	user := e.provision(t, "example.com")
	c := e.clientsFor(t, user)
	tok, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(auth.Basic(user.ID, user.Key)))
	require.NoError(t, err)
	res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, momoPay("56733123453", "1"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode())
	require.NotEmpty(t, e.sb.Ledger())

	e.sb.Reset()
	assert.Empty(t, e.sb.Ledger())
	gone, err := e.clients.Provisioning.GetApiUserWithResponse(ctx, uuid.MustParse(user.ID))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, gone.StatusCode())
	bal, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{}, collection.RequestEditorFn(momoBearer(tok.JSON200.AccessToken)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, bal.StatusCode())
	kept, err := e.clients.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, kept.StatusCode(), "the configured user and key still work")
	assert.Equal(t, "0", kept.JSON200.AvailableBalance.String())
}
