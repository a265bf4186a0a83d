package retry_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/retry"
)

// seen is one request as the test server received it.
type seen struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// script is a test server that answers its n-th request (from 0) with answers[n], repeating
// the last answer once the list runs out, and records every request.
type script struct {
	srv     *httptest.Server
	answers []func(w http.ResponseWriter, r *http.Request)

	mu    sync.Mutex
	seen  []seen
	conns int // connections opened
}

func newScript(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) *script {
	t.Helper()
	require.NotEmpty(t, answers)
	s := &script{answers: answers}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	s.answers[min(n, len(s.answers)-1)](w, r)
}

func (s *script) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

func (s *script) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// client returns a client of its own that follows no redirects, as the facades' do.
func (s *script) client(t *testing.T) *http.Client {
	t.Helper()
	c := &http.Client{
		Transport:     &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// status answers with code and body.
func status(code int, body string, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// observed collects what Policy.Observe reports.
type observed struct {
	mu       sync.Mutex
	attempts []retry.Attempt
}

func (o *observed) observe(a retry.Attempt) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, a)
}

func (o *observed) all() []retry.Attempt {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]retry.Attempt(nil), o.attempts...)
}

// waits lists the waits of the attempts that were retried.
func (o *observed) waits() []time.Duration {
	var ws []time.Duration
	for _, a := range o.all() {
		if a.Retry {
			ws = append(ws, a.Wait)
		}
	}
	return ws
}

// last is the final attempt.
func (o *observed) last(t *testing.T) retry.Attempt {
	t.Helper()
	all := o.all()
	require.NotEmpty(t, all)
	return all[len(all)-1]
}

// fakeTime is a clock that only moves when the retrier waits, so that waits and budgets are
// checked exactly and without waiting.
type fakeTime struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2026, 10, 21, 7, 28, 0, 0, time.UTC)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	return nil
}

// policy returns p on the fake clock, observed by o.
func (f *fakeTime) policy(p retry.Policy, o *observed) retry.Policy {
	p.Observe = o.observe
	return retry.WithClock(p, f.Now, f.Sleep)
}

// noGoroutineLeaks fails the test when, at its end, more goroutines run than at its start.
// Helpers of net/http may take a moment to exit once connections close, so it waits a little.
func noGoroutineLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines at the end, %d at the start:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
}
