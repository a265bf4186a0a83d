package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// recorder is a handle func that keeps every event it is given.
type recorder struct {
	mu     sync.Mutex
	events []webhook.Event
	ctxs   []context.Context
	err    error
}

func (r *recorder) handle(ctx context.Context, ev webhook.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	r.ctxs = append(r.ctxs, ctx)
	return r.err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// onceBody is a request body that counts the reads made after it has reported io.EOF.
type onceBody struct {
	r         io.Reader
	eof       bool
	afterEOF  int
	delivered int
}

func (b *onceBody) Read(p []byte) (int, error) {
	if b.eof {
		b.afterEOF++
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	b.delivered += n
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *onceBody) Close() error { return nil }

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerEPaymentEvent(t *testing.T) {
	vec := vectorByName(t, "query-string")
	rec := &recorder{}
	h := webhook.Handler(webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}, rec.handle)

	r := signedRequest(vec)
	body := &onceBody{r: strings.NewReader(vec.Body)}
	r.Body = body
	type ctxKey struct{}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "request"))

	w := serve(h, r)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, rec.calls(), "handle is called exactly once")
	assert.Zero(t, body.afterEOF, "the body is read once")
	assert.Equal(t, len(vec.Body), body.delivered)
	assert.Equal(t, "request", rec.ctxs[0].Value(ctxKey{}), "handle gets the request's context")

	ev := rec.events[0]
	assert.Equal(t, vec.Body, string(ev.Body), "the raw body as signed")
	assert.Equal(t, time.Date(2025, 1, 14, 9, 30, 0, 0, time.UTC), ev.Date.UTC())
	assert.Equal(t, webhook.KindEPayment, ev.Kind())
	assert.Equal(t, "epayment", ev.Kind().String())

	p := ev.Payload
	assert.Equal(t, "123456", p.Msn.String())
	assert.Equal(t, "24ab7cd6ef658155992", p.Reference)
	assert.Equal(t, "1234567891", p.PspReference)
	assert.Equal(t, "AUTHORIZED", p.Name)
	assert.Equal(t, "49ca711a9487112e1def", p.IdempotencyKey)
	require.NotNil(t, p.Success)
	assert.True(t, *p.Success)
	assert.Equal(t, "2023-08-14T12:48:46.260Z", p.Timestamp)
	amount, err := p.Amount.AsAmount()
	require.NoError(t, err)
	assert.Equal(t, "NOK", amount.Currency)
	assert.Equal(t, int64(35000), amount.Value)

	typed, err := ev.EPayment()
	require.NoError(t, err)
	assert.Equal(t, "AUTHORIZED", typed.Name)
	assert.Equal(t, int64(35000), typed.Amount.Value)
	assert.True(t, typed.Success)
	t.Logf("ePayment event %s %s for %d %s, kind %s", typed.Name, typed.Reference, typed.Amount.Value, typed.Amount.Currency, ev.Kind())
}

func TestHandlerRecurringEvent(t *testing.T) {
	vec := vectorByName(t, "non-default-port")
	rec := &recorder{}
	h := webhook.Handler(webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}, rec.handle)

	w := serve(h, signedRequest(vec))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, rec.calls())
	ev := rec.events[0]
	assert.Equal(t, webhook.KindRecurring, ev.Kind())
	assert.Equal(t, "recurring.agreement-stopped.v1", ev.Payload.EventType)
	assert.Equal(t, "agr_5kSeqz", ev.Payload.AgreementId)
	assert.Equal(t, "USER", ev.Payload.Actor)
	assert.Equal(t, "2025-03-01T23:59:58Z", ev.Payload.Occurred)
	_, err := ev.EPayment()
	require.Error(t, err)
}

