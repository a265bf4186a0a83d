package momo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/sandbox"
)

// waitFast polls quickly, so that tests against the sandbox take milliseconds.
var waitFast = momo.WaitOptions{FirstPoll: 5 * time.Millisecond, MinInterval: 5 * time.Millisecond, MaxInterval: 40 * time.Millisecond}

// waitEnv is a sandbox whose ready API user may call back to 127.0.0.1, wired clients that
// count their status reads, and a receiver for callbacks that feeds a Waiter.
type waitEnv struct {
	sb         *sandbox.Sandbox
	gatewayURL string
	c          *momo.Clients
	// bare are clients without the retry layer of momo.New, so that the wait itself meets
	// every failed answer.
	bare     *momo.Clients
	reads    atomic.Int32 // status reads sent
	waiter   momo.Waiter
	receiver *httptest.Server
	handed   chan callback.Notification // every notification the receiver hands on
	// front, when set, answers a request before the sandbox does (reporting true).
	front atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func newWaitEnv(t *testing.T, opts ...sandbox.Option) *waitEnv {
	t.Helper()
	creds := sandbox.DefaultCredentials()
	creds.MoMo.CallbackHost = "127.0.0.1"
	sb, err := sandbox.New(append([]sandbox.Option{sandbox.WithCredentials(creds), sandbox.WithMoMoDelay(20 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	e := &waitEnv{sb: sb, handed: make(chan callback.Notification, 64)}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := e.front.Load(); f != nil && (*f)(w, r) {
			return
		}
		sb.ServeHTTP(w, r)
	}))
	counting := &http.Client{Timeout: 10 * time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/v1_0/") {
			e.reads.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	e.gatewayURL = gateway.URL
	cfg := momo.Config{BaseURL: gateway.URL, SubscriptionKeys: creds.MoMo.SubscriptionKeys, APIUser: creds.MoMo.APIUser, HTTPClient: counting}
	e.c, err = momo.New(cfg)
	require.NoError(t, err)
	cfg.Retry = retry.Policy{Disabled: true}
	e.bare, err = momo.New(cfg)
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.Handle("/momo/callback/{reference}", callback.Handler(func(ctx context.Context, n callback.Notification) error {
		e.handed <- n
		return e.waiter.Notify(ctx, n)
	}, callback.WithConfirm(callback.ConfirmRequestToPay(e.c.Collection, ""))))
	e.receiver = httptest.NewServer(mux)
	t.Cleanup(func() {
		gateway.Close()
		sb.Close()
		e.receiver.Close()
	})
	return e
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// pay asks payer for 100 EUR; with callback set, MoMo is to call the receiver.
func (e *waitEnv) pay(t *testing.T, payer string, withCallback bool) uuid.UUID {
	t.Helper()
	ref := momo.NewReferenceID()
	params := &collection.RequestToPayParams{XReferenceId: ref}
	if withCallback {
		cb := e.receiver.URL + "/momo/callback/" + ref.String()
		params.XCallbackUrl = &cb
	}
	res, err := e.c.Collection.RequestToPayWithResponse(context.Background(), params, common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "order-17",
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
		PayerMessage: "Order 17", PayeeNote: "Order 17",
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
	return ref
}

// setFront puts f in front of the sandbox.
func (e *waitEnv) setFront(f func(w http.ResponseWriter, r *http.Request) bool) { e.front.Store(&f) }

// testCtx is bounded generously: the bound catches hangs and is not a timing assertion.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWaitRequestToPayReturnsTheFinalResult(t *testing.T) {
	e := newWaitEnv(t)
	tests := []struct{ payer, status, reason string }{
		{"56733123453", "SUCCESSFUL", ""},
		{"46733123451", "FAILED", "APPROVAL_REJECTED"},
		{"46733123452", "FAILED", "EXPIRED"},
		{"46733123450", "FAILED", "INTERNAL_PROCESSING_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.payer, func(t *testing.T) {
			ref := e.pay(t, tt.payer, false)
			before, start := e.reads.Load(), time.Now()
			res, err := momo.WaitRequestToPay(testCtx(t), e.c, ref, waitFast)
			require.NoError(t, err)
			t.Logf("%s after %d status reads in %v", res.Status, e.reads.Load()-before, time.Since(start).Round(time.Millisecond))
			assert.Equal(t, tt.status, res.Status)
			assert.Equal(t, tt.reason, res.Reason.Code)
			assert.Equal(t, tt.payer, res.Payer.PartyId)
			if tt.status == "SUCCESSFUL" {
				assert.NotEmpty(t, res.FinancialTransactionId)
			}
		})
	}
}

func TestWaitTransfer(t *testing.T) {
	e := newWaitEnv(t)
	ref := momo.NewReferenceID()
	res, err := e.c.Disbursement.TransferWithResponse(context.Background(), &disbursement.TransferParams{XReferenceId: ref},
		common.Transfer{Amount: "250", Currency: "EUR", ExternalId: "payout-3",
			Payee:        common.Party{PartyIdType: "MSISDN", PartyId: "56733123453"},
			PayerMessage: "Payout 3", PayeeNote: "Payout 3"})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
	got, err := momo.WaitTransfer(testCtx(t), e.c, ref, waitFast)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESSFUL", got.Status)
	assert.Equal(t, "250", got.Amount.String())

	// The generic form reads any status operation, here the same transfer.
	generic, err := momo.Wait(testCtx(t), ref, func(ctx context.Context) (momo.StatusRead[common.TransferResult], error) {
		resp, err := e.c.Disbursement.GetTransferStatus(ctx, ref, &disbursement.GetTransferStatusParams{})
		if err != nil {
			return momo.StatusRead[common.TransferResult]{}, err
		}
		return momo.ReadStatus(resp, func(r common.TransferResult) string { return r.Status })
	}, waitFast)
	require.NoError(t, err)
	assert.Equal(t, got.FinancialTransactionId, generic.FinancialTransactionId)
}

// A transaction that stays CREATED is read once, then the callback ends the wait long
// before the next read is due.
func TestWaitRequestToPayEndsOnTheCallback(t *testing.T) {
	e := newWaitEnv(t)
	ref := e.pay(t, "46733123454", true) // stays CREATED until settled
	opts := momo.WaitOptions{FirstPoll: time.Millisecond, MinInterval: time.Hour, Waiter: &e.waiter}

	type outcome struct {
		res common.RequestToPayResult
		err error
	}
	done := make(chan outcome, 1)
	before := e.reads.Load()
	go func() {
		res, err := momo.WaitRequestToPay(testCtx(t), e.c, ref, opts)
		done <- outcome{res, err}
	}()
	require.Eventually(t, func() bool { return e.reads.Load() > before }, 10*time.Second, time.Millisecond, "the first read")
	start := time.Now()
	require.NoError(t, e.sb.SettleMoMo("collection", "requesttopay", ref.String(), true))
	got := <-done
	require.NoError(t, got.err)
	t.Logf("callback to result in %v; %d status reads in all, the confirmation's included", time.Since(start).Round(time.Millisecond), e.reads.Load()-before)
	assert.Equal(t, "SUCCESSFUL", got.res.Status)
	n := <-e.handed
	assert.Equal(t, ref.String(), n.Reference)
	assert.True(t, n.Confirmed)
}

// A callback that came before the wait started still ends it at once: the Waiter keeps it.
func TestWaitRequestToPayAfterTheCallback(t *testing.T) {
	e := newWaitEnv(t)
	ref := e.pay(t, "46733123451", true)
	n := <-e.handed
	require.Equal(t, ref.String(), n.Reference)
	before := e.reads.Load()
	res, err := momo.WaitRequestToPay(testCtx(t), e.c, ref, momo.WaitOptions{FirstPoll: time.Hour, Waiter: &e.waiter})
	require.NoError(t, err)
	assert.Equal(t, "FAILED", res.Status)
	assert.Equal(t, "APPROVAL_REJECTED", res.Reason.Code)
	assert.Equal(t, int32(1), e.reads.Load()-before, "one read, made at once")
}

// A channel fed from the Handler works as well; notifications of other references are
// skipped.
func TestWaitRequestToPayEndsOnANotificationChannel(t *testing.T) {
	e := newWaitEnv(t)
	ref := e.pay(t, "46733123454", false)
	notes := make(chan callback.Notification, 2)
	notes <- callback.Notification{Reference: momo.NewReferenceID().String(), Status: "SUCCESSFUL"}
	done := make(chan error, 1)
	var res common.RequestToPayResult
	go func() {
		var err error
		res, err = momo.WaitRequestToPay(testCtx(t), e.c, ref, momo.WaitOptions{FirstPoll: time.Hour, Notifications: notes})
		done <- err
	}()
	require.NoError(t, e.sb.SettleMoMo("collection", "requesttopay", ref.String(), false))
	notes <- callback.Notification{Reference: strings.ToUpper(ref.String()), Status: "FAILED"}
	require.NoError(t, <-done)
	assert.Equal(t, "FAILED", res.Status)
	assert.Equal(t, "APPROVAL_REJECTED", res.Reason.Code)
}

func TestWaitRequestToPayEndsWithTheContext(t *testing.T) {
	e := newWaitEnv(t)
	ref := e.pay(t, "46733123454", false)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := momo.WaitRequestToPay(ctx, e.c, ref, waitFast)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var werr *momo.WaitError
	require.ErrorAs(t, err, &werr)
	t.Logf("%v", err)
	assert.Equal(t, ref.String(), werr.Reference)
	assert.Equal(t, "CREATED", werr.LastStatus)
	assert.Positive(t, werr.Reads)
	assert.Contains(t, err.Error(), "last status CREATED")
}

// Early 404s (not visible yet), 5xx, 429 and dropped connections all keep the wait going,
// also without the retry layer of the wired clients.
func TestWaitRequestToPayRidesOutTransientAnswers(t *testing.T) {
	e := newWaitEnv(t)
	ref := e.pay(t, "56733123453", false)
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":"RESOURCE_NOT_FOUND","message":"Requested resource was not found."}`)
		},
		func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
		func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json") // a body that is not JSON
			w.WriteHeader(http.StatusInternalServerError)
		},
		func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		func(w http.ResponseWriter) { panic(http.ErrAbortHandler) }, // the connection drops
	}
	var mu sync.Mutex
	var served []int
	e.setFront(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, ref.String()) {
			return false
		}
		mu.Lock()
		i := len(served)
		served = append(served, i)
		mu.Unlock()
		if i >= len(answers) {
			return false
		}
		answers[i](w)
		return true
	})
	res, err := momo.WaitRequestToPay(testCtx(t), e.bare, ref, waitFast)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESSFUL", res.Status)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("SUCCESSFUL after %d reads, the first %d refused", len(served), len(answers))
	assert.Len(t, served, len(answers)+1, "one read per answer")
}

