package retry

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paykit-go/paykit/apierror"
)

// Idempotency key headers: a write carrying one of them may be sent again, because the API
// recognises the repeat and does not act twice (MoMo X-Reference-Id; Vipps Idempotency-Key
// and, on eCom, X-Request-Id).
const (
	ReferenceIDHeader    = "X-Reference-Id"
	IdempotencyKeyHeader = "Idempotency-Key"
	RequestIDHeader      = "X-Request-Id"
)

// idempotencyHeaders are the headers that make a write safe to send again.
var idempotencyHeaders = []string{ReferenceIDHeader, IdempotencyKeyHeader, RequestIDHeader}

// tokenPathSuffixes end the paths of the token operations. They are POSTs without an
// idempotency key, yet safe to send again: they create nothing the caller could end up with
// twice (a second token is as good as the first, and several may be valid at once), so a
// lost answer costs nothing but the retry. They are MoMo's /{product}/token/ (and the
// consent /{product}/oauth2/token/, whose repeat at worst is refused as a used grant, no
// worse than the failure it retries), Vipps /accesstoken/get and /miami/v1/token.
var tokenPathSuffixes = []string{"/token/", "/accesstoken/get", "/miami/v1/token"}

// replayable reports whether req may be sent more than once, and if not, why.
func replayable(req *http.Request) (bool, string) {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true, ""
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		for _, h := range idempotencyHeaders {
			if req.Header.Get(h) != "" {
				return true, ""
			}
		}
		if req.Method == http.MethodPost && isTokenPath(req.URL.Path) {
			return true, ""
		}
		return false, "no idempotency key"
	}
	return false, "method not retried"
}

func isTokenPath(path string) bool {
	for _, s := range tokenPathSuffixes {
		if strings.HasSuffix(path, s) {
			return true
		}
	}
	return false
}

// retryableStatus reports whether an answer with status code is worth another attempt: the
// server errors that mean "not now", throttling, and Vipps's 423 (another operation on the
// same payment is under way). Every other status, 2xx, 3xx and the other 4xx among them, is
// the API's final word on this request.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, http.StatusTooManyRequests, http.StatusLocked:
		return true
	}
	return false
}

// permanentFailure reports whether a 500 says what no retry can change: MoMo answers refused
// API credentials (login_failed) and refusals such as NOT_ALLOWED or INVALID_CURRENCY with
// 500. The body is read (bounded) and put back for the caller.
func permanentFailure(resp *http.Response) bool {
	if resp.StatusCode != http.StatusInternalServerError || resp.Body == nil {
		return false
	}
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	resp.Body = &replayedBody{Reader: io.MultiReader(bytes.NewReader(peek), resp.Body), Closer: resp.Body}
	return !apierror.Decode(resp.StatusCode, resp.Header, peek).Temporary()
}

// transient reports whether err is a failure of the network or of the connection, which
// another attempt may not meet. Only an error the HTTP client itself returned counts (a
// *url.Error at the top of the chain): an error a layer below wrapped, such as a token that
// could not be fetched or a 401 after a token refresh, is that layer's decision, already made
// with its own retries. Caller cancellation is never transient; the caller checks it first.
func transient(err error) bool {
	ue, ok := err.(*url.Error)
	if !ok {
		return false
	}
	if errors.Is(ue.Err, io.EOF) || errors.Is(ue.Err, io.ErrUnexpectedEOF) {
		return true // the server closed the connection without an answer
	}
	// Timeouts of the client or the transport (the caller's own deadline has been ruled
	// out), refused and reset connections and DNS failures are all net.Errors.
	var ne net.Error
	return errors.As(ue.Err, &ne)
}

// retryAfter returns the wait a Retry-After header asks for, as delta seconds or as an HTTP
// date relative to now, and whether the header held one; a date in the past asks for no wait.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second) // avoid overflow; far beyond any budget
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// backoff returns the wait after attempt n (from 1): InitialBackoff doubled n-1 times, capped
// by MaxBackoff, of which the Jitter share is drawn at random.
func (p Policy) backoff(n int) time.Duration {
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	if p.Jitter > 0 {
		d -= time.Duration(p.Jitter * rand.Float64() * float64(d))
	}
	return d
}
