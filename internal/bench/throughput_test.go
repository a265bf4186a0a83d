package bench_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"runtime"
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

// throughputChunk is how many flows a client runs before the next client takes over: small
// enough that each client sees the machine as it is at the moment (its speed drifts by 10 %
// and more over a minute), large enough that a slice is mostly load rather than start and end.
const throughputChunk = 1000

// loadClient is one way of making the request-to-pay + status flows.
type loadClient struct {
	name string
	flow func(ctx context.Context, n int, calls *bench.Calls)
}

// rawClient is the flow written by hand with net/http: the transport tuned or net/http's
// default, and the client with the 30 s timeout a careful hand-written client sets (through
// http.Client.Timeout) or none. tlsConf, when set, is the test server's TLS configuration.
func rawClient(b *testing.B, name, baseURL string, tlsConf *tls.Config, tuned, timeout bool) loadClient {
	t := rawTransport(tuned)
	t.TLSClientConfig = tlsConf
	b.Cleanup(t.CloseIdleConnections)
	hc := &http.Client{Transport: t}
	if timeout {
		hc.Timeout = 30 * time.Second
	}
	raw := &bench.MoMoRaw{Client: hc, BaseURL: baseURL, SubscriptionKey: stubKey}
	if err := raw.FetchToken(context.Background(), stubAPIUser, stubAPIKey); err != nil {
		b.Fatal(err)
	}
	return loadClient{name: name, flow: func(ctx context.Context, _ int, calls *bench.Calls) {
		ref := uuid.NewString()
		_ = calls.Do(func() error { return raw.RequestToPay(ctx, ref, stubPayer, "") })
		_ = calls.Do(func() error { _, err := raw.Status(ctx, ref); return err })
	}}
}

// typedClient is the flow through a generated client.
func typedClient(name string, c *collection.ClientWithResponses) loadClient {
	return loadClient{name: name, flow: func(ctx context.Context, _ int, calls *bench.Calls) {
		ref := uuid.New()
		_ = calls.Do(func() error { return typedRTP(ctx, c, ref) })
		_ = calls.Do(func() error { return typedStatus(ctx, c, ref) })
	}}
}

// paykitHTTPClient is paykit's default HTTP client, made to trust the test server's
// certificate when tlsConf is set (the one change a test against HTTPS needs).
func paykitHTTPClient(b *testing.B, tlsConf *tls.Config) *http.Client {
	hc := momoauth.DefaultHTTPClient()
	hc.Transport.(*auth.TimeoutTransport).Base.(*http.Transport).TLSClientConfig = tlsConf
	b.Cleanup(hc.CloseIdleConnections)
	return hc
}

// BenchmarkThroughput has 64 goroutines make request-to-pay + status flows against a stub
// gateway on loopback (b.N flows in all) with each client: paykit's default wired client
// (also without request validation, and the generated client with the auth editors alone,
// to show each layer's share), and the same flows written by hand with net/http, with its
// default transport (2 idle connections per host) and with a transport tuned for 64
// goroutines, both with a 30 s http.Client.Timeout, and the tuned one without it. It does so
// over plain HTTP (http/...) and, for paykit and the two baselines, over TLS (https/...),
// which is how the real gateways are reached: there every connection the default transport
// cannot keep costs a handshake.
//
// Each client runs its flows in slices of throughputChunk, taking turns with the two
// baselines (the hand-written client on the tuned and on the default transport), so that
// the ratios x-tuned and x-default compare runs made on the same machine at the same time.
// It reports req/s, p50-ms and p99-ms of single requests, conns (connections the client
// opened), allocs/flow (the whole process's, so the stub server's too) and the two ratios of
// requests per second. Run it without -benchmem: B/op and allocs/op would count the
// baselines' slices too.
func BenchmarkThroughput(b *testing.B) {
	for _, scheme := range []string{"http", "https"} {
		b.Run(scheme, func(b *testing.B) { throughput(b, scheme == "https") })
	}
}

