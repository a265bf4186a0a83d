package ecomcallback

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/paykit-go/paykit/auth"
)

// Sentinel errors; test for them with errors.Is. None ever carries the configured token or
// the value that was received.
var (
	// ErrToken: the Authorization header is missing, repeated or differs from the authToken
	// sent on initiate, or is present although no authToken was set.
	ErrToken = errors.New("ecomcallback: Authorization does not carry the configured authToken")
	// ErrOrderID: the order id in the URL path is missing or differs from the body's orderId.
	ErrOrderID = errors.New("ecomcallback: order id in the path does not match the body")
	// ErrBody: the body is not a JSON callback.
	ErrBody = errors.New("ecomcallback: malformed callback body")
)

// CheckToken reports whether r carries authToken the way Vipps sends it: the raw value as the
// whole Authorization header, with no "Bearer " prefix. It serves the shippingDetails and
// consent-removal endpoints too, which receive the same header.
//
// An empty authToken means none was set in merchantInfo.authToken on initiate; then Vipps
// has nothing to send, and the request passes only when it has no Authorization header.
// Such a callback is unauthenticated: treat it as a hint and confirm the payment with
// GET /ecomm/v2/payments/{orderId}/details before acting on it.
//
// The comparison takes the same time whatever the header holds: both values are hashed with
// SHA-256 and the digests compared with subtle.ConstantTimeCompare, so neither the content
// nor the length of the token leaks through timing.
func CheckToken(r *http.Request, authToken auth.Secret) error {
	got := r.Header.Values("Authorization")
	if authToken.Reveal() == "" {
		if len(got) != 0 {
			return ErrToken
		}
		return nil
	}
	if len(got) != 1 {
		return ErrToken
	}
	if !tokenEqual(got[0], authToken) {
		return ErrToken
	}
	return nil
}

// tokenEqual compares got with want in time that depends on neither value's content or length
// (beyond hashing got, which the sender already knows). An empty want matches nothing.
func tokenEqual(got string, want auth.Secret) bool {
	if want.Reveal() == "" {
		return false
	}
	g := sha256.Sum256([]byte(got))
	w := sha256.Sum256([]byte(want.Reveal()))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
