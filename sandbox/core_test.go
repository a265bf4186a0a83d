package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/sandbox"
)

// coreServe serves a new sandbox built with opts; both stop when the test ends.
func coreServe(t *testing.T, opts ...sandbox.Option) (*sandbox.Sandbox, *httptest.Server) {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	return sb, srv
}

// coreDo sends one request and returns the status, the body and the headers.
func coreDo(t *testing.T, method, url, body string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b, res.Header
}

// coreGetJSON GETs url, requires 200 and decodes the body into v.
func coreGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	status, body, _ := coreDo(t, http.MethodGet, url, "")
	require.Equal(t, http.StatusOK, status, string(body))
	require.NoError(t, json.Unmarshal(body, v), string(body))
}

// coreReceiver is a merchant endpoint that answers each delivery with the next status of
// a script (the last one repeating) and counts the deliveries.
type coreReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	bodies   []string
}

func newCoreReceiver(t *testing.T, statuses ...int) *coreReceiver {
	t.Helper()
	r := &coreReceiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		status := r.statuses[min(len(r.bodies), len(r.statuses))-1]
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *coreReceiver) hits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// callbackURL is the receiver's address under the sandbox user's callback host
// ("localhost"), which MoMo requires of callback URLs.
func (r *coreReceiver) callbackURL(t *testing.T, host string) string {
	t.Helper()
	u, err := url.Parse(r.URL)
	require.NoError(t, err)
	return "http://" + net.JoinHostPort(host, u.Port()) + "/callback"
}

// coreRequestToPay asks the sandbox's ready API user for a payment from payer with a
// callback to cb, and returns its reference.
func coreRequestToPay(t *testing.T, sb *sandbox.Sandbox, base, payer, cb string) string {
	t.Helper()
	creds := sb.Credentials().MoMo
	c, err := momo.New(momo.Config{BaseURL: base, SubscriptionKeys: creds.SubscriptionKeys, APIUser: creds.APIUser})
	require.NoError(t, err)
	ref := momo.NewReferenceID()
	res, err := c.Collection.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: &cb},
		common.RequestToPay{Amount: "10", Currency: "EUR", ExternalId: "core-test",
			Payer: common.Party{PartyIdType: "MSISDN", PartyId: payer}, PayerMessage: "core", PayeeNote: "core"})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
	return ref.String()
}

// coreEventually polls cond every 10 ms for up to 10 s.
func coreEventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 10*time.Millisecond, msg)
}

// coreCallbackHost is the callback host of the sandbox's ready MoMo API user.
func coreCallbackHost(sb *sandbox.Sandbox) string { return sb.Credentials().MoMo.CallbackHost }

func TestCoreNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]sandbox.Option{
		"callback method":  sandbox.WithCallbackMethod(http.MethodGet),
		"token TTL":        sandbox.WithTokenTTL(0),
		"MoMo delay":       sandbox.WithMoMoDelay(-time.Second),
		"fault rate":       sandbox.WithFaults(sandbox.Faults{Rate500: 1.5}),
		"fault rate sum":   sandbox.WithFaults(sandbox.Faults{Rate500: 0.5, DropRate: 0.6}),
		"latency interval": sandbox.WithFaults(sandbox.Faults{MinLatency: time.Second, MaxLatency: time.Millisecond}),
	} {
		_, err := sandbox.New(opt)
		assert.Error(t, err, name)
	}
}

// GET /_sandbox/ lists the control endpoints.
func TestCoreControlIndex(t *testing.T) {
	t.Parallel()
	_, srv := coreServe(t)
	var index map[string]string
	coreGetJSON(t, srv.URL+"/_sandbox/", &index)
	assert.Equal(t, map[string]string{
		"ledger":      "GET /_sandbox/ledger",
		"deliveries":  "GET /_sandbox/deliveries",
		"faults":      "GET or PUT /_sandbox/faults",
		"reset":       "POST /_sandbox/reset",
		"credentials": "GET /_sandbox/credentials",
	}, index)
	t.Logf("control endpoints: %v", index)
}

