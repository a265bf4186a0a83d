package retry

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paykit-go/paykit/auth"
)

// maxDrain bounds how much of a retried answer's body is read before it is closed: enough
// for the usual short error body, so the connection goes back to the pool, not so much that
// a huge one holds up the retry.
const maxDrain = 64 << 10

// New returns a Doer that sends requests with next and sends them again, with the same
// headers (the idempotency key among them) and the same body, when they fail in a way
// another attempt may not (see the package documentation). A zero Policy means the
// defaults; with p.Disabled, New returns next itself.
func New(next auth.Doer, p Policy) auth.Doer {
	if p.Disabled {
		return next
	}
	return &doer{next: next, p: p.withDefaults()}
}

type doer struct {
	next auth.Doer
	p    Policy
}

// decision is what follows an attempt.
type decision struct {
	retry      bool
	wait       time.Duration
	retryAfter bool
	reason     string
}

// Do sends req until it gets an answer worth returning, runs out of attempts or time, or the
// caller's context is done.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	canReplay, notReplayable := replayable(req)
	getBody := req.GetBody
	if canReplay && getBody == nil && req.Body != nil && req.Body != http.NoBody {
		// Every attempt must send the bytes of the first; read them once, before it.
		buf, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("retry: buffer request body of %s %s: %w", req.Method, req.URL.Path, err)
		}
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		// A Doer must not change the caller's request: send a copy that carries the buffer.
		req = req.Clone(ctx)
		req.Body, _ = getBody()
		req.GetBody, req.ContentLength = getBody, int64(len(buf))
	}

	start := d.p.now()
	for n := 1; ; n++ {
		attempt := req
		if n > 1 {
			// The earlier attempt's answer has been closed, so its request is done with; the
			// copy keeps every header, the idempotency key included, and gets the body anew.
			attempt = req.Clone(ctx)
			if getBody != nil && req.Body != nil && req.Body != http.NoBody {
				body, err := getBody()
				if err != nil {
					return nil, fmt.Errorf("retry: replay request body of %s %s: %w", req.Method, req.URL.Path, err)
				}
				attempt.Body = body
			}
		}

		resp, err := d.next.Do(attempt)
		if err == nil {
			if accepted := acceptedOnRetry(attempt, resp, n); accepted != nil {
				d.observe(Attempt{Number: n, Method: req.Method, Path: req.URL.Path, StatusCode: resp.StatusCode,
					Reason: "already accepted", AlreadyAccepted: true})
				return accepted, nil
			}
		}

		dec := d.decide(attempt, n, start, resp, err, canReplay, notReplayable)
		a := Attempt{Number: n, Method: req.Method, Path: req.URL.Path, Err: err, Retry: dec.retry,
			RetryAfter: dec.retryAfter, Reason: dec.reason}
		if dec.retry {
			a.Wait = dec.wait
		}
		if resp != nil {
			a.StatusCode = resp.StatusCode
		}
		d.observe(a)
		if !dec.retry {
			return resp, err
		}

		if resp != nil {
			drain(resp.Body)
		}
		if err := d.p.sleep(ctx, dec.wait); err != nil {
			return nil, err
		}
	}
}

// decide says whether attempt n, which got resp or err, is followed by another and after
// what wait.
func (d *doer) decide(req *http.Request, n int, start time.Time, resp *http.Response, err error, canReplay bool, notReplayable string) decision {
	switch {
	case req.Context().Err() != nil:
		return decision{reason: "context done"}
	case err != nil && !transient(err):
		return decision{reason: "error not retried"}
	case err == nil && !retryableStatus(resp.StatusCode):
		return decision{reason: "final status"}
	case err == nil && permanentFailure(resp):
		return decision{reason: "permanent failure"}
	case !canReplay:
		return decision{reason: notReplayable}
	case n >= d.p.MaxAttempts:
		return decision{reason: "attempts exhausted"}
	}

	now := d.p.now()
	dec := decision{retry: true, reason: "retryable status"}
	if err != nil {
		dec.reason = "network error"
	}
	if resp != nil {
		dec.wait, dec.retryAfter = retryAfter(resp.Header, now)
	}
	if !dec.retryAfter {
		dec.wait = d.p.backoff(n)
	}
	switch {
	case dec.retryAfter && dec.wait > d.p.RetryAfterCap:
		return decision{wait: dec.wait, retryAfter: true, reason: "retry-after beyond cap"}
	case now.Sub(start)+dec.wait > d.p.MaxElapsed && dec.retryAfter:
		return decision{wait: dec.wait, retryAfter: true, reason: "retry-after beyond budget"}
	case now.Sub(start)+dec.wait > d.p.MaxElapsed:
		return decision{wait: dec.wait, reason: "time budget exhausted"}
	}
	return dec
}

func (d *doer) observe(a Attempt) {
	if d.p.Observe != nil {
		d.p.Observe(a)
	}
}

// drain reads a little of body and closes it, so that its connection can be reused.
func drain(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}
