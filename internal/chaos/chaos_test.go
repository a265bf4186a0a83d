package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/apierror"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
)

// Size and pace of the run.
const (
	// soakEnv set to 1 makes the run full size (make soak).
	soakEnv = "PAYKIT_SOAK"
	// smallRun keeps the normal test suite quick; soakRun is the reliability figure.
	smallRun = 400
	soakRun  = 10_000
	// workers is how many goroutines make payments at once.
	workers = 64
	// seed makes the sandbox's faults and the lost answers repeatable, as far as the
	// scheduling of 64 goroutines lets them be.
	seed = 20_240_611

	// momoDelay is how long a request to pay stays PENDING: short, so the run is quick,
	// yet long enough for status reads and callbacks to race the result.
	momoDelay = 20 * time.Millisecond
	// tokenTTL makes both families' tokens expire many times during the run, so that
	// refreshes, and 401s on tokens that expired in flight, happen under load.
	tokenTTL = 2 * time.Second
	// lostAnswerRate is the share of answers the client's transport loses after the
	// server acted (see lossyTransport).
	lostAnswerRate = 0.02

	// paymentDeadline bounds one payment, re-drives included; a payment not final by then
	// is lost.
	paymentDeadline = 3 * time.Minute
	// settleWithin bounds the waits at the end: for the last callbacks, and for the
	// goroutines to wind down once everything is closed.
	settleWithin = 10 * time.Second
	// goroutineQuiet is how long the goroutine count gets to come back to the baseline;
	// after that, goroutineMargin more goroutines than the baseline still count as no leak,
	// since the test framework and the runtime may start a few of their own.
	goroutineQuiet  = 3 * time.Second
	goroutineMargin = 4
)

// chaosFaults are the sandbox's faults for the run: 30 % of requests fail before the API
// sees them, the rest are delayed by up to 50 ms, and callbacks come twice. The sandbox
// rounds Retry-After up to whole seconds, so a 429 asks for 1 s, which the default
// RetryAfterCap (30 s) and MaxElapsed (30 s) honour: about one request in twenty waits 1 s.
var chaosFaults = sandbox.Faults{
	Rate500:            0.10,
	Rate503:            0.10,
	Rate429:            0.05,
	RetryAfter:         time.Second,
	DropRate:           0.05,
	MinLatency:         0,
	MaxLatency:         50 * time.Millisecond,
	DuplicateCallbacks: true,
}

// chaosPolicy is the wired clients' default retry policy, tuned for a 32 % failure rate
// per attempt: 10 attempts make a call fail for good about once in 100,000, and short
// backoffs keep the run quick. The rest (Retry-After honoured up to 30 s, 30 s per call)
// are the defaults.
func chaosPolicy(observe func(retry.Attempt)) retry.Policy {
	return retry.Policy{
		MaxAttempts:    10,
		InitialBackoff: 10 * time.Millisecond,
		MaxBackoff:     200 * time.Millisecond,
		Observe:        observe,
	}
}

// Wait options with fast polling: a MoMo result is final after momoDelay, a Vipps payment
// is authorized as soon as it is created (sandbox.UserApproves).
var (
	momoWait = momo.WaitOptions{
		FirstPoll:   momoDelay,
		MinInterval: 10 * time.Millisecond,
		MaxInterval: 100 * time.Millisecond,
		NotFoundFor: 5 * time.Second,
	}
	vippsWait = vipps.WaitOptions{
		FirstPoll:   time.Millisecond,
		Interval:    20 * time.Millisecond,
		MaxInterval: 200 * time.Millisecond,
		NotFoundFor: 5 * time.Second,
	}
)

// stats counts what happened during the run; everything is updated from many goroutines.
type stats struct {
	attempts        atomic.Int64 // HTTP attempts the retriers made (Policy.Observe)
	retries         atomic.Int64 // attempts followed by another
	alreadyAccepted atomic.Int64 // MoMo 409s on a retry turned into acceptances
	faultAnswers    atomic.Int64 // attempts answered 500, 503 or 429
	networkErrors   atomic.Int64 // attempts that got no answer
	lostAnswers     atomic.Int64 // answers the client's transport lost after the server acted
	redrives        atomic.Int64 // times a caller drove a payment again after a failed call
	conflictOnDrive atomic.Int64 // MoMo creates re-driven and answered 409: the first had arrived
	callbackRepeats atomic.Int64 // MoMo callbacks dropped as repeats by callback.Handler
	panics          atomic.Int64 // panics recovered in the payment goroutines
}

