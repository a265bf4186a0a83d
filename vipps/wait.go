package vipps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// Defaults of WaitOptions, after Vipps's advice: first poll 5 s after the action, then every
// 2 s, backing off on 429.
const (
	DefaultFirstPoll   = 5 * time.Second
	DefaultInterval    = 2 * time.Second
	DefaultMaxInterval = 30 * time.Second
	DefaultNotFoundFor = 10 * time.Second
)

// StateCreated is the ePayment state of a payment the user has not acted on yet; every
// other state (AUTHORIZED, ABORTED, EXPIRED, TERMINATED, ...) ends WaitPayment.
const StateCreated = "CREATED"

// WaitOptions tune WaitPayment. The zero value uses the defaults.
type WaitOptions struct {
	// FirstPoll is the wait before the first read (DefaultFirstPoll).
	FirstPoll time.Duration
	// Interval is the wait between reads (DefaultInterval). After a 429, 423 or 5xx answer
	// or a network failure it doubles, up to MaxInterval (DefaultMaxInterval), and a
	// Retry-After is honoured; a 200 brings it back to Interval. Waits get ±10 % jitter.
	Interval    time.Duration
	MaxInterval time.Duration
	// NotFoundFor is how long 404 answers are tolerated (DefaultNotFoundFor) before the wait
	// fails with ErrPaymentNotFound.
	NotFoundFor time.Duration

	// Events, when set, ends the wait early: a webhook event for this payment makes the next
	// read happen at once. Events for other payments are read and dropped, so give each
	// wait a channel of its own, or use Waiter.
	Events <-chan webhook.Event
	// Waiter, when set, does the same for the events it is fed, for any number of waits.
	Waiter *Waiter
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.FirstPoll <= 0 {
		o.FirstPoll = DefaultFirstPoll
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	o.MaxInterval = max(o.MaxInterval, o.Interval)
	if o.NotFoundFor <= 0 {
		o.NotFoundFor = DefaultNotFoundFor
	}
	return o
}

// ErrPaymentNotFound is matched by errors.Is when GetPayment kept answering 404 for longer
// than WaitOptions.NotFoundFor.
var ErrPaymentNotFound = errors.New("vipps: payment not found")

// WaitError is why WaitPayment ended without the payment leaving CREATED. It unwraps to the
// cause: the context's error, ErrPaymentNotFound, or the error of a read that cannot succeed
// by retrying (refused credentials, a 400, 401 or 403 answer).
type WaitError struct {
	// MSN and Reference name the payment.
	MSN, Reference string
	// Reads is how many reads were made.
	Reads int
	// LastState is the last state read, if any.
	LastState string
	// HTTPStatus is the HTTP status of the last answer, 0 when the last read got none.
	HTTPStatus int
	// Body is the last answer's body when it was not a 200 (a problem+json body says why).
	Body []byte
	// Last is the last read's error, when a read failed without an answer.
	Last error
	// Err is the cause.
	Err error
}

func (e *WaitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vipps: wait for payment %s of %s: %d reads", e.Reference, e.MSN, e.Reads)
	if e.LastState != "" {
		fmt.Fprintf(&b, ", last state %s", e.LastState)
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		fmt.Fprintf(&b, ", last answer HTTP %d", e.HTTPStatus)
	}
	if e.Last != nil && !errors.Is(e.Err, e.Last) {
		fmt.Fprintf(&b, " (last error: %v)", e.Last)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *WaitError) Unwrap() error { return e.Err }

// WaitPayment waits until the ePayment payment reference of merchant msn leaves CREATED and
// returns what GetPayment says then: check State (AUTHORIZED, or ABORTED, EXPIRED,
// TERMINATED; a payment the user turned down is a result, not an error). msn may be empty
// for clients bound to a merchant, and must be theirs when given.
//
// It reads the payment after WaitOptions.FirstPoll and then every Interval, and reads at once
// when a webhook event for the payment arrives (WaitOptions.Events or Waiter). Give ctx a
// deadline: the user has about 10 minutes to act, and a payment left alone stays CREATED
// until it expires.
func WaitPayment(ctx context.Context, c *Clients, msn, reference string, opts WaitOptions) (epayment.GetPaymentResult, error) {
	var zero epayment.GetPaymentResult
	if msn == "" {
		msn = c.MSN
	}
	if c.MSN != "" && msn != c.MSN {
		return zero, fmt.Errorf("vipps: wait for payment %s of %s: these clients act for merchant %s only", reference, msn, c.MSN)
	}
	opts = opts.withDefaults()
	werr := &WaitError{MSN: msn, Reference: reference}

	var waked <-chan webhook.Event
	if opts.Waiter != nil {
		ch, stop := opts.Waiter.subscribe(msn, reference)
		defer stop()
		waked = ch
	}
	events := opts.Events

	start := time.Now()
	interval := opts.Interval
	timer := time.NewTimer(opts.FirstPoll)
	defer timer.Stop()
	for {
		woken := false
	sleep:
		for {
			select {
			case <-ctx.Done():
				werr.Err = ctx.Err()
				return zero, werr
			case <-timer.C:
				break sleep
			case <-waked:
				woken = true
				break sleep
			case ev, ok := <-events:
				if !ok {
					events = nil
					continue
				}
				if eventFor(ev, msn, reference) {
					woken = true
					break sleep
				}
			}
		}
		if woken {
			timer.Stop()
		}

		status, header, body, res, err := getPayment(ctx, c, msn, reference)
		werr.Reads++
		werr.HTTPStatus, werr.Body, werr.Last = status, nil, nil
		next := interval
		switch {
		case ctx.Err() != nil:
			werr.Err = ctx.Err()
			return zero, werr
		case err != nil:
			werr.Last = err
			if status == 0 && !transientErr(err) {
				werr.Err = err
				return zero, werr
			}
			interval = min(interval*2, opts.MaxInterval)
		case status == http.StatusOK:
			werr.LastState = res.State
			if res.State != "" && res.State != StateCreated {
				return res, nil
			}
			interval = opts.Interval
			next = interval
		case status == http.StatusNotFound:
			werr.Body = body
			if time.Since(start) >= opts.NotFoundFor {
				werr.Err = ErrPaymentNotFound
				return zero, werr
			}
		case status == http.StatusTooManyRequests || status == http.StatusLocked || status >= http.StatusInternalServerError:
			werr.Body = body
			next = max(next, waitAfter(header))
			interval = min(interval*2, opts.MaxInterval)
		default:
			werr.Body = body
			werr.Err = fmt.Errorf("vipps: GetPayment answered HTTP %d", status)
			return zero, werr
		}
		timer.Reset(spread(next))
	}
}

// getPayment reads the payment once. It decodes the body only on 200, so that an error
// answer with an odd body is reported with its status rather than as a decoding failure.
func getPayment(ctx context.Context, c *Clients, msn, reference string) (int, http.Header, []byte, epayment.GetPaymentResult, error) {
	var res epayment.GetPaymentResult
	resp, err := c.EPayment.GetPayment(ctx, reference, &epayment.GetPaymentParams{MerchantSerialNumber: msn})
	if err != nil {
		return 0, nil, nil, res, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, res, fmt.Errorf("vipps: reading the GetPayment answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &res); err != nil {
			return resp.StatusCode, resp.Header, body, res, fmt.Errorf("vipps: decoding the GetPayment answer: %w", err)
		}
	}
	return resp.StatusCode, resp.Header, body, res, nil
}

// eventFor reports whether ev is about the payment; an event without an MSN matches any.
func eventFor(ev webhook.Event, msn, reference string) bool {
	evMSN := string(ev.Payload.Msn)
	return ev.Payload.Reference == reference && (evMSN == "" || msn == "" || evMSN == msn)
}

// transientErr reports whether a read that got no answer may succeed when tried again:
// network failures and token fetches answered 5xx or 429, not refused credentials or a
// configuration that cannot work.
func transientErr(err error) bool {
	if errors.Is(err, vippsauth.ErrCredentialsRefused) || errors.Is(err, auth.ErrUnauthorized) {
		return false
	}
	var tokenErr *vippsauth.TokenError
	if errors.As(err, &tokenErr) {
		return tokenErr.StatusCode >= http.StatusInternalServerError || tokenErr.StatusCode == http.StatusTooManyRequests
	}
	var netErr net.Error
	var urlErr *url.Error
	return errors.As(err, &netErr) || errors.As(err, &urlErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// waitAfter reads a Retry-After of seconds or an HTTP date; 0 when there is none.
func waitAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// spread adds ±10 % jitter to d, so that many waits started together do not read together.
func spread(d time.Duration) time.Duration {
	s := int64(d) / 5
	if s <= 0 {
		return max(d, 0)
	}
	return d - time.Duration(s/2) + time.Duration(rand.Int64N(s+1))
}

// waiterRecent is how many payments a Waiter remembers an event for, so that a wait that
// starts after its webhook still ends at once.
const waiterRecent = 1024

// Waiter passes webhook events to the waits for their payment (WaitOptions.Waiter). Feed it
// from webhook.Handler, after the service's own handling:
//
//	var waiter vipps.Waiter
//	mux.Handle("POST /vipps/webhooks", webhook.Handler(v, func(ctx context.Context, ev webhook.Event) error {
//		if err := orders.Apply(ctx, ev); err != nil {
//			return err
//		}
//		return waiter.Notify(ctx, ev)
//	}))
//	res, err := vipps.WaitPayment(ctx, c, "", reference, vipps.WaitOptions{Waiter: &waiter})
//
// Webhook events are signed, but a wait still ends on what GetPayment says: the event only
// makes it read at once. The zero value is ready to use; safe for concurrent use.
type Waiter struct {
	mu     sync.Mutex
	subs   map[string]map[*waitSub]struct{}
	recent map[string]webhook.Event
	order  []string // recent's keys, oldest first
}

type waitSub struct {
	msn string
	ch  chan webhook.Event
}

// Notify wakes the waits for the event's payment. It never fails; its signature is that of
// the func webhook.Handler calls, so that it can be passed as is. Events without a
// reference (Recurring, QR) are ignored.
func (w *Waiter) Notify(_ context.Context, ev webhook.Event) error {
	ref := ev.Payload.Reference
	if ref == "" {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	if _, ok := w.recent[ref]; !ok {
		if len(w.order) >= waiterRecent {
			delete(w.recent, w.order[0])
			w.order = append(w.order[:0], w.order[1:]...)
		}
		w.order = append(w.order, ref)
	}
	w.recent[ref] = ev
	for s := range w.subs[ref] {
		if !eventFor(ev, s.msn, ref) {
			continue
		}
		select {
		case s.ch <- ev:
		default: // a wake-up is already pending
		}
	}
	return nil
}

// subscribe returns a channel that receives the events for the payment, starting with the
// last one already received, and the func that ends the subscription.
func (w *Waiter) subscribe(msn, reference string) (<-chan webhook.Event, func()) {
	s := &waitSub{msn: msn, ch: make(chan webhook.Event, 1)}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	if ev, ok := w.recent[reference]; ok && eventFor(ev, msn, reference) {
		s.ch <- ev
	}
	if w.subs[reference] == nil {
		w.subs[reference] = make(map[*waitSub]struct{})
	}
	w.subs[reference][s] = struct{}{}
	return s.ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[reference], s)
		if len(w.subs[reference]) == 0 {
			delete(w.subs, reference)
		}
	}
}

func (w *Waiter) init() {
	if w.subs == nil {
		w.subs = make(map[string]map[*waitSub]struct{})
		w.recent = make(map[string]webhook.Event)
	}
}