func throughput(b *testing.B, useTLS bool) {
	srv, _, conns := loopbackStub(b, useTLS)
	var tlsConf *tls.Config
	if useTLS {
		tlsConf = srv.Client().Transport.(*http.Transport).TLSClientConfig
	}

	tuned := rawClient(b, "net/http-tuned-transport", srv.URL, tlsConf, true, true)
	deflt := rawClient(b, "net/http-default-transport", srv.URL, tlsConf, false, true)
	clients := []loadClient{}
	for _, v := range []struct {
		name string
		edit func(*momo.Config)
	}{
		{"paykit-default", func(*momo.Config) {}},
		{"paykit-skip-validation", func(c *momo.Config) { c.SkipValidation = true }},
	} {
		if useTLS && v.name != "paykit-default" {
			continue
		}
		cfg := momo.Config{
			BaseURL:          srv.URL,
			SubscriptionKeys: momoauth.SubscriptionKeys{Collection: stubKey},
			APIUser:          momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey},
			HTTPClient:       paykitHTTPClient(b, tlsConf),
		}
		v.edit(&cfg)
		c, err := momo.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, typedClient(v.name, c.Collection))
	}
	if !useTLS {
		hc := paykitHTTPClient(b, nil)
		src, err := momoauth.NewTokenSource(momoauth.SourceConfig{
			BaseURL: srv.URL, Product: momoauth.Collection, SubscriptionKey: stubKey,
			APIUser: momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey}, HTTPClient: hc,
		})
		if err != nil {
			b.Fatal(err)
		}
		edit := auth.Chain(momoauth.SubscriptionKey(stubKey), momoauth.TargetEnvironment(momo.SandboxEnvironment), auth.Bearer(auth.NewCache(src)))
		gc, err := collection.NewClientWithResponses(srv.URL+"/collection", collection.WithHTTPClient(hc), collection.WithRequestEditorFn(edit))
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, typedClient("generated+auth", gc))
	}
	clients = append(clients, deflt, tuned)
	if !useTLS {
		clients = append(clients, rawClient(b, "net/http-tuned-no-client-timeout", srv.URL, nil, true, false))
	}

	for _, c := range clients {
		b.Run(c.name, func(b *testing.B) {
			var mine, withTuned, withDefault []bench.Result
			var opened int64
			var mallocs uint64
			var before, after runtime.MemStats
			for done := 0; done < b.N; done += throughputChunk {
				n := min(throughputChunk, b.N-done)
				connsBefore := conns.Load()
				runtime.ReadMemStats(&before)
				mine = append(mine, bench.Run(bench.Plan{Workers: throughputWorkers, Flows: n}, c.flow))
				runtime.ReadMemStats(&after)
				opened += conns.Load() - connsBefore
				mallocs += after.Mallocs - before.Mallocs
				if c.name != tuned.name {
					withTuned = append(withTuned, bench.Run(bench.Plan{Workers: throughputWorkers, Flows: n}, tuned.flow))
				}
				if c.name != deflt.name {
					withDefault = append(withDefault, bench.Run(bench.Plan{Workers: throughputWorkers, Flows: n}, deflt.flow))
				}
			}
			b.StopTimer()
			res := bench.Combine(mine...)
			reportLoad(b, res)
			b.ReportMetric(float64(opened), "conns")
			b.ReportMetric(float64(mallocs)/float64(res.Flows), "allocs/flow") // the stub server's included
			b.ReportMetric(ratio(res, withTuned), "x-tuned")
			b.ReportMetric(ratio(res, withDefault), "x-default")
		})
	}
}

// ratio is res's requests per second over those of the baseline's slices; 1 when res is
// the baseline.
func ratio(res bench.Result, baseline []bench.Result) float64 {
	if len(baseline) == 0 {
		return 1
	}
	base := bench.Combine(baseline...)
	if base.Errors > 0 {
		panic(fmt.Sprintf("baseline: %d requests failed, first: %v", base.Errors, base.FirstErr))
	}
	return res.PerSecond() / base.PerSecond()
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
