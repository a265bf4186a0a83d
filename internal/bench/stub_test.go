package bench_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Canned answers of the stub MoMo gateway: a token, and the status of a settled request to
// pay as the sandbox writes it.
const (
	stubToken      = `{"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSMjU2In0.stub","token_type":"access_token","expires_in":3600}`
	stubStatusJSON = `{"amount":"100","currency":"EUR","financialTransactionId":"1234567890","externalId":"order-17","payer":{"partyIdType":"MSISDN","partyId":"46733000001"},"payerMessage":"Order 17","payeeNote":"Order 17","status":"SUCCESSFUL"}`
)

// Credentials the benchmark clients send to the stub, which does not check them: the stub
// stands for a server whose own cost is the same for every client measured.
const (
	stubKey     = "bench-collection-key"
	stubAPIUser = "5f2c5ac1-8a31-4f6b-9a8e-1f2d3c4b5a60"
	stubAPIKey  = "bench-api-key"
	stubPayer   = "46733000001"
)

// stubMoMo answers the three calls of the flow with canned bodies and as little work as an
// HTTP handler can do, so that what the benchmarks compare is the clients.
type stubMoMo struct {
	tokens atomic.Int64 // token requests served
}

func (s *stubMoMo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token/"):
		s.tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, stubToken)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/requesttopay"):
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/requesttopay/"):
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, stubStatusJSON)
	default:
		http.NotFound(w, r)
	}
}

// loopbackStub serves a stub MoMo gateway on 127.0.0.1, over TLS with useTLS, and counts the
// connections clients open to it.
func loopbackStub(tb testing.TB, useTLS bool) (*httptest.Server, *stubMoMo, *atomic.Int64) {
	tb.Helper()
	stub := &stubMoMo{}
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(stub)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	if useTLS {
		srv.StartTLS() // HTTP/1.1 over TLS: httptest offers HTTP/2 only when asked
	} else {
		srv.Start()
	}
	tb.Cleanup(srv.Close)
	return srv, stub, &conns
}

// memoryTransport answers like the stub without a network or a server: with it, a
// benchmark measures the client side of a call alone.
type memoryTransport struct {
	stub stubMoMo
}

func (m *memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	resp := &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Request: req, Body: http.NoBody,
	}
	switch {
	case req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/token/"):
		m.stub.tokens.Add(1)
		resp.Header.Set("Content-Type", "application/json")
		resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(stubToken)), int64(len(stubToken))
	case req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/requesttopay"):
		resp.Status, resp.StatusCode = "202 Accepted", http.StatusAccepted
	case req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/requesttopay/"):
		resp.Header.Set("Content-Type", "application/json")
		resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(stubStatusJSON)), int64(len(stubStatusJSON))
	default:
		resp.Status, resp.StatusCode = "404 Not Found", http.StatusNotFound
	}
	return resp, nil
}

func bytesReader(b []byte) io.Reader {
	if b == nil {
		return http.NoBody
	}
	return bytes.NewReader(b)
}

func readAll(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}
