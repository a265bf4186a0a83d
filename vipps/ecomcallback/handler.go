package ecomcallback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/merchant"
)

// DefaultMaxBodyBytes is the largest body Handler reads unless WithMaxBodyBytes says
// otherwise: 64 KiB, far above any callback, Express ones included.
const DefaultMaxBodyBytes = 64 << 10

// Callback is one eCom v2 payment callback whose token and order id have been checked.
type Callback struct {
	// OrderID is the order id from the URL path; it equals Body.OrderId.
	OrderID string
	// Body is the callback decoded leniently: merchantSerialNumber as a number or a string,
	// the status as an open string, unknown fields ignored. Express callbacks also fill
	// ShippingDetails and UserDetails.
	Body merchant.EcomCallbackBody
	// Raw is the body exactly as received, for the caller's own records.
	Raw []byte
}

// Status returns transactionInfo.status as sent, e.g. "RESERVED", "RESERVE" or "SALE_FAILED".
func (c Callback) Status() string { return c.Body.TransactionInfo.Status }

// Reserved reports whether the amount is reserved: "RESERVED" (regular payments) or
// "RESERVE" (Express payments), which mean the same.
func (c Callback) Reserved() bool {
	s := normal(c.Status())
	return s == "RESERVED" || s == "RESERVE"
}

// Sale reports whether the payment was reserved and captured in one step ("SALE"), as for
// direct-capture sales units.
func (c Callback) Sale() bool { return normal(c.Status()) == "SALE" }

// Failed reports whether the payment did not go through: any "*_FAILED" status
// ("RESERVE_FAILED", "SALE_FAILED"), "REJECTED" or "CANCELLED". Body.ErrorInfo may say why.
func (c Callback) Failed() bool {
	s := normal(c.Status())
	return strings.HasSuffix(s, "_FAILED") || s == "REJECTED" || s == "CANCELLED"
}

// Express reports whether the callback is for an Express payment, i.e. carries the user's
// shipping or user details.
func (c Callback) Express() bool {
	return c.Body.ShippingDetails != (merchant.ExpressShippingDetails{}) || c.Body.UserDetails != (merchant.ExpressUserDetails{})
}

// normal returns a status in the upper case Vipps documents, without surrounding space.
func normal(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Option configures Handler.
type Option func(*handlerConfig)

type handlerConfig struct {
	maxBody int64
	log     *slog.Logger
}

// WithMaxBodyBytes sets the largest body Handler accepts; a larger one is answered 413.
func WithMaxBodyBytes(n int64) Option { return func(c *handlerConfig) { c.maxBody = n } }

// WithLogger makes Handler log every callback it does not acknowledge, with the status and
// the error (which never holds the token). Nil logs nothing, the default.
func WithLogger(l *slog.Logger) Option { return func(c *handlerConfig) { c.log = l } }

// Handler returns an http.Handler for eCom v2 callbacks, mounted so that it receives
// POST {callbackPrefix}/v2/payments/{orderId}.
//
// authToken is the merchantInfo.authToken sent on initiate. Vipps puts it, raw and without a
// "Bearer " prefix, in the Authorization header, which Handler compares in constant time. An
// empty authToken means none was sent on initiate: then the request must have no
// Authorization header at all, and nothing authenticates the callback (see CheckToken).
//
// Handler answers 405 to anything but POST and 401 (before reading the body) when the token
// does not match. It reads the body once (413 above the limit), decodes it (400 on malformed
// JSON) and insists that the last segment of the URL path equals the body's orderId (400
// otherwise). It then calls handle with the request's context and answers 200 when handle
// returns nil and 500 when it fails.
//
// Vipps makes one attempt, waits 3 seconds and never retries, and not every state change
// causes a callback: keep handle quick, and poll GET /ecomm/v2/payments/{orderId}/details
// for the truth whenever a callback fails or does not come.
func Handler(authToken auth.Secret, handle func(ctx context.Context, cb Callback) error, opts ...Option) http.Handler {
	cfg := handlerConfig{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&cfg)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, err error) {
			if cfg.log != nil {
				cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "vipps ecom callback not acknowledged",
					slog.Int("status", status), slog.String("error", err.Error()))
			}
			http.Error(w, http.StatusText(status), status)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			fail(http.StatusMethodNotAllowed, fmt.Errorf("ecomcallback: method %s is not POST", r.Method))
			return
		}
		if err := CheckToken(r, authToken); err != nil {
			fail(http.StatusUnauthorized, err)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(http.StatusRequestEntityTooLarge, fmt.Errorf("ecomcallback: body larger than %d bytes", tooBig.Limit))
				return
			}
			fail(http.StatusBadRequest, fmt.Errorf("ecomcallback: reading the body: %w", err))
			return
		}
		cb, err := decode(r, raw)
		if err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		if err := handle(r.Context(), cb); err != nil {
			fail(http.StatusInternalServerError, fmt.Errorf("ecomcallback: handler: %w", err))
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// decode builds the Callback of an authenticated request.
func decode(r *http.Request, raw []byte) (Callback, error) {
	cb := Callback{Raw: raw}
	if err := json.Unmarshal(raw, &cb.Body); err != nil {
		return Callback{}, fmt.Errorf("%w: %w", ErrBody, err)
	}
	p := r.URL.Path
	cb.OrderID = p[strings.LastIndexByte(p, '/')+1:]
	switch {
	case cb.OrderID == "":
		return Callback{}, fmt.Errorf("%w: the path %.128q does not end in an order id", ErrOrderID, p)
	case cb.Body.OrderId != cb.OrderID:
		return Callback{}, fmt.Errorf("%w: path %.64q, body %.64q", ErrOrderID, cb.OrderID, cb.Body.OrderId)
	}
	return cb, nil
}
