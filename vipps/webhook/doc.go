// Package webhook verifies and receives Vipps MobilePay webhooks (Webhooks API v1): the
// ePayment events (epayments.payment.*.v1), the Recurring events (recurring.*.v1) and
// anything else Vipps delivers to a registered URL.
//
// Every delivery is a POST signed with the secret Vipps returned, once, when the URL was
// registered. Verifier checks it the way Vipps computes it:
//
//	contentHash  = base64(SHA-256(raw body))                 == x-ms-content-sha256
//	stringToSign = "POST\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" + contentHash
//	signature    = base64(HMAC-SHA256(key = the secret text's UTF-8 bytes, stringToSign))
//	Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<signature>
//
// host and pathAndQuery come from the registered URL (host with a port only when it is not
// the scheme's default), not from the request, unless Verifier.UseRequestURL says otherwise.
// The secret looks like base64 but is used as text; it is never decoded. Both comparisons
// take constant time, and every failure is an error wrapping one sentinel (ErrSignature,
// ErrContentHash, ...) that never shows the secret or the value expected. An empty secret
// rejects everything.
//
// Handler puts it together: POST only, the body read once with a size limit, verified before
// anything looks at it, decoded into the generated merchant.WebhookPayload, and handed to a
// func; it answers 200 only when that func returns nil, so that Vipps retries whatever the
// service did not take:
//
//	v := webhook.Verifier{
//		Secret: auth.Secret(os.Getenv("VIPPS_WEBHOOK_SECRET")),
//		URL:    "https://shop.example.com/vipps/webhooks", // exactly as registered
//		MaxAge: 15 * time.Minute,                          // optional
//	}
//	mux.Handle("POST /vipps/webhooks", webhook.Handler(v, func(ctx context.Context, ev webhook.Event) error {
//		switch ev.Kind() {
//		case webhook.KindEPayment:
//			return orders.Apply(ctx, ev.Payload.Reference, ev.Payload.Name, ev.Body) // idempotent
//		case webhook.KindRecurring:
//			return agreements.Refresh(ctx, ev.Payload.AgreementId) // re-read, then act
//		}
//		return nil // acknowledge what this service does not use
//	}, webhook.WithLogger(slog.Default())))
//
// Vipps delivers at least once and keeps retrying for up to 7 days; while one event of a
// payment fails, later events of that payment wait. Make the handling idempotent (store
// Event.Body or key on the psp reference) and return an error only when a retry can help.
//
// Sign computes the same headers, for a sender such as a simulator and for tests.
package webhook
