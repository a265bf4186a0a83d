package momo

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

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/momo/callback"
)

// Defaults of WaitOptions, after MoMo's advice: first read after a few seconds, then back
// off to about 30 s, and give a reference that answers 404 a while to become visible.
const (
	DefaultFirstPoll   = 2 * time.Second
	DefaultMinInterval = time.Second
	DefaultMaxInterval = 30 * time.Second
	DefaultNotFoundFor = 2 * time.Minute
)

// WaitOptions tune Wait, WaitRequestToPay and WaitTransfer. The zero value uses the defaults.
type WaitOptions struct {
	// FirstPoll is the wait before the first status read (DefaultFirstPoll).
	FirstPoll time.Duration
	// MinInterval and MaxInterval bound the wait between reads: it starts at MinInterval and
	// doubles up to MaxInterval (DefaultMinInterval, DefaultMaxInterval), with ±10 % jitter.
	// A 429 or 503 with Retry-After waits at least that long.
	MinInterval time.Duration
	MaxInterval time.Duration
	// NotFoundFor is how long 404 answers are taken for "not visible yet" (DefaultNotFoundFor);
	// after that the wait fails with ErrNotVisible.
	NotFoundFor time.Duration

	// Notifications, when set, ends the wait early: a notification for this reference makes
	// the next status read happen at once. Notifications for other references are read and
	// dropped, so give each wait a channel of its own, or use Waiter.
	Notifications <-chan callback.Notification
	// Waiter, when set, does the same for the notifications it is fed, and may serve any
	// number of concurrent waits.
	Waiter *Waiter
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.FirstPoll <= 0 {
		o.FirstPoll = DefaultFirstPoll
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	o.MaxInterval = max(o.MaxInterval, o.MinInterval)
	if o.NotFoundFor <= 0 {
		o.NotFoundFor = DefaultNotFoundFor
	}
	return o
}

// ErrNotVisible is matched by errors.Is when the status read kept answering 404 for longer
// than WaitOptions.NotFoundFor: MoMo does not know the reference. Resubmit the create with
// the same X-Reference-Id; a 409 then means the first one did arrive.
var ErrNotVisible = errors.New("momo: reference not found")

// WaitError is why a wait ended without a final status. It unwraps to the cause: the
// context's error, ErrNotVisible, or the error of a status read that cannot succeed by
// retrying (refused credentials, a 400 or 401 answer).
type WaitError struct {
	// Reference is the X-Reference-Id waited for.
	Reference string
	// Reads is how many status reads were made.
	Reads int
	// LastStatus is the last transaction status read (PENDING, CREATED, ...), if any.
	LastStatus string
	// HTTPStatus is the HTTP status of the last answer, 0 when the last read got none.
	HTTPStatus int
	// Body is the last answer's body when it was not a 200.
	Body []byte
	// Last is the last read's error, when a read failed without an answer.
	Last error
	// Err is the cause.
	Err error
}

func (e *WaitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "momo: wait for %s: %d status reads", e.Reference, e.Reads)
	if e.LastStatus != "" {
		fmt.Fprintf(&b, ", last status %s", e.LastStatus)
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

// StatusRead is the outcome of one status read, as Wait needs it.
type StatusRead[T any] struct {
	// HTTPStatus is the answer's status.
	HTTPStatus int
	// Header is the answer's header (Retry-After is used).
	Header http.Header
	// Body is the raw answer.
	Body []byte
	// Result is the decoded 200 body.
	Result T
	// Status is Result's transaction status.
	Status string
}

// ReadStatus turns the answer of a status operation of the generated clients (the
// *http.Response of e.g. Collection.GetRequestToPayStatus) into a StatusRead: it reads the
// body and decodes it on 200, with status picking the transaction status from the result.
// It closes the body.
func ReadStatus[T any](resp *http.Response, status func(T) string) (StatusRead[T], error) {
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	r := StatusRead[T]{HTTPStatus: resp.StatusCode, Header: resp.Header, Body: body}
	if err != nil {
		return r, fmt.Errorf("momo: reading the status answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &r.Result); err != nil {
			return r, fmt.Errorf("momo: decoding the status answer: %w", err)
		}
		r.Status = status(r.Result)
	}
	return r, nil
}

// WaitRequestToPay waits until the request to pay ref is SUCCESSFUL or FAILED and returns its
// status body: check Status, and Reason.Code when FAILED (a final FAILED is a result, not an
// error). It polls the status as WaitOptions say and ends early on a notification for ref.
// Give ctx a deadline: a transaction can stay CREATED or PENDING for minutes (MoMo's
// approval window is about 5 minutes) or for ever.
func WaitRequestToPay(ctx context.Context, c *Clients, ref uuid.UUID, opts WaitOptions) (common.RequestToPayResult, error) {
	return Wait(ctx, ref, func(ctx context.Context) (StatusRead[common.RequestToPayResult], error) {
		resp, err := c.Collection.GetRequestToPayStatus(ctx, ref, &collection.GetRequestToPayStatusParams{})
		if err != nil {
			return StatusRead[common.RequestToPayResult]{}, err
		}
		return ReadStatus(resp, func(r common.RequestToPayResult) string { return r.Status })
	}, opts)
}

// WaitTransfer waits until the disbursement transfer ref is SUCCESSFUL or FAILED, as
// WaitRequestToPay does.
func WaitTransfer(ctx context.Context, c *Clients, ref uuid.UUID, opts WaitOptions) (common.TransferResult, error) {
	return Wait(ctx, ref, func(ctx context.Context) (StatusRead[common.TransferResult], error) {
		resp, err := c.Disbursement.GetTransferStatus(ctx, ref, &disbursement.GetTransferStatusParams{})
		if err != nil {
			return StatusRead[common.TransferResult]{}, err
		}
		return ReadStatus(resp, func(r common.TransferResult) string { return r.Status })
	}, opts)
}

// Wait waits until the transaction ref reaches a final status (SUCCESSFUL or FAILED), reading
// it with read, and returns the last result read. It is the loop behind WaitRequestToPay,
// for any status operation:
//
//	res, err := momo.Wait(ctx, ref, func(ctx context.Context) (momo.StatusRead[common.TransferResult], error) {
//		resp, err := c.Disbursement.GetDepositStatus(ctx, ref, &disbursement.GetDepositStatusParams{})
//		if err != nil {
//			return momo.StatusRead[common.TransferResult]{}, err
//		}
//		return momo.ReadStatus(resp, func(r common.TransferResult) string { return r.Status })
//	}, opts)
//
// CREATED, PENDING and unknown statuses keep it polling, as do 5xx and 429 answers and
// network failures; 404 does for WaitOptions.NotFoundFor. Any other answer, and an error
// that a retry cannot cure (refused credentials), ends it with a *WaitError, as does ctx.
func Wait[T any](ctx context.Context, ref uuid.UUID, read func(ctx context.Context) (StatusRead[T], error), opts WaitOptions) (T, error) {
	var zero T
	opts = opts.withDefaults()
	reference := ref.String()
	werr := &WaitError{Reference: reference}

	var waked <-chan callback.Notification
	if opts.Waiter != nil {
		ch, stop := opts.Waiter.subscribe(reference)
		defer stop()
		waked = ch
	}
	notes := opts.Notifications

	start := time.Now()
	interval := opts.MinInterval
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
			case n, ok := <-notes:
				if !ok {
					notes = nil
					continue
				}
				if strings.EqualFold(n.Reference, reference) {
					woken = true
					break sleep
				}
			}
		}
		if woken {
			// The result is about to show, if it does not already: read now, then soon.
			timer.Stop()
			interval = opts.MinInterval
		}

		r, err := read(ctx)
		werr.Reads++
		next := interval
		interval = min(interval*2, opts.MaxInterval)
		switch {
		case ctx.Err() != nil:
			werr.Err = ctx.Err()
			return zero, werr
		case err != nil:
			werr.HTTPStatus, werr.Body, werr.Last = r.HTTPStatus, nil, err
			if r.HTTPStatus == 0 && !transient(err) {
				werr.Err = err
				return zero, werr
			}
		case r.HTTPStatus == http.StatusOK:
			werr.HTTPStatus, werr.Body, werr.Last = r.HTTPStatus, nil, nil
			werr.LastStatus = r.Status
			if callback.Final(r.Status) {
				return r.Result, nil
			}
		case r.HTTPStatus == http.StatusNotFound:
			werr.HTTPStatus, werr.Body, werr.Last = r.HTTPStatus, r.Body, nil
			if time.Since(start) >= opts.NotFoundFor {
				werr.Err = ErrNotVisible
				return zero, werr
			}
		case r.HTTPStatus == http.StatusTooManyRequests || r.HTTPStatus >= http.StatusInternalServerError:
			werr.HTTPStatus, werr.Body, werr.Last = r.HTTPStatus, r.Body, nil
			next = max(next, retryAfter(r.Header))
		default:
			werr.HTTPStatus, werr.Body, werr.Last = r.HTTPStatus, r.Body, nil
			werr.Err = fmt.Errorf("momo: status read answered HTTP %d", r.HTTPStatus)
			return zero, werr
		}
		timer.Reset(jitter(next))
	}
}