func (s *stats) observe(a retry.Attempt) {
	s.attempts.Add(1)
	if a.Retry {
		s.retries.Add(1)
	}
	if a.AlreadyAccepted {
		s.alreadyAccepted.Add(1)
	}
	switch {
	case a.Err != nil:
		s.networkErrors.Add(1)
	case a.StatusCode == http.StatusInternalServerError, a.StatusCode == http.StatusServiceUnavailable,
		a.StatusCode == http.StatusTooManyRequests:
		s.faultAnswers.Add(1)
	}
}

// Payment families as the ledger names them.
const (
	familyMoMo  = "momo"
	familyVipps = "vipps"
)

// payment is one payment as its caller knows it.
type payment struct {
	index  int
	family string
	// reference is the X-Reference-Id (MoMo) or the ePayment reference (Vipps); key is the
	// idempotency key of the create: the X-Reference-Id again, or the Idempotency-Key.
	reference, key string
	// amount is the amount as the API writes it: a decimal string (MoMo) or minor units.
	amount string
	// status is the final state the caller read: SUCCESSFUL, or AUTHORIZED with captured.
	status   string
	captured int64
	redrives int
	// err is why the payment did not reach its final state; last is the latest failure of
	// a call that was driven again.
	err, last error
}

// done reports whether the caller knows the payment in the final state it must reach.
func (p payment) done() bool {
	switch p.family {
	case familyMoMo:
		return p.err == nil && p.status == "SUCCESSFUL"
	case familyVipps:
		return p.err == nil && p.status == "AUTHORIZED" && strconv.FormatInt(p.captured, 10) == p.amount
	}
	return false
}

func (p payment) String() string {
	s := fmt.Sprintf("#%d %s %s (key %s, amount %s): status %q", p.index, p.family, p.reference, p.key, p.amount, p.status)
	if p.family == familyVipps {
		s += fmt.Sprintf(", captured %d", p.captured)
	}
	if p.redrives > 0 {
		s += fmt.Sprintf(", %d re-drives", p.redrives)
	}
	if p.err != nil {
		s += ": " + p.err.Error()
	}
	if p.last != nil {
		s += " (last failure: " + p.last.Error() + ")"
	}
	return s
}

// payer is what makes the payments: the wired clients and how to reach the callback
// receiver.
type payer struct {
	t            *testing.T
	stats        *stats
	momo         *momo.Clients
	vipps        *vipps.Clients
	callbackBase string // + X-Reference-Id = the X-Callback-Url of a request to pay
	momoWait     momo.WaitOptions
}

// run makes payment i, MoMo for even i and Vipps for odd i. A panic fails the test and the
// payment instead of the whole process.
func (pr *payer) run(ctx context.Context, i int) (p payment) {
	defer func() {
		if r := recover(); r != nil {
			pr.stats.panics.Add(1)
			p.err = fmt.Errorf("panic: %v", r)
			pr.t.Errorf("payment #%d panicked: %v\n%s", i, r, debug.Stack())
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, paymentDeadline)
	defer cancel()
	if i%2 == 0 {
		return pr.payMoMo(ctx, i)
	}
	return pr.payVipps(ctx, i)
}

// payMoMo requests a payment and waits for its final status. The X-Reference-Id is chosen
// once, before the first call, and every drive resends it: a create that failed after its
// retries is sent again, and a 409 RESOURCE_ALREADY_EXIST on such a re-drive means an
// earlier attempt arrived, which is an acceptance.
func (pr *payer) payMoMo(ctx context.Context, i int) payment {
	ref := momo.NewReferenceID()
	p := payment{index: i, family: familyMoMo, reference: ref.String(), key: ref.String(), amount: strconv.Itoa(100 + i%900)}
	callbackURL := pr.callbackBase + ref.String()
	params := &collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: &callbackURL}
	body := common.RequestToPay{
		Amount:       common.Decimal(p.amount),
		Currency:     "EUR",
		ExternalId:   "chaos-" + strconv.Itoa(i),
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: fmt.Sprintf("4673300%04d", i%10_000)}, // outside the test values: succeeds
		PayerMessage: "chaos test",
		PayeeNote:    "chaos test",
	}

	accepted := false
	for drive := 0; ; drive++ {
		if !pr.redrive(ctx, &p, drive) {
			return p
		}
		if !accepted {
			_, err := apierror.Check(pr.momo.Collection.RequestToPayWithResponse(ctx, params, body))
			var apiErr *apierror.Error
			switch {
			case err == nil: // 202, or the retrier's acceptance of a 409 on a retry
			case drive > 0 && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict &&
				apiErr.Code == apierror.MoMoResourceAlreadyExist:
				pr.stats.conflictOnDrive.Add(1)
			case errors.As(err, &apiErr) && !apiErr.Temporary():
				p.err = fmt.Errorf("request to pay: %w", err)
				return p
			default:
				p.last = fmt.Errorf("request to pay: %w", err)
				continue
			}
			accepted = true
		}
		res, err := momo.WaitRequestToPay(ctx, pr.momo, ref, pr.momoWait)
		if err != nil {
			if errors.Is(err, momo.ErrNotVisible) {
				accepted = false // MoMo does not know it after all: send the create again
			}
			p.last = err
			continue
		}
		p.status = res.Status
		return p
	}
}

