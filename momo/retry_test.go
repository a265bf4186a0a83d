package momo_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/sandbox"
)

// retryFastPolicy keeps the default decisions with waits short enough for tests.
func retryFastPolicy(observe func(retry.Attempt)) retry.Policy {
	return retry.Policy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Observe: observe}
}

// retryGateway is a MoMo stand-in: the collection token endpoint answers with tokenAnswers
// (the n-th call from 0, the last one repeating) and request to pay with payAnswers, each
// seeing the request.
type retryGateway struct {
	*httptest.Server
	tokenAnswers []func(w http.ResponseWriter, n int)
	payAnswers   []func(w http.ResponseWriter, r *http.Request)

	mu     sync.Mutex
	tokens int
	pays   []retryPay
}

// retryPay is one request to pay as the gateway received it.
type retryPay struct {
	Authorization string
	ReferenceID   string
	Body          string
}

func newRetryGateway(t *testing.T) *retryGateway {
	t.Helper()
	g := &retryGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *retryGateway) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/collection/token/":
		g.mu.Lock()
		n := g.tokens
		g.tokens++
		g.mu.Unlock()
		if len(g.tokenAnswers) == 0 {
			retryToken(w, n)
			return
		}
		g.tokenAnswers[min(n, len(g.tokenAnswers)-1)](w, n)
	case "/collection/v1_0/requesttopay":
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		n := len(g.pays)
		g.pays = append(g.pays, retryPay{r.Header.Get("Authorization"), r.Header.Get("X-Reference-Id"), string(body)})
		g.mu.Unlock()
		g.payAnswers[min(n, len(g.payAnswers)-1)](w, r)
	default:
		http.NotFound(w, r)
	}
}

func (g *retryGateway) received() (tokens int, pays []retryPay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokens, append([]retryPay(nil), g.pays...)
}

