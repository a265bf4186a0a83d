// Package retry sends HTTP requests again when the failure is worth another attempt and the
// request is safe to repeat.
//
// New wraps any auth.Doer (an *http.Client, a generated client's HttpRequestDoer, an
// auth.Authorize chain). The wired facades, momo.New and vipps.New, use it by default; their
// Config.Retry holds the Policy, and Policy{Disabled: true} switches it off.
//
//	doer := retry.New(http.DefaultClient, retry.Policy{MaxAttempts: 5})
//	client, err := epayment.NewClientWithResponses(vipps.TestURL, epayment.WithHTTPClient(doer))
//
// What is retried: network and connection failures (never the caller's own cancellation or
// deadline) and the answers 500, 502, 503, 504 and 429. A 2xx, a 3xx and every other 4xx
// are the API's final word and are returned at once. The wait is the answer's Retry-After
// (delta seconds or an HTTP date) when it has one, else an exponential backoff with jitter.
// Attempts and total time are bounded (Policy.MaxAttempts, Policy.MaxElapsed); a Retry-After
// longer than the remaining budget or Policy.RetryAfterCap ends the retries. When they end,
// the last answer is returned as it came, body unread, for the caller to decode; the bodies
// of the answers retried are drained and closed, so connections are reused. A caller whose
// context is done while the retrier waits gets ctx.Err() at once.
//
// What is safe to repeat (DESIGN.md principle 5: idempotency is the caller's): GET, HEAD and
// OPTIONS always; POST, PUT, PATCH and DELETE only when they carry one of X-Reference-Id
// (MoMo), Idempotency-Key (Vipps) or X-Request-Id (Vipps eCom). Every attempt sends the same
// headers, so the same key, and the same body bytes: the retrier never makes a key up. The
// exception is the token operations (MoMo /{product}/token/, Vipps /accesstoken/get and
// /miami/v1/token), POSTs without a key that create nothing and are retried all the same.
//
// What a repeat answers: Vipps answers a repeated key with the stored answer of the first
// attempt, which is passed on as it is. MoMo answers a repeated X-Reference-Id with 409
// RESOURCE_ALREADY_EXIST; on a retry that means an earlier attempt reached MoMo and created
// the resource, so the retrier returns a 202 Accepted without a body carrying the header
// Paykit-Already-Accepted (see AlreadyAccepted), and the caller polls the status as after
// any acceptance. The same 409 on the first attempt means the caller reused a reference and
// is returned unchanged.
//
// With the auth layer, the retrier goes outside: retry.New(auth.Authorize(client, tokens),
// p). Each attempt then takes the current token and gets auth's one refresh on 401, and the
// retrier counts every attempt of the call, which is what tells a MoMo 409 on a retry from
// one on a first attempt.
package retry
