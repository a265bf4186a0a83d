package wire

import "fmt"

// Text is a string field that some gateways send as a JSON number instead, such as MoMo's
// userinfo `credit_score` and `updated_at` or a pre-approval's `expirationDateTime`. It keeps
// the exact text either way and encodes as a JSON string.
type Text string

// UnmarshalJSON accepts a JSON string, a JSON number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	s, err := textOf(b)
	if err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if s != nil {
		*t = Text(*s)
	}
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }
