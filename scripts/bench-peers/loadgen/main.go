// Command loadgen drives the peer comparison of `make bench-peers` (scripts/bench-peers/run.sh):
// the same MoMo request-to-pay + status load against the paykit sandbox and the Prism mock
// server, a check of which flows each server can run, paykit's wired client under the same
// load as the Node mtn-momo SDK, and a counting proxy that tells how many tokens a client
// fetched. It talks to loopback addresses only, and every run is bounded in time.
//
//	loadgen creds   -base URL                      shell exports of the sandbox's test credentials
//	loadgen load    -base URL [-root] [flags]      hand-written MoMo load: requests/s, p50, p99
//	loadgen paykit  -base URL [flags]              the same flows through momo.New's default client
//	loadgen flows   -base URL [-root]              which flows the server can run
//	loadgen proxy   -listen ADDR -target URL       count requests (GET /_count) and pass them on
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/internal/bench"
	"github.com/paykit-go/paykit/momo"
)

// Test numbers of the MoMo sandbox: any number not in its table succeeds; this one makes
// the payer reject.
const (
	payerOK     = "46733000001"
	payerReject = "46733123451"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen creds|load|paykit|flows|proxy [flags]")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "creds":
		err = creds(args)
	case "load", "paykit":
		err = load(cmd, args)
	case "flows":
		err = flows(args)
	case "proxy":
		err = proxy(args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// target is the server and credentials the flows use.
type target struct {
	base, key, apiUser, apiKey string
	root                       bool
}

func (t *target) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.base, "base", "", "base URL of the server (loopback)")
	fs.BoolVar(&t.root, "root", false, "the server serves the collection document at its root (Prism)")
	fs.StringVar(&t.key, "key", "bench-collection-key", "collection subscription key")
	fs.StringVar(&t.apiUser, "api-user", "5f2c5ac1-8a31-4f6b-9a8e-1f2d3c4b5a60", "API user id")
	fs.StringVar(&t.apiKey, "api-key", "bench-api-key", "API key")
}

func (t *target) check() error {
	u, err := url.Parse(t.base)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-base %q: want an http URL", t.base)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-base %q: load goes to loopback addresses only", t.base)
	}
	return nil
}

