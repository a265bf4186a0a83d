package bench_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/internal/bench"
	"github.com/paykit-go/paykit/momo"
)

// throughputWorkers is the number of goroutines making calls at once.
const throughputWorkers = 64

// reportLoad reports a load run's figures as metrics: requests per second, p50 and p99 of
// single requests in milliseconds, and failed requests; ns/op becomes wall time per flow.
func reportLoad(b *testing.B, res bench.Result) {
	b.Helper()
	if res.Errors > 0 {
		b.Fatalf("%d of %d requests failed, first: %v", res.Errors, res.Requests, res.FirstErr)
	}
	b.ReportMetric(res.PerSecond(), "req/s")
	b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
	if res.Flows > 0 {
		b.ReportMetric(float64(res.Elapsed.Nanoseconds())/float64(res.Flows), "ns/op")
	}
}

// rawTransport returns a copy of net/http's default transport; tuned keeps enough idle
// connections for every worker, which is all the tuning a hand-written client needs here.
func rawTransport(tuned bool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if tuned {
		t.MaxIdleConns = 0 // no limit overall
		t.MaxIdleConnsPerHost = throughputWorkers
	}
	return t
}

// BenchmarkThroughput has 64 goroutines each make request-to-pay + status flows against a
// stub gateway on loopback (b.N flows in all): paykit's default wired client (and without
// request validation, and the generated client with the auth editors alone, to show each
// layer's share), and the same flows written by hand with net/http, with its default
// transport (2 idle connections per host) and with a transport tuned for 64 goroutines. It reports req/s, p50-ms and
// p99-ms of single requests, and conns, the connections opened during the run.
func BenchmarkThroughput(b *testing.B) {
	srv, _, conns := loopbackStub(b)
	ctx := context.Background()

	for _, v := range []struct {
		name string
		edit func(*momo.Config)
	}{
		{"paykit-default", func(*momo.Config) {}},
		{"paykit-skip-validation", func(c *momo.Config) { c.SkipValidation = true }},
	} {
		b.Run(v.name, func(b *testing.B) {
			cfg := momo.Config{
				BaseURL:          srv.URL,
				SubscriptionKeys: momoauth.SubscriptionKeys{Collection: stubKey},
				APIUser:          momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey},
			}
			v.edit(&cfg)
			c, err := momo.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			typedLoad(b, conns, c.Collection)
		})
	}
	b.Run("generated+auth", func(b *testing.B) {
		hc := momoauth.DefaultHTTPClient()
		defer hc.CloseIdleConnections()
		src, err := momoauth.NewTokenSource(momoauth.SourceConfig{
			BaseURL: srv.URL, Product: momoauth.Collection, SubscriptionKey: stubKey,
			APIUser: momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey}, HTTPClient: hc,
		})
		if err != nil {
			b.Fatal(err)
		}
		edit := auth.Chain(momoauth.SubscriptionKey(stubKey), momoauth.TargetEnvironment(momo.SandboxEnvironment), auth.Bearer(auth.NewCache(src)))
		c, err := collection.NewClientWithResponses(srv.URL+"/collection", collection.WithHTTPClient(hc), collection.WithRequestEditorFn(edit))
		if err != nil {
			b.Fatal(err)
		}
		typedLoad(b, conns, c)
	})
	for _, v := range []struct {
		name  string
		tuned bool
	}{{"net/http-default-transport", false}, {"net/http-tuned-transport", true}} {
		b.Run(v.name, func(b *testing.B) {
			t := rawTransport(v.tuned)
			defer t.CloseIdleConnections()
			raw := &bench.MoMoRaw{Client: &http.Client{Transport: t, Timeout: 30 * time.Second}, BaseURL: srv.URL, SubscriptionKey: stubKey}
			if err := raw.FetchToken(ctx, stubAPIUser, stubAPIKey); err != nil {
				b.Fatal(err)
			}
			runLoad(b, conns, func(ctx context.Context, _ int, calls *bench.Calls) {
				ref := uuid.NewString()
				_ = calls.Do(func() error { return raw.RequestToPay(ctx, ref, stubPayer, "") })
				_ = calls.Do(func() error { _, err := raw.Status(ctx, ref); return err })
			})
		})
	}
}

// typedLoad runs the flows through a generated client.
func typedLoad(b *testing.B, conns interface{ Load() int64 }, c *collection.ClientWithResponses) {
	b.Helper()
	runLoad(b, conns, func(ctx context.Context, _ int, calls *bench.Calls) {
		ref := uuid.New()
		_ = calls.Do(func() error { return typedRTP(ctx, c, ref) })
		_ = calls.Do(func() error { return typedStatus(ctx, c, ref) })
	})
}

// runLoad runs b.N flows from 64 goroutines and reports the figures, with the connections
// the run opened.
func runLoad(b *testing.B, conns interface{ Load() int64 }, flow func(context.Context, int, *bench.Calls)) {
	b.Helper()
	before := conns.Load()
	b.ResetTimer()
	res := bench.Run(bench.Plan{Workers: throughputWorkers, Flows: b.N}, flow)
	b.StopTimer()
	reportLoad(b, res)
	b.ReportMetric(float64(conns.Load()-before), "conns")
}

func typedRTP(ctx context.Context, c *collection.ClientWithResponses, ref uuid.UUID) error {
	res, err := c.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, rtpBody(stubPayer))
	if err != nil {
		return err
	}
	if res.StatusCode() != http.StatusAccepted {
		return &statusError{op: "request to pay", got: res.StatusCode(), body: res.Body}
	}
	return nil
}

func typedStatus(ctx context.Context, c *collection.ClientWithResponses, ref uuid.UUID) error {
	res, err := c.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
	if err != nil {
		return err
	}
	if res.JSON200 == nil {
		return &statusError{op: "status", got: res.StatusCode(), body: res.Body}
	}
	return nil
}

// statusError is an answer other than the one a flow expects.
type statusError struct {
	op   string
	got  int
	body []byte
}

func (e *statusError) Error() string {
	return e.op + ": HTTP " + http.StatusText(e.got) + ": " + string(e.body[:min(len(e.body), 200)])
}
