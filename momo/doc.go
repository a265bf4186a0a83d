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
package momo