// With the sandbox injecting faults into every call, token fetches included, the wait still
// gets the result, with and without the retry layer of the wired clients underneath.
func TestWaitRequestToPayUnderInjectedFaults(t *testing.T) {
	e := newWaitEnv(t, sandbox.WithSeed(7))
	refs := []uuid.UUID{e.pay(t, "56733123453", false), e.pay(t, "46733123451", false)}
	require.NoError(t, e.sb.SetFaults(sandbox.Faults{Rate500: 0.2, Rate503: 0.2, Rate429: 0.1, RetryAfter: time.Millisecond}))
	for _, c := range []struct {
		name    string
		clients *momo.Clients
	}{{"retry layer", e.c}, {"no retry layer", e.bare}} {
		before := e.reads.Load()
		for i, want := range []string{"SUCCESSFUL", "FAILED"} {
			res, err := momo.WaitRequestToPay(testCtx(t), c.clients, refs[i], waitFast)
			require.NoError(t, err, c.name)
			assert.Equal(t, want, res.Status, c.name)
		}
		t.Logf("%s: 2 results with half the calls failing: %d status requests sent", c.name, e.reads.Load()-before)
	}
}

func TestWaitRequestToPayGivesUp(t *testing.T) {
	e := newWaitEnv(t)

	t.Run("never visible", func(t *testing.T) {
		_, err := momo.WaitRequestToPay(testCtx(t), e.c, momo.NewReferenceID(), momo.WaitOptions{
			FirstPoll: time.Millisecond, MinInterval: 5 * time.Millisecond, NotFoundFor: 50 * time.Millisecond})
		require.ErrorIs(t, err, momo.ErrNotVisible)
		var werr *momo.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, http.StatusNotFound, werr.HTTPStatus)
		assert.Contains(t, string(werr.Body), "RESOURCE_NOT_FOUND")
	})

	t.Run("refused read", func(t *testing.T) {
		ref := e.pay(t, "56733123453", false)
		e.setFront(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet {
				return false
			}
			w.WriteHeader(http.StatusBadRequest)
			return true
		})
		t.Cleanup(func() { e.setFront(func(http.ResponseWriter, *http.Request) bool { return false }) })
		_, err := momo.WaitRequestToPay(testCtx(t), e.c, ref, waitFast)
		var werr *momo.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, http.StatusBadRequest, werr.HTTPStatus)
		assert.Equal(t, 1, werr.Reads)
	})

	t.Run("refused credentials", func(t *testing.T) {
		creds := e.sb.Credentials().MoMo
		creds.APIUser.Key = "ffffffffffffffffffffffffffffffff"
		c, err := momo.New(momo.Config{BaseURL: e.gatewayURL, SubscriptionKeys: creds.SubscriptionKeys, APIUser: creds.APIUser})
		require.NoError(t, err)
		_, err = momo.WaitRequestToPay(testCtx(t), c, momo.NewReferenceID(), waitFast)
		require.ErrorIs(t, err, momoauth.ErrBadCredentials)
		var werr *momo.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, 1, werr.Reads)
		assert.NotContains(t, err.Error(), "ffffffff", "the key never shows")
	})
}

