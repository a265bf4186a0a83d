// Package vippsauth holds Vipps MobilePay credentials and the pieces that put them on
// requests: header editors, token sources for both token endpoints, and a Registry that
// shares one cached token per credential set.
//
// Merchant and partner keys are a client_id, a client_secret and an Ocp-Apim-Subscription-Key.
// They are exchanged at POST /accesstoken/get for a bearer token (1 hour in test, 24 hours in
// production), and the subscription key goes on every API call as well. Management and
// accounting keys have no subscription key: they get a 15-minute token from the OAuth2
// client-credentials endpoint POST /miami/v1/token with Basic authentication.
//
// Partner keys serve every merchant linked to the partner, and the Merchant-Serial-Number
// header says which merchant a call is for. Build one client per merchant with that
// merchant's MSN bound by MerchantSerialNumber, which refuses to send any other; take the MSN
// from configuration, never from merchant input; and keep the keys where no merchant can read
// them, since whoever holds them can act as every merchant. A token fetched without an MSN is
// shared by all of a partner's merchants; TokenConfig.MSN fetches one per merchant instead.
//
//	creds := vippsauth.Credentials{
//		ClientID:        os.Getenv("VIPPS_CLIENT_ID"),
//		ClientSecret:    auth.Secret(os.Getenv("VIPPS_CLIENT_SECRET")),
//		SubscriptionKey: auth.Secret(os.Getenv("VIPPS_SUBSCRIPTION_KEY")),
//	}
//	tokens := vippsauth.NewRegistry()
//	src, err := tokens.Source(vippsauth.TokenConfig{BaseURL: vippsauth.TestURL, Credentials: creds,
//		System: vippsauth.System{Name: "acme", Version: "3.1.2"}})
//	...
//	client, err := epayment.NewClientWithResponses(vippsauth.TestURL,
//		epayment.WithHTTPClient(auth.Authorize(vippsauth.DefaultHTTPClient(), src)),
//		epayment.WithRequestEditorFn(auth.Chain(
//			vippsauth.SubscriptionKey(creds.SubscriptionKey),
//			vippsauth.MerchantSerialNumber("123456"),
//		)),
//	)
//
// Credential types never print their secrets with fmt, in errors or in logs.
package vippsauth
