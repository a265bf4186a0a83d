package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Decimal is a decimal amount kept as its exact text, e.g. "100" or "12.50".
//
// It encodes as a JSON string, as the APIs require, and decodes a JSON string or a JSON
// number (some vendor examples and mocks send numbers) without passing through float64, so
// no amount is ever rounded.
type Decimal string

// UnmarshalJSON accepts "12.50", 12.50 and null (which leaves the value unchanged).
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := textOf(b)
	if err != nil {
		return fmt.Errorf("decimal: %w", err)
	}
	if s != nil {
		*d = Decimal(*s)
	}
	return nil
}

// MarshalJSON encodes the amount as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(string(d)) }

// String returns the amount's text.
func (d Decimal) String() string { return string(d) }

// textOf returns the text of a JSON string or number, nil for null, and an error otherwise.
func textOf(b []byte) (*string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("empty value")
	case bytes.Equal(b, []byte("null")):
		return nil, nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		return &s, nil
	default:
		// json.Number checks that the text is a valid JSON number; Unmarshal (unlike a
		// Decoder) also refuses anything after it, so "12abc" is not read as 12.
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil || !isNumber(b) {
			return nil, fmt.Errorf("want a string or a number, got %.20q", b)
		}
		s := n.String()
		return &s, nil
	}
}

// isNumber reports whether b is a bare JSON number: json.Number also accepts a quoted one.
func isNumber(b []byte) bool { return len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) }
