package retry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/retry"
)

const momoAlreadyExists = `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`

// send makes one call through d and returns the status and the body the caller reads.
func send(t *testing.T, d interface {
	Do(*http.Request) (*http.Response, error)
}, req *http.Request) (int, string) {
	t.Helper()
	resp, err := d.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func newRequest(t *testing.T, method, url string, body io.Reader, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func TestRetryableFailuresAreRetriedUntilSuccess(t *testing.T) {
	tests := []struct {
		name   string
		first  func(w http.ResponseWriter, r *http.Request)
		reason string
	}{
		{"500", status(http.StatusInternalServerError, ""), "retryable status"},
		{"502", status(http.StatusBadGateway, "<html>bad gateway</html>"), "retryable status"},
		{"503", status(http.StatusServiceUnavailable, `{"code":"SERVICE_UNAVAILABLE"}`), "retryable status"},
		{"504", status(http.StatusGatewayTimeout, ""), "retryable status"},
		{"429 without Retry-After", status(http.StatusTooManyRequests, ""), "retryable status"},
		{"423 Locked (another operation on the payment)", status(http.StatusLocked, ""), "retryable status"},
		{"500 with a passing MoMo code", status(http.StatusInternalServerError, `{"code":"INTERNAL_PROCESSING_ERROR","message":"x"}`), "retryable status"},
		{"connection closed without an answer", hangUp, "network error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, tt.first, status(http.StatusOK, "ok"))
			var obs observed
			clock := newFakeTime()
			d := retry.New(srv.client(t), clock.policy(retry.Policy{}, &obs))

			code, body := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/collection/v1_0/accountbalance", nil))
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, "ok", body)
			assert.Len(t, srv.requests(), 2)

			attempts := obs.all()
			require.Len(t, attempts, 2)
			assert.True(t, attempts[0].Retry)
			assert.Equal(t, tt.reason, attempts[0].Reason)
			// Default backoff: 200 ms, half of it drawn at random.
			assert.GreaterOrEqual(t, attempts[0].Wait, retry.DefaultInitialBackoff/2)
			assert.LessOrEqual(t, attempts[0].Wait, retry.DefaultInitialBackoff)
			assert.False(t, attempts[1].Retry)
			assert.Equal(t, http.StatusOK, attempts[1].StatusCode)
			t.Logf("%s: attempts %d, wait %v", tt.name, len(attempts), attempts[0].Wait)
		})
	}
}

// A timeout of the HTTP client (not the caller's deadline) ends one attempt, not the call:
// http.Client.Timeout, and the bound auth.DefaultHTTPClient's transport keeps.
func TestClientTimeoutIsRetried(t *testing.T) {
	for _, tc := range []struct {
		name, says string
		bound      func(c *http.Client, d time.Duration)
	}{
		{"http.Client.Timeout", "Client.Timeout", func(c *http.Client, d time.Duration) { c.Timeout = d }},
		{"auth.TimeoutTransport", "client's timeout", func(c *http.Client, d time.Duration) {
			c.Transport = &auth.TimeoutTransport{Base: c.Transport, Timeout: d}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScript(t, func(_ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // no answer until the client gives up
			}, status(http.StatusOK, "ok"))
			client := srv.client(t)
			tc.bound(client, 100*time.Millisecond)
			var obs observed
			d := retry.New(client, newFakeTime().policy(retry.Policy{}, &obs))

			code, body := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, "ok", body)
			first := obs.all()[0]
			assert.Equal(t, "network error", first.Reason)
			assert.ErrorContains(t, first.Err, tc.says)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	clockStart := newFakeTime().Now()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wait       time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "3", 3 * time.Second},
		{"429 HTTP date", http.StatusTooManyRequests, clockStart.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{"429 HTTP date in the past", http.StatusTooManyRequests, clockStart.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"429 zero", http.StatusTooManyRequests, "0", 0},
		{"503 seconds", http.StatusServiceUnavailable, "2", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, status(tt.status, "", "Retry-After", tt.retryAfter), status(http.StatusOK, "ok"))
			var obs observed
			clock := newFakeTime()
			d := retry.New(srv.client(t), clock.policy(retry.Policy{}, &obs))

			code, _ := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/epayment/v1/payments/p-1", nil))
			assert.Equal(t, http.StatusOK, code)
			assert.Equal(t, []time.Duration{tt.wait}, obs.waits())
			assert.True(t, obs.all()[0].RetryAfter)
			assert.Equal(t, tt.wait, clock.Now().Sub(clockStart), "the retrier waited what it reported")
			t.Logf("Retry-After %q -> wait %v", tt.retryAfter, obs.waits()[0])
		})
	}
}

