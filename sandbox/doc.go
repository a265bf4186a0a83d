// Package sandbox is an in-memory, stateful simulator of the MTN MoMo and Vipps MobilePay
// APIs, built on the generated strict server interfaces and the same OpenAPI documents the
// clients come from.
//
// Every request is checked against the documents first: a request that breaks them gets a
// 400 naming the field and the rule, in the API's own error shape, and a missing or unknown
// subscription key gets the gateway's 401. Behind that, each API keeps state as the real
// sandboxes do: API users and tokens with an expiry, ledgers and balances, idempotency keys,
// payments that move through their states, callbacks and signed webhooks delivered (and
// retried) to the URLs given. Faults can be switched on to test a client's resilience.
//
// In a test:
//
//	sb, err := sandbox.New()
//	srv := httptest.NewServer(sb)
//	defer srv.Close(); defer sb.Close()
//	creds := sb.Credentials() // ready-made keys for both families
//
// As a server for other services' tests: `paykit sandbox --addr 127.0.0.1:8080`.
//
// The control endpoint under /_sandbox/ lists the ledger, plays the user who approves or
// rejects a pending payment, sets faults and resets the state.
package sandbox
