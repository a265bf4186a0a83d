package vipps_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
)

// retryFast keeps the default decisions with waits short enough for tests.
var retryFast = retry.Policy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// retryGateway is a Vipps stand-in: /accesstoken/get issues "token-<n>" and ePayment create
// answers with creates (the n-th from 0, the last one repeating), each seeing the request.
type retryGateway struct {
	*httptest.Server
	creates []func(w http.ResponseWriter, r *http.Request)

	mu     sync.Mutex
	tokens int
	seen   []http.Header
	bodies []string
}

func newRetryGateway(t *testing.T, creates ...func(w http.ResponseWriter, r *http.Request)) *retryGateway {
	t.Helper()
	g := &retryGateway{creates: creates}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/accesstoken/get" {
			g.mu.Lock()
			g.tokens++
			n := g.tokens
			g.mu.Unlock()
			_, _ = fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"0","expires_on":"9999999999","not_before":"0","resource":"r","access_token":"token-%d"}`, n)
			return
		}
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		n := len(g.seen)
		g.seen = append(g.seen, r.Header.Clone())
		g.bodies = append(g.bodies, string(body))
		g.mu.Unlock()
		g.creates[min(n, len(g.creates)-1)](w, r)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *retryGateway) received() (tokens int, seen []http.Header, bodies []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokens, append([]http.Header(nil), g.seen...), append([]string(nil), g.bodies...)
}

func retryStatus(code int, body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

const retryCreated = `{"reference":"order-12345678","redirectUrl":"https://pay.example/order-12345678"}`

func retryPayment(reference string) epayment.CreatePaymentRequest {
	return epayment.CreatePaymentRequest{Amount: epayment.Amount{Currency: "NOK", Value: 1000},
		PaymentMethod: epayment.PaymentMethod{Type: "WALLET"}, Reference: reference, UserFlow: epayment.WEBREDIRECT,
		ReturnUrl: "https://shop.example/return", PaymentDescription: "Order"}
}

// The wired clients retry by default, outside the authorization: a 503 is retried with the
// same token, a 401 gets auth's refresh and one resend, and every attempt carries the same
// Idempotency-Key and body.
func TestWiredClientsRetry(t *testing.T) {
	tests := []struct {
		name    string
		creates []func(http.ResponseWriter, *http.Request)
		status  int
		tokens  int
		auths   []string
	}{
		{"503 then 201", []func(http.ResponseWriter, *http.Request){retryStatus(http.StatusServiceUnavailable, ""), retryStatus(http.StatusCreated, retryCreated)},
			http.StatusCreated, 1, []string{"Bearer token-1", "Bearer token-1"}},
		{"401 then 201", []func(http.ResponseWriter, *http.Request){retryStatus(http.StatusUnauthorized, ""), retryStatus(http.StatusCreated, retryCreated)},
			http.StatusCreated, 2, []string{"Bearer token-1", "Bearer token-2"}},
		{"429 with Retry-After 0, then 201", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		}, retryStatus(http.StatusCreated, retryCreated)},
			http.StatusCreated, 1, []string{"Bearer token-1", "Bearer token-1"}},
		{"400 is final", []func(http.ResponseWriter, *http.Request){retryStatus(http.StatusBadRequest, `{"type":"t","title":"Bad Request","status":400,"traceId":"x"}`), retryStatus(http.StatusCreated, retryCreated)},
			http.StatusBadRequest, 1, []string{"Bearer token-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRetryGateway(t, tt.creates...)
			c, err := vipps.New(vipps.Config{BaseURL: g.URL, Credentials: partnerKeys, MSN: "555555", Retry: retryFast})
			require.NoError(t, err)
			res, err := c.EPayment.CreatePaymentWithResponse(t.Context(),
				&epayment.CreatePaymentParams{IdempotencyKey: "k-1"}, retryPayment("order-12345678"))
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode())

			tokens, seen, bodies := g.received()
			assert.Equal(t, tt.tokens, tokens, "token fetches")
			var auths []string
			for i, h := range seen {
				auths = append(auths, h.Get("Authorization"))
				assert.Equal(t, "k-1", h.Get("Idempotency-Key"), "attempt %d resends the same key", i+1)
				assert.Equal(t, "555555", h.Get("Merchant-Serial-Number"), "attempt %d stays bound to the merchant", i+1)
				assert.Equal(t, bodies[0], bodies[i], "attempt %d resends the same body", i+1)
			}
			assert.Equal(t, tt.auths, auths)
		})
	}
}

func TestPartnerClientsTakeTheRetryPolicy(t *testing.T) {
	for _, tt := range []struct {
		name     string
		policy   retry.Policy
		status   int
		attempts int
	}{
		{"retrying", retryFast, http.StatusCreated, 2},
		{"switched off", retry.Policy{Disabled: true}, http.StatusServiceUnavailable, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newRetryGateway(t, retryStatus(http.StatusServiceUnavailable, ""), retryStatus(http.StatusCreated, retryCreated))
			p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys, Retry: tt.policy})
			require.NoError(t, err)
			shop, err := p.ForMerchant("223344")
			require.NoError(t, err)
			res, err := shop.EPayment.CreatePaymentWithResponse(t.Context(),
				&epayment.CreatePaymentParams{IdempotencyKey: "k-2"}, retryPayment("order-12345678"))
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode())
			_, seen, _ := g.received()
			assert.Len(t, seen, tt.attempts)
		})
	}
}

// The sandbox takes a payment but its answer is lost on the way back (a 502 from a proxy).
// The retry resends the same Idempotency-Key and body, and Vipps (here the sandbox) answers
// with the stored answer of the first attempt: the retrier passes it on, no special case
// needed, and the payment exists once.
func TestCreatePaymentWhoseAnswerWasLostIsReplayed(t *testing.T) {
	sb, err := sandbox.New()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	var lose atomic.Bool
	lose.Store(true)
	var creates atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/epayment/v1/payments" {
			creates.Add(1)
			if lose.CompareAndSwap(true, false) {
				sb.ServeHTTP(httptest.NewRecorder(), r) // the sandbox takes it...
				w.WriteHeader(http.StatusBadGateway)    // ...and the caller hears a 502
				return
			}
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	creds := sb.Credentials().Vipps
	var retried atomic.Int32
	p := retryFast
	p.Observe = func(a retry.Attempt) {
		if a.Retry {
			retried.Add(1)
		}
	}
	c, err := vipps.New(vipps.Config{BaseURL: srv.URL, Credentials: creds.Merchant, MSN: creds.MerchantMSN, Retry: p})
	require.NoError(t, err)

	reference := "retry-" + uuid.NewString()[:8]
	res, err := c.EPayment.CreatePaymentWithResponse(t.Context(),
		&epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: c.MSN}, retryPayment(reference))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	require.NotNil(t, res.JSON201)
	assert.Equal(t, reference, res.JSON201.Reference)
	assert.False(t, retry.AlreadyAccepted(res.HTTPResponse), "a Vipps replay is the stored answer itself")
	assert.Equal(t, int32(2), creates.Load())
	assert.Equal(t, int32(1), retried.Load())

	n := 0
	for _, e := range sb.Ledger() {
		if e.Family == "vipps" && e.Reference == reference {
			n++
		}
	}
	assert.Equal(t, 1, n, "one payment for the reference")
}