func TestEventKind(t *testing.T) {
	secret := auth.Secret("kind-secret")
	const url = "https://example.com/hook"
	tests := []struct {
		body string
		want webhook.Kind
	}{
		{`{"name":"CAPTURED","reference":"r1"}`, webhook.KindEPayment},
		{`{"reference":"r1"}`, webhook.KindEPayment},
		{`{"eventType":"epayments.payment.captured.v1"}`, webhook.KindEPayment},
		{`{"eventType":"recurring.charge-captured.v1","chargeId":"chr-1"}`, webhook.KindRecurring},
		{`{"agreementId":"agr_1","reference":"r1"}`, webhook.KindRecurring},
		{`{"eventType":"user.checked-in.v1"}`, webhook.KindUnknown},
		{`{}`, webhook.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			rec := &recorder{}
			h := webhook.Handler(webhook.Verifier{Secret: secret, URL: url}, rec.handle)
			w := serve(h, signedPost(t, secret, url, []byte(tt.body)))
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, 1, rec.calls())
			assert.Equal(t, tt.want, rec.events[0].Kind())
		})
	}
}

func TestHandlerRejects(t *testing.T) {
	vec := vectorByName(t, "query-string")
	verifier := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
	secret := auth.Secret(vec.Secret)

	tests := []struct {
		name    string
		request func() *http.Request
		opts    []webhook.Option
		want    int
	}{
		{"GET", func() *http.Request {
			r := signedRequest(vec)
			r.Method = http.MethodGet
			return r
		}, nil, http.StatusMethodNotAllowed},
		{"tampered body", func() *http.Request {
			r := signedRequest(vec)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(vec.Body, "35000", "3500000", 1)))
			return r
		}, nil, http.StatusUnauthorized},
		{"forged signature", func() *http.Request {
			r := signedRequest(vec)
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+decodedKeySignature)
			return r
		}, nil, http.StatusUnauthorized},
		{"unsigned", func() *http.Request {
			r := signedRequest(vec)
			r.Header.Del("Authorization")
			return r
		}, nil, http.StatusUnauthorized},
		{"signed but not JSON", func() *http.Request { return signedPost(t, secret, vec.URL, []byte(`{"name":`)) }, nil, http.StatusBadRequest},
		{"signed but a JSON array", func() *http.Request { return signedPost(t, secret, vec.URL, []byte(`[1,2]`)) }, nil, http.StatusBadRequest},
		{"over the limit", func() *http.Request { return signedRequest(vec) }, []webhook.Option{webhook.WithMaxBodyBytes(int64(len(vec.Body) - 1))}, http.StatusRequestEntityTooLarge},
		{"over the default limit", func() *http.Request {
			return signedPost(t, secret, vec.URL, bytes.Repeat([]byte("x"), webhook.DefaultMaxBodyBytes+1))
		}, nil, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			var logs bytes.Buffer
			opts := append([]webhook.Option{webhook.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}, tt.opts...)
			w := serve(webhook.Handler(verifier, rec.handle, opts...), tt.request())
			require.Equal(t, tt.want, w.Code)
			assert.Zero(t, rec.calls(), "handle is never called")
			if tt.want == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
			assert.NotContains(t, logs.String(), vec.Secret)
			assert.NotContains(t, logs.String(), vec.Signature)
			assert.NotContains(t, w.Body.String(), vec.Secret)
			t.Logf("%s: %d; logged %s", tt.name, w.Code, strings.TrimSpace(logs.String()))
		})
	}

	t.Run("exactly at the limit", func(t *testing.T) {
		rec := &recorder{}
		w := serve(webhook.Handler(verifier, rec.handle, webhook.WithMaxBodyBytes(int64(len(vec.Body)))), signedRequest(vec))
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, 1, rec.calls())
	})
}

