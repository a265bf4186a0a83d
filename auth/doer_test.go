package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

// apiServer is an API that accepts only the bearer tokens in valid and records what it saw.
type apiServer struct {
	*httptest.Server
	status int // returned to accepted requests

	mu     sync.Mutex
	reject string // body of a 401
	valid  map[string]bool
	seen   []seenRequest
}

type seenRequest struct {
	auth string
	body []byte
}

func newAPIServer(t *testing.T, status int, valid ...string) *apiServer {
	t.Helper()
	s := &apiServer{status: status, reject: `{"code":"UNAUTHORIZED","message":"token expired"}`, valid: map[string]bool{}}
	for _, v := range valid {
		s.valid[v] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := r.Header.Get("Authorization")
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{auth: h, body: body})
		ok := s.valid[strings.TrimPrefix(h, "Bearer ")]
		reject := s.reject
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, reject)
			return
		}
		w.WriteHeader(s.status)
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *apiServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// eventDoer sends with next and records, in order, each send and when each response body is
// read to the end and closed, to check that a rejected response is finished before the retry.
type eventDoer struct {
	next auth.Doer

	mu     sync.Mutex
	sends  int
	events []string
}

func (d *eventDoer) record(e string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.events = append(d.events, e)
}

func (d *eventDoer) Do(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	d.sends++
	n := d.sends
	d.mu.Unlock()
	d.record(fmt.Sprintf("send %d", n))
	resp, err := d.next.Do(req)
	if resp != nil {
		resp.Body = &eventBody{ReadCloser: resp.Body, record: d.record, n: n}
	}
	return resp, err
}

func (d *eventDoer) log() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.events...)
}

type eventBody struct {
	io.ReadCloser
	record func(string)
	n      int
	eof    bool
}

func (b *eventBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.eof {
		b.eof = true
		b.record(fmt.Sprintf("eof %d", b.n))
	}
	return n, err
}

func (b *eventBody) Close() error {
	b.record(fmt.Sprintf("close %d", b.n))
	return b.ReadCloser.Close()
}

// primedTokens returns a Cache that holds "tok-1" and will fetch "tok-2", "tok-3", ... next.
func primedTokens(t *testing.T) (*auth.Cache, *fetcher) {
	t.Helper()
	f := &fetcher{clock: newFakeClock(), ttl: time.Hour}
	return newPrimedCache(t, f), f
}

func TestRetryUnauthorizedRefreshesOnceAndReplaysBody(t *testing.T) {
	const payload = `{"amount":"100","currency":"EUR","externalId":"42"}`
	tests := []struct {
		name    string
		method  string
		body    func() io.Reader // nil: no body
		getBody bool             // whether http.NewRequest can set GetBody for it
	}{
		{"replayable body", http.MethodPost, func() io.Reader { return strings.NewReader(payload) }, true},
		{"one-shot body", http.MethodPost, func() io.Reader { return io.NopCloser(strings.NewReader(payload)) }, false},
		{"no body", http.MethodGet, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noGoroutineLeaks(t)
			srv := newAPIServer(t, http.StatusOK, "tok-2")
			tokens, f := primedTokens(t)
			doer := &eventDoer{next: srv.Client()}
			client := auth.RetryUnauthorized(doer, tokens)

			var body io.Reader
			want := []byte{}
			if tt.body != nil {
				body, want = tt.body(), []byte(payload)
			}
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+"/payments", body)
			require.NoError(t, err)
			require.Equal(t, tt.getBody, req.GetBody != nil)
			require.NoError(t, auth.Bearer(tokens)(req.Context(), req))

			resp, err := client.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "ok", string(got))

			seen := srv.requests()
			t.Logf("%s: 401 -> %d token fetch, %d requests", tt.name, f.fetches.Load()-1, len(seen))
			require.Len(t, seen, 2)
			assert.Equal(t, "Bearer tok-1", seen[0].auth)
			assert.Equal(t, "Bearer tok-2", seen[1].auth)
			assert.Equal(t, want, seen[0].body)
			assert.Equal(t, want, seen[1].body, "the retry sent a different body")
			assert.EqualValues(t, 2, f.fetches.Load())
			assert.Equal(t, []string{"send 1", "eof 1", "close 1", "send 2", "eof 2", "close 2"}, doer.log(),
				"the 401 body was not finished before the retry")
		})
	}
}

