package apierror

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinels matched by errors.Is against an *Error by its HTTP status.
var (
	// ErrBadRequest matches HTTP 400: the request was malformed or failed validation.
	ErrBadRequest = errors.New("apierror: bad request")
	// ErrUnauthorized matches HTTP 401: the subscription key or the token was refused.
	ErrUnauthorized = errors.New("apierror: unauthorized")
	// ErrForbidden matches HTTP 403: the credentials lack a scope, or the IP is not allowed.
	ErrForbidden = errors.New("apierror: forbidden")
	// ErrNotFound matches HTTP 404: unknown resource, or one not visible yet (MoMo, just after 202).
	ErrNotFound = errors.New("apierror: not found")
	// ErrConflict matches HTTP 409: an idempotency key or reference seen before.
	ErrConflict = errors.New("apierror: conflict")
	// ErrRateLimited matches HTTP 429: too many requests; see Error.RetryAfter.
	ErrRateLimited = errors.New("apierror: rate limited")
	// ErrServer matches any HTTP 5xx.
	ErrServer = errors.New("apierror: server error")
)

// Error is a non-2xx answer from a MoMo or Vipps API.
//
// Code and Message are the API's own, taken from whichever shape the body had; at most one of
// Problem, Ecom and Gateway is set, holding that shape in full. An empty or non-JSON body
// leaves them all empty and Body says what came back.
type Error struct {
	// StatusCode is the HTTP status; 0 when there was no HTTP response at all.
	StatusCode int
	// Header holds only the answer's Retry-After, Content-Type, WWW-Authenticate and
	// request/trace id headers, never the rest.
	Header http.Header
	// Code is the machine-readable code: MoMo's code or OAuth's error, eCom's first
	// errorCode, the gateway's errorCode, a problem's ErrorCode detail (or, for Recurring,
	// the fragment of its type, e.g. "idempotency-conflict"). Empty when the body had none;
	// the gateway's {statusCode, message} has none, its statusCode repeats the HTTP status.
	Code string
	// Message is the API's explanation for people. Never branch on it.
	Message string
	// Problem is the decoded problem+json body (ePayment, Recurring, Webhooks, Management,
	// Userinfo, ...).
	Problem *Problem
	// Ecom is the decoded eCom error array, at most 32 items.
	Ecom []EcomError
	// Gateway is the decoded answer of the API gateway in front of the APIs.
	Gateway *GatewayError
	// Body is the raw body, cut to its first MaxBody bytes.
	Body []byte
}

// Problem is an RFC 7807 problem as the Vipps APIs send it.
type Problem struct {
	// Type is a URI naming the kind of problem (Webhooks put a trace id here).
	Type string
	// Title is a short summary.
	Title string
	// Detail explains this occurrence.
	Detail string
	// Status is the HTTP status the body states; Userinfo sends it as a string, read as a
	// number here (0 when it is not one).
	Status int
	// TraceID is the id to quote to support (ePayment, Webhooks, Partner).
	TraceID string
	// ContextID is Recurring's request id.
	ContextID string
	// Instance names this occurrence.
	Instance string
	// ExtraDetails are the extraDetails (or invalidParams) items, at most 32.
	ExtraDetails []ExtraDetail
}

// ExtraDetail is one item of a problem's extraDetails. The APIs use three pairs of keys:
// {name, reason} (ePayment, Recurring v3, Webhooks), {field, text} (older Recurring) and
// {key, value} (Management); whichever came is filled.
type ExtraDetail struct {
	// Name is a field name, or "ErrorCode" when Reason is an ePayment error code.
	Name string
	// Reason says what is wrong with Name, or is the error code.
	Reason string
	// Field is the older Recurring form of Name.
	Field string
	// Text is the older Recurring form of Reason.
	Text string
	// Key is Management's form of Name.
	Key string
	// Value is Management's form of Reason; a non-string value is kept as compact JSON.
	Value string
}

// EcomError is one item of eCom's error array.
type EcomError struct {
	// ErrorGroup is Authentication, Payment, InvalidRequest, VippsError, User or Merchant.
	ErrorGroup string
	// ErrorCode is a number as text ("61"), or a field path for InvalidRequest; the same
	// number means different things in different groups.
	ErrorCode string
	// ErrorMessage is the explanation for people.
	ErrorMessage string
	// ContextID is the request id to quote to support.
	ContextID string
}

// GatewayError is the API gateway's answer, in any of its three shapes: {statusCode, message},
// {errorCode, errorMessage, contextId} or {responseInfo {responseCode, responseMessage},
// result {message}}. Only the fields of the shape that came are set.
type GatewayError struct {
	// StatusCode is the status the body states (a number or a string on the wire).
	StatusCode int
	// Message goes with StatusCode.
	Message string
	// ErrorCode is a word such as "Unauthorized".
	ErrorCode string
	// ErrorMessage goes with ErrorCode.
	ErrorMessage string
	// ContextID is the request id to quote to support.
	ContextID string
	// ResponseCode is responseInfo.responseCode.
	ResponseCode int
	// ResponseMessage is responseInfo.responseMessage.
	ResponseMessage string
	// ResultMessage is result.message; "Something went wrong, please try again later" there
	// means a bad or expired token.
	ResultMessage string
}

// maxErrorText bounds the message shown by Error, so a verbose body cannot bloat logs.
const maxErrorText = 200

// Error describes the answer in one short line: the status, the code and the message.
func (e *Error) Error() string {
	if e.StatusCode == 0 && e.Code == "" && e.Message == "" {
		return "apierror: no HTTP response"
	}
	var b strings.Builder
	b.WriteString("HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	code, msg := oneLine(e.Code, maxErrorText), oneLine(e.Message, maxErrorText)
	switch {
	case code != "":
		b.WriteString(" ")
		b.WriteString(code)
	case msg == "":
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" ")
			b.WriteString(text)
		}
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Is matches the sentinels by HTTP status: ErrBadRequest, ErrUnauthorized, ErrForbidden,
// ErrNotFound, ErrConflict and ErrRateLimited by their status, ErrServer by any 5xx.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// Temporary reports whether the same request may succeed later: a 5xx, 429 or 423 (a
// concurrent operation holds the payment). MoMo's 500s that state a lasting cause are not
// temporary: refused API credentials (login_failed) and NOT_ALLOWED,
// NOT_ALLOWED_TARGET_ENVIRONMENT, INVALID_CALLBACK_URL_HOST, INVALID_CURRENCY.
func (e *Error) Temporary() bool {
	switch e.Code {
	case MoMoLoginFailed, MoMoNotAllowed, MoMoNotAllowedTargetEnvironment,
		MoMoInvalidCallbackURLHost, MoMoInvalidCurrency:
		return false
	}
	switch {
	case e.StatusCode >= 500 && e.StatusCode <= 599:
		return true
	case e.StatusCode == http.StatusTooManyRequests, e.StatusCode == http.StatusLocked:
		return true
	}
	return false
}

// RetryAfter returns how long the API asked the caller to wait, from a Retry-After header in
// seconds or as an HTTP date (relative to now); ok is false when there is no usable header.
func (e *Error) RetryAfter(now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(e.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(maxRetryAfter/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		if d > maxRetryAfter {
			return 0, false
		}
		return d, true
	}
	return 0, false
}

// maxRetryAfter is the longest wait RetryAfter reports; a longer one is more likely a broken
// header than advice worth following.
const maxRetryAfter = 24 * time.Hour

// oneLine makes s safe for a one-line log message: control characters become spaces, runs of
// spaces collapse, and the result is cut to at most limit bytes on a rune boundary.
func oneLine(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > limit {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
