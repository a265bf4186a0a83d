package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxErrorBody bounds the response body kept in an UnauthorizedError, so that a large error
// page cannot bloat logs.
const maxErrorBody = 2 << 10

// maxDrain bounds how much of a discarded response body is read: enough to let the connection
// be reused for the usual short error body, not so much that a huge one stalls the retry.
const maxDrain = 64 << 10

// ErrUnauthorized is matched by errors.Is for an UnauthorizedError.
var ErrUnauthorized = errors.New("auth: unauthorized")

// UnauthorizedError reports that a request was still rejected after the token was refreshed.
type UnauthorizedError struct {
	// StatusCode is the HTTP status of the final response, 401.
	StatusCode int
	// Body is the start of the final response body, at most 2 KiB.
	Body []byte
}

// Error describes the rejection, including the body excerpt since APIs explain 401s there.
func (e *UnauthorizedError) Error() string {
	msg := fmt.Sprintf("auth: unauthorized after token refresh: HTTP %d", e.StatusCode)
	if len(e.Body) > 0 {
		msg += ": " + strings.ToValidUTF8(string(e.Body), "\uFFFD")
	}
	return msg
}

// Is reports whether target is ErrUnauthorized.
func (e *UnauthorizedError) Is(target error) bool { return target == ErrUnauthorized }

// Doer sends an HTTP request; *http.Client satisfies it, as does the HttpRequestDoer of every
// generated package.
type Doer interface {
	// Do sends req and returns its response.
	Do(req *http.Request) (*http.Response, error)
}

// DoerFunc adapts a function to a Doer.
type DoerFunc func(req *http.Request) (*http.Response, error)

// Do calls f(req).
func (f DoerFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// InvalidatingSource is a TokenSource that can be told a token was rejected; Cache is one.
type InvalidatingSource interface {
	TokenSource
	// Invalidate drops rejected if it is still the current token.
	Invalidate(rejected Secret)
}

// RetryUnauthorized returns a Doer that sends requests with next and, when a request that
// carried a bearer token gets HTTP 401, invalidates that token in src, takes a new one and
// sends the request once more with the same body. A second 401 is returned as an
// *UnauthorizedError with a nil response. Requests without a bearer token, and every other
// status, are passed through untouched.
func RetryUnauthorized(next Doer, src InvalidatingSource) Doer {
	return &retryDoer{next: next, src: src}
}

type retryDoer struct {
	next Doer
	src  InvalidatingSource
}

func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	sent, ok := bearerToken(req.Header)
	if !ok {
		// Not our credentials: a fresh bearer token would not fix this request.
		return d.next.Do(req)
	}

	getBody := req.GetBody
	if getBody == nil && req.Body != nil && req.Body != http.NoBody {
		// The body is read by the first send; keep a copy so the retry can send it again.
		buf, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("auth: buffer request body: %w", err)
		}
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		body, _ := getBody()
		req = req.Clone(req.Context())
		req.Body, req.GetBody = body, getBody
	}

	resp, err := d.next.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	// Finish with the first response before sending again, so its connection can be reused.
	excerpt := discard(resp.Body)

	// The token was rejected whether or not this caller is still waiting; drop it either way.
	d.src.Invalidate(sent)
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tok, err := d.src.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: refresh token after HTTP 401: %w", err)
	}
	if tok.AccessToken == "" || tok.AccessToken == sent {
		// The source cannot do better than the rejected token; sending it again is pointless.
		return nil, &UnauthorizedError{StatusCode: resp.StatusCode, Body: excerpt}
	}

	retry := req.Clone(ctx)
	if getBody != nil && req.Body != nil && req.Body != http.NoBody {
		if retry.Body, err = getBody(); err != nil {
			return nil, fmt.Errorf("auth: replay request body: %w", err)
		}
	}
	retry.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())

	resp, err = d.next.Do(retry)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	return nil, &UnauthorizedError{StatusCode: resp.StatusCode, Body: discard(resp.Body)}
}

// bearerToken returns the token of a "Bearer" Authorization header.
func bearerToken(h http.Header) (Secret, bool) {
	scheme, tok, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return Secret(tok), tok != ""
}

// discard reads up to maxDrain bytes of body, closes it and returns the first maxErrorBody.
func discard(body io.ReadCloser) []byte {
	if body == nil {
		return nil
	}
	defer func() { _ = body.Close() }()
	excerpt, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	return excerpt
}
