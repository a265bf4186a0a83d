package bench_test

import (
	"runtime"
	"testing"
	"time"
)

// allocRuns is how many calls the allocation count of a variant is taken over.
const allocRuns = 500

// paired measures call against baseline, one goroutine at a time. The timed loop alternates
// the two (which goes first swaps every iteration), so that drift in the machine's speed
// during the run weighs on both alike; the allocation counts are taken afterwards, each
// over its own calls. It reports the call's own ns/op, B/op and allocs/op, and its ratios
// to the baseline as x-ns, x-B and x-allocs (1.00 = as cheap as the baseline). A nil
// baseline measures call alone. Allocation figures count the whole process, an in-process
// server included, as -benchmem does.
func paired(b *testing.B, baseline, call func() error) {
	b.Helper()
	for _, f := range []func() error{baseline, call} {
		if f == nil {
			continue
		}
		// The warm-up fetches the tokens and opens the connections.
		if err := f(); err != nil {
			b.Fatalf("warm-up: %v", err)
		}
	}
	b.ResetTimer()
	var callTime, baseTime time.Duration
	timed := func(f func() error, into *time.Duration) {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*into += time.Since(start)
	}
	for i := 0; i < b.N; i++ {
		if baseline == nil {
			timed(call, &callTime)
			continue
		}
		if i%2 == 0 {
			timed(baseline, &baseTime)
			timed(call, &callTime)
		} else {
			timed(call, &callTime)
			timed(baseline, &baseTime)
		}
	}
	b.StopTimer()

	n := float64(b.N)
	callBytes, callAllocs := allocs(b, call)
	b.ReportMetric(float64(callTime.Nanoseconds())/n, "ns/op")
	b.ReportMetric(callBytes, "B/op")
	b.ReportMetric(callAllocs, "allocs/op")
	if baseline == nil {
		return
	}
	baseBytes, baseAllocs := allocs(b, baseline)
	b.ReportMetric(float64(callTime)/float64(baseTime), "x-ns")
	b.ReportMetric(callBytes/baseBytes, "x-B")
	b.ReportMetric(callAllocs/baseAllocs, "x-allocs")
}

// allocs returns the bytes and allocations per call of f.
func allocs(b *testing.B, f func() error) (bytes, count float64) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < allocRuns; i++ {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / allocRuns, float64(after.Mallocs-before.Mallocs) / allocRuns
}
