package auth

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// redacted is what every formatting path prints instead of a secret. It is fixed, not derived
// from the value, so that not even the length or a prefix of a secret leaks.
const redacted = "[redacted]"

// Secret is a credential (client secret, API key, subscription key, access token, webhook
// secret) that prints, logs and marshals as "[redacted]"; only Reveal returns the value.
//
// fmt does not call the methods of unexported struct fields, so a Secret only protects itself
// where fmt can see it: a struct that holds secrets must keep them in exported Secret fields,
// or, if any Secret field is unexported, implement String, GoString and Format itself.
//
// Decoding is not affected: json.Unmarshal fills a Secret like any string, so configuration
// can carry secrets in, but marshalling one back out yields the redaction.
type Secret string

// Reveal returns the secret value, for the one place that must put it on the wire.
func (s Secret) Reveal() string { return string(s) }

// String returns the redaction.
func (Secret) String() string { return redacted }

// GoString returns the redaction as a Go expression, for %#v.
func (Secret) GoString() string { return "auth.Secret(" + strconv.Quote(redacted) + ")" }

// Format prints the redaction for every verb and flag, because fmt would otherwise print the
// underlying string for verbs such as %x and %q that bypass String.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, s.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(redacted))
	default:
		_, _ = io.WriteString(f, redacted)
	}
}

// MarshalJSON encodes the redaction, so a struct holding a Secret can be logged as JSON.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(redacted)), nil }

// MarshalText encodes the redaction, for encoders (XML, YAML, slog's text handler) that
// prefer encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue logs the redaction, so slog never resolves the value whatever the handler.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
