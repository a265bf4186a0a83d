package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/internal/bench"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/sandbox"
)

// handlerTransport sends requests straight to a handler in the same process: with it, a
// benchmark measures the sandbox's work on a request without a network in between.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Header.Get("Content-Length") == "" {
		// On the wire, a POST always carries its length; the server sees it as a header.
		req = req.Clone(req.Context())
		req.Header.Set("Content-Length", strconv.FormatInt(max(req.ContentLength, 0), 10))
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// sandboxClients returns the hand-written MoMo and Vipps clients of the sandbox at base,
// sending with hc, holding tokens.
func sandboxClients(tb testing.TB, sb *sandbox.Sandbox, hc *http.Client, base string) (*bench.MoMoRaw, *bench.VippsRaw) {
	tb.Helper()
	creds := sb.Credentials()
	ctx := context.Background()
	m := &bench.MoMoRaw{Client: hc, BaseURL: base, SubscriptionKey: creds.MoMo.SubscriptionKeys.Collection.Reveal()}
	require.NoError(tb, m.FetchToken(ctx, creds.MoMo.APIUser.ID, creds.MoMo.APIUser.Key.Reveal()))
	v := &bench.VippsRaw{
		Client: hc, BaseURL: base,
		ClientID:        creds.Vipps.Merchant.ClientID,
		ClientSecret:    creds.Vipps.Merchant.ClientSecret.Reveal(),
		SubscriptionKey: creds.Vipps.Merchant.SubscriptionKey.Reveal(),
		MSN:             creds.Vipps.MerchantMSN,
	}
	require.NoError(tb, v.FetchToken(ctx))
	return m, v
}

// newSandbox returns a sandbox with the settings `paykit sandbox` starts with.
func newSandbox(tb testing.TB) *sandbox.Sandbox {
	tb.Helper()
	sb, err := sandbox.New()
	require.NoError(tb, err)
	tb.Cleanup(sb.Close)
	return sb
}

// vippsRef returns an ePayment reference for flow n of a run.
func vippsRef(run string, n int) string {
	return "bench-" + run + "-" + strconv.Itoa(n) + "-" + uuid.NewString()[:8]
}

// The flows the sandbox benchmarks time work against the sandbox, end to end.
func TestSandboxFlows(t *testing.T) {
	sb := newSandbox(t)
	srv := httptest.NewServer(sb)
	defer srv.Close()
	m, v := sandboxClients(t, sb, srv.Client(), srv.URL)
	ctx := context.Background()

	ref := uuid.NewString()
	require.NoError(t, m.RequestToPay(ctx, ref, stubPayer, ""))
	st, err := m.Status(ctx, ref)
	require.NoError(t, err)
	require.Contains(t, []string{"PENDING", "SUCCESSFUL"}, st.Status)

	vref := vippsRef("test", 0)
	_, err = v.CreatePayment(ctx, vref, uuid.NewString())
	require.NoError(t, err)
	p, err := v.GetPayment(ctx, vref)
	require.NoError(t, err)
	require.Equal(t, "CREATED", p.State)
}