func TestRetryAfterTooLongEndsRetrying(t *testing.T) {
	tests := []struct {
		name       string
		policy     retry.Policy
		retryAfter string
		reason     string
	}{
		{"beyond the cap", retry.Policy{}, "31", "retry-after beyond cap"},
		{"beyond a lower cap", retry.Policy{RetryAfterCap: 5 * time.Second}, "6", "retry-after beyond cap"},
		{"beyond the budget", retry.Policy{MaxElapsed: 10 * time.Second}, "11", "retry-after beyond budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, status(http.StatusTooManyRequests, `{"message":"slow down"}`, "Retry-After", tt.retryAfter))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(tt.policy, &obs))

			code, body := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
			assert.Equal(t, http.StatusTooManyRequests, code)
			assert.Equal(t, `{"message":"slow down"}`, body, "the last answer is returned as it came")
			assert.Len(t, srv.requests(), 1)
			last := obs.last(t)
			assert.False(t, last.Retry)
			assert.True(t, last.RetryAfter)
			assert.Equal(t, tt.reason, last.Reason)
		})
	}
}

func TestWritesWithoutAKeyAreNotRetried(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			srv := newScript(t, status(http.StatusServiceUnavailable, `{"code":"SERVICE_UNAVAILABLE"}`), status(http.StatusAccepted, ""))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

			code, body := send(t, d, newRequest(t, method, srv.srv.URL+"/collection/v1_0/requesttopay", strings.NewReader(`{"amount":"1"}`)))
			assert.Equal(t, http.StatusServiceUnavailable, code)
			assert.Equal(t, `{"code":"SERVICE_UNAVAILABLE"}`, body)
			assert.Len(t, srv.requests(), 1)
			assert.Equal(t, "no idempotency key", obs.last(t).Reason)
		})
	}
}

// streamed hides the reader's type, so that http.NewRequest sets no GetBody and the retrier
// has to buffer the body itself.
type streamed struct{ io.Reader }

func TestWritesWithAKeyResendTheSameKeyAndBody(t *testing.T) {
	const payload = `{"amount":"100","currency":"EUR","externalId":"order-17","payer":{"partyIdType":"MSISDN","partyId":"46733123454"}}`
	for _, key := range []string{retry.ReferenceIDHeader, retry.IdempotencyKeyHeader, retry.RequestIDHeader} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			for _, body := range []struct {
				name string
				r    func() io.Reader
			}{
				{"replayable body", func() io.Reader { return strings.NewReader(payload) }},
				{"streamed body", func() io.Reader { return streamed{strings.NewReader(payload)} }},
			} {
				t.Run(key+"/"+method+"/"+body.name, func(t *testing.T) {
					// The 503 closes its connection, so that the hang-up meets a fresh one: on a
					// reused connection net/http would resend a request with an Idempotency-Key
					// by itself, and the retrier would not see the failure.
					srv := newScript(t, status(http.StatusServiceUnavailable, "", "Connection", "close"), hangUp,
						status(http.StatusBadGateway, ""), status(http.StatusAccepted, ""))
					var obs observed
					d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

					req := newRequest(t, method, srv.srv.URL+"/collection/v1_0/requesttopay", body.r(), key, "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61")
					code, _ := send(t, d, req)
					assert.Equal(t, http.StatusAccepted, code)
					got := srv.requests()
					require.Len(t, got, 4)
					for i, r := range got {
						assert.Equal(t, method, r.Method, "attempt %d", i+1)
						assert.Equal(t, "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61", r.Header.Get(key), "attempt %d resends the same key", i+1)
						assert.Equal(t, payload, string(r.Body), "attempt %d resends the same body", i+1)
					}
					assert.Equal(t, []string{"retryable status", "network error", "retryable status", "final status"}, reasons(obs.all()))
				})
			}
		}
	}
}

func reasons(as []retry.Attempt) []string {
	var rs []string
	for _, a := range as {
		rs = append(rs, a.Reason)
	}
	return rs
}