// payVipps creates a payment, waits for the user's approval, captures the whole amount and
// reads the payment back. The create and the capture each have an Idempotency-Key chosen
// once, and every drive resends it with the same body, so a repeat gets the stored answer.
func (pr *payer) payVipps(ctx context.Context, i int) payment {
	ref := "chaos-" + uuid.NewString()
	value := int64(1000 + i)
	p := payment{index: i, family: familyVipps, reference: ref, key: uuid.NewString(), amount: strconv.FormatInt(value, 10)}
	captureKey := uuid.NewString()
	amount := epayment.Amount{Currency: "NOK", Value: value}
	create := epayment.CreatePaymentRequest{
		Amount:             amount,
		PaymentMethod:      epayment.PaymentMethod{Type: "WALLET"},
		Reference:          ref,
		UserFlow:           epayment.WEBREDIRECT,
		ReturnUrl:          "https://shop.example/return/" + ref,
		PaymentDescription: "chaos test",
	}
	capture := epayment.CaptureModificationRequest{ModificationAmount: amount}

	created, captured := false, false
	for drive := 0; ; drive++ {
		if !pr.redrive(ctx, &p, drive) {
			return p
		}
		if !created {
			_, err := apierror.Check(pr.vipps.EPayment.CreatePaymentWithResponse(ctx,
				&epayment.CreatePaymentParams{IdempotencyKey: p.key}, create))
			if fatal, again := classify("create", err); fatal != nil || again != nil {
				p.err, p.last = fatal, again
				if fatal != nil {
					return p
				}
				continue
			}
			created = true
		}
		if !captured {
			got, err := vipps.WaitPayment(ctx, pr.vipps, "", ref, vippsWait)
			if err != nil {
				if errors.Is(err, vipps.ErrPaymentNotFound) {
					created = false // Vipps does not know it after all: send the create again
				}
				p.last = err
				continue
			}
			if got.State != "AUTHORIZED" {
				p.err = fmt.Errorf("state %s after the create, want AUTHORIZED", got.State)
				return p
			}
			_, err = apierror.Check(pr.vipps.EPayment.CapturePaymentWithResponse(ctx, ref,
				&epayment.CapturePaymentParams{IdempotencyKey: captureKey}, capture))
			if fatal, again := classify("capture", err); fatal != nil || again != nil {
				p.err, p.last = fatal, again
				if fatal != nil {
					return p
				}
				continue
			}
			captured = true
		}
		// What the API holds now, read back rather than taken from the capture's answer.
		got, err := vipps.WaitPayment(ctx, pr.vipps, "", ref, vippsWait)
		if err != nil {
			p.last = err
			continue
		}
		p.status, p.captured = got.State, got.Aggregate.CapturedAmount.Value
		return p
	}
}

// classify sorts the outcome of a call: nil and nil when it succeeded, fatal when the API
// refused it for good, again when it failed in a way another drive may not (no answer, a
// 5xx or 429 left after the retries, a token that could not be had).
func classify(op string, err error) (fatal, again error) {
	var apiErr *apierror.Error
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &apiErr) && !apiErr.Temporary():
		return fmt.Errorf("%s: %w", op, err), nil
	}
	return nil, fmt.Errorf("%s: %w", op, err)
}

