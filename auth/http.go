package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds every call of the default client, token calls included.
const DefaultTimeout = 30 * time.Second

// DefaultHTTPClient returns a client fit for concurrent use against the payment APIs: a
// timeout on every call, enough idle connections per host to serve many goroutines without
// reconnecting, and no redirects. Neither family redirects a valid call (MoMo redirects
// /token to an internal address), and a client that followed one would resend credential
// headers that net/http does not strip the way it strips Authorization.
//
// The timeout is kept by a TimeoutTransport rather than http.Client.Timeout, whose timer and
// cancellation machinery cost a bare round trip 18 allocations and ~1.9 µs, against 6 and
// ~0.75 µs for the transport (BenchmarkClientTimeout in internal/bench, BENCHMARKS.md).
func DefaultHTTPClient() *http.Client {
	return &http.Client{
		Transport: &TimeoutTransport{Base: NewTransport(), Timeout: DefaultTimeout},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// TimeoutTransport bounds every round trip through Base, from sending the request to
// closing the answer's body, as http.Client.Timeout does, but with nothing more than one
// context per request. A caller's deadline that comes sooner is left to work alone.
// Reaching the bound is an error that says so and is a net.Error with Timeout() true, so
// that the retry package treats it as the lost attempt it is.
type TimeoutTransport struct {
	// Base sends the requests; DefaultHTTPClient's is a *http.Transport from NewTransport.
	Base http.RoundTripper
	// Timeout is the bound; zero or less means none.
	Timeout time.Duration
}

// RoundTrip sends req through Base within the bound.
func (t *TimeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if dl, ok := ctx.Deadline(); t.Timeout <= 0 || (ok && time.Until(dl) <= t.Timeout) {
		return t.Base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	resp, err := t.Base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timedOut := ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil
		cancel()
		if timedOut {
			return nil, &timeoutError{after: t.Timeout, err: err}
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, ctx: ctx, caller: req.Context(), after: t.Timeout, cancel: cancel}
	return resp, nil
}

// CloseIdleConnections closes Base's idle connections, so that http.Client's method of the
// same name still reaches them.
func (t *TimeoutTransport) CloseIdleConnections() {
	if c, ok := t.Base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// cancelOnClose ends a request's context once its answer has been read and closed, and
// says so when the bound cut the reading short.
type cancelOnClose struct {
	io.ReadCloser
	ctx, caller context.Context
	after       time.Duration
	cancel      context.CancelFunc
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.ctx.Err() == context.DeadlineExceeded && b.caller.Err() == nil {
		err = &timeoutError{after: b.after, err: err}
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// timeoutError reports a round trip cut off by TimeoutTransport.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within the client's timeout of %s: %v", e.after, e.err)
}
func (e *timeoutError) Unwrap() error   { return e.err }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// NewTransport returns the transport DefaultHTTPClient uses: net/http's defaults (proxy from
// the environment, dial and TLS timeouts, HTTP/2) with room for 128 idle connections per host
// instead of 2, which would make a busy service open and close a connection on almost every
// call.
func NewTransport() *http.Transport {
	var t *http.Transport
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		t = def.Clone()
	} else {
		// Something replaced the default; start from the same settings it had.
		t = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ForceAttemptHTTP2:     true,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.ResponseHeaderTimeout = DefaultTimeout
	return t
}
