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
	"strings"
	"time"

	"github.com/paykit-go/paykit/sandbox"
)

// shutdownGrace is how long a stopping sandbox lets requests under way finish.
const shutdownGrace = 10 * time.Second

// sandboxFlags are the settings of `paykit sandbox`.
type sandboxFlags struct {
	addr           string
	momoDelay      time.Duration
	tokenTTL       time.Duration
	callbackMethod string
	userPolicy     string
	faults         sandbox.Faults
	seed           uint64
}

func sandboxCommand(c *cli) (*flag.FlagSet, usage, func(context.Context) int) {
	var f sandboxFlags
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "`address` to listen on (host:port; port 0 picks a free one)")
	fs.DurationVar(&f.momoDelay, "momo-delay", time.Second, "how long a MoMo transaction stays PENDING before its final state")
	fs.DurationVar(&f.tokenTTL, "token-ttl", time.Hour, "lifetime of the access tokens both families issue")
	fs.StringVar(&f.callbackMethod, "callback-method", http.MethodPost, "`method` of MoMo callbacks: POST (as the real sandbox) or PUT (as documented)")
	fs.StringVar(&f.userPolicy, "user-policy", string(sandbox.UserWaits), "what the simulated Vipps user does with new payments: wait (for the test endpoints), approve or reject")
	fs.Float64Var(&f.faults.Rate500, "fault-500", 0, "share of API requests answered 500 (0 to 1)")
	fs.Float64Var(&f.faults.Rate503, "fault-503", 0, "share of API requests answered 503 (0 to 1)")
	fs.Float64Var(&f.faults.Rate429, "fault-429", 0, "share of API requests answered 429 with Retry-After (0 to 1)")
	fs.DurationVar(&f.faults.RetryAfter, "retry-after", time.Second, "Retry-After of the injected 429s")
	fs.Float64Var(&f.faults.DropRate, "drop-rate", 0, "share of API requests whose connection is closed without an answer (0 to 1)")
	fs.DurationVar(&f.faults.MinLatency, "latency-min", 0, "least latency added to every API request")
	fs.DurationVar(&f.faults.MaxLatency, "latency-max", 0, "most latency added to every API request (uniform between min and max)")
	fs.BoolVar(&f.faults.DuplicateCallbacks, "duplicate-callbacks", false, "deliver every callback and webhook twice")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the fault injector, so that a run can be repeated")
	u := usage{
		synopsis: "[--addr HOST:PORT] [flags]",
		about: `
Serves the simulated MTN MoMo and Vipps MobilePay APIs on one address, for other services'
tests and for 'paykit demo --base-url'. It prints the sandbox's test credentials (test values,
not secrets) and the control endpoint, /_sandbox/, which lists the ledger and the deliveries,
sets faults (GET or PUT /_sandbox/faults) and resets the state (POST /_sandbox/reset).
Stops gracefully on SIGINT or SIGTERM.`,
		notes: `
Faults apply to the API, never to /_sandbox/; the rates together may not exceed 1.
Example:
  paykit sandbox --addr 127.0.0.1:8080 --momo-delay 200ms --fault-503 0.1 --seed 7`,
	}
	return fs, u, func(ctx context.Context) int { return c.sandbox(ctx, f) }
}

// options turns the flags into sandbox options.
func (f sandboxFlags) options() ([]sandbox.Option, error) {
	policy := sandbox.UserPolicy(f.userPolicy)
	switch policy {
	case sandbox.UserWaits, sandbox.UserApproves, sandbox.UserRejects:
	default:
		return nil, fmt.Errorf("--user-policy %q: want wait, approve or reject", f.userPolicy)
	}
	if f.faults.Rate429 == 0 {
		f.faults.RetryAfter = 0 // keep the default out of GET /_sandbox/faults when 429s are off
	}
	return []sandbox.Option{
		sandbox.WithMoMoDelay(f.momoDelay),
		sandbox.WithTokenTTL(f.tokenTTL),
		sandbox.WithCallbackMethod(strings.ToUpper(f.callbackMethod)),
		sandbox.WithUserPolicy(policy),
		sandbox.WithFaults(f.faults),
		sandbox.WithSeed(f.seed),
	}, nil
}

