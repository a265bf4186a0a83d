package vipps_test

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

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/merchant"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// waitQuick polls quickly, so that tests against the sandbox take milliseconds.
var waitQuick = vipps.WaitOptions{FirstPoll: 5 * time.Millisecond, Interval: 5 * time.Millisecond, MaxInterval: 40 * time.Millisecond}

// waitTestPhone is the sandbox's test user.
const waitTestPhone = "4712345678"

// paymentWaitEnv is a sandbox, clients bound to its merchant that count their GetPayment
// calls, and a webhook receiver that feeds a Waiter.
type paymentWaitEnv struct {
	sb      *sandbox.Sandbox
	gateway string
	msn     string
	c       *vipps.Clients
	bare    *vipps.Clients // without the retry layer of vipps.New
	reads   atomic.Int32
	front   atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
	waiter  vipps.Waiter
	events  chan webhook.Event // every event the receiver takes
}

func newPaymentWaitEnv(t *testing.T) *paymentWaitEnv {
	t.Helper()
	sb, err := sandbox.New()
	require.NoError(t, err)
	e := &paymentWaitEnv{sb: sb, events: make(chan webhook.Event, 64)}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := e.front.Load(); f != nil && (*f)(w, r) {
			return
		}
		sb.ServeHTTP(w, r)
	}))
	e.gateway = gateway.URL
	creds := sb.Credentials().Vipps
	e.msn = creds.MerchantMSN
	counting := &http.Client{Timeout: 10 * time.Second, Transport: waitRoundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/epayment/v1/payments/") {
			e.reads.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	cfg := vipps.Config{BaseURL: gateway.URL, Credentials: creds.Merchant, MSN: e.msn, HTTPClient: counting}
	e.c, err = vipps.New(cfg)
	require.NoError(t, err)
	cfg.Retry = retry.Policy{Disabled: true}
	e.bare, err = vipps.New(cfg)
	require.NoError(t, err)

	// The receiver verifies deliveries once the registration's secret is known.
	var verified atomic.Pointer[http.Handler]
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := verified.Load()
		if h == nil {
			http.Error(w, "not registered yet", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		gateway.Close()
		sb.Close()
		receiver.Close()
	})
	hookURL := receiver.URL + "/vipps/webhooks"
	reg, err := e.c.Webhooks.RegisterWebhookWithResponse(context.Background(), &webhooks.RegisterWebhookParams{},
		webhooks.RegisterWebhookRequest{Url: hookURL, Events: []string{
			"epayments.payment.authorized.v1", "epayments.payment.aborted.v1", "epayments.payment.expired.v1", "epayments.payment.terminated.v1"}})
	require.NoError(t, err)
	require.NotNil(t, reg.JSON201, string(reg.Body))
	var h http.Handler = webhook.Handler(webhook.Verifier{Secret: auth.Secret(reg.JSON201.Secret), URL: hookURL},
		func(ctx context.Context, ev webhook.Event) error {
			e.events <- ev
			return e.waiter.Notify(ctx, ev)
		})
	verified.Store(&h)
	return e
}

type waitRoundTrip func(*http.Request) (*http.Response, error)

func (f waitRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// create makes a CREATED payment of 499 NOK and returns its reference.
func (e *paymentWaitEnv) create(t *testing.T) string {
	t.Helper()
	ref := "wait-" + uuid.NewString()[:13]
	var customer epayment.Customer
	require.NoError(t, customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: waitTestPhone}))
	res, err := e.c.EPayment.CreatePaymentWithResponse(context.Background(),
		&epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString()},
		epayment.CreatePaymentRequest{
			Amount: epayment.Amount{Currency: "NOK", Value: 49900}, Customer: customer,
			PaymentMethod: epayment.PaymentMethod{Type: "WALLET"}, Reference: ref, UserFlow: "PUSH_MESSAGE",
			PaymentDescription: "Order 17",
		})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	return ref
}

// act plays the user: approve or reject the payment.
func (e *paymentWaitEnv) act(t *testing.T, ref, action string) {
	t.Helper()
	resp, err := http.Post(e.gateway+"/_sandbox/vipps/epayment/"+e.msn+"/"+ref+"/"+action, "application/json", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func (e *paymentWaitEnv) setFront(f func(w http.ResponseWriter, r *http.Request) bool) {
	e.front.Store(&f)
}

// waitCtx is bounded generously: the bound catches hangs and is not a timing assertion.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWaitPaymentReturnsTheState(t *testing.T) {
	e := newPaymentWaitEnv(t)
	tests := []struct{ action, state string }{
		{"approve", "AUTHORIZED"},
		{"reject", "ABORTED"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			ref := e.create(t)
			done := make(chan struct{})
			var res epayment.GetPaymentResult
			var err error
			before, start := e.reads.Load(), time.Now()
			go func() {
				defer close(done)
				res, err = vipps.WaitPayment(waitCtx(t), e.c, "", ref, waitQuick)
			}()
			e.act(t, ref, tt.action)
			<-done
			require.NoError(t, err)
			t.Logf("%s after %d reads in %v", res.State, e.reads.Load()-before, time.Since(start).Round(time.Millisecond))
			assert.Equal(t, tt.state, res.State)
			assert.Equal(t, ref, res.Reference)
			assert.Equal(t, int64(49900), res.Amount.Value)
		})
	}
}

