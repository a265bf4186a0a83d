package callback

import (
	"context"
	"log/slog"
	"net/http"

	gencallback "github.com/paykit-go/paykit/gen/momo/callback"
)

// DefaultMaxBodyBytes is the largest body Handler reads unless WithMaxBodyBytes says
// otherwise: 64 KiB, far above any MoMo callback.
const DefaultMaxBodyBytes = 64 << 10

// Option configures Handler.
type Option func(*config)

type config struct {
	maxBody     int64
	reference   func(*http.Request, gencallback.Callback) (string, bool)
	confirm     Confirmer
	store       Store
	log         *slog.Logger
	onDuplicate func(context.Context, Notification)
}

// WithMaxBodyBytes sets the largest body Handler accepts; a larger one is answered 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithReference replaces PathReference: ref returns the reference of a callback, or false
// when the request names none. Use it when the callback URL has another layout (a query
// parameter, an order id to look up) or to correlate by the body's externalId.
func WithReference(ref func(r *http.Request, cb gencallback.Callback) (string, bool)) Option {
	return func(c *config) { c.reference = ref }
}

// WithConfirm makes Handler read the transaction's status with confirm before handing a
// callback on, and hand on what the read says rather than what the callback claims:
// callbacks carry no signature, so anyone who knows the URL can send one. A read that fails
// is answered 503, as is a read that does not show yet the final status the callback
// claims, so that MoMo delivers again. See ConfirmRequestToPay and the other confirmers.
//
// The read runs with the request's context, inside the 2 s MoMo waits for an answer; a
// slow read makes MoMo give up on the delivery and send it again later, which is safe.
func WithConfirm(confirm Confirmer) Option { return func(c *config) { c.confirm = confirm } }

// WithStore sets where Handler remembers the final results it handed on, to recognise
// repeats; by default a MemoryStore of DefaultRemembered entries, private to the Handler.
// Give instances that share callbacks a shared Store.
func WithStore(s Store) Option { return func(c *config) { c.store = s } }

// WithLogger makes Handler log every callback it does not acknowledge (warning) and every
// repeat it drops (debug). Nil logs nothing, the default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithOnDuplicate calls f for every repeat that Handler acknowledges without handing it on,
// e.g. to count them. n.Status is the final status that was already handed on.
func WithOnDuplicate(f func(ctx context.Context, n Notification)) Option {
	return func(c *config) { c.onDuplicate = f }
}
