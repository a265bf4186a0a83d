// Package callback receives MTN MoMo callbacks: the request MoMo sends to the X-Callback-Url
// of an asynchronous operation (request to pay, transfer, deposit, refund, ...) once the
// transaction reaches its final state.
//
// MoMo's callbacks are plain JSON with no signature and no Authorization, sent with POST (as
// observed) or PUT (as documented), and sometimes delivered more than once (twice, minutes
// apart, even after a 200). The body is the status body of the operation without its
// referenceId, so the callback itself does not say which transaction it is about.
//
// Handler deals with all of that: it accepts POST and PUT, reads the body once with a limit,
// decodes it leniently into the generated callback.Callback (reason as a code string or a
// {code,message} object, unknown fields ignored), works out the reference, optionally
// confirms the status with a status read (the confirmed status wins over what the unsigned
// callback claims), drops repeats of a final result it already handed on, and calls the
// service's func. It answers 200 only once that func returned nil (or for a repeat), so
// that MoMo delivers again whatever the service did not take.
//
// The recommended pattern is to put the X-Reference-Id of the transaction in the callback URL,
// as the last path segment: MoMo calls exactly the URL it was given, so the reference comes
// back with the callback, and nobody can move a callback from one transaction to another
// without changing the URL. The URL's host must be the API user's providerCallbackHost.
//
//	c, err := momo.New(cfg)
//	mux.Handle("/momo/callback/{reference}", callback.Handler(
//		func(ctx context.Context, n callback.Notification) error {
//			// n.Status is SUCCESSFUL or FAILED (n.Reason says why) as MoMo's status read
//			// confirmed it; a repeat of the same final result never gets here.
//			return orders.Settle(ctx, n.Reference, n.Status, n.Reason) // idempotent
//		},
//		callback.WithConfirm(callback.ConfirmRequestToPay(c.Collection, "")),
//	))
//
//	ref := momo.NewReferenceID()
//	cb := "https://shop.example.com/momo/callback/" + ref.String()
//	c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: &cb}, body)
//
// Without a {reference} wildcard the last path segment is used when it is a UUID; other
// layouts pass WithReference. Repeats are recognised by (reference, final status) in a
// bounded in-memory store, or in the caller's Store when several instances share the
// callbacks. Make the service's func idempotent all the same: a repeat can slip through
// when the store forgets (restarts, eviction) or two instances race.
package callback
