package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth"
)

// Header names of a signed delivery. Vipps sends them in lower case; http.Header lookups
// ignore case.
const (
	HeaderDate          = "x-ms-date"
	HeaderContentSHA256 = "x-ms-content-sha256"
	HeaderAuthorization = "Authorization"
)

// authorizationPrefix is everything in the Authorization header before the signature.
const authorizationPrefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="

// Sentinel errors returned (wrapped) by Verify and Sign; test for them with errors.Is. No
// error ever carries the secret, the expected signature or the expected content hash.
var (
	// ErrNoSecret: the Verifier (or Sign) has no secret, so nothing can be verified.
	ErrNoSecret = errors.New("webhook: no secret configured")
	// ErrURL: the registered URL is not an absolute http or https URL with a host.
	ErrURL = errors.New("webhook: bad registered URL")
	// ErrMethod: the request is not a POST.
	ErrMethod = errors.New("webhook: method is not POST")
	// ErrMissingHeader: x-ms-date, x-ms-content-sha256, Authorization or the request's host
	// is absent or empty.
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrMalformedAuthorization: the Authorization header is not exactly
	// "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 of 32 bytes>".
	ErrMalformedAuthorization = errors.New("webhook: malformed Authorization header")
	// ErrBadDate: x-ms-date is not an RFC 1123 date in the form of http.TimeFormat.
	ErrBadDate = errors.New("webhook: bad x-ms-date")
	// ErrContentHash: x-ms-content-sha256 is malformed or differs from the SHA-256 of the body.
	ErrContentHash = errors.New("webhook: content hash mismatch")
	// ErrSignature: the signature does not match the one computed with the secret.
	ErrSignature = errors.New("webhook: signature mismatch")
	// ErrStale: the delivery is authentic but x-ms-date lies further from now than MaxAge.
	ErrStale = errors.New("webhook: x-ms-date outside the allowed age")
)

// Verifier checks the HMAC signature Vipps puts on every webhook delivery.
//
// The zero value rejects everything (ErrNoSecret). A Verifier is a plain value, safe for
// concurrent use; printing it prints the secret as "[redacted]".
type Verifier struct {
	// Secret is the text returned once by POST /webhooks/v1/webhooks. Its UTF-8 bytes are the
	// HMAC key as they are: the text looks like base64 but is never decoded.
	Secret auth.Secret
	// URL is the webhook URL exactly as registered with Vipps. The signed host (with a port
	// only when it is not the scheme's default) and path and query are taken from it, not
	// from the request, so a proxy that rewrites Host or the path does not break verification
	// and a forged Host or X-Forwarded-Host header cannot steer it.
	URL string
	// UseRequestURL opts in to taking the host from r.Host (with its port, as received) and
	// the path and query from r.URL.RequestURI() instead of from URL. Use it only when the
	// request reaches this process exactly as Vipps sent it.
	UseRequestURL bool
	// MaxAge, when positive, rejects a delivery whose x-ms-date is older than MaxAge, or lies
	// further than MaxAge in the future, with ErrStale. Zero means no limit. Vipps does not
	// document whether a retry (they go on for up to 7 days) carries a fresh x-ms-date, so
	// choose MaxAge generously and handle deliveries idempotently either way: a rejected
	// delivery is retried and, while it fails, holds back later events of the same payment.
	MaxAge time.Duration
	// Now returns the current time for MaxAge; nil means time.Now.
	Now func() time.Time
}

// Verify checks that r and its raw body are a delivery signed with v.Secret. It returns nil
// only when every check passes; otherwise it returns an error wrapping exactly one of the
// sentinel errors of this package. body must be the bytes read from r.Body, unmodified.
//
// The checks, in order: a secret is set; the method is POST; x-ms-date,
// x-ms-content-sha256 and Authorization are present once each; Authorization has the exact
// expected form; x-ms-date parses; the body's SHA-256 equals x-ms-content-sha256 (constant
// time); the HMAC-SHA256 of "POST\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" +
// contentHash equals the signature (constant time); x-ms-date is within MaxAge.
func (v Verifier) Verify(r *http.Request, body []byte) error {
	if v.Secret.Reveal() == "" {
		return ErrNoSecret
	}
	if r.Method != http.MethodPost {
		return ErrMethod
	}
	date, err := single(r.Header, HeaderDate, ErrBadDate)
	if err != nil {
		return err
	}
	gotHash, err := single(r.Header, HeaderContentSHA256, ErrContentHash)
	if err != nil {
		return err
	}
	authz, err := single(r.Header, HeaderAuthorization, ErrMalformedAuthorization)
	if err != nil {
		return err
	}
	gotSig, err := parseAuthorization(authz)
	if err != nil {
		return err
	}
	sent, err := parseDate(date)
	if err != nil {
		return err
	}

	gotSum, err := base64.StdEncoding.Strict().DecodeString(gotHash)
	if err != nil || len(gotSum) != sha256.Size {
		return fmt.Errorf("%w: %s is not the base64 of a SHA-256 digest", ErrContentHash, HeaderContentSHA256)
	}
	sum := sha256.Sum256(body)
	if !hmac.Equal(gotSum, sum[:]) {
		return fmt.Errorf("%w: %s does not match the body (%d bytes)", ErrContentHash, HeaderContentSHA256, len(body))
	}

	var host, pathAndQuery string
	if v.UseRequestURL {
		host, pathAndQuery = strings.ToLower(r.Host), r.URL.RequestURI()
		if host == "" {
			return fmt.Errorf("%w: Host (UseRequestURL is set)", ErrMissingHeader)
		}
	} else if host, pathAndQuery, err = target(v.URL); err != nil {
		return err
	}

	want := mac(v.Secret, StringToSign(pathAndQuery, date, host, base64.StdEncoding.EncodeToString(sum[:])))
	if !hmac.Equal(gotSig, want) {
		return fmt.Errorf("%w (signed host and path and query taken from %s)", ErrSignature, v.source())
	}

	if v.MaxAge > 0 {
		now := time.Now
		if v.Now != nil {
			now = v.Now
		}
		switch age := now().Sub(sent); {
		case age > v.MaxAge:
			return fmt.Errorf("%w: %s is %s old, more than %s", ErrStale, HeaderDate, age.Round(time.Second), v.MaxAge)
		case age < -v.MaxAge:
			return fmt.Errorf("%w: %s is %s in the future, more than %s", ErrStale, HeaderDate, -age.Round(time.Second), v.MaxAge)
		}
	}
	return nil
}

