package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Plan says how much load Run generates: Workers goroutines share Flows flows, and stop
// early when Duration (if set) has passed. A Plan with neither Flows nor Duration runs
// nothing, so that every load run is bounded.
type Plan struct {
	Workers  int
	Flows    int
	Duration time.Duration
}

// Calls times the requests of one worker. It is not safe for concurrent use: Run gives
// each worker its own.
type Calls struct {
	lat      []time.Duration
	errs     int
	firstErr error
}

// Do runs one request, records how long it took and counts it as an error when it fails.
// Failed calls are timed too, so that a server answering errors fast cannot look quick.
func (c *Calls) Do(call func() error) error {
	start := time.Now()
	err := call()
	c.lat = append(c.lat, time.Since(start))
	if err != nil {
		c.errs++
		if c.firstErr == nil {
			c.firstErr = err
		}
	}
	return err
}

// Result is what one load run measured.
type Result struct {
	Flows    int           // flows started
	Requests int           // requests timed by Calls.Do
	Errors   int           // requests that failed
	FirstErr error         // the first failure, to tell what went wrong
	Elapsed  time.Duration // wall time of the whole run
	P50, P90 time.Duration // latency percentiles of single requests
	P99, Max time.Duration

	sorted []time.Duration // every request's latency, for Combine
}

// PerSecond is the throughput in requests per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// String is one line for logs and reports.
func (r Result) String() string {
	s := fmt.Sprintf("%d requests in %v: %.0f req/s, p50 %v, p90 %v, p99 %v, max %v, %d errors",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.PerSecond(),
		r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond),
		r.Max.Round(time.Microsecond), r.Errors)
	if r.FirstErr != nil {
		s += " (first: " + r.FirstErr.Error() + ")"
	}
	return s
}

// Run runs flow once per flow number, from p.Workers goroutines at a time, until p.Flows
// flows have run or p.Duration has passed, and returns the latencies of the requests the
// flows timed with Calls.Do. When the duration has passed no flow starts; those under way
// finish, so that the end of the run does not count as failed requests.
func Run(p Plan, flow func(ctx context.Context, n int, c *Calls)) Result {
	if p.Workers < 1 {
		p.Workers = 1
	}
	if p.Flows <= 0 && p.Duration <= 0 {
		return Result{}
	}
	ctx := context.Background()
	var deadline time.Time
	if p.Duration > 0 {
		deadline = time.Now().Add(p.Duration)
	}

	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		calls = make([]Calls, p.Workers)
	)
	start := time.Now()
	for w := range calls {
		wg.Add(1)
		go func(c *Calls) {
			defer wg.Done()
			for deadline.IsZero() || time.Now().Before(deadline) {
				n := int(next.Add(1)) - 1
				if p.Flows > 0 && n >= p.Flows {
					return
				}
				flow(ctx, n, c)
			}
		}(&calls[w])
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Flows: int(next.Load())}
	if p.Flows > 0 && res.Flows > p.Flows {
		res.Flows = p.Flows // each worker takes one number past the end before it stops
	}
	var all []time.Duration
	for i := range calls {
		all = append(all, calls[i].lat...)
		res.Errors += calls[i].errs
		if res.FirstErr == nil {
			res.FirstErr = calls[i].firstErr
		}
	}
	slices.Sort(all)
	res.setLatencies(all)
	return res
}

// setLatencies sets the request count and percentiles from every request's latency, sorted.
func (r *Result) setLatencies(sorted []time.Duration) {
	r.sorted, r.Requests = sorted, len(sorted)
	r.P50, r.P90, r.P99 = Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99)
	r.Max = 0
	if len(sorted) > 0 {
		r.Max = sorted[len(sorted)-1]
	}
}

// Combine adds up runs made one after another, as one run whose time is the sum of theirs
// and whose percentiles are those of all their requests together: a benchmark that runs a
// client in slices, alternating with its baseline so that both see the same machine, reports
// each side's slices as one.
func Combine(runs ...Result) Result {
	var out Result
	var all []time.Duration
	for _, r := range runs {
		out.Flows += r.Flows
		out.Errors += r.Errors
		out.Elapsed += r.Elapsed
		if out.FirstErr == nil {
			out.FirstErr = r.FirstErr
		}
		all = append(all, r.sorted...)
	}
	slices.Sort(all)
	out.setLatencies(all)
	return out
}

// Percentile returns the p-th percentile (nearest rank) of sorted latencies, 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
