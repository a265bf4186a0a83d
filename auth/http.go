package auth

import (
	"net/http"
	"time"
)

// DefaultTimeout bounds every call of the default client, token calls included.
const DefaultTimeout = 30 * time.Second

// DefaultHTTPClient returns a client fit for concurrent use against the payment APIs: a
// timeout on every call, enough idle connections per host to serve many goroutines without
// reconnecting, and no redirects. Neither family redirects a valid call (MoMo redirects
// /token to an internal address), and a client that followed one would resend credential
// headers that net/http does not strip the way it strips Authorization.
func DefaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   DefaultTimeout,
		Transport: NewTransport(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// NewTransport returns the transport DefaultHTTPClient uses: net/http's defaults (proxy from
// the environment, dial and TLS timeouts, HTTP/2) with room for 128 idle connections per host
// instead of 2, which would make a busy service open and close a connection on almost every
// call.
func NewTransport() *http.Transport {
	var t *http.Transport
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		t = def.Clone()
	} else {
		// Something replaced the default; start from the same settings it had.
		t = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ForceAttemptHTTP2:     true,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.ResponseHeaderTimeout = DefaultTimeout
	return t
}
