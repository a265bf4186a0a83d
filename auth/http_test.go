package auth_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

// boundedClient is DefaultHTTPClient with a short bound, for the tests that reach it.
func boundedClient(d time.Duration) *http.Client {
	c := auth.DefaultHTTPClient()
	c.Transport.(*auth.TimeoutTransport).Timeout = d
	return c
}

func TestTimeoutTransportBoundsTheWaitForAnAnswer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	start := time.Now()
	_, err := boundedClient(100 * time.Millisecond).Get(srv.URL)
	require.Error(t, err)
	assert.Less(t, time.Since(start), waitTimeout)
	assert.ErrorContains(t, err, "no answer within the client's timeout of 100ms")
	var ne net.Error
	require.ErrorAs(t, err, &ne, "a timeout the retry package counts as a lost attempt")
	assert.True(t, ne.Timeout())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestTimeoutTransportBoundsTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "the start")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	}))
	defer srv.Close()

	resp, err := boundedClient(150 * time.Millisecond).Get(srv.URL)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	_, err = io.ReadAll(resp.Body)
	require.Error(t, err)
	assert.ErrorContains(t, err, "no answer within the client's timeout of 150ms")
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

// A caller's own deadline or cancellation is reported as the caller's, not as the bound.
func TestTimeoutTransportLeavesTheCallersDeadlineAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	c := boundedClient(time.Hour)

	for name, ctxOf := range map[string]func() (context.Context, context.CancelFunc){
		"deadline": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		},
		"cancel": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := ctxOf()
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			_, err = c.Do(req)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "client's timeout")
			assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled), err.Error())
		})
	}
}

// recordingRoundTripper answers at once and keeps the context each request was sent with.
type recordingRoundTripper struct {
	ctx    context.Context
	closed atomic.Int32
}

func (r *recordingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	r.ctx = req.Context()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

func (r *recordingRoundTripper) CloseIdleConnections() { r.closed.Add(1) }

// The context made for the bound lives until the body is closed, and no longer.
func TestTimeoutTransportEndsTheContextWithTheBody(t *testing.T) {
	base := &recordingRoundTripper{}
	c := &http.Client{Transport: &auth.TimeoutTransport{Base: base, Timeout: time.Minute}}
	resp, err := c.Get("http://gateway.test/x")
	require.NoError(t, err)
	dl, ok := base.ctx.Deadline()
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(time.Minute), dl, 5*time.Second)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(body))
	assert.NoError(t, base.ctx.Err(), "still open while the body is")
	require.NoError(t, resp.Body.Close())
	assert.ErrorIs(t, base.ctx.Err(), context.Canceled, "ended with the body")

	c.CloseIdleConnections()
	assert.Equal(t, int32(1), base.closed.Load(), "reaches the base transport")
}

// A caller's deadline sooner than the bound, or no bound at all: nothing is added.
func TestTimeoutTransportAddsNothingWhenNotNeeded(t *testing.T) {
	base := &recordingRoundTripper{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://gateway.test/x", nil)
	require.NoError(t, err)
	for _, tr := range []*auth.TimeoutTransport{{Base: base, Timeout: time.Minute}, {Base: base}} {
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.Same(t, ctx, base.ctx)
		require.NoError(t, resp.Body.Close())
	}
}
