package auth

import (
	"fmt"
	"net/http"
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
	return DoerFunc(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "" {
			return next.Do(req)
		}
		tok, err := src.Token(req.Context())
		if err != nil {
			return nil, fmt.Errorf("auth: bearer authorization: %w", err)
		}
		// A Doer must not change the caller's request; the copy of the headers is small.
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
		return retry.Do(req)
	})
}