// BenchmarkSandboxHandler measures the sandbox's work on each request of the two flows,
// in process (no network; the hand-written client's own cost, a few µs, is included), with
// request validation on as always. contract-validate is the validation alone, on the same
// requests, to show its share.
func BenchmarkSandboxHandler(b *testing.B) {
	sb := newSandbox(b)
	hc := &http.Client{Transport: handlerTransport{sb}}
	m, v := sandboxClients(b, sb, hc, "http://sandbox.invalid")
	ctx := context.Background()

	b.Run("momo-requesttopay", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := m.RequestToPay(ctx, uuid.NewString(), stubPayer, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("momo-status", func(b *testing.B) {
		ref := uuid.NewString()
		require.NoError(b, m.RequestToPay(ctx, ref, stubPayer, ""))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Status(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vipps-create", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n++
			if _, err := v.CreatePayment(ctx, vippsRef("h", n), uuid.NewString()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vipps-get", func(b *testing.B) {
		ref := vippsRef("get", 0)
		_, err := v.CreatePayment(ctx, ref, uuid.NewString())
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.GetPayment(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
	})

	// The same requests, captured on their way to the sandbox, through the validator alone.
	val, err := contract.New(api.FS(), sandboxDocuments()...)
	require.NoError(b, err)
	reqs := captureRequests(b, m, v)
	for _, name := range []string{"momo-requesttopay", "momo-status", "vipps-create", "vipps-get"} {
		c := reqs[name]
		b.Run("contract-validate/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := c.replay(ctx)
				if err := val.ValidateRequest(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sandboxDocuments are the documents the sandbox validates requests against.
func sandboxDocuments() []string {
	var docs []string
	for _, d := range append(append([]string(nil), api.MoMo...), api.Vipps...) {
		if d != "momo/callback.yaml" && d != "vipps/merchant.yaml" {
			docs = append(docs, d)
		}
	}
	return docs
}

// captured is a request as a client sent it, to be sent again.
type captured struct {
	method, url string
	header      http.Header
	body        []byte
}

func (c captured) replay(ctx context.Context) *http.Request {
	req := httptest.NewRequestWithContext(ctx, c.method, c.url, bytesReader(c.body))
	req.Header = c.header.Clone()
	return req
}

// captureRequests records one request of each kind the flows send.
func captureRequests(tb testing.TB, m *bench.MoMoRaw, v *bench.VippsRaw) map[string]captured {
	tb.Helper()
	out := map[string]captured{}
	var last captured
	rec := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body = readAll(req.Body)
		}
		last = captured{method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: body}
		return &http.Response{StatusCode: http.StatusTeapot, Body: http.NoBody, Header: http.Header{}}, nil
	})}
	mc, vc := *m, *v
	mc.Client, vc.Client = rec, rec
	ctx := context.Background()
	ref := uuid.NewString()
	_ = mc.RequestToPay(ctx, ref, stubPayer, "")
	out["momo-requesttopay"] = last
	_, _ = mc.Status(ctx, ref)
	out["momo-status"] = last
	_, _ = vc.CreatePayment(ctx, vippsRef("cap", 0), uuid.NewString())
	out["vipps-create"] = last
	_, _ = vc.GetPayment(ctx, vippsRef("cap", 1))
	out["vipps-get"] = last
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// BenchmarkSandbox loads the sandbox on loopback from 64 goroutines with a hand-written
// client on a tuned transport (the cheapest client, so that the figures are the sandbox's):
// MoMo request-to-pay + status, and Vipps ePayment create + get, b.N flows each. It reports
// req/s, p50-ms and p99-ms of single requests. The default sandbox is the one `paykit
// sandbox` starts (MoMo results after 1 s); momo-delay-0 makes MoMo results final at once,
// which shows what the sandbox's pending transactions cost it under load.
func BenchmarkSandbox(b *testing.B) {
	for _, v := range []struct {
		name string
		opts []sandbox.Option
	}{{"default", nil}, {"momo-delay-0", []sandbox.Option{sandbox.WithMoMoDelay(0)}}} {
		b.Run(v.name, func(b *testing.B) {
			sb, err := sandbox.New(v.opts...)
			require.NoError(b, err)
			defer sb.Close()
			srv := httptest.NewUnstartedServer(sb)
			srv.Config.ReadHeaderTimeout = 10 * time.Second
			srv.Start()
			defer srv.Close()
			t := rawTransport(true)
			defer t.CloseIdleConnections()
			m, vp := sandboxClients(b, sb, &http.Client{Transport: t, Timeout: 30 * time.Second}, srv.URL)

			b.Run("momo-requesttopay+status", func(b *testing.B) {
				b.ResetTimer()
				res := bench.Run(bench.Plan{Workers: throughputWorkers, Flows: b.N}, func(ctx context.Context, _ int, c *bench.Calls) {
					ref := uuid.NewString()
					_ = c.Do(func() error { return m.RequestToPay(ctx, ref, stubPayer, "") })
					_ = c.Do(func() error { _, err := m.Status(ctx, ref); return err })
				})
				b.StopTimer()
				reportLoad(b, res)
			})
			if v.opts != nil {
				return // the MoMo delay does not touch Vipps
			}
			b.Run("vipps-create+get", func(b *testing.B) {
				b.ResetTimer()
				res := bench.Run(bench.Plan{Workers: throughputWorkers, Flows: b.N}, func(ctx context.Context, n int, c *bench.Calls) {
					ref := vippsRef("load", n)
					_ = c.Do(func() error { _, err := vp.CreatePayment(ctx, ref, uuid.NewString()); return err })
					_ = c.Do(func() error { _, err := vp.GetPayment(ctx, ref); return err })
				})
				b.StopTimer()
				reportLoad(b, res)
			})
		})
	}
}