func TestHandlerErrorIsRetried(t *testing.T) {
	vec := vectorByName(t, "query-string")
	rec := &recorder{err: errors.New("database unavailable")}
	var logs bytes.Buffer
	h := webhook.Handler(webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}, rec.handle,
		webhook.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))

	w := serve(h, signedRequest(vec))
	require.Equal(t, http.StatusInternalServerError, w.Code, "a 5xx makes Vipps deliver again")
	require.Equal(t, 1, rec.calls())
	assert.NotContains(t, w.Body.String(), "database unavailable", "the handler's error stays in the log")
	assert.Contains(t, logs.String(), "database unavailable")
	assert.NotContains(t, logs.String(), vec.Secret)
	t.Logf("handler error: %d; logged %s", w.Code, strings.TrimSpace(logs.String()))
}

// TestHandlerLogsNoSecrets checks the log of every rejection for the secret and for the
// signature and content hash a correct delivery of the body would carry.
func TestHandlerLogsNoSecrets(t *testing.T) {
	vec := loadVectors(t)[0]
	tampered := strings.Replace(vec.Body, "hello-world", "hello-there", 1)
	expectedHash := independentHash([]byte(tampered))
	expectedSig := independentSignature([]byte(vec.Secret), vec.PathAndQuery, vec.Date, vec.Host, expectedHash)
	forbidden := []string{vec.Secret, vec.Signature, expectedHash, expectedSig, vec.Secret[:12]}

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := &recorder{}
	v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL, MaxAge: time.Minute}
	h := webhook.Handler(v, rec.handle, webhook.WithLogger(log))

	requests := []*http.Request{signedRequest(vec)} // stale
	r := signedRequest(vec)
	r.Body = io.NopCloser(strings.NewReader(tampered)) // hash mismatch
	requests = append(requests, r)
	r = signedRequest(vec)
	r.Body = io.NopCloser(strings.NewReader(tampered)) // signature mismatch
	r.Header.Set("x-ms-content-sha256", expectedHash)
	requests = append(requests, r)
	for _, r := range requests {
		require.Equal(t, http.StatusUnauthorized, serve(h, r).Code)
	}
	// The Verifier itself, logged or printed, shows no secret either.
	log.Info("configured", "verifier", v)

	out := logs.String()
	for _, s := range forbidden {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "status=401")
	assert.Zero(t, rec.calls())
	t.Logf("log:\n%s", out)
}

func TestHandlerOverHTTP(t *testing.T) {
	rec := &recorder{}
	secret := auth.Secret("090a478d-37ff-4e77-970e-d457aeb26a3a")
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	registered := srv.URL + "/vipps/webhooks?tenant=acme"
	mux.Handle("/vipps/webhooks", webhook.Handler(webhook.Verifier{Secret: secret, URL: registered}, rec.handle))
	mux.Handle("/by-request", webhook.Handler(webhook.Verifier{Secret: secret, UseRequestURL: true}, rec.handle))

	body := []byte(`{"msn":"123456","reference":"order-1","pspReference":"p1","name":"CAPTURED","amount":{"currency":"NOK","value":100},"timestamp":"2025-01-14T09:30:00Z","success":true}`)
	post := func(url string, h http.Header) int {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		require.NoError(t, err)
		for k, vs := range h {
			req.Header[k] = vs
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		return res.StatusCode
	}

	h, err := webhook.Sign(secret, registered, time.Now(), body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, post(registered, h))

	byRequest := srv.URL + "/by-request?x=1"
	h, err = webhook.Sign(secret, byRequest, time.Now(), body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, post(byRequest, h), "r.Host carries the test server's port")
	require.Equal(t, http.StatusUnauthorized, post(srv.URL+"/by-request?x=2", h))
	require.Equal(t, 2, rec.calls())
	assert.Equal(t, "CAPTURED", rec.events[1].Payload.Name)
}

// signedPost is a POST of body to url signed with secret now.
func signedPost(t *testing.T, secret auth.Secret, url string, body []byte) *http.Request {
	t.Helper()
	h, err := webhook.Sign(secret, url, time.Now(), body)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, vs := range h {
		r.Header[k] = vs
	}
	return r
}