// redrive counts drive number drive of p when it is not the first, after a pause that grows
// with the drives, and reports whether to go on: false once p's deadline has passed, which
// makes p lost.
func (pr *payer) redrive(ctx context.Context, p *payment, drive int) bool {
	if drive == 0 {
		return true
	}
	p.redrives++
	pr.stats.redrives.Add(1)
	t := time.NewTimer(min(time.Duration(drive)*50*time.Millisecond, time.Second))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		p.err = fmt.Errorf("not final after %d drives: %w", drive, ctx.Err())
		return false
	}
}

// lossyTransport loses the answer to a share of the requests after the server acted, and
// reports a connection reset instead: the failure after which a retry meets the first
// attempt's result (MoMo's 409, Vipps's stored answer). The sandbox's faults all strike
// before the API acts, so without this no retry would ever find a payment already made.
type lossyTransport struct {
	next *http.Transport
	rate float64
	lost *atomic.Int64

	mu  sync.Mutex
	rnd *rand.Rand
}

func newLossyTransport(next *http.Transport, rate float64, seed uint64, lost *atomic.Int64) *lossyTransport {
	return &lossyTransport{next: next, rate: rate, lost: lost, rnd: rand.New(rand.NewPCG(seed, seed+1))}
}

func (l *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	lose := l.rnd.Float64() < l.rate
	l.mu.Unlock()
	if !lose {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	l.lost.Add(1)
	return nil, fmt.Errorf("chaos: answer to %s %s lost after the server acted: %w", req.Method, req.URL.Path, io.ErrUnexpectedEOF)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the transport.
func (l *lossyTransport) CloseIdleConnections() { l.next.CloseIdleConnections() }

// serverLog collects what net/http logs for the test's servers, among it the panics it
// recovers in handlers, which a client only sees as a closed connection.
type serverLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *serverLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(string(b)))
	return len(b), nil
}

func (l *serverLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// newServer starts h on loopback with its error log going to logs.
func newServer(h http.Handler, logs *serverLog) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(logs, "", 0)
	srv.Start()
	return srv
}

// callbacks counts the MoMo callbacks callback.Handler hands on, per reference.
type callbacks struct {
	mu     sync.Mutex
	handed map[string]int
}

func (c *callbacks) add(reference string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handed[reference]++
}