// GET /_sandbox/credentials shows the configured test credentials in plain text.
func TestCoreControlCredentials(t *testing.T) {
	t.Parallel()
	creds := sandbox.DefaultCredentials()
	creds.MoMo.APIUser.ID = "0f6d1e52-7c3a-4b8e-9f21-3a4b5c6d7e8f"
	creds.Vipps.PartnerMSNs = []string{"556677"}
	sb, srv := coreServe(t, sandbox.WithCredentials(creds))

	var got map[string]any
	coreGetJSON(t, srv.URL+"/_sandbox/credentials", &got)
	want, err := json.Marshal(sb.Credentials().Reveal())
	require.NoError(t, err)
	gotJSON, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(gotJSON))

	momoCreds := got["momo"].(map[string]any)
	assert.Equal(t, creds.MoMo.APIUser.ID, momoCreds["apiUser"])
	assert.Equal(t, creds.MoMo.APIUser.Key.Reveal(), momoCreds["apiKey"], "test keys are shown as they are")
	assert.Equal(t, []any{"556677"}, got["vipps"].(map[string]any)["partner"].(map[string]any)["msns"])
}

// PUT /_sandbox/faults sets faults that GET shows; invalid faults are refused with 400 and
// an explanation, and leave the faults as they were. Control endpoints are never faulted.
func TestCoreControlFaults(t *testing.T) {
	t.Parallel()
	sb, srv := coreServe(t)
	faultsURL := srv.URL + "/_sandbox/faults"

	var initial map[string]any
	coreGetJSON(t, faultsURL, &initial)
	assert.Empty(t, initial, "no faults at start")

	const valid = `{"rate503":0.25,"rate429":0.25,"retryAfter":"2s","minLatency":"1ms","maxLatency":"2ms","duplicateCallbacks":true}`
	status, body, _ := coreDo(t, http.MethodPut, faultsURL, valid)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, valid, string(body), "PUT answers the faults set")
	_, body, _ = coreDo(t, http.MethodGet, faultsURL, "")
	assert.JSONEq(t, valid, string(body))

	for _, tc := range []struct{ name, body, want string }{
		{"rate above 1", `{"rate500":1.5}`, "want a fraction from 0 to 1"},
		{"negative rate", `{"dropRate":-0.1}`, "want a fraction from 0 to 1"},
		{"rates add up to more than 1", `{"rate500":0.6,"rate503":0.6}`, "more than 1"},
		{"latency min above max", `{"minLatency":"2s","maxLatency":"1s"}`, "min <= max"},
		{"bad duration", `{"retryAfter":"soon"}`, "want a duration"},
		{"not JSON", `rate500=1`, "invalid character"},
		{"wrong type", `{"rate500":"all"}`, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := coreDo(t, http.MethodPut, faultsURL, tc.body)
			assert.Equal(t, http.StatusBadRequest, status)
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Contains(t, e.Error, tc.want)
			_, body, _ = coreDo(t, http.MethodGet, faultsURL, "")
			assert.JSONEq(t, valid, string(body), "a refused PUT changes nothing")
			t.Logf("%s: %s", tc.body, e.Error)
		})
	}

	require.Error(t, sb.SetFaults(sandbox.Faults{Rate500: 2}))
	require.NoError(t, sb.SetFaults(sandbox.Faults{Rate500: 1}))
	for _, path := range []string{"/_sandbox/", "/_sandbox/ledger", "/_sandbox/deliveries", "/_sandbox/faults", "/_sandbox/credentials"} {
		status, _, _ := coreDo(t, http.MethodGet, srv.URL+path, "")
		assert.Equal(t, http.StatusOK, status, "%s is not faulted", path)
	}
	status, _, _ = coreDo(t, http.MethodGet, srv.URL+"/collection/v1_0/accountholder/msisdn/46733123450/active", "")
	assert.Equal(t, http.StatusInternalServerError, status, "the API is")
	status, _, _ = coreDo(t, http.MethodPut, faultsURL, `{}`)
	assert.Equal(t, http.StatusOK, status, "faults switch off through the control endpoint")
}