// sandbox serves a sandbox until ctx ends, then shuts it down gracefully.
func (c *cli) sandbox(ctx context.Context, f sandboxFlags) int {
	opts, err := f.options()
	if err == nil {
		var sb *sandbox.Sandbox
		if sb, err = sandbox.New(opts...); err == nil {
			return c.serveSandbox(ctx, sb, f)
		}
	}
	fmt.Fprintf(c.stderr, "paykit sandbox: %s\n", strings.TrimPrefix(err.Error(), "sandbox: "))
	return exitUsage
}

func (c *cli) serveSandbox(ctx context.Context, sb *sandbox.Sandbox, f sandboxFlags) int {
	defer sb.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		fmt.Fprintf(c.stderr, "paykit sandbox: %v\n", err)
		return exitFail
	}
	srv := &http.Server{
		Handler:           sb,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60*time.Second + f.faults.MaxLatency,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	base := "http://" + ln.Addr().String()
	printSandboxInfo(c.stdout, base, sb.Credentials())
	if c.serving != nil {
		c.serving(base)
	}

	select {
	case err := <-served:
		fmt.Fprintf(c.stderr, "paykit sandbox: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	fmt.Fprintln(c.stdout, "paykit sandbox: stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(c.stderr, "paykit sandbox: shutdown: %v\n", err)
		return exitFail
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(c.stderr, "paykit sandbox: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(c.stdout, "paykit sandbox: stopped")
	return exitOK
}

// printSandboxInfo prints where the sandbox listens and its test credentials, as JSON and
// as environment variables for `paykit demo --base-url` and the live tests.
func printSandboxInfo(w io.Writer, base string, creds sandbox.Credentials) {
	fmt.Fprintf(w, "paykit sandbox: MTN MoMo and Vipps MobilePay on %s\n", base)
	fmt.Fprintf(w, "control endpoint: %s/_sandbox/ (ledger, deliveries, faults, reset, credentials)\n\n", base)
	fmt.Fprintln(w, "Test credentials (sandbox test values, also at GET /_sandbox/credentials):")
	b, err := json.MarshalIndent(creds.Reveal(), "", "  ")
	if err == nil {
		fmt.Fprintf(w, "%s\n\n", b)
	}
	msn := creds.Vipps.MerchantMSN
	if len(creds.Vipps.PartnerMSNs) > 0 {
		msn = creds.Vipps.PartnerMSNs[0]
	}
	fmt.Fprintf(w, "For 'paykit demo --base-url %s' and the live tests (Vipps: the partner keys):\n", base)
	for _, kv := range [][2]string{
		{envMoMoBaseURL, base},
		{envMoMoSubscriptionKey, creds.MoMo.SubscriptionKeys.Collection.Reveal()},
		{envMoMoDisbursementKey, creds.MoMo.SubscriptionKeys.Disbursement.Reveal()},
		{envMoMoRemittanceKey, creds.MoMo.SubscriptionKeys.Remittance.Reveal()},
		{envMoMoAPIUser, creds.MoMo.APIUser.ID},
		{envMoMoAPIKey, creds.MoMo.APIUser.Key.Reveal()},
		{envVippsBaseURL, base},
		{envVippsClientID, creds.Vipps.Partner.ClientID},
		{envVippsClientSecret, creds.Vipps.Partner.ClientSecret.Reveal()},
		{envVippsSubscriptionKey, creds.Vipps.Partner.SubscriptionKey.Reveal()},
		{envVippsMSN, msn},
	} {
		fmt.Fprintf(w, "  export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintln(w, "\nStop with Ctrl-C.")
}