// The token operations are POSTs without a key that create nothing, and are retried.
func TestTokenPostsAreRetried(t *testing.T) {
	for _, path := range []string{"/collection/token/", "/disbursement/token/", "/remittance/oauth2/token/", "/accesstoken/get", "/miami/v1/token"} {
		t.Run(path, func(t *testing.T) {
			srv := newScript(t, status(http.StatusServiceUnavailable, ""), status(http.StatusOK, `{"access_token":"t"}`))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

			body := io.Reader(http.NoBody)
			if path == "/miami/v1/token" {
				body = strings.NewReader("grant_type=client_credentials")
			}
			code, _ := send(t, d, newRequest(t, http.MethodPost, srv.srv.URL+path, body))
			assert.Equal(t, http.StatusOK, code)
			got := srv.requests()
			require.Len(t, got, 2)
			assert.Equal(t, got[0].Body, got[1].Body)
		})
	}
	t.Run("not a token path", func(t *testing.T) {
		srv := newScript(t, status(http.StatusServiceUnavailable, ""), status(http.StatusOK, ""))
		d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &observed{}))
		code, _ := send(t, d, newRequest(t, http.MethodPost, srv.srv.URL+"/collection/token/extra", http.NoBody))
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Len(t, srv.requests(), 1)
	})
}

func TestFinalAnswersAreNotRetried(t *testing.T) {
	for _, code := range []int{200, 201, 202, 204, 302, 400, 401, 403, 404, 409, 410, 411, 422} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			want := `{"code":"X"}`
			if code == http.StatusNoContent {
				want = ""
			}
			srv := newScript(t, status(code, want, "Location", "/elsewhere"), status(http.StatusOK, "second"))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

			got, body := send(t, d, newRequest(t, http.MethodPost, srv.srv.URL+"/epayment/v1/payments", strings.NewReader("{}"), "Idempotency-Key", "k-1"))
			assert.Equal(t, code, got)
			assert.Equal(t, want, body)
			assert.Len(t, srv.requests(), 1)
			assert.Equal(t, "final status", obs.last(t).Reason)
		})
	}
}

func TestAttemptsAreBounded(t *testing.T) {
	tests := []struct {
		name   string
		policy retry.Policy
		waits  []time.Duration
	}{
		{"defaults", retry.Policy{Jitter: -1}, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"three", retry.Policy{MaxAttempts: 3, Jitter: -1}, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}},
		{"one", retry.Policy{MaxAttempts: 1}, nil},
		{"capped backoff", retry.Policy{MaxAttempts: 6, InitialBackoff: time.Second, MaxBackoff: 3 * time.Second, Jitter: -1},
			[]time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, status(http.StatusServiceUnavailable, `{"code":"SERVICE_UNAVAILABLE","message":"Service temporarily unavailable, try again later."}`))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(tt.policy, &obs))

			code, body := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
			assert.Equal(t, http.StatusServiceUnavailable, code)
			assert.Contains(t, body, "SERVICE_UNAVAILABLE", "the last answer's body is left for the caller")
			assert.Len(t, srv.requests(), len(tt.waits)+1)
			assert.Equal(t, tt.waits, obs.waits())
			assert.Equal(t, "attempts exhausted", obs.last(t).Reason)
			t.Logf("%s: %d attempts, waits %v", tt.name, len(srv.requests()), obs.waits())
		})
	}
}

func TestJitterStaysWithinItsShare(t *testing.T) {
	srv := newScript(t, status(http.StatusServiceUnavailable, ""))
	var obs observed
	d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{MaxAttempts: 40, InitialBackoff: time.Second, MaxBackoff: time.Second, MaxElapsed: time.Hour, Jitter: 1}, &obs))
	send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
	waits := obs.waits()
	require.Len(t, waits, 39)
	distinct := map[time.Duration]bool{}
	for _, w := range waits {
		assert.GreaterOrEqual(t, w, time.Duration(0))
		assert.LessOrEqual(t, w, time.Second)
		distinct[w] = true
	}
	assert.Greater(t, len(distinct), 1, "full jitter draws different waits")
}

func TestTimeBudgetIsBounded(t *testing.T) {
	srv := newScript(t, status(http.StatusServiceUnavailable, ""))
	var obs observed
	clock := newFakeTime()
	start := clock.Now()
	d := retry.New(srv.client(t), clock.policy(retry.Policy{MaxAttempts: 10, InitialBackoff: time.Second, MaxBackoff: 10 * time.Second,
		MaxElapsed: 6500 * time.Millisecond, Jitter: -1}, &obs))

	code, _ := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
	assert.Equal(t, http.StatusServiceUnavailable, code)
	// Waits 1 s and 2 s fit in 6.5 s; the next, 4 s, would end at 7 s.
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, obs.waits())
	assert.Len(t, srv.requests(), 3)
	assert.Equal(t, "time budget exhausted", obs.last(t).Reason)
	assert.Equal(t, 3*time.Second, clock.Now().Sub(start))
}