// Each kind of fault at rate 1 gives its answer; a 429 carries Retry-After in whole seconds,
// rounded up.
func TestCoreFaultKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		faults     sandbox.Faults
		status     int
		retryAfter string
	}{
		{"500", sandbox.Faults{Rate500: 1}, http.StatusInternalServerError, ""},
		{"503", sandbox.Faults{Rate503: 1}, http.StatusServiceUnavailable, ""},
		{"429 default Retry-After", sandbox.Faults{Rate429: 1}, http.StatusTooManyRequests, "1"},
		{"429 Retry-After 3s", sandbox.Faults{Rate429: 1, RetryAfter: 3 * time.Second}, http.StatusTooManyRequests, "3"},
		{"429 Retry-After rounded up", sandbox.Faults{Rate429: 1, RetryAfter: 1500 * time.Millisecond}, http.StatusTooManyRequests, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, srv := coreServe(t, sandbox.WithFaults(tc.faults))
			for _, path := range []string{"/v1_0/apiuser", "/epayment/v1/payments", "/no/such/api"} {
				status, _, h := coreDo(t, http.MethodPost, srv.URL+path, `{}`)
				assert.Equal(t, tc.status, status, path)
				assert.Equal(t, tc.retryAfter, h.Get("Retry-After"), path)
			}
		})
	}
}

// A drop closes the connection without an answer: the client sees an error, not a status.
func TestCoreFaultDrop(t *testing.T) {
	t.Parallel()
	_, srv := coreServe(t, sandbox.WithFaults(sandbox.Faults{DropRate: 1}))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		res, err := client.Get(srv.URL + "/collection/v1_0/requesttopay/4f1e0a3c-2b7d-4e8f-9a6b-5c4d3e2f1a0b")
		if err == nil {
			res.Body.Close()
		}
		require.Error(t, err, "a dropped request has no answer")
		t.Logf("dropped: %v", err)
	}
	status, _, _ := coreDo(t, http.MethodGet, srv.URL+"/_sandbox/faults", "")
	assert.Equal(t, http.StatusOK, status, "the control endpoint is never dropped")
}

// Latency delays every API request by at least MinLatency, and a request that gives up
// while it waits gets no answer.
func TestCoreFaultLatency(t *testing.T) {
	t.Parallel()
	const latency = 80 * time.Millisecond
	_, srv := coreServe(t, sandbox.WithFaults(sandbox.Faults{MinLatency: latency, MaxLatency: latency}))
	start := time.Now()
	coreDo(t, http.MethodGet, srv.URL+"/no/such/api", "")
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, latency, "the request waited for the latency")
	t.Logf("request with %v latency took %v", latency, took)

	ctx, cancel := context.WithTimeout(t.Context(), latency/4)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/no/such/api", nil)
	require.NoError(t, err)
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

// The same seed gives the same faults in the same order; another seed gives others.
func TestCoreSeededFaultsRepeat(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) string {
		_, srv := coreServe(t, sandbox.WithSeed(seed), sandbox.WithFaults(sandbox.Faults{Rate500: 0.3, Rate503: 0.3}))
		var seq strings.Builder
		for range 40 {
			status, _, _ := coreDo(t, http.MethodGet, srv.URL+"/no/such/api", "")
			switch status {
			case http.StatusInternalServerError:
				seq.WriteByte('5')
			case http.StatusServiceUnavailable:
				seq.WriteByte('3')
			default:
				seq.WriteByte('.')
			}
		}
		return seq.String()
	}
	first, again, other := run(42), run(42), run(43)
	t.Logf("seed 42: %s\nseed 43: %s", first, other)
	assert.Equal(t, first, again, "a seeded run repeats")
	assert.NotEqual(t, first, other, "another seed gives other faults")
	for _, c := range []string{"5", "3", "."} {
		assert.Contains(t, first, c, "a mix of 500, 503 and answers")
	}
}

