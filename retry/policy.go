package retry

import (
	"context"
	"time"
)

// Defaults a zero Policy field takes.
const (
	// DefaultMaxAttempts is the number of attempts, the first one included.
	DefaultMaxAttempts = 4
	// DefaultInitialBackoff is the wait before the second attempt, before jitter.
	DefaultInitialBackoff = 200 * time.Millisecond
	// DefaultMaxBackoff caps the exponential backoff of one wait.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultMaxElapsed is the total time budget of one call, attempts and waits together.
	DefaultMaxElapsed = 30 * time.Second
	// DefaultJitter is the share of each backoff that is drawn at random.
	DefaultJitter = 0.5
	// DefaultRetryAfterCap is the longest Retry-After the retrier is willing to wait.
	DefaultRetryAfterCap = 30 * time.Second
)

// Policy says how a call is retried. The zero value is a sound default: each zero field takes
// its Default constant.
type Policy struct {
	// MaxAttempts bounds the attempts of one call, the first included; 1 means no retry.
	MaxAttempts int
	// InitialBackoff is the wait before the second attempt; each further wait doubles it.
	InitialBackoff time.Duration
	// MaxBackoff caps one wait computed from the backoff.
	MaxBackoff time.Duration
	// MaxElapsed is the time budget of a call from its first attempt: no wait is started
	// that would end beyond it.
	MaxElapsed time.Duration
	// Jitter, from 0 to 1, is the share of each backoff drawn at random ("full jitter" at 1),
	// so that clients failing together do not retry together. Zero means DefaultJitter; a
	// negative value means no jitter.
	Jitter float64
	// RetryAfterCap is the longest Retry-After honoured: a server asking for a longer wait,
	// or for one beyond the remaining budget, ends the retries and its answer is returned.
	RetryAfterCap time.Duration
	// Disabled switches retries off: New returns the next Doer unchanged.
	Disabled bool
	// Observe, if set, is called after every attempt with its outcome and what follows,
	// for metrics and logs. It runs on the caller's goroutine and must be quick.
	Observe func(Attempt)

	// now and sleep are the clock and the wait, replaced by tests; nil means the real ones.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// Attempt is the outcome of one attempt as Policy.Observe sees it.
type Attempt struct {
	// Number counts attempts from 1.
	Number int
	// Method and Path identify the call; Path holds no query and no credentials.
	Method string
	Path   string
	// StatusCode is the answer's HTTP status, or 0 when the attempt failed with Err.
	StatusCode int
	// Err is the error of an attempt that got no answer.
	Err error
	// Retry reports whether another attempt follows.
	Retry bool
	// Wait is how long the retrier waits before the next attempt; 0 when Retry is false.
	Wait time.Duration
	// RetryAfter reports that the answer's Retry-After header, not the backoff, set the
	// wait, or, when Retry is false, asked for a wait too long to make.
	RetryAfter bool
	// Reason says in a few words why the retrier retries or stops, e.g. "retryable status",
	// "attempts exhausted", "no idempotency key".
	Reason string
	// AlreadyAccepted reports that this attempt's 409 was turned into an acceptance.
	AlreadyAccepted bool
}

// withDefaults returns p with every zero field set to its default.
func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = DefaultInitialBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	p.MaxBackoff = max(p.MaxBackoff, p.InitialBackoff)
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	switch {
	case p.Jitter == 0:
		p.Jitter = DefaultJitter
	case p.Jitter < 0:
		p.Jitter = 0
	case p.Jitter > 1:
		p.Jitter = 1
	}
	if p.RetryAfterCap <= 0 {
		p.RetryAfterCap = DefaultRetryAfterCap
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = sleep
	}
	return p
}

// sleep waits d or until ctx is done, whichever comes first, and leaves nothing running.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