// With the first read an hour away, only the webhook can end the wait.
func TestWaitPaymentEndsOnTheWebhook(t *testing.T) {
	e := newPaymentWaitEnv(t)
	ref := e.create(t)
	done := make(chan error, 1)
	var res epayment.GetPaymentResult
	go func() {
		var err error
		res, err = vipps.WaitPayment(waitCtx(t), e.c, e.msn, ref, vipps.WaitOptions{FirstPoll: time.Hour, Waiter: &e.waiter})
		done <- err
	}()
	before, start := e.reads.Load(), time.Now()
	var customer epayment.Customer
	require.NoError(t, customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: waitTestPhone}))
	approve, err := e.c.EPayment.ForceApproveWithResponse(context.Background(), ref, &epayment.ForceApproveParams{},
		epayment.ForceApprove{Customer: customer})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, approve.StatusCode(), string(approve.Body))
	require.NoError(t, <-done)
	t.Logf("approval to result in %v with %d reads", time.Since(start).Round(time.Millisecond), e.reads.Load()-before)
	assert.Equal(t, "AUTHORIZED", res.State)
	assert.Equal(t, int32(1), e.reads.Load()-before, "one read, on the webhook")
	ev := <-e.events
	assert.Equal(t, ref, ev.Payload.Reference)
	assert.Equal(t, "AUTHORIZED", ev.Payload.Name)
}

// A webhook that came before the wait started still ends it at once.
func TestWaitPaymentAfterTheWebhook(t *testing.T) {
	e := newPaymentWaitEnv(t)
	ref := e.create(t)
	e.act(t, ref, "reject")
	ev := <-e.events
	require.Equal(t, "ABORTED", ev.Payload.Name)
	before := e.reads.Load()
	res, err := vipps.WaitPayment(waitCtx(t), e.c, "", ref, vipps.WaitOptions{FirstPoll: time.Hour, Waiter: &e.waiter})
	require.NoError(t, err)
	assert.Equal(t, "ABORTED", res.State)
	assert.Equal(t, int32(1), e.reads.Load()-before)
}

// An events channel works as well; events of other payments and merchants are skipped.
func TestWaitPaymentEndsOnAnEventChannel(t *testing.T) {
	e := newPaymentWaitEnv(t)
	ref := e.create(t)
	events := make(chan webhook.Event, 3)
	events <- webhook.Event{Payload: merchant.WebhookPayload{Reference: "another-order", Name: "AUTHORIZED"}}
	events <- webhook.Event{Payload: merchant.WebhookPayload{Reference: ref, Msn: "999999", Name: "AUTHORIZED"}}
	done := make(chan error, 1)
	var res epayment.GetPaymentResult
	before := e.reads.Load()
	go func() {
		var err error
		res, err = vipps.WaitPayment(waitCtx(t), e.c, "", ref, vipps.WaitOptions{FirstPoll: time.Hour, Events: events})
		done <- err
	}()
	e.act(t, ref, "approve")
	events <- webhook.Event{Payload: merchant.WebhookPayload{Reference: ref, Msn: merchant.EcomMerchantSerialNumber(e.msn), Name: "AUTHORIZED"}}
	require.NoError(t, <-done)
	assert.Equal(t, "AUTHORIZED", res.State)
	assert.Equal(t, int32(1), e.reads.Load()-before)
}

func TestWaitPaymentEndsWithTheContext(t *testing.T) {
	e := newPaymentWaitEnv(t)
	ref := e.create(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := vipps.WaitPayment(ctx, e.c, "", ref, waitQuick)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var werr *vipps.WaitError
	require.ErrorAs(t, err, &werr)
	t.Logf("%v", err)
	assert.Equal(t, "CREATED", werr.LastState)
	assert.Equal(t, e.msn, werr.MSN)
	assert.Positive(t, werr.Reads)
}

// 429 (with Retry-After), 423 and 5xx answers back the wait off and keep it going; the
// clients' retry layer is off, so that the wait meets every one of them.
func TestWaitPaymentBacksOff(t *testing.T) {
	e := newPaymentWaitEnv(t)
	ref := e.create(t)
	e.act(t, ref, "approve")
	answers := []int{http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusLocked, http.StatusBadGateway, http.StatusInternalServerError}
	var mu sync.Mutex
	var served []time.Time
	e.setFront(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, ref) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		served = append(served, time.Now())
		if i := len(served) - 1; i < len(answers) {
			if answers[i] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(answers[i])
			fmt.Fprint(w, `{"statusCode":`, answers[i], `,"message":"busy"}`)
			return true
		}
		return false
	})
	res, err := vipps.WaitPayment(waitCtx(t), e.bare, "", ref, waitQuick)
	require.NoError(t, err)
	assert.Equal(t, "AUTHORIZED", res.State)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, served, len(answers)+1)
	gaps := make([]time.Duration, 0, len(served)-1)
	for i := 1; i < len(served); i++ {
		gaps = append(gaps, served[i].Sub(served[i-1]).Round(time.Millisecond))
	}
	t.Logf("AUTHORIZED after %d reads; gaps between them %v (interval %v, doubling to %v)", len(served), gaps, waitQuick.Interval, waitQuick.MaxInterval)
}

