// Package momo returns ready-to-use MTN MoMo clients in one call.
//
// New wires the generated clients of the four MoMo APIs (sandbox provisioning, collection,
// disbursement, remittance) with the product's subscription key, the target environment, a
// cached bearer token that is refreshed shortly before it expires (and once more if the API
// answers 401), a timeout on every call and a transport that keeps enough connections for
// concurrent use.
//
//	c, err := momo.New(momo.Config{
//		BaseURL:           momo.SandboxURL,
//		TargetEnvironment: "sandbox",
//		SubscriptionKeys:  momoauth.SubscriptionKeys{Collection: auth.Secret(os.Getenv("MOMO_COLLECTION_KEY"))},
//		APIUser:           momoauth.APIUser{ID: os.Getenv("MOMO_API_USER"), Key: auth.Secret(os.Getenv("MOMO_API_KEY"))},
//	})
//	ref := momo.NewReferenceID() // keep it: it identifies the payment and makes retries safe
//	res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref},
//		common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17",
//			Payer: common.Party{PartyIdType: "MSISDN", PartyId: "46733123454"}})
//
// The generated operations leave X-Target-Environment empty unless set per call; the wired
// clients fill in the configured one.
//
// Calls that fail on the way (network errors, 500, 502, 503, 504, 429) are retried by
// default, see package retry: reads and token calls always, creates only with their
// X-Reference-Id, which every attempt resends with the same body. A create whose earlier
// attempt reached MoMo meets 409 RESOURCE_ALREADY_EXIST on the retry; the caller gets 202
// instead, marked for retry.AlreadyAccepted, and polls the status as after any acceptance.
// Config.Retry tunes the policy; retry.Policy{Disabled: true} switches it off.
package momo
