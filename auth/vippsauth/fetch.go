package vippsauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
)

// tokenBody is what both token operations answer, in common types.
type tokenBody struct {
	accessToken string
	tokenType   string
	expiresIn   int64 // seconds
	expiresOn   int64 // Unix seconds; 0 when the answer has none
}

// tokenCall makes one generated token call and returns its status, raw body and, for a JSON
// 200, the decoded token.
type tokenCall func(ctx context.Context, c *accesstoken.ClientWithResponses) (status int, body []byte, tok *tokenBody, err error)

// field is one field of a token answer and the Go type it decodes into, for naming the field
// at fault when an answer does not decode.
type field struct {
	name string
	into func() any
}

// fetcher gets a new token on every call, through the generated token client.
type fetcher struct {
	endpoint string // the path, for errors
	baseURL  string
	doer     auth.Doer
	call     tokenCall
	fields   []field
	now      func() time.Time
}

// Token fetches a new token.
func (f *fetcher) Token(ctx context.Context) (auth.Token, error) {
	// A client per fetch lets the answer be recorded without sharing state between
	// concurrent fetches; it is a small struct, and fetches happen once per token lifetime.
	var ans answer
	client, err := accesstoken.NewClientWithResponses(f.baseURL, accesstoken.WithHTTPClient(ans.record(f.doer)))
	if err != nil {
		return auth.Token{}, f.errorf("token client: %w", err)
	}
	start := f.now()
	status, body, tok, err := f.call(ctx, client)
	switch {
	case err != nil && (ans.status == 0 || ans.readErr != nil):
		// No answer, or not all of it: the editors refused, or the network failed.
		return auth.Token{}, f.errorf("%w", err)
	case err != nil && ans.status != http.StatusOK:
		// The generated parser rejected an error body; the recorded copy still has the message.
		return auth.Token{}, tokenError(f.endpoint, ans.status, ans.body)
	case err != nil:
		return auth.Token{}, f.errorf("HTTP 200: %s", malformed(ans.body, f.fields))
	case status != http.StatusOK:
		return auth.Token{}, tokenError(f.endpoint, status, body)
	case tok == nil:
		return auth.Token{}, f.errorf("HTTP 200 without a JSON token body (Content-Type %q)", ans.contentType)
	case tok.accessToken == "":
		return auth.Token{}, f.errorf("HTTP 200: answer has no access_token")
	case tok.expiresIn <= 0:
		return auth.Token{}, f.errorf("HTTP 200: answer field expires_in is %d, want a positive number of seconds", tok.expiresIn)
	}

	// The lifetime counts from when the request was sent, not from when the answer was read,
	// so a slow answer cannot make the token look fresher than it is.
	expiry := start.Add(time.Duration(tok.expiresIn) * time.Second)
	// expires_on is the issuer's own deadline; when it is sooner (a token reissued part-way
	// through its life), it wins. One that is already past by our clock says more about the
	// clocks than the token, and would make every call fetch again, so it is ignored.
	if tok.expiresOn > 0 {
		if on := time.Unix(tok.expiresOn, 0); on.Before(expiry) && on.After(start) {
			expiry = on
		}
	}
	return auth.Token{
		AccessToken: auth.Secret(tok.accessToken),
		TokenType:   tok.tokenType,
		Expiry:      expiry,
	}, nil
}

// errorf formats an error prefixed with the endpoint.
func (f *fetcher) errorf(format string, args ...any) error {
	return fmt.Errorf("vipps: token from %s: "+format, append([]any{f.endpoint}, args...)...)
}

// malformed explains why a 200 answer the generated parser rejected is not a token, naming
// the field at fault where there is one. It never quotes the body, which holds the token.
func malformed(body []byte, fields []field) string {
	if !json.Valid(body) {
		return "answer is not valid JSON"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return "answer is not a JSON object"
	}
	for _, f := range fields {
		raw, ok := obj[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.into()); err != nil {
			return fmt.Sprintf("answer field %s: %v", f.name, err)
		}
	}
	return "answer does not decode"
}

// maxAnswer bounds the recorded body: a token answer is a few KiB (the JWT alone is 1000+
// characters), error bodies are smaller.
const maxAnswer = 64 << 10

// answer is the status and the start of the body of one token response. The generated parser
// returns nothing but an error when a body it expects to be JSON does not decode, which would
// lose both; with them, a 401 whose body is odd still becomes a TokenError, and a 200 that is
// not a token can be explained.
type answer struct {
	status      int
	contentType string
	body        []byte
	readErr     error
}

// record returns a Doer that sends with next and records the response into a as the
// generated parser reads it.
func (a *answer) record(next auth.Doer) auth.Doer {
	return auth.DoerFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.Do(req)
		if err != nil || resp == nil {
			return resp, err
		}
		a.status = resp.StatusCode
		a.contentType = resp.Header.Get("Content-Type")
		resp.Body = &recordingBody{ReadCloser: resp.Body, a: a}
		return resp, nil
	})
}

// recordingBody copies what is read into its answer.
type recordingBody struct {
	io.ReadCloser
	a *answer
}

// Read reads from the body and keeps a copy of up to maxAnswer bytes.
func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := maxAnswer - len(b.a.body); room > 0 {
		b.a.body = append(b.a.body, p[:min(n, room)]...)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		b.a.readErr = err
	}
	return n, err
}

// validBaseURL checks that raw is an absolute http(s) URL and returns it without a trailing
// slash, the form both the generated clients and the registry keys expect.
func validBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("vipps: base URL: want an absolute http(s) URL such as %s: %w", TestURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Redacted, in case the URL carries a password.
		return "", fmt.Errorf("vipps: base URL %q: want an absolute http(s) URL such as %s", u.Redacted(), TestURL)
	}
	return strings.TrimRight(raw, "/"), nil
}

// editorFns converts editors to the generated package's editor type, which is a defined type
// where auth.Editor is an alias of the unnamed one.
func editorFns(editors ...auth.Editor) []accesstoken.RequestEditorFn {
	fns := make([]accesstoken.RequestEditorFn, 0, len(editors))
	for _, e := range editors {
		if e != nil {
			fns = append(fns, accesstoken.RequestEditorFn(e))
		}
	}
	return fns
}