func TestWaitPaymentGivesUp(t *testing.T) {
	e := newPaymentWaitEnv(t)

	t.Run("unknown payment", func(t *testing.T) {
		_, err := vipps.WaitPayment(waitCtx(t), e.c, "", "no-such-order-1", vipps.WaitOptions{
			FirstPoll: time.Millisecond, Interval: 5 * time.Millisecond, NotFoundFor: 50 * time.Millisecond})
		require.ErrorIs(t, err, vipps.ErrPaymentNotFound)
		var werr *vipps.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, http.StatusNotFound, werr.HTTPStatus)
		assert.NotEmpty(t, werr.Body, "the problem body is kept")
	})

	t.Run("another merchant", func(t *testing.T) {
		_, err := vipps.WaitPayment(waitCtx(t), e.c, "999999", "order-12345678", waitQuick)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "act for merchant "+e.msn+" only")
	})

	t.Run("refused read", func(t *testing.T) {
		ref := e.create(t)
		e.setFront(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet {
				return false
			}
			w.WriteHeader(http.StatusForbidden)
			return true
		})
		t.Cleanup(func() { e.setFront(func(http.ResponseWriter, *http.Request) bool { return false }) })
		_, err := vipps.WaitPayment(waitCtx(t), e.c, "", ref, waitQuick)
		var werr *vipps.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, http.StatusForbidden, werr.HTTPStatus)
		assert.Equal(t, 1, werr.Reads)
	})

	t.Run("refused credentials", func(t *testing.T) {
		creds := e.sb.Credentials().Vipps
		creds.Merchant.ClientSecret = "wrong-secret"
		c, err := vipps.New(vipps.Config{BaseURL: e.gateway, Credentials: creds.Merchant, MSN: e.msn})
		require.NoError(t, err)
		_, err = vipps.WaitPayment(waitCtx(t), c, "", "order-12345678", waitQuick)
		var werr *vipps.WaitError
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, 1, werr.Reads)
		assert.NotContains(t, err.Error(), "wrong-secret")
	})
}

// ExampleWaitPayment creates a payment, plays the user who approves it, and waits for the
// outcome; the webhook handler feeds a Waiter, so the wait ends on the webhook.
func ExampleWaitPayment() {
	sb, err := sandbox.New()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	gateway := httptest.NewServer(sb)
	defer gateway.Close()
	creds := sb.Credentials().Vipps
	c, err := vipps.New(vipps.Config{BaseURL: gateway.URL, Credentials: creds.Merchant, MSN: creds.MerchantMSN})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The service's webhook receiver; the handler is set once the secret is known.
	var waiter vipps.Waiter
	var hook atomic.Pointer[http.Handler]
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := hook.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer receiver.Close()
	reg, err := c.Webhooks.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{},
		webhooks.RegisterWebhookRequest{Url: receiver.URL + "/hooks", Events: []string{"epayments.payment.authorized.v1"}})
	if err != nil {
		panic(err)
	}
	var h http.Handler = webhook.Handler(webhook.Verifier{Secret: auth.Secret(reg.JSON201.Secret), URL: receiver.URL + "/hooks"}, waiter.Notify)
	hook.Store(&h)

	var customer epayment.Customer
	_ = customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: "4712345678"})
	_, err = c.EPayment.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: "order-17-create"},
		epayment.CreatePaymentRequest{Amount: epayment.Amount{Currency: "NOK", Value: 49900}, Customer: customer,
			PaymentMethod: epayment.PaymentMethod{Type: "WALLET"}, Reference: "order-17-abc", UserFlow: "PUSH_MESSAGE"})
	if err != nil {
		panic(err)
	}
	go func() { // the user approves in the app
		resp, err := http.Post(gateway.URL+"/_sandbox/vipps/epayment/"+creds.MerchantMSN+"/order-17-abc/approve", "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
	}()

	res, err := vipps.WaitPayment(ctx, c, "", "order-17-abc", vipps.WaitOptions{Waiter: &waiter})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Reference, res.State, res.Aggregate.AuthorizedAmount.Value)
	// Output:
	// order-17-abc AUTHORIZED 49900
}
