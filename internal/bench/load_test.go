package bench_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/internal/bench"
)

// A run counts every flow and request once, and Combine adds runs up as if they were one.
func TestRunAndCombine(t *testing.T) {
	boom := errors.New("boom")
	run := func(flows int, wait time.Duration, fail bool) bench.Result {
		return bench.Run(bench.Plan{Workers: 4, Flows: flows}, func(_ context.Context, n int, c *bench.Calls) {
			_ = c.Do(func() error { time.Sleep(wait); return nil })
			if fail && n == 0 {
				_ = c.Do(func() error { return boom })
			}
		})
	}
	fast, slow := run(40, 0, false), run(8, 20*time.Millisecond, true)
	assert.Equal(t, 40, fast.Flows)
	assert.Equal(t, 40, fast.Requests)
	assert.Equal(t, 9, slow.Requests)
	assert.Equal(t, 1, slow.Errors)

	all := bench.Combine(fast, slow)
	assert.Equal(t, 48, all.Flows)
	assert.Equal(t, 49, all.Requests)
	assert.Equal(t, 1, all.Errors)
	require.ErrorIs(t, all.FirstErr, boom)
	assert.Equal(t, fast.Elapsed+slow.Elapsed, all.Elapsed)
	assert.GreaterOrEqual(t, all.Max, 20*time.Millisecond, "the slow run's requests are among all")
	assert.Less(t, all.P50, 20*time.Millisecond, "most requests were fast")
	assert.InDelta(t, float64(all.Requests)/all.Elapsed.Seconds(), all.PerSecond(), 1e-6)
	assert.Equal(t, bench.Result{}, bench.Combine())
}
