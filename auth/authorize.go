package auth

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// Authorize returns a Doer that gives every request without an Authorization header a bearer
// token from src and retries it once on HTTP 401 with a fresh token (see RetryUnauthorized).
//
// Requests that already carry Authorization (a token operation using Basic, a call made with
// a consent token) are sent as they are and never retried, because a fresh token from src
// would not be the credential they need. Wired clients use this rather than a Bearer editor,
// so that one place both sets the token and knows which token a 401 rejected.
func Authorize(next Doer, src InvalidatingSource) Doer {
	retry := RetryUnauthorized(next, src)
	// The header value of the current token, made once per token rather than once per call;
	// requests share it, which is safe because nothing writes to a header value in place.
	var current atomic.Pointer[bearerHeader]
	return DoerFunc(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "" {
			return next.Do(req)
		}
		tok, err := src.Token(req.Context())
		if err != nil {
			return nil, fmt.Errorf("auth: bearer authorization: %w", err)
		}
		h := current.Load()
		if h == nil || h.token != tok.AccessToken {
			h = &bearerHeader{token: tok.AccessToken, value: []string{"Bearer " + tok.AccessToken.Reveal()}}
			current.Store(h)
		}
		return retry.Do(withHeader(req, "Authorization", h.value))
	})
}

// bearerHeader is the Authorization header value of one token.
type bearerHeader struct {
	token Secret
	value []string
}

// withHeader returns a copy of req that also carries the header name: value, leaving req
// as it was, since a Doer must not change the caller's request. The copy is shallow, a new
// struct and header map whose other values are shared with req, where req.Clone would copy
// the URL and every header value too: it is on every call of a wired client, and nothing
// downstream writes to a request's header values in place.
func withHeader(req *http.Request, name string, value []string) *http.Request {
	out := new(http.Request)
	*out = *req
	out.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		out.Header[k] = v
	}
	out.Header[http.CanonicalHeaderKey(name)] = value
	return out
}
