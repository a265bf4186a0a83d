package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Int is an integer that gateways send as a JSON number or as a string of digits, such as
// Vipps's token lifetimes (expires_in is "86398" on /accesstoken/get and 900 on
// /miami/v1/token). It encodes as a JSON number.
type Int int64

// UnmarshalJSON accepts 3600, "3600" and null (which leaves the value unchanged).
func (i *Int) UnmarshalJSON(b []byte) error {
	v, ok, err := intOf(b)
	if err != nil {
		return fmt.Errorf("integer: %w", err)
	}
	if ok {
		*i = Int(v)
	}
	return nil
}

// IntString is an Int that encodes as a JSON string of digits, the form Vipps's
// /accesstoken/get answers with; it decodes numbers too.
type IntString int64

// UnmarshalJSON accepts "86398", 86398 and null (which leaves the value unchanged).
func (i *IntString) UnmarshalJSON(b []byte) error {
	v, ok, err := intOf(b)
	if err != nil {
		return fmt.Errorf("integer: %w", err)
	}
	if ok {
		*i = IntString(v)
	}
	return nil
}

// MarshalJSON encodes the value as a JSON string.
func (i IntString) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatInt(int64(i), 10))
}

// intOf parses the text of a JSON string or number as a base-10 int64; ok is false for null.
func intOf(b []byte) (v int64, ok bool, err error) {
	s, err := textOf(b)
	if err != nil || s == nil {
		return 0, false, err
	}
	v, err = strconv.ParseInt(*s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("want a whole number, got %.20q", *s)
	}
	return v, true, nil
}