// source names where Verify takes the signed host and path from, for error messages.
func (v Verifier) source() string {
	if v.UseRequestURL {
		return "the request"
	}
	return "the registered URL"
}

// Sign returns the headers Vipps would send with body posted to the registered url at date:
// x-ms-date, x-ms-content-sha256 and Authorization. It is for senders (a simulator) and
// tests; receivers use Verifier.
func Sign(secret auth.Secret, url string, date time.Time, body []byte) (http.Header, error) {
	if secret.Reveal() == "" {
		return nil, ErrNoSecret
	}
	host, pathAndQuery, err := target(url)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	hash := base64.StdEncoding.EncodeToString(sum[:])
	d := date.UTC().Format(http.TimeFormat)
	sig := base64.StdEncoding.EncodeToString(mac(secret, StringToSign(pathAndQuery, d, host, hash)))
	h := make(http.Header, 3)
	h.Set(HeaderDate, d)
	h.Set(HeaderContentSHA256, hash)
	h.Set(HeaderAuthorization, authorizationPrefix+sig)
	return h, nil
}

// StringToSign returns the text Vipps signs: "POST\n" + pathAndQuery + "\n" + date + ";" +
// host + ";" + contentHash, with "\n" (not "\r\n") and ";" as separators.
func StringToSign(pathAndQuery, date, host, contentHash string) string {
	return "POST\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// mac returns HMAC-SHA256 of msg keyed with the UTF-8 bytes of the secret text.
func mac(secret auth.Secret, msg string) []byte {
	m := hmac.New(sha256.New, []byte(secret.Reveal()))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// target returns the signed host and path and query of a registered webhook URL: the host
// in lower case with its port only when that is not the scheme's default, and the escaped
// path ("/" when empty) with "?query" when the URL has one. The fragment is not sent and
// not signed.
func target(raw string) (host, pathAndQuery string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("%w: it does not parse", ErrURL)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "https" && scheme != "http") || u.Host == "" || u.Opaque != "" || u.User != nil {
		return "", "", fmt.Errorf("%w: want an absolute http or https URL with a host and no user info", ErrURL)
	}
	host = strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") { // IPv6 literal
			host = "[" + host + "]"
		}
	}
	return host, u.RequestURI(), nil
}

// single returns the one non-empty value of header key, ErrMissingHeader when it is absent
// or empty, and malformed when it is present more than once.
func single(h http.Header, key string, malformed error) (string, error) {
	vs := h.Values(key)
	switch {
	case len(vs) == 0 || (len(vs) == 1 && vs[0] == ""):
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, key)
	case len(vs) > 1:
		return "", fmt.Errorf("%w: %s is present %d times", malformed, key, len(vs))
	}
	return vs[0], nil
}

// parseAuthorization returns the decoded signature of an Authorization header that has
// exactly the form Vipps sends; anything else is ErrMalformedAuthorization.
func parseAuthorization(h string) ([]byte, error) {
	sig, ok := strings.CutPrefix(h, authorizationPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: want %q followed by the signature", ErrMalformedAuthorization, authorizationPrefix)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("%w: the signature is not the base64 of an HMAC-SHA256", ErrMalformedAuthorization)
	}
	return b, nil
}

// parseDate parses an x-ms-date in the form of http.TimeFormat and insists that the text is
// the canonical form of the time it names (so "Fri" on a Thursday is rejected too).
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(http.TimeFormat, s)
	if err != nil || t.Format(http.TimeFormat) != s {
		return time.Time{}, fmt.Errorf("%w: want the form %q", ErrBadDate, http.TimeFormat)
	}
	return t, nil
}
