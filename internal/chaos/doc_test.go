// Package chaos_test is the chaos test of paykit's reliability: many payments of both
// families, made concurrently through the wired clients against an in-process sandbox that
// fails on purpose, must each end exactly once in their final state.
//
// TestChaos runs N payments from 64 goroutines, half MoMo requests to pay and half Vipps
// ePayment payments captured in full. The sandbox answers 10 % of the requests 500, 10 %
// 503, 5 % 429 with Retry-After, drops 5 % of the connections, adds up to 50 ms of latency,
// issues tokens that live 2 s and delivers every MoMo callback twice. Those faults all strike
// before the API acts, so the test's client transport adds the one fault the sandbox cannot
// make: it loses 2 % of the answers after the API acted, as a connection reset on the way
// back does. That is what a retried MoMo create meets as 409 RESOURCE_ALREADY_EXIST and a
// retried Vipps call as the stored answer of its Idempotency-Key.
//
// The clients retry with their default policy, tuned for the fault rates (10 attempts,
// short backoffs). A payment whose call still fails is driven again by the caller with the
// same X-Reference-Id or Idempotency-Key until it reaches its final state. The test then
// asserts: no payment lost (each ends SUCCESSFUL, or AUTHORIZED with the whole amount
// captured, as the caller knows it), none duplicated (the sandbox ledger holds one
// transaction per reference and key, N/2 per family, each Vipps payment captured once), no
// panic, every MoMo callback handed on once despite the repeats, and no goroutine left
// behind once clients, servers and sandbox are closed.
//
// N is 400 in the normal test run (skipped with -short) and 10,000 with PAYKIT_SOAK=1, which
// `make soak` sets. The test logs one line with the figures:
//
//	chaos: 400 payments (MoMo 200, Vipps 200) from 64 goroutines in 5.89s: 1676 attempts, 466 retries, 1 already accepted, 0 re-drives, 0 lost, 0 duplicated
package chaos_test