func TestRetryUnauthorizedSecond401IsAnError(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK) // accepts no token
	tokens, f := primedTokens(t)
	doer := &eventDoer{next: srv.Client()}
	client := auth.RetryUnauthorized(doer, tokens)

	req := bearerRequest(t, context.Background(), http.MethodPost, srv.URL, `{"a":1}`, tokens)
	resp, err := client.Do(req)
	require.Nil(t, resp)
	require.ErrorIs(t, err, auth.ErrUnauthorized)
	var uerr *auth.UnauthorizedError
	require.ErrorAs(t, err, &uerr)
	assert.Equal(t, http.StatusUnauthorized, uerr.StatusCode)
	assert.Equal(t, srv.reject, string(uerr.Body))
	assert.Equal(t, "auth: unauthorized after token refresh: HTTP 401: "+srv.reject, err.Error())

	seen := srv.requests()
	t.Logf("401 twice -> %d requests, error %q", len(seen), err)
	assert.Len(t, seen, 2)
	assert.EqualValues(t, 2, f.fetches.Load())
	assert.Equal(t, []string{"send 1", "eof 1", "close 1", "send 2", "eof 2", "close 2"}, doer.log())
}

func TestRetryUnauthorizedBoundsBodyExcerpt(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK)
	srv.mu.Lock()
	srv.reject = strings.Repeat("x", 10<<10)
	srv.mu.Unlock()
	tokens, _ := primedTokens(t)

	req := bearerRequest(t, context.Background(), http.MethodGet, srv.URL, "", tokens)
	_, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
	var uerr *auth.UnauthorizedError
	require.ErrorAs(t, err, &uerr)
	t.Logf("10 KiB 401 body -> %d byte excerpt", len(uerr.Body))
	assert.Len(t, uerr.Body, 2<<10)
}

func TestRetryUnauthorizedPassesOtherStatusesThrough(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent, http.StatusForbidden, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			noGoroutineLeaks(t)
			srv := newAPIServer(t, status, "tok-1")
			tokens, f := primedTokens(t)

			req := bearerRequest(t, context.Background(), http.MethodPost, srv.URL, "{}", tokens)
			resp, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, status, resp.StatusCode)
			t.Logf("HTTP %d -> %d request, %d token fetch", status, len(srv.requests()), f.fetches.Load()-1)
			assert.Len(t, srv.requests(), 1, "retried")
			assert.EqualValues(t, 1, f.fetches.Load(), "refreshed the token")
		})
	}
}

func TestRetryUnauthorizedLeavesRequestsWithoutBearerAlone(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK)
	tokens, f := primedTokens(t)

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/token/", nil)
	require.NoError(t, err)
	require.NoError(t, auth.Basic("api-user", "api-key")(req.Context(), req))
	resp, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, srv.requests(), 1)
	assert.EqualValues(t, 1, f.fetches.Load())
}

func TestRetryUnauthorizedRespectsContextDuringRefresh(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK)
	f := &fetcher{clock: newFakeClock(), ttl: time.Hour, gate: make(chan struct{}, 1), started: make(chan int64, 2)}
	tokens := newPrimedCache(t, f)
	<-f.started

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := bearerRequest(t, ctx, http.MethodPost, srv.URL, `{"a":1}`, tokens)
	errc := make(chan error, 1)
	go func() {
		_, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
		errc <- err
	}()
	<-f.started // the 401 came back and the refresh is in flight
	cancel()
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(waitTimeout):
		t.Fatal("Do ignored the cancelled context")
	}
	assert.Len(t, srv.requests(), 1)
	close(f.gate) // let the refresh finish so that it does not outlive the test
	require.Eventually(t, func() bool {
		tok, err := tokens.Token(context.Background())
		return err == nil && tok.AccessToken == "tok-2"
	}, waitTimeout, time.Millisecond)
}

// fixedSource always returns the same token, as a source that cannot refresh would.
type fixedSource struct{ auth.TokenSource }

func (fixedSource) Invalidate(auth.Secret) {}

func TestRetryUnauthorizedDoesNotResendRejectedToken(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK)
	tokens := fixedSource{auth.StaticTokenSource(auth.Token{AccessToken: "static"})}

	req := bearerRequest(t, context.Background(), http.MethodGet, srv.URL, "", tokens)
	_, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
	require.ErrorIs(t, err, auth.ErrUnauthorized)
	assert.Len(t, srv.requests(), 1)
}

func TestRetryUnauthorizedReportsRefreshFailure(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK)
	tokens, f := primedTokens(t)
	f.err = errors.New("token endpoint down")

	req := bearerRequest(t, context.Background(), http.MethodGet, srv.URL, "", tokens)
	_, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
	require.EqualError(t, err, "auth: refresh token after HTTP 401: auth: fetch token: token endpoint down")
	assert.Len(t, srv.requests(), 1)
}

func TestRetryUnauthorizedBufferedBodyLeavesCallerRequestAlone(t *testing.T) {
	noGoroutineLeaks(t)
	srv := newAPIServer(t, http.StatusOK, "tok-2")
	tokens, _ := primedTokens(t)

	req, err := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(bytes.NewBufferString("payload")))
	require.NoError(t, err)
	require.NoError(t, auth.Bearer(tokens)(req.Context(), req))
	resp, err := auth.RetryUnauthorized(srv.Client(), tokens).Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "Bearer tok-1", req.Header.Get("Authorization"), "the caller's request was modified")
	assert.Nil(t, req.GetBody)
}
