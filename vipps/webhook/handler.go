package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit/gen/vipps/merchant"
)

// DefaultMaxBodyBytes is the largest body Handler reads unless WithMaxBodyBytes says
// otherwise: 1 MiB, far above any Vipps event.
const DefaultMaxBodyBytes = 1 << 20

// Event is one verified webhook delivery.
type Event struct {
	// Payload is the body decoded leniently: unknown fields are ignored and the fields of
	// both ePayment and Recurring events are present, the others left empty.
	Payload merchant.WebhookPayload
	// Body is the raw body exactly as signed, for the caller's own storage and idempotency.
	Body []byte
	// Date is the signed x-ms-date of the delivery.
	Date time.Time
}

// Kind tells which API an event belongs to.
type Kind int

// The kinds of event.
const (
	// KindUnknown is neither shape (a QR check-in or login ping, or something new).
	KindUnknown Kind = iota
	// KindEPayment is an ePayment event: it has "name" and "reference".
	KindEPayment
	// KindRecurring is a Recurring event: it has "eventType" and "agreementId".
	KindRecurring
)

// String returns "epayment", "recurring" or "unknown".
func (k Kind) String() string {
	switch k {
	case KindEPayment:
		return "epayment"
	case KindRecurring:
		return "recurring"
	}
	return "unknown"
}

// Kind tells an ePayment event (it has name and reference, or an "epayments." eventType) from
// a Recurring one (it has agreementId or a "recurring." eventType).
func (e Event) Kind() Kind {
	p := e.Payload
	switch {
	case p.AgreementId != "" || strings.HasPrefix(p.EventType, "recurring."):
		return KindRecurring
	case p.Name != "" || p.Reference != "" || strings.HasPrefix(p.EventType, "epayments."):
		return KindEPayment
	}
	return KindUnknown
}

// EPayment decodes the body as the ePayment WebhookEvent, with its amount as an object. It
// fails for other kinds of event, and when the body does not fit that shape.
func (e Event) EPayment() (merchant.WebhookEvent, error) {
	var ev merchant.WebhookEvent
	if k := e.Kind(); k != KindEPayment {
		return ev, fmt.Errorf("webhook: a %s event is not an ePayment event", k)
	}
	if err := json.Unmarshal(e.Body, &ev); err != nil {
		return merchant.WebhookEvent{}, fmt.Errorf("webhook: decoding an ePayment event: %w", err)
	}
	return ev, nil
}

// Option configures Handler.
type Option func(*handlerConfig)

type handlerConfig struct {
	maxBody int64
	log     *slog.Logger
}

// WithMaxBodyBytes sets the largest body Handler accepts; a larger one is answered 413.
func WithMaxBodyBytes(n int64) Option { return func(c *handlerConfig) { c.maxBody = n } }

// WithLogger makes Handler log every delivery it does not acknowledge, with the status and
// the error (which never holds the secret or an expected signature). Nil logs nothing, the
// default.
func WithLogger(l *slog.Logger) Option { return func(c *handlerConfig) { c.log = l } }

// Handler returns an http.Handler that receives Vipps webhooks for v.
//
// It answers 405 to anything but POST, reads the body once (413 when it exceeds the limit),
// verifies it with v (401, and the body goes no further, when that fails), decodes it into an
// Event (400 on malformed JSON) and calls handle with the request's context. It answers 200
// only when handle returns nil; an error from handle is answered 500 so that Vipps delivers
// the event again later. Vipps delivers at least once: make handle idempotent (Event.Body and
// the payload's idempotency key or psp reference help).
func Handler(v Verifier, handle func(ctx context.Context, ev Event) error, opts ...Option) http.Handler {
	cfg := handlerConfig{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&cfg)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, err error) {
			if cfg.log != nil {
				cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "vipps webhook not acknowledged",
					slog.Int("status", status), slog.String("error", err.Error()))
			}
			http.Error(w, http.StatusText(status), status)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			fail(http.StatusMethodNotAllowed, ErrMethod)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(http.StatusRequestEntityTooLarge, fmt.Errorf("webhook: body larger than %d bytes", tooBig.Limit))
				return
			}
			fail(http.StatusBadRequest, fmt.Errorf("webhook: reading the body: %w", err))
			return
		}
		if err := v.Verify(r, body); err != nil {
			fail(http.StatusUnauthorized, err)
			return
		}
		ev, err := decode(r, body)
		if err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		if err := handle(r.Context(), ev); err != nil {
			fail(http.StatusInternalServerError, fmt.Errorf("webhook: handler: %w", err))
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// decode builds the Event of a verified delivery.
func decode(r *http.Request, body []byte) (Event, error) {
	ev := Event{Body: body}
	if err := json.Unmarshal(body, &ev.Payload); err != nil {
		return Event{}, fmt.Errorf("webhook: decoding the payload: %w", err)
	}
	ev.Date, _ = time.Parse(http.TimeFormat, r.Header.Get(HeaderDate)) // Verify parsed it
	return ev, nil
}
