package vippsauth

import (
	"net/http"

	"github.com/paykit-go/paykit/auth"
)

// DefaultTimeout bounds every call of the default client, token calls included.
const DefaultTimeout = auth.DefaultTimeout

// DefaultHTTPClient returns auth.DefaultHTTPClient(): a timeout on every call, enough idle
// connections per host for concurrent use, and no redirects.
func DefaultHTTPClient() *http.Client { return auth.DefaultHTTPClient() }

// NewTransport returns auth.NewTransport(), the transport DefaultHTTPClient uses.
func NewTransport() *http.Transport { return auth.NewTransport() }