func TestCallerCancellationDuringAWaitReturnsAtOnce(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newScript(t, status(http.StatusServiceUnavailable, ""), status(http.StatusOK, ""))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var obs observed
	// A real clock and a wait of an hour: only the cancellation can end it.
	d := retry.New(srv.client(t), retry.Policy{InitialBackoff: time.Hour, MaxBackoff: time.Hour, MaxElapsed: 2 * time.Hour,
		Observe: func(a retry.Attempt) {
			obs.observe(a)
			if a.Retry {
				cancel() // the caller gives up while the retrier waits
			}
		}})

	req := newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil).WithContext(ctx)
	done := make(chan error, 1)
	go func() {
		resp, err := d.Do(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute): // a guard against hanging, not a measurement
		t.Fatal("the retrier kept waiting after the caller's context was cancelled")
	}
	assert.Len(t, srv.requests(), 1)
	assert.Greater(t, obs.all()[0].Wait, 30*time.Minute)
}

func TestCallerCancellationDuringAnAttemptIsNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done() // the client goes away
	})
	var obs observed
	d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

	_, err := d.Do(newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil).WithContext(ctx))
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, srv.requests(), 1)
	assert.Equal(t, "context done", obs.last(t).Reason)
}

// Errors that a layer below made of its own (a token that could not be fetched, a 401 after
// a refresh) are not network failures and are not retried.
func TestErrorsOfLowerLayersAreNotRetried(t *testing.T) {
	var calls int
	next := doerFunc(func(*http.Request) (*http.Response, error) {
		calls++
		return nil, errors.New("auth: bearer authorization: token endpoint: HTTP 500")
	})
	var obs observed
	d := retry.New(next, newFakeTime().policy(retry.Policy{}, &obs))
	req, err := http.NewRequest(http.MethodGet, "http://example.invalid/x", nil)
	require.NoError(t, err)
	_, err = d.Do(req)
	require.Error(t, err)
	assert.Equal(t, 1, calls)
	assert.Equal(t, "error not retried", obs.last(t).Reason)
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestMoMoConflictOnARetryIsAnAcceptance(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		first  func(w http.ResponseWriter, r *http.Request)
		status int
	}{
		{"after a 503", "/collection/v1_0/requesttopay", status(http.StatusServiceUnavailable, ""), http.StatusAccepted},
		{"after a lost connection", "/disbursement/v1_0/transfer", hangUp, http.StatusAccepted},
		{"after a 500", "/remittance/v1_0/transfer", status(http.StatusInternalServerError, `{"code":"INTERNAL_PROCESSING_ERROR"}`), http.StatusAccepted},
		{"API user create", "/v1_0/apiuser", status(http.StatusServiceUnavailable, ""), http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, tt.first, status(http.StatusConflict, momoAlreadyExists, "Content-Type", "application/json;charset=utf-8"))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))

			resp, err := d.Do(newRequest(t, http.MethodPost, srv.srv.URL+tt.path, strings.NewReader(`{"amount":"1"}`),
				"X-Reference-Id", "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61"))
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Empty(t, body)
			assert.Equal(t, "true", resp.Header.Get(retry.AlreadyAcceptedHeader))
			assert.True(t, retry.AlreadyAccepted(resp))
			assert.Len(t, srv.requests(), 2)
			last := obs.last(t)
			assert.True(t, last.AlreadyAccepted)
			assert.Equal(t, http.StatusConflict, last.StatusCode)
		})
	}
}