// client returns an HTTP client with enough idle connections for every worker: the load
// tool must not be what limits a server.
func client(workers int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 0, workers
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

func (t *target) raw(workers int) (*bench.MoMoRaw, error) {
	m := &bench.MoMoRaw{Client: client(workers), BaseURL: t.base, AtRoot: t.root, SubscriptionKey: t.key}
	return m, m.FetchToken(context.Background(), t.apiUser, t.apiKey)
}

// creds prints the sandbox's MoMo test credentials as shell assignments.
func creds(args []string) error {
	fs := flag.NewFlagSet("creds", flag.ExitOnError)
	var t target
	t.flags(fs)
	_ = fs.Parse(args)
	if err := t.check(); err != nil {
		return err
	}
	resp, err := http.Get(strings.TrimRight(t.base, "/") + "/_sandbox/credentials")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var c struct {
		MoMo struct {
			SubscriptionKeys struct {
				Collection string `json:"collection"`
			} `json:"subscriptionKeys"`
			APIUser string `json:"apiUser"`
			APIKey  string `json:"apiKey"`
		} `json:"momo"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return fmt.Errorf("GET /_sandbox/credentials: %w", err)
	}
	fmt.Printf("MOMO_KEY=%s\nMOMO_API_USER=%s\nMOMO_API_KEY=%s\n", c.MoMo.SubscriptionKeys.Collection, c.MoMo.APIUser, c.MoMo.APIKey)
	return nil
}

// report is one load run, printed as a JSON line for the script.
type report struct {
	Name     string  `json:"name"`
	Workers  int     `json:"workers"`
	Flows    int     `json:"flows"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	FirstErr string  `json:"firstError,omitempty"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50ms"`
	P99ms    float64 `json:"p99ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// load runs request-to-pay + status flows: hand-written ("load") or through paykit's
// default wired client ("paykit").
func load(cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var t target
	t.flags(fs)
	name := fs.String("name", cmd, "name of the run in the report")
	workers := fs.Int("workers", 64, "goroutines making calls at once")
	flows := fs.Int("flows", 0, "flows to run (0: until -duration)")
	duration := fs.Duration("duration", 10*time.Second, "longest the run may take")
	_ = fs.Parse(args)
	if err := t.check(); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 5*time.Minute {
		return errors.New("-duration: want a bound between 0 and 5m")
	}
	plan := bench.Plan{Workers: *workers, Flows: *flows, Duration: *duration}

	var flow func(ctx context.Context, n int, c *bench.Calls)
	switch cmd {
	case "load":
		m, err := t.raw(*workers)
		if err != nil {
			return err
		}
		flow = func(ctx context.Context, _ int, c *bench.Calls) {
			ref := uuid.NewString()
			if c.Do(func() error { return m.RequestToPay(ctx, ref, payerOK, "") }) != nil {
				return
			}
			_ = c.Do(func() error { _, err := m.Status(ctx, ref); return err })
		}
	default:
		if t.root {
			return errors.New("paykit: the wired client calls the gateway's paths (/collection/...); -root does not apply")
		}
		c, err := momo.New(momo.Config{
			BaseURL:          t.base,
			SubscriptionKeys: momoauth.SubscriptionKeys{Collection: auth.Secret(t.key)},
			APIUser:          momoauth.APIUser{ID: t.apiUser, Key: auth.Secret(t.apiKey)},
		})
		if err != nil {
			return err
		}
		flow = func(ctx context.Context, _ int, calls *bench.Calls) {
			ref := uuid.New()
			if calls.Do(func() error { return typedRTP(ctx, c.Collection, ref) }) != nil {
				return
			}
			_ = calls.Do(func() error { return typedStatus(ctx, c.Collection, ref) })
		}
	}
	res := bench.Run(plan, flow)
	rep := report{
		Name: *name, Workers: *workers, Flows: res.Flows, Requests: res.Requests, Errors: res.Errors,
		Seconds: res.Elapsed.Seconds(), RPS: res.PerSecond(), P50ms: ms(res.P50), P99ms: ms(res.P99),
	}
	if res.FirstErr != nil {
		rep.FirstErr = res.FirstErr.Error()
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}

func typedRTP(ctx context.Context, c *collection.ClientWithResponses, ref uuid.UUID) error {
	res, err := c.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "order-" + ref.String()[:8],
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payerOK},
		PayerMessage: "Order " + ref.String()[:8], PayeeNote: "Order " + ref.String()[:8],
	})
	if err != nil {
		return err
	}
	if res.StatusCode() != http.StatusAccepted {
		return fmt.Errorf("request to pay: HTTP %d: %.200s", res.StatusCode(), res.Body)
	}
	return nil
}

func typedStatus(ctx context.Context, c *collection.ClientWithResponses, ref uuid.UUID) error {
	res, err := c.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
	if err != nil {
		return err
	}
	if res.JSON200 == nil {
		return fmt.Errorf("status: HTTP %d: %.200s", res.StatusCode(), res.Body)
	}
	return nil
}

// flows checks, against one server, the behaviours a load test of a payment service
// leans on, and prints them as a JSON object of yes/no answers with what was seen.
func flows(args []string) error {
	fs := flag.NewFlagSet("flows", flag.ExitOnError)
	var t target
	t.flags(fs)
	wait := fs.Duration("wait", 4*time.Second, "how long to wait for a state change or a callback")
	_ = fs.Parse(args)
	if err := t.check(); err != nil {
		return err
	}
	m, err := t.raw(4)
	if err != nil {
		return err
	}
	ctx := context.Background()
	out := map[string]string{}

	// A receiver on loopback for callbacks; MoMo wants the callback host the API user was
	// created with, which is localhost for the sandbox's ready-made user.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	got := make(chan string, 16)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		select {
		case got <- r.Method + " " + string(body):
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	cb := fmt.Sprintf("http://localhost:%d/momo/callback", ln.Addr().(*net.TCPAddr).Port)

	// Stateful: an unknown reference is not found, and a payment moves from PENDING to
	// its final state.
	unknown, err := m.Status(ctx, uuid.NewString())
	switch {
	case err != nil && strings.Contains(err.Error(), "HTTP 404"):
		out["unknownReference404"] = "yes"
	case err != nil:
		out["unknownReference404"] = "no: " + err.Error()
	default:
		out["unknownReference404"] = "no: 200 with status " + unknown.Status
	}
	ref := uuid.NewString()
	if err := m.RequestToPay(ctx, ref, payerOK, cb); err != nil {
		return err
	}
	var seen []string
	deadline := time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		st, err := m.Status(ctx, ref)
		if err != nil {
			return err
		}
		if len(seen) == 0 || seen[len(seen)-1] != st.Status {
			seen = append(seen, st.Status)
		}
		if st.Status == "SUCCESSFUL" || st.Status == "FAILED" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out["statefulTransitions"] = yesNo(len(seen) > 1 && seen[len(seen)-1] == "SUCCESSFUL", strings.Join(seen, " -> "))

	// Callbacks: the final state is delivered to X-Callback-Url.
	select {
	case c := <-got:
		out["callbacks"] = "yes: " + c[:min(len(c), 120)]
	case <-time.After(*wait):
		out["callbacks"] = "no: nothing delivered in " + wait.String()
	}

	// Test numbers: the reject number ends FAILED with APPROVAL_REJECTED.
	ref = uuid.NewString()
	if err := m.RequestToPay(ctx, ref, payerReject, ""); err != nil {
		return err
	}
	var last string
	deadline = time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		st, err := m.Status(ctx, ref)
		if err != nil {
			return err
		}
		last = st.Status
		if st.Reason.Code != "" {
			last += " " + st.Reason.Code
		}
		if st.Status == "FAILED" || st.Status == "SUCCESSFUL" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out["testNumbers"] = yesNo(last == "FAILED APPROVAL_REJECTED", payerReject+" -> "+last)

	// Validation: a request that breaks the document is refused with a 400.
	bad := &bench.MoMoRaw{Client: m.Client, BaseURL: m.BaseURL, AtRoot: m.AtRoot, SubscriptionKey: m.SubscriptionKey, Token: m.Token}
	err = bad.RequestToPay(ctx, "not-a-uuid-but-long-enough", payerOK, "")
	out["requestValidation"] = yesNo(err != nil && strings.Contains(err.Error(), "HTTP 400"), fmt.Sprint(err))
	return json.NewEncoder(os.Stdout).Encode(out)
}

func yesNo(ok bool, detail string) string {
	if ok {
		return "yes: " + detail
	}
	return "no: " + detail
}

// proxy passes requests on to target and counts them: all, and the token requests
// (POST .../token/). GET /_count answers the counts as JSON; POST /_count/reset zeroes them.
// It stops on SIGINT or SIGTERM, or after -max-time.
func proxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	targetURL := fs.String("target", "", "server to pass requests to (loopback)")
	maxTime := fs.Duration("max-time", 30*time.Minute, "stop after this long in any case")
	_ = fs.Parse(args)
	t := target{base: *targetURL}
	if err := t.check(); err != nil {
		return err
	}
	if h, _, err := net.SplitHostPort(*listen); err != nil || (h != "127.0.0.1" && h != "localhost") {
		return fmt.Errorf("-listen %q: want a loopback address", *listen)
	}
	u, _ := url.Parse(*targetURL)
	rp := httputil.NewSingleHostReverseProxy(u)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, 256
	rp.Transport = tr

	var mu sync.Mutex
	var all, tokens atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_count" && r.Method == http.MethodGet:
			mu.Lock()
			defer mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]int64{"requests": all.Load(), "tokenFetches": tokens.Load()})
			return
		case r.URL.Path == "/_count/reset" && r.Method == http.MethodPost:
			all.Store(0)
			tokens.Store(0)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		all.Add(1)
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token/") && !strings.HasSuffix(r.URL.Path, "/oauth2/token/") {
			tokens.Add(1)
		}
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