// transient reports whether a read that got no answer may succeed when tried again: network
// failures and token fetches the gateway answered 5xx or 429, but not refused credentials
// or a configuration that cannot work.
func transient(err error) bool {
	if errors.Is(err, momoauth.ErrBadCredentials) || errors.Is(err, momoauth.ErrSubscriptionKeyRefused) || errors.Is(err, auth.ErrUnauthorized) {
		return false
	}
	var tokenErr *momoauth.TokenError
	if errors.As(err, &tokenErr) {
		return tokenErr.StatusCode >= http.StatusInternalServerError || tokenErr.StatusCode == http.StatusTooManyRequests
	}
	var netErr net.Error
	var urlErr *url.Error
	return errors.As(err, &netErr) || errors.As(err, &urlErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// retryAfter reads a Retry-After of seconds or an HTTP date; 0 when there is none.
func retryAfter(h http.Header) time.Duration {
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

// jitter spreads d by ±10 %, so that many waits started together do not read together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	spread := int64(d) / 5
	if spread == 0 {
		return d
	}
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread+1))
}

// waiterRecent is how many references a Waiter remembers a notification for, so that a wait
// that starts after its callback arrived still ends at once.
const waiterRecent = 1024

// Waiter passes callback notifications to the waits for their reference (WaitOptions.Waiter).
// Feed it from callback.Handler, after the service's own handling:
//
//	var waiter momo.Waiter
//	mux.Handle("/momo/callback/{reference}", callback.Handler(func(ctx context.Context, n callback.Notification) error {
//		if err := orders.Settle(ctx, n.Reference, n.Status, n.Reason); err != nil {
//			return err
//		}
//		return waiter.Notify(ctx, n)
//	}, callback.WithConfirm(callback.ConfirmRequestToPay(c.Collection, ""))))
//	res, err := momo.WaitRequestToPay(ctx, c, ref, momo.WaitOptions{Waiter: &waiter})
//
// It remembers the latest notification of the last 1024 references, for waits that start
// after their callback. The zero value is ready to use; safe for concurrent use.
type Waiter struct {
	mu     sync.Mutex
	subs   map[string]map[chan callback.Notification]struct{}
	recent map[string]callback.Notification
	order  []string // recent's keys, oldest first
}