func TestConflictsThatAreNotAcceptancesStay(t *testing.T) {
	notAllowed := `{"code":"NOT_ALLOWED","message":"The transaction has not completed successfully."}`
	tests := []struct {
		name    string
		answers []func(w http.ResponseWriter, r *http.Request)
		key     string
		body    string
	}{
		{"on the first attempt: the caller reused a reference",
			[]func(http.ResponseWriter, *http.Request){status(http.StatusConflict, momoAlreadyExists)}, "X-Reference-Id", momoAlreadyExists},
		{"another code on a retry",
			[]func(http.ResponseWriter, *http.Request){status(http.StatusServiceUnavailable, ""), status(http.StatusConflict, notAllowed)}, "X-Reference-Id", notAllowed},
		{"not JSON on a retry",
			[]func(http.ResponseWriter, *http.Request){status(http.StatusServiceUnavailable, ""), status(http.StatusConflict, "<html>conflict</html>")}, "X-Reference-Id", "<html>conflict</html>"},
		{"a long body on a retry is kept whole",
			[]func(http.ResponseWriter, *http.Request){status(http.StatusServiceUnavailable, ""), status(http.StatusConflict, strings.Repeat("x", 100<<10))}, "X-Reference-Id", strings.Repeat("x", 100<<10)},
		{"Vipps: a key reused with another body",
			[]func(http.ResponseWriter, *http.Request){status(http.StatusServiceUnavailable, ""), status(http.StatusConflict, momoAlreadyExists)}, "Idempotency-Key", momoAlreadyExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, tt.answers...)
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &observed{}))
			resp, err := d.Do(newRequest(t, http.MethodPost, srv.srv.URL+"/collection/v1_0/requesttopay", strings.NewReader("{}"), tt.key, "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61"))
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusConflict, resp.StatusCode)
			assert.Equal(t, tt.body, string(body), "the body is intact for the caller to decode")
			assert.False(t, retry.AlreadyAccepted(resp))
		})
	}
}

// Vipps keeps the answer of the first attempt under the key, and a repeat gets it back: the
// retrier needs no special case and passes it on.
func TestVippsReplayReturnsTheStoredAnswer(t *testing.T) {
	stored := `{"reference":"order-1","redirectUrl":"https://pay.example/order-1"}`
	srv := newScript(t, status(http.StatusBadGateway, ""), status(http.StatusCreated, stored))
	d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &observed{}))
	code, body := send(t, d, newRequest(t, http.MethodPost, srv.srv.URL+"/epayment/v1/payments", strings.NewReader(`{"reference":"order-1"}`), "Idempotency-Key", "k-1"))
	assert.Equal(t, http.StatusCreated, code)
	assert.Equal(t, stored, body)
}

func TestRetriedAnswersAreDrainedSoTheConnectionIsReused(t *testing.T) {
	noGoroutineLeaks(t)
	errBody := strings.Repeat(`{"code":"SERVICE_UNAVAILABLE"}`, 100)
	srv := newScript(t, status(http.StatusServiceUnavailable, errBody), status(http.StatusServiceUnavailable, errBody), status(http.StatusOK, "ok"))
	d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &observed{}))
	code, _ := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
	assert.Equal(t, http.StatusOK, code)
	assert.Len(t, srv.requests(), 3)
	assert.Equal(t, 1, srv.connections(), "three attempts over one connection")
}

func TestDisabledReturnsTheNextDoer(t *testing.T) {
	srv := newScript(t, status(http.StatusServiceUnavailable, ""), status(http.StatusOK, ""))
	client := srv.client(t)
	d := retry.New(client, retry.Policy{Disabled: true, MaxAttempts: 10})
	assert.Same(t, client, d)
	code, _ := send(t, d, newRequest(t, http.MethodGet, srv.srv.URL+"/x", nil))
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Len(t, srv.requests(), 1)
}

func TestTheCallersRequestIsNotChanged(t *testing.T) {
	srv := newScript(t, status(http.StatusServiceUnavailable, ""), status(http.StatusOK, ""))
	d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &observed{}))
	req := newRequest(t, http.MethodPost, srv.srv.URL+"/x", streamed{strings.NewReader("body")}, "Idempotency-Key", "k")
	header := req.Header.Clone()
	send(t, d, req)
	assert.Equal(t, header, req.Header)
	assert.Nil(t, req.GetBody)
}

// MoMo answers refused credentials and refusals with 500; another attempt cannot change them.
func TestPermanentServerErrorsAreNotRetried(t *testing.T) {
	for _, body := range []string{`{"error":"login_failed"}`, `{"code":"NOT_ALLOWED","message":"x"}`, `{"code":"INVALID_CURRENCY","message":"Currency not supported."}`, `{"code":"NOT_ALLOWED_TARGET_ENVIRONMENT","message":"x"}`} {
		t.Run(body, func(t *testing.T) {
			srv := newScript(t, status(http.StatusInternalServerError, body), status(http.StatusOK, "second"))
			var obs observed
			d := retry.New(srv.client(t), newFakeTime().policy(retry.Policy{}, &obs))
			got, gotBody := send(t, d, newRequest(t, http.MethodPost, srv.srv.URL+"/collection/token/", nil))
			assert.Equal(t, http.StatusInternalServerError, got)
			assert.Equal(t, body, gotBody, "the body reaches the caller whole")
			assert.Len(t, srv.requests(), 1)
			assert.Equal(t, "permanent failure", obs.last(t).Reason)
		})
	}
}
