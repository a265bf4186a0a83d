// Package auth holds credentials and the plumbing that puts them on the wire for the
// generated clients: a Secret type that refuses to be printed, request editors, token sources,
// a Cache that refreshes tokens with one fetch in flight, and a Doer that retries once after a
// 401.
//
// The pieces fit together like this, with collection standing for any generated package:
//
//	tokens := auth.NewCache(auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
//		return fetchFromTokenEndpoint(ctx, apiUser, apiKey) // the one place that calls Reveal
//	}))
//	client, err := collection.NewClientWithResponses(baseURL,
//		collection.WithHTTPClient(auth.RetryUnauthorized(http.DefaultClient, tokens)),
//		collection.WithRequestEditorFn(auth.Chain(
//			auth.SecretHeader("Ocp-Apim-Subscription-Key", subscriptionKey),
//			auth.Bearer(tokens),
//		)),
//	)
//
// Every request asks the Cache for a token; the Cache fetches only when the token is missing,
// expired or about to expire, and never runs more than one fetch at a time. When the API
// rejects a token anyway (revoked, clock skew), RetryUnauthorized drops exactly that token,
// fetches a new one and sends the request once more.
package auth