// Notify wakes the waits for n.Reference. It never fails; its signature is that of the func
// callback.Handler calls, so that it can be passed as is.
func (w *Waiter) Notify(_ context.Context, n callback.Notification) error {
	if n.Reference == "" {
		return nil
	}
	key := strings.ToLower(n.Reference)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	if _, ok := w.recent[key]; !ok {
		if len(w.order) >= waiterRecent {
			delete(w.recent, w.order[0])
			w.order = append(w.order[:0], w.order[1:]...)
		}
		w.order = append(w.order, key)
	}
	w.recent[key] = n
	for ch := range w.subs[key] {
		select {
		case ch <- n:
		default: // a wake-up is already pending
		}
	}
	return nil
}

// subscribe returns a channel that receives the notifications for reference, starting with
// the last one already received, and the func that ends the subscription.
func (w *Waiter) subscribe(reference string) (<-chan callback.Notification, func()) {
	key := strings.ToLower(reference)
	ch := make(chan callback.Notification, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	if n, ok := w.recent[key]; ok {
		ch <- n
	}
	if w.subs[key] == nil {
		w.subs[key] = make(map[chan callback.Notification]struct{})
	}
	w.subs[key][ch] = struct{}{}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[key], ch)
		if len(w.subs[key]) == 0 {
			delete(w.subs, key)
		}
	}
}

func (w *Waiter) init() {
	if w.subs == nil {
		w.subs = make(map[string]map[chan callback.Notification]struct{})
		w.recent = make(map[string]callback.Notification)
	}
}
