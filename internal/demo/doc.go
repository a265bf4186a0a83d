// Package demo runs the end-to-end tour of both API families through the wired clients:
// MoMo provisioning, tokens, request to pay with callbacks, a transfer; Vipps partner keys,
// a webhook registration, an ePayment from creation to refund, an eCom payment with its
// callback, and a Recurring agreement with a charge.
//
// Run does the work and prints a table of steps as it goes; every step states what it
// expects, and the Report says which steps got something else. `paykit demo` runs it
// against an in-process sandbox or a server given with --base-url, and TestDemo runs it as
// a test:
//
//	srv := httptest.NewServer(sb) // a sandbox.Sandbox
//	report, err := demo.Run(ctx, demo.Config{MoMo: ..., Vipps: ...}, os.Stdout)
//
// Callbacks and webhooks are received by a local server the demo starts (httptest, on
// 127.0.0.1); the API server must be able to reach it, which a sandbox on the same machine
// can.
package demo
