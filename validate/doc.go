// Package validate checks what a request is about to send, before it is sent, and says
// which field breaks which rule.
//
// The gateways answer a bad amount, a text with an apostrophe or a malformed reference id
// with a bare 400, or with a 500 that looks like an outage; caught here, the same mistake is
// an *Error naming the field as the API names it ("amount", "payer.partyId",
// "X-Reference-Id", "Idempotency-Key"), the Rule it breaks, the rule in full (Want) and an
// excerpt of the value. Secrets are never repeated: the checks never read credentials, and
// the secret values they do check (an eCom authToken) are left out of the error.
//
// The field checks work on their own:
//
//	err := validate.MoMoAmount("amount", "12.50", "UGX") // fraction: UGX has no minor unit
//	err = validate.IdempotencyKey(validate.Recurring, key)
//
// MoMoRequest and VippsRequest take an outgoing request of a generated client, find its
// operation by method and path, read its JSON body without consuming it, and apply every
// check of that operation, returning all the problems joined (errors.Join); errors.Is(err,
// validate.ErrInvalid) holds for any of them, and Problems lists them. MoMoEditor and
// VippsEditor wrap them as request editors, so that the client fails before the request
// reaches the network:
//
//	client, err := collection.NewClientWithResponses(baseURL,
//		collection.WithRequestEditorFn(setTargetEnvironmentAndKeys),
//		collection.WithRequestEditorFn(validate.MoMoEditor()),
//	)
//
// MoMoDoer and VippsDoer do the same as a Doer, which sees the request after every editor.
package validate