// The ledger and deliveries start empty, show a MoMo payment and its callback, and reset
// empties both.
func TestCoreControlLedgerDeliveriesReset(t *testing.T) {
	t.Parallel()
	sb, srv := coreServe(t, sandbox.WithMoMoDelay(0))
	var ledger []sandbox.LedgerEntry
	var deliveries []sandbox.DeliveryRecord
	coreGetJSON(t, srv.URL+"/_sandbox/ledger", &ledger)
	coreGetJSON(t, srv.URL+"/_sandbox/deliveries", &deliveries)
	assert.Empty(t, ledger)
	assert.Empty(t, deliveries)

	rcv := newCoreReceiver(t, http.StatusOK)
	cb := rcv.callbackURL(t, coreCallbackHost(sb))
	ref := coreRequestToPay(t, sb, srv.URL, "56733123453", cb)
	coreEventually(t, func() bool { return rcv.hits() == 1 }, "the callback arrives")

	coreGetJSON(t, srv.URL+"/_sandbox/ledger", &ledger)
	require.Len(t, ledger, 1)
	e := ledger[0]
	assert.Equal(t, "momo", e.Family)
	assert.Equal(t, ref, e.Reference)
	assert.Equal(t, "SUCCESSFUL", e.Status)
	assert.Equal(t, "10", e.Amount)
	assert.Equal(t, "EUR", e.Currency)
	t.Logf("ledger: %+v", e)

	coreEventually(t, func() bool {
		coreGetJSON(t, srv.URL+"/_sandbox/deliveries", &deliveries)
		return len(deliveries) == 1 && deliveries[0].Delivered
	}, "the delivery is recorded")
	d := deliveries[0]
	assert.Equal(t, cb, d.URL)
	assert.Equal(t, http.MethodPost, d.Method)
	assert.Equal(t, 1, d.Attempts)
	assert.Equal(t, http.StatusOK, d.Status)
	t.Logf("delivery: %+v", d)

	status, _, _ := coreDo(t, http.MethodPost, srv.URL+"/_sandbox/reset", "")
	assert.Equal(t, http.StatusNoContent, status)
	coreGetJSON(t, srv.URL+"/_sandbox/ledger", &ledger)
	coreGetJSON(t, srv.URL+"/_sandbox/deliveries", &deliveries)
	assert.Empty(t, ledger, "reset forgets the transactions")
	assert.Empty(t, deliveries, "reset forgets the deliveries")
	assert.Empty(t, sb.Ledger())
}

// A failed delivery is retried on the schedule until the receiver answers 2xx; when the
// schedule runs out, the delivery stays failed with its last status.
func TestCoreDeliveryRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		answers   []int
		attempts  int
		delivered bool
		status    int
	}{
		{"2xx on the third attempt", []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusAccepted}, 3, true, http.StatusAccepted},
		{"schedule runs out", []int{http.StatusServiceUnavailable}, 4, false, http.StatusServiceUnavailable},
		{"a 4xx is a failure too", []int{http.StatusNotFound, http.StatusOK}, 2, true, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, srv := coreServe(t, sandbox.WithMoMoDelay(0), sandbox.WithRetrySchedule(5*time.Millisecond, 5*time.Millisecond, 5*time.Millisecond))
			rcv := newCoreReceiver(t, tc.answers...)
			coreRequestToPay(t, sb, srv.URL, "56733123453", rcv.callbackURL(t, coreCallbackHost(sb)))
			coreEventually(t, func() bool {
				d := sb.Deliveries()
				return len(d) == 1 && (d[0].Delivered || d[0].Attempts == tc.attempts)
			}, "the delivery ends")
			time.Sleep(30 * time.Millisecond) // past the schedule: no attempt comes later
			d := sb.Deliveries()[0]
			assert.Equal(t, tc.attempts, d.Attempts)
			assert.Equal(t, tc.delivered, d.Delivered)
			assert.Equal(t, tc.status, d.Status)
			assert.Equal(t, tc.attempts, rcv.hits())
			t.Logf("%+v", d)
		})
	}

	t.Run("unreachable receiver", func(t *testing.T) {
		t.Parallel()
		sb, srv := coreServe(t, sandbox.WithMoMoDelay(0), sandbox.WithRetrySchedule(5*time.Millisecond))
		rcv := newCoreReceiver(t, http.StatusOK)
		cb := rcv.callbackURL(t, coreCallbackHost(sb))
		rcv.Close() // nothing listens there any more
		coreRequestToPay(t, sb, srv.URL, "56733123453", cb)
		coreEventually(t, func() bool {
			d := sb.Deliveries()
			return len(d) == 1 && d[0].Attempts == 2
		}, "two attempts")
		d := sb.Deliveries()[0]
		assert.False(t, d.Delivered)
		assert.NotEmpty(t, d.Error, "the network error is recorded")
		t.Logf("%+v", d)
	})
}