func (c *callbacks) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.handed))
	for k, v := range c.handed {
		out[k] = v
	}
	return out
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TestChaos is the chaos test described in the package documentation.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: skipped with -short")
	}
	n := smallRun
	if os.Getenv(soakEnv) == "1" {
		n = soakRun
	}
	baseline := runtime.NumGoroutine()
	st := &stats{}
	logs := &serverLog{}

	// The service's callback receiver: callback.Handler drops the repeats and wakes the wait
	// for the reference.
	var waiter momo.Waiter
	received := &callbacks{handed: map[string]int{}}
	cbMux := http.NewServeMux()
	cbMux.Handle("/momo/callback/{reference}", callback.Handler(func(ctx context.Context, note callback.Notification) error {
		received.add(note.Reference)
		return waiter.Notify(ctx, note)
	},
		callback.WithStore(callback.NewMemoryStore(n)),
		callback.WithOnDuplicate(func(context.Context, callback.Notification) { st.callbackRepeats.Add(1) })))
	cbSrv := newServer(cbMux, logs)
	cbPort := cbSrv.Listener.Addr().(*net.TCPAddr).Port

	// The sandbox, delivering callbacks with a client of the test's, so that its idle
	// connections can be closed at the end.
	deliveries := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 5 * time.Second, CheckRedirect: noRedirect}
	sb, err := sandbox.New(
		sandbox.WithFaults(chaosFaults),
		sandbox.WithTokenTTL(tokenTTL),
		sandbox.WithMoMoDelay(momoDelay),
		sandbox.WithUserPolicy(sandbox.UserApproves),
		sandbox.WithSeed(seed),
		sandbox.WithHTTPClient(deliveries),
		sandbox.WithRetrySchedule(10*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond, time.Second),
	)
	require.NoError(t, err)
	srv := newServer(sb, logs)

	// The wired clients, each over a transport that loses some answers.
	creds := sb.Credentials()
	momoHTTP := &http.Client{Transport: newLossyTransport(momoauth.NewTransport(), lostAnswerRate, seed+1, &st.lostAnswers),
		Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	vippsHTTP := &http.Client{Transport: newLossyTransport(vippsauth.NewTransport(), lostAnswerRate, seed+2, &st.lostAnswers),
		Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	mc, err := momo.New(momo.Config{BaseURL: srv.URL, SubscriptionKeys: creds.MoMo.SubscriptionKeys, APIUser: creds.MoMo.APIUser,
		HTTPClient: momoHTTP, Retry: chaosPolicy(st.observe)})
	require.NoError(t, err)
	vc, err := vipps.New(vipps.Config{BaseURL: srv.URL, Credentials: creds.Vipps.Merchant, MSN: creds.Vipps.MerchantMSN,
		HTTPClient: vippsHTTP, Retry: chaosPolicy(st.observe)})
	require.NoError(t, err)

	var closeOnce sync.Once
	closeAll := func() {
		closeOnce.Do(func() {
			srv.Close()
			sb.Close() // waits for the deliveries under way
			cbSrv.Close()
			momoHTTP.CloseIdleConnections()
			vippsHTTP.CloseIdleConnections()
			deliveries.CloseIdleConnections()
		})
	}
	t.Cleanup(closeAll)

	wait := momoWait
	wait.Waiter = &waiter
	pr := &payer{t: t, stats: st, momo: mc, vipps: vc, callbackBase: fmt.Sprintf("http://localhost:%d/momo/callback/", cbPort), momoWait: wait}

	// The run: 64 goroutines take the payments one by one.
	payments := make([]payment, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				payments[i] = pr.run(t.Context(), i)
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)

	// Lost: a payment the caller does not know in its final state. Duplicated: a
	// transaction the ledger holds beyond one per reference and key, or one the caller
	// never made, or a payment captured beyond its amount.
	ledger := sb.Ledger()
	check := checkLedger(payments, ledger)
	nMoMo, nVipps := (n+1)/2, n/2

	// Every MoMo callback arrives twice; each reference must be handed on once. Wait for
	// the last ones, which may still be on their way when the last wait ended by polling.
	var handed map[string]int
	deadline := time.Now().Add(settleWithin)
	for {
		handed = received.snapshot()
		if len(handed) >= nMoMo || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	closeAll()
	handed = received.snapshot() // with whatever repeats arrived meanwhile
	// The connections' goroutines wind down in a few milliseconds once closed; the margin is
	// for goroutines of the runtime and the test framework that may start meanwhile.
	goroutines := settleGoroutines(baseline, goroutineQuiet)
	if goroutines > baseline+goroutineMargin {
		goroutines = settleGoroutines(baseline+goroutineMargin, settleWithin)
	}

	t.Logf("chaos: %d payments (MoMo %d, Vipps %d) from %d goroutines in %v: %d attempts, %d retries, %d already accepted, %d re-drives, %d lost, %d duplicated",
		n, check.momo, check.vipps, workers, elapsed.Round(10*time.Millisecond), st.attempts.Load(), st.retries.Load(),
		st.alreadyAccepted.Load(), st.redrives.Load(), check.lost, check.duplicated)
	t.Logf("chaos: faults met: %d answers 500/503/429, %d attempts without an answer (%d answers lost after the server acted), %d re-driven creates answered 409 (already there); MoMo callbacks: %d references handed on, %d repeats dropped; goroutines %d before, %d after",
		st.faultAnswers.Load(), st.networkErrors.Load(), st.lostAnswers.Load(), st.conflictOnDrive.Load(),
		len(handed), st.callbackRepeats.Load(), baseline, goroutines)
	var redriven []string
	for _, p := range payments {
		if p.redrives > 0 {
			redriven = append(redriven, p.String())
		}
	}
	for _, line := range first(redriven, 10) {
		t.Logf("chaos: re-driven: %s", line)
	}

	assert.Zero(t, st.panics.Load(), "panics in the payment goroutines")
	var serverPanics []string
	for _, line := range logs.all() {
		if strings.Contains(line, "panic") {
			serverPanics = append(serverPanics, line)
		} else {
			t.Logf("server log: %s", line)
		}
	}
	assert.Empty(t, serverPanics, "panics recovered by the servers")

	assert.Zero(t, check.lost, "lost payments:\n%s", strings.Join(first(check.lostLines, 20), "\n"))
	assert.Zero(t, check.duplicated, "duplicated transactions:\n%s", strings.Join(first(check.duplicatedLines, 20), "\n"))
	assert.Equal(t, nMoMo, check.momo, "MoMo requests to pay in the ledger")
	assert.Equal(t, nVipps, check.vipps, "Vipps ePayment payments in the ledger")
	assert.Len(t, ledger, n, "ledger entries")

	var notOnce []string
	for i := 0; i < n; i += 2 {
		switch c := handed[payments[i].reference]; {
		case c == 0:
			notOnce = append(notOnce, payments[i].reference+": no callback handed on")
		case c > 1:
			notOnce = append(notOnce, fmt.Sprintf("%s: callback handed on %d times", payments[i].reference, c))
		}
	}
	assert.Empty(t, first(notOnce, 10), "MoMo callbacks not handed on exactly once (%d)", len(notOnce))

	if goroutines > baseline+goroutineMargin {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutine leak: %d goroutines %v after closing everything, %d before the run; stacks:\n%s",
			goroutines, settleWithin, baseline, buf)
	}
}

// ledgerCheck is what the ledger says of the payments.
type ledgerCheck struct {
	momo, vipps int // transactions of each family
	// lost counts the payments not in their final state, as the caller or the ledger
	// knows them; duplicated counts the transactions beyond one per payment, those no
	// caller made and the captures beyond a payment's amount. The lines say which.
	lost, duplicated           int
	lostLines, duplicatedLines []string
}

// checkLedger compares what the callers know with what the sandbox holds.
func checkLedger(payments []payment, ledger []sandbox.LedgerEntry) ledgerCheck {
	var c ledgerCheck
	duplicate := func(format string, args ...any) {
		c.duplicated++
		c.duplicatedLines = append(c.duplicatedLines, fmt.Sprintf(format, args...))
	}
	type ledgerKey struct{ family, key string }
	entries := make(map[ledgerKey][]sandbox.LedgerEntry)
	for _, e := range ledger {
		switch {
		case e.Family == familyMoMo && e.Kind == "requesttopay":
			c.momo++
		case e.Family == familyVipps && e.API == "epayment" && e.Kind == "payment":
			c.vipps++
		default:
			duplicate("ledger: unexpected %s %s %s %s", e.Family, e.API, e.Kind, e.Reference)
			continue
		}
		k := ledgerKey{e.Family, e.IdempotencyKey}
		entries[k] = append(entries[k], e)
	}

	known := make(map[ledgerKey]bool, len(payments))
	for _, p := range payments {
		k := ledgerKey{p.family, p.key}
		known[k] = true
		var why []string
		if !p.done() {
			why = append(why, "caller: "+p.String())
		}
		found := entries[k]
		if len(found) > 1 {
			duplicate("ledger: %d transactions for %s", len(found), p)
			c.duplicated += len(found) - 2 // duplicate counted one
		}
		if len(found) == 0 {
			why = append(why, "ledger: no transaction for "+p.String())
		} else {
			e := found[0]
			if e.Reference != p.reference || e.Amount != p.amount {
				duplicate("ledger: %s %s amount %s under the key of %s", e.Family, e.Reference, e.Amount, p)
			}
			switch p.family {
			case familyMoMo:
				if e.Status != "SUCCESSFUL" {
					why = append(why, fmt.Sprintf("ledger: status %s %s for %s", e.Status, e.Reason, p))
				}
			case familyVipps:
				var authorized, captured, cancelled, refunded int64
				want, _ := strconv.ParseInt(p.amount, 10, 64)
				_, err := fmt.Sscanf(e.Reason, "authorized=%d captured=%d cancelled=%d refunded=%d", &authorized, &captured, &cancelled, &refunded)
				switch {
				case err != nil:
					why = append(why, fmt.Sprintf("ledger: amounts %q unreadable (%v) for %s", e.Reason, err, p))
				case captured > want:
					duplicate("ledger: captured %d of %d for %s", captured, want, p)
				case e.Status != "AUTHORIZED" || captured != want:
					why = append(why, fmt.Sprintf("ledger: state %s, captured %d of %d for %s", e.Status, captured, want, p))
				}
			}
		}
		if len(why) > 0 {
			c.lost++
			c.lostLines = append(c.lostLines, why...)
		}
	}
	for k, found := range entries {
		if !known[k] {
			for _, e := range found {
				duplicate("ledger: %s %s (key %s) made by no caller", e.Family, e.Reference, e.IdempotencyKey)
			}
		}
	}
	return c
}

// first returns at most n of lines, sorted, so that a failure message stays readable.
func first(lines []string, n int) []string {
	slices.Sort(lines)
	if len(lines) > n {
		return append(lines[:n:n], fmt.Sprintf("... and %d more", len(lines)-n))
	}
	return lines
}

// settleGoroutines polls until at most want goroutines run or within has passed, and returns
// the last count.
func settleGoroutines(want int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}