// retryToken issues token "tok-<n+1>".
func retryToken(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"access_token","expires_in":3600}`, n+1)
}

func retryAnswer(code int, body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// retryUnauthorizedFor answers 401 to a request carrying the bearer token tok, and then().
func retryUnauthorizedFor(tok string, then func(w http.ResponseWriter, r *http.Request)) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+tok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		then(w, r)
	}
}

const retryAlreadyExists = `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`

func retryClients(t *testing.T, url string, p retry.Policy) *momo.Clients {
	t.Helper()
	c, err := momo.New(momo.Config{
		BaseURL:          url,
		SubscriptionKeys: momoauth.SubscriptionKeys{Collection: "collection-key"},
		APIUser:          momoauth.APIUser{ID: "783a8f21-3fc6-4e39-aa76-da8e562fba7e", Key: "api-key"},
		Retry:            p,
	})
	require.NoError(t, err)
	return c
}

func retryRequestToPay() common.RequestToPay {
	return common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17",
		Payer: common.Party{PartyIdType: "MSISDN", PartyId: "56733123453"}, PayerMessage: "Order 17", PayeeNote: "Order 17"}
}

// The wired clients retry by default: the retrier sits outside the authorization, so each
// attempt takes the current token and gets auth's one refresh on 401, and the retrier counts
// every attempt of the call.
func TestWiredClientsRetry(t *testing.T) {
	tests := []struct {
		name         string
		tokenAnswers []func(w http.ResponseWriter, n int)
		payAnswers   []func(w http.ResponseWriter, r *http.Request)
		status       int
		accepted     bool
		tokens       int
		auths        []string
	}{
		{
			name:       "503 then 202",
			payAnswers: []func(http.ResponseWriter, *http.Request){retryAnswer(http.StatusServiceUnavailable, `{"code":"SERVICE_UNAVAILABLE","message":"Service temporarily unavailable, try again later."}`), retryAnswer(http.StatusAccepted, "")},
			status:     http.StatusAccepted, tokens: 1, auths: []string{"Bearer tok-1", "Bearer tok-1"},
		},
		{
			name:       "401 then 202: auth refreshes the token and resends once",
			payAnswers: []func(http.ResponseWriter, *http.Request){retryUnauthorizedFor("tok-1", retryAnswer(http.StatusAccepted, ""))},
			status:     http.StatusAccepted, tokens: 2, auths: []string{"Bearer tok-1", "Bearer tok-2"},
		},
		{
			name:         "token endpoint 503 then a token",
			tokenAnswers: []func(http.ResponseWriter, int){func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusServiceUnavailable) }, retryToken},
			payAnswers:   []func(http.ResponseWriter, *http.Request){retryAnswer(http.StatusAccepted, "")},
			status:       http.StatusAccepted, tokens: 2, auths: []string{"Bearer tok-2"},
		},
		{
			// The first attempt reached MoMo but its answer was a 503; during the wait the
			// token was revoked; after auth's refresh the resend meets the reference taken.
			// The retrier counts that resend as attempt 2 and reports the acceptance.
			name: "503, then 401 and the refreshed resend meets 409: already accepted",
			payAnswers: []func(http.ResponseWriter, *http.Request){
				retryAnswer(http.StatusServiceUnavailable, ""),
				retryUnauthorizedFor("tok-1", retryAnswer(http.StatusConflict, retryAlreadyExists)),
			},
			status: http.StatusAccepted, accepted: true, tokens: 2, auths: []string{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2"},
		},
		{
			name:       "409 on the first attempt stays a conflict",
			payAnswers: []func(http.ResponseWriter, *http.Request){retryAnswer(http.StatusConflict, retryAlreadyExists)},
			status:     http.StatusConflict, tokens: 1, auths: []string{"Bearer tok-1"},
		},
		{
			name:       "400 is not retried",
			payAnswers: []func(http.ResponseWriter, *http.Request){retryAnswer(http.StatusBadRequest, ""), retryAnswer(http.StatusAccepted, "")},
			status:     http.StatusBadRequest, tokens: 1, auths: []string{"Bearer tok-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRetryGateway(t)
			g.tokenAnswers, g.payAnswers = tt.tokenAnswers, tt.payAnswers
			c := retryClients(t, g.URL, retryFastPolicy(nil))

			ref := momo.NewReferenceID()
			res, err := c.Collection.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: ref}, retryRequestToPay())
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode(), string(res.Body))
			assert.Equal(t, tt.accepted, retry.AlreadyAccepted(res.HTTPResponse))
			if tt.status == http.StatusConflict {
				require.NotNil(t, res.JSON409, "the conflict's body is intact")
				assert.Equal(t, "RESOURCE_ALREADY_EXIST", res.JSON409.Code)
			}

			tokens, pays := g.received()
			assert.Equal(t, tt.tokens, tokens, "token fetches")
			var auths []string
			for _, p := range pays {
				auths = append(auths, p.Authorization)
				assert.Equal(t, ref.String(), p.ReferenceID, "every attempt resends the same reference")
				assert.Equal(t, pays[0].Body, p.Body, "every attempt resends the same body")
			}
			assert.Equal(t, tt.auths, auths)
		})
	}
}

func TestWiredClientsRetryCanBeSwitchedOff(t *testing.T) {
	g := newRetryGateway(t)
	g.payAnswers = []func(http.ResponseWriter, *http.Request){retryAnswer(http.StatusServiceUnavailable, ""), retryAnswer(http.StatusAccepted, "")}
	c := retryClients(t, g.URL, retry.Policy{Disabled: true})
	res, err := c.Collection.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()}, retryRequestToPay())
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode())
	_, pays := g.received()
	assert.Len(t, pays, 1)
}

// retrySandbox serves a new sandbox made with opts.
func retrySandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

func retrySandboxClients(t *testing.T, sb *sandbox.Sandbox, url string, p retry.Policy) *momo.Clients {
	t.Helper()
	creds := sb.Credentials().MoMo
	c, err := momo.New(momo.Config{BaseURL: url, SubscriptionKeys: creds.SubscriptionKeys, APIUser: creds.APIUser, Retry: p})
	require.NoError(t, err)
	return c
}

// retryCounts sums up what Policy.Observe reported.
type retryCounts struct {
	attempts, retries, accepted atomic.Int64
}

func (rc *retryCounts) observe(a retry.Attempt) {
	rc.attempts.Add(1)
	if a.Retry {
		rc.retries.Add(1)
	}
	if a.AlreadyAccepted {
		rc.accepted.Add(1)
	}
}

// Half of all requests to the sandbox fail with 503, the token fetches included. Every
// request to pay still ends accepted, and the sandbox holds exactly one transaction per
// reference: the retries resent the same X-Reference-Id and never made a second payment.
func TestRequestToPayThroughAFaultySandbox(t *testing.T) {
	const calls = 200
	sb := retrySandbox(t, sandbox.WithFaults(sandbox.Faults{Rate503: 0.5}), sandbox.WithSeed(7))
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)

	var counts retryCounts
	var mostAttempts atomic.Int64
	p := retryFastPolicy(func(a retry.Attempt) {
		counts.observe(a)
		if int64(a.Number) > mostAttempts.Load() {
			mostAttempts.Store(int64(a.Number))
		}
	})
	// Each attempt fails with odds of one in two: 20 attempts leave one call in a million
	// failing, where the default 4 would leave one in 16.
	p.MaxAttempts = 20
	c := retrySandboxClients(t, sb, srv.URL, p)

	refs := make(map[string]bool, calls)
	alreadyAccepted := 0
	for range calls {
		ref := momo.NewReferenceID()
		refs[ref.String()] = true
		res, err := c.Collection.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: ref}, retryRequestToPay())
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
		if retry.AlreadyAccepted(res.HTTPResponse) {
			alreadyAccepted++
		}
	}

	perRef := map[string]int{}
	for _, e := range sb.Ledger() {
		if e.Family == "momo" && e.Kind == "requesttopay" {
			perRef[e.Reference]++
		}
	}
	assert.Len(t, perRef, calls)
	for ref := range refs {
		assert.Equal(t, 1, perRef[ref], "transactions of reference %s", ref)
	}
	t.Logf("%d requests to pay with 50%% 503s: %d attempts (token fetches included), %d retries, at most %d attempts for one call, %d already accepted",
		calls, counts.attempts.Load(), counts.retries.Load(), mostAttempts.Load(), alreadyAccepted)
}

// The sandbox takes a request to pay but its answer is lost on the way back (a 504 from a
// proxy). The retry meets 409 RESOURCE_ALREADY_EXIST, which the caller sees as the acceptance
// it is, and the payment exists once.
func TestRequestToPayWhoseAnswerWasLost(t *testing.T) {
	sb := retrySandbox(t, sandbox.WithMoMoDelay(0))
	var lose atomic.Bool
	lose.Store(true)
	var creates atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/requesttopay") {
			creates.Add(1)
			if lose.CompareAndSwap(true, false) {
				sb.ServeHTTP(httptest.NewRecorder(), r)  // the sandbox takes it...
				w.WriteHeader(http.StatusGatewayTimeout) // ...and the caller hears a timeout
				return
			}
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var counts retryCounts
	c := retrySandboxClients(t, sb, srv.URL, retryFastPolicy(counts.observe))

	ref := momo.NewReferenceID()
	res, err := c.Collection.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: ref}, retryRequestToPay())
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, res.StatusCode())
	assert.True(t, retry.AlreadyAccepted(res.HTTPResponse))
	assert.Equal(t, int32(2), creates.Load())
	assert.Equal(t, int64(1), counts.accepted.Load())

	status, err := c.Collection.GetRequestToPayStatusWithResponse(t.Context(), ref, &collection.GetRequestToPayStatusParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status.StatusCode(), string(status.Body))
	assert.Equal(t, common.TransactionStatus("SUCCESSFUL"), status.JSON200.Status)

	n := 0
	for _, e := range sb.Ledger() {
		if e.Reference == ref.String() {
			n++
		}
	}
	assert.Equal(t, 1, n, "one transaction for the reference")
}