// With DuplicateCallbacks every callback is delivered twice, each recorded.
func TestCoreDuplicateCallbacks(t *testing.T) {
	t.Parallel()
	sb, srv := coreServe(t, sandbox.WithMoMoDelay(0), sandbox.WithFaults(sandbox.Faults{DuplicateCallbacks: true}))
	rcv := newCoreReceiver(t, http.StatusOK)
	coreRequestToPay(t, sb, srv.URL, "46733123451", rcv.callbackURL(t, coreCallbackHost(sb)))
	coreEventually(t, func() bool {
		d := sb.Deliveries()
		return len(d) == 2 && d[0].Delivered && d[1].Delivered
	}, "two deliveries")
	rcv.mu.Lock()
	bodies := append([]string(nil), rcv.bodies...)
	rcv.mu.Unlock()
	require.Len(t, bodies, 2)
	assert.JSONEq(t, bodies[0], bodies[1], "the same callback twice")
	assert.Contains(t, bodies[0], "APPROVAL_REJECTED")
	t.Logf("callback, twice: %s", bodies[0])
}

// Close abandons the retries still waiting and leaves no delivery goroutine behind.
func TestCoreCloseAbandonsRetries(t *testing.T) {
	// Other tests' sandboxes may still run deliveries: count only what this one adds.
	baseline := coreDeliveryGoroutines()
	sb, err := sandbox.New(sandbox.WithMoMoDelay(0), sandbox.WithRetrySchedule(time.Hour))
	require.NoError(t, err)
	srv := httptest.NewServer(sb)
	defer srv.Close()
	rcv := newCoreReceiver(t, http.StatusServiceUnavailable)
	for _, payer := range []string{"56733123453", "46733123451", "46733123450"} {
		coreRequestToPay(t, sb, srv.URL, payer, rcv.callbackURL(t, coreCallbackHost(sb)))
	}
	coreEventually(t, func() bool {
		d := sb.Deliveries()
		return len(d) == 3 && d[0].Attempts == 1 && d[1].Attempts == 1 && d[2].Attempts == 1
	}, "first attempts made; retries wait an hour")
	require.GreaterOrEqual(t, coreDeliveryGoroutines(), baseline+3, "three retries are waiting")

	closed := make(chan struct{})
	start := time.Now()
	go func() {
		sb.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the retries")
	}
	t.Logf("Close took %v", time.Since(start))
	coreEventually(t, func() bool { return coreDeliveryGoroutines() <= baseline }, "no delivery goroutine of this sandbox is left")
	assert.Equal(t, 3, rcv.hits(), "no attempt after Close")
	for _, d := range sb.Deliveries() {
		assert.False(t, d.Delivered)
		assert.Equal(t, 1, d.Attempts)
	}
}

// coreDeliveryGoroutines counts the goroutines running a delivery.
func coreDeliveryGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "sandbox.(*deliverer).run") {
			count++
		}
	}
	return count
}
