package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Reason is why a MoMo transaction failed.
//
// MoMo documents it as an object {code, message}; the gateways send a bare code string
// ("APPROVAL_REJECTED") in status answers and callbacks. Reason decodes both and encodes the
// bare code, as the wire does. Codes form an open set: new ones appear without notice.
type Reason struct {
	// Code is the machine-readable reason, e.g. "APPROVAL_REJECTED"; the only part to act on.
	Code string `json:"code,omitempty"`
	// Message is a human-readable text, present only when the object form was sent. Never parse it.
	Message string `json:"message,omitempty"`
}

// UnmarshalJSON accepts "CODE", {"code":"CODE","message":"..."} and null.
func (r *Reason) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		type object Reason // no methods: plain struct decoding
		var o object
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("reason: %w", err)
		}
		*r = Reason(o)
		return nil
	}
	if len(b) > 0 && b[0] != '"' && !bytes.Equal(b, []byte("null")) {
		return fmt.Errorf("reason: want a string or an object, got %.20q", b)
	}
	var code *string
	if err := json.Unmarshal(b, &code); err != nil {
		return fmt.Errorf("reason: %w", err)
	}
	if code != nil {
		*r = Reason{Code: *code}
	}
	return nil
}

// MarshalJSON encodes the bare code string, the form MoMo's gateways send.
func (r Reason) MarshalJSON() ([]byte, error) { return json.Marshal(r.Code) }

// String returns the code, followed by the message when there is one.
func (r Reason) String() string {
	if r.Message == "" {
		return r.Code
	}
	return r.Code + ": " + r.Message
}
