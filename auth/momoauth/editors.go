package momoauth

import (
	"context"
	"errors"
	"net/http"
	"strings"

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

// TargetEnvironment returns an editor that sets X-Target-Environment (e.g. "sandbox",
// "mtnuganda") on every product request that has no value yet: a value set per call wins.
//
// The access token operation (POST /{product}/token/) is the one product operation that
// takes no environment, so it is left alone; the consent token operation
// (/{product}/oauth2/token/) does take one.
func TargetEnvironment(env string) auth.Editor {
	return func(_ context.Context, req *http.Request) error {
		if req.Header.Get(TargetEnvironmentHeader) != "" || isAccessTokenPath(req.URL.Path) {
			return nil
		}
		if env == "" {
			return errors.New("momo: X-Target-Environment: no value set for the call or configured")
		}
		req.Header.Set(TargetEnvironmentHeader, env)
		return nil
	}
}

func isAccessTokenPath(p string) bool {
	return strings.HasSuffix(p, "/token/") && !strings.HasSuffix(p, "/oauth2/token/")
}

// NewReferenceID returns a new random (version 4) UUID for X-Reference-Id. Make it once per
// transaction, keep it, and resend the same value on every retry: it is both the id of the
// transaction and its idempotency key.
func NewReferenceID() uuid.UUID { return uuid.New() }
