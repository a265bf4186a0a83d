package momoauth

import (
	"net"
	"net/http"
	"time"
)

// DefaultTimeout bounds every call of the default client, token calls included.
const DefaultTimeout = 30 * time.Second

// DefaultHTTPClient returns a client fit for concurrent use against the MoMo gateways: a
// timeout on every call, enough idle connections per host to serve many goroutines without
// reconnecting, and no redirects (the gateway redirects /token to an internal address; a
// client must fail there instead of following).
func DefaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   DefaultTimeout,
		Transport: NewTransport(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// NewTransport returns the transport DefaultHTTPClient uses. net/http's default keeps only
// 2 idle connections per host, which makes a busy service open and close connections on
// almost every call.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: DefaultTimeout,
	}
}
