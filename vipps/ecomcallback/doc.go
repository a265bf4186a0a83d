// Package ecomcallback receives the payment callbacks of the Vipps eCom v2 API (legacy, still
// widely used): POST {callbackPrefix}/v2/payments/{orderId}, sent once when a payment is
// reserved, sold, rejected, cancelled or fails.
//
// Vipps authenticates a callback only with the merchantInfo.authToken given on initiate,
// sent back raw as the whole Authorization header (no "Bearer " prefix). Handler compares it
// in constant time and rejects a mismatch with 401 before reading the body; it checks that
// the order id in the path is the body's, decodes the body leniently (merchantSerialNumber
// arrives as a number although documented as a string; statuses form an open set) and hands
// a Callback to a func:
//
//	token := auth.Secret(os.Getenv("VIPPS_CALLBACK_TOKEN")) // the authToken sent on initiate
//	mux.Handle("POST /vipps/callback/v2/payments/{orderId}", ecomcallback.Handler(token,
//		func(ctx context.Context, cb ecomcallback.Callback) error {
//			switch {
//			case cb.Reserved(): // RESERVED, or RESERVE for Express
//				return orders.MarkReserved(ctx, cb.OrderID, cb.Body.TransactionInfo.Amount)
//			case cb.Failed(): // *_FAILED, REJECTED, CANCELLED
//				return orders.MarkFailed(ctx, cb.OrderID, cb.Status())
//			}
//			return nil
//		}, ecomcallback.WithLogger(slog.Default())))
//
// An empty token means none was sent on initiate; the callback must then come without an
// Authorization header, and nothing authenticates it. Either way, and because Vipps makes a
// single attempt with a 3 second timeout and skips some state changes, a callback is a
// hint: confirm with GET /ecomm/v2/payments/{orderId}/details before shipping goods.
//
// CheckToken applies the same token check to the other endpoints Vipps calls with it
// (Express shippingDetails and consent removal).
package ecomcallback
