// Package bench measures what paykit costs on a checkout's hot path and how fast the sandbox
// serves a load test: per-call overhead of the typed clients against a hand-written net/http
// call, the token cache, the cost of a client timeout, throughput under 64 goroutines over
// HTTP and TLS, and the sandbox itself. Each benchmark runs its baseline in the same run,
// alternating with it so that a drifting machine weighs on both alike: the per-call variants
// report their ratios to it as metrics (x-ns, x-B, x-allocs), the throughput clients req/s,
// p50-ms and p99-ms with their ratios to the two hand-written baselines (x-tuned, x-default).
// BENCHMARKS.md at the repository root holds the figures of one run and what was changed
// because of them.
//
// Nothing here is a timed assertion: `go test ./internal/bench/` runs only quick correctness
// checks (one token fetch for 1,000 goroutines, the flows used by the benchmarks succeed,
// the load helpers count what they ran).
// The figures come from
//
//	go test -run '^$' -bench . -benchmem ./internal/bench/
//
// The load helpers (Run, Result) are shared with scripts/bench-peers/loadgen, which drives
// the sandbox and the Prism mock server with the same requests:
//
//	res := bench.Run(bench.Plan{Workers: 64, Flows: 10000}, func(ctx context.Context, flow int, c *bench.Calls) {
//		c.Do(func() error { return requestToPay(ctx, flow) })
//		c.Do(func() error { return status(ctx, flow) })
//	})
//	fmt.Println(res) // requests/s, p50, p99, errors
package bench
