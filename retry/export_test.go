package retry

import (
	"context"
	"time"
)

// WithClock returns p with the clock and the wait replaced, so that tests can check waits
// and budgets without waiting.
func WithClock(p Policy, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Policy {
	p.now, p.sleep = now, sleep
	return p
}
