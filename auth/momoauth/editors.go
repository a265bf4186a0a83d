package momoauth

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
)

// Header names MoMo uses for credentials and routing.
const (
	SubscriptionKeyHeader   = "Ocp-Apim-Subscription-Key"
	TargetEnvironmentHeader = "X-Target-Environment"
	ReferenceIDHeader       = "X-Reference-Id"
)

// SubscriptionKey returns an editor that sets the product's gateway subscription key.
func SubscriptionKey(key auth.Secret) auth.Editor {
	return auth.SecretHeader(SubscriptionKeyHeader, key)
}

// TargetEnvironment returns an editor that fills X-Target-Environment (e.g. "sandbox",
// "mtnuganda") on requests of operations that declare it but were given no value.
//
// A value set per call wins, and operations without the header (the token operations) stay
// without it, because the generated code adds the header, possibly empty, only for
// operations that declare it.
func TargetEnvironment(env string) auth.Editor {
	return func(_ context.Context, req *http.Request) error {
		if v, declared := req.Header[TargetEnvironmentHeader]; declared && (len(v) == 0 || v[0] == "") {
			req.Header.Set(TargetEnvironmentHeader, env)
		}
		return nil
	}
}

// NewReferenceID returns a new random (version 4) UUID for X-Reference-Id. Make it once per
// transaction, keep it, and resend the same value on every retry: it is both the id of the
// transaction and its idempotency key.
func NewReferenceID() uuid.UUID { return uuid.New() }
