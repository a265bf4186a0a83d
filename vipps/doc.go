// Package vipps returns ready-to-use Vipps MobilePay clients in one call, for a merchant with
// its own keys or for a partner acting for many merchants.
//
// New wires the generated clients of ePayment, eCom, Recurring, Management, Partner,
// Userinfo and Webhooks with the subscription key, the Vipps-System-* headers, a cached
// access token that is refreshed before it expires (and once more if an API answers 401), a
// timeout on every call and a transport fit for concurrent use.
//
//	c, err := vipps.New(vipps.Config{
//		BaseURL:     vipps.TestURL,
//		Credentials: vippsauth.Credentials{ClientID: id, ClientSecret: auth.Secret(secret), SubscriptionKey: auth.Secret(key)},
//		MSN:         "123456",
//		System:      vippsauth.System{Name: "acme", Version: "1.0.0"},
//	})
//	res, err := c.EPayment.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: key}, body)
//
// A partner builds one Partner from its partner keys and derives a client per merchant:
//
//	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: vipps.ProductionURL, Credentials: partnerKeys})
//	shop, err := p.ForMerchant("123456")
//
// A merchant-bound client sends its MSN on every call and cannot send another: a
// Merchant-Serial-Number set per call is replaced, and an eCom body naming another
// merchant is refused before it is sent. The partner keys stay inside the Partner value
// and never print.
//
// Calls that fail on the way (network errors, 500, 502, 503, 504, 429) are retried by
// default, see package retry: reads and token calls always, writes only with their
// Idempotency-Key (eCom: X-Request-Id), which every attempt resends with the same body, so
// a repeat of a call that got through returns the stored answer of the first. Config.Retry
// and PartnerConfig.Retry tune the policy; retry.Policy{Disabled: true} switches it off.
package vipps
