// Package momoauth holds MTN MoMo credentials and the pieces that put them on requests.
//
// MoMo has two credential layers. The API gateway wants a subscription key per product
// (collection, disbursement, remittance) on every call, in Ocp-Apim-Subscription-Key. The
// wallet wants an API user and API key, exchanged with Basic authentication at
// POST /{product}/token/ for a bearer token that lives 3600 seconds and is bound to the
// product. A TokenSource makes that exchange through the generated token operation of the
// product's package; wrap it in an auth.Cache (see Registry) so that the token is reused until
// shortly before it expires.
//
//	keys := momoauth.SubscriptionKeys{Collection: auth.Secret(os.Getenv("MOMO_COLLECTION_KEY"))}
//	user := momoauth.APIUser{ID: os.Getenv("MOMO_API_USER"), Key: auth.Secret(os.Getenv("MOMO_API_KEY"))}
//	tokens := momoauth.NewRegistry()
//	src, err := tokens.Source(momoauth.SourceConfig{BaseURL: momoauth.SandboxURL, Product: momoauth.Collection,
//		SubscriptionKey: keys.Collection, APIUser: user})
//
// Credential types never print their secrets with fmt, in errors or in logs.
package momoauth