func TestWaiterServesConcurrentWaits(t *testing.T) {
	e := newWaitEnv(t)
	const payments = 8
	refs := make([]uuid.UUID, payments)
	for i := range refs {
		refs[i] = e.pay(t, "46733123454", true)
	}
	results := make([]string, payments)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() {
			res, err := momo.WaitRequestToPay(testCtx(t), e.c, ref, momo.WaitOptions{FirstPoll: time.Hour, Waiter: &e.waiter})
			if assert.NoError(t, err) {
				results[i] = res.Status
			}
		})
	}
	for i, ref := range refs {
		require.NoError(t, e.sb.SettleMoMo("collection", "requesttopay", ref.String(), i%2 == 0))
	}
	wg.Wait()
	for i, got := range results {
		want := "FAILED"
		if i%2 == 0 {
			want = "SUCCESSFUL"
		}
		assert.Equal(t, want, got, "payment %d", i)
	}
}

// ExampleWaitRequestToPay asks for a payment with a callback to the service's receiver,
// whose Handler feeds a Waiter; the wait ends as soon as the confirmed callback arrives.
func ExampleWaitRequestToPay() {
	creds := sandbox.DefaultCredentials()
	creds.MoMo.CallbackHost = "127.0.0.1" // the API user's providerCallbackHost
	sb, err := sandbox.New(sandbox.WithCredentials(creds), sandbox.WithMoMoDelay(10*time.Millisecond))
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	gateway := httptest.NewServer(sb)
	defer gateway.Close()
	c, err := momo.New(momo.Config{BaseURL: gateway.URL, SubscriptionKeys: creds.MoMo.SubscriptionKeys, APIUser: creds.MoMo.APIUser})
	if err != nil {
		panic(err)
	}

	var waiter momo.Waiter
	mux := http.NewServeMux()
	mux.Handle("/momo/callback/{reference}", callback.Handler(func(ctx context.Context, n callback.Notification) error {
		// The service records n here, then wakes the waits.
		return waiter.Notify(ctx, n)
	}, callback.WithConfirm(callback.ConfirmRequestToPay(c.Collection, ""))))
	receiver := httptest.NewServer(mux)
	defer receiver.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, payer := range []string{"56733123453", "46733123451"} {
		ref := momo.NewReferenceID()
		cb := receiver.URL + "/momo/callback/" + ref.String()
		_, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: &cb},
			common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17",
				Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
				PayerMessage: "Order 17", PayeeNote: "Order 17"})
		if err != nil {
			panic(err)
		}
		res, err := momo.WaitRequestToPay(ctx, c, ref, momo.WaitOptions{Waiter: &waiter})
		if err != nil {
			panic(err)
		}
		fmt.Println(payer, strings.TrimSpace(res.Status+" "+res.Reason.Code))
	}
	// Output:
	// 56733123453 SUCCESSFUL
	// 46733123451 FAILED APPROVAL_REJECTED
}
