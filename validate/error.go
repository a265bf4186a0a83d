package validate

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is matched by errors.Is for every validation failure, alone or joined.
var ErrInvalid = errors.New("validate: invalid")

// Rule names the kind of check a value failed; Error.Want says the rule in full.
type Rule string

// The rules a value can break.
const (
	// RuleRequired: the value is absent or empty.
	RuleRequired Rule = "required"
	// RuleType: the JSON value has the wrong type (a number where a string is due, a
	// fraction where an integer is due).
	RuleType Rule = "type"
	// RuleFormat: the value is not in the required form (a decimal, a UUID, a URL, a date).
	RuleFormat Rule = "format"
	// RuleRange: a number is outside its allowed range; zero where a positive value is due.
	RuleRange Rule = "range"
	// RuleLength: a text is shorter or longer than allowed, counted in characters.
	RuleLength Rule = "length"
	// RuleCharacters: the value holds a character it may not hold.
	RuleCharacters Rule = "characters"
	// RulePattern: the value does not match the pattern the API declares.
	RulePattern Rule = "pattern"
	// RuleCurrency: the currency is not an ISO 4217 code, or not one this API or
	// environment accepts.
	RuleCurrency Rule = "currency"
	// RuleFraction: an amount has more fraction digits than its currency has minor units.
	RuleFraction Rule = "fraction"
	// RuleVersion: a UUID is of the wrong version.
	RuleVersion Rule = "version"
	// RuleEnum: the value is not one of those the API accepts.
	RuleEnum Rule = "enum"
)

// maxExcerpt bounds how much of a value an Error repeats, so that a long text cannot bloat
// logs.
const maxExcerpt = 32

// Error reports one value that breaks one rule.
type Error struct {
	// Field names the value as the API does: "amount", "payer.partyId", "X-Reference-Id",
	// "Idempotency-Key".
	Field string
	// Rule is the kind of check that failed.
	Rule Rule
	// Want states the rule in full, e.g. "at most 160 characters".
	Want string
	// Value is an excerpt of the offending value, at most 32 characters; empty when the
	// value is absent or secret (a token or key is never repeated).
	Value string
}

// Error names the field, the rule and what was wanted, and quotes the excerpt.
func (e *Error) Error() string {
	msg := e.Field + ": " + string(e.Rule) + ": want " + e.Want
	if e.Value != "" {
		msg += ", got " + strconv.Quote(e.Value)
	}
	return msg
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Problems returns every *Error in err's tree (joined or wrapped), in order.
func Problems(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// fail returns an *Error quoting an excerpt of value.
func fail(field string, rule Rule, want, value string) *Error {
	return &Error{Field: field, Rule: rule, Want: want, Value: excerpt(value)}
}

// failSecret returns an *Error that does not repeat the value.
func failSecret(field string, rule Rule, want string) *Error {
	return &Error{Field: field, Rule: rule, Want: want}
}

// excerpt shortens s to at most maxExcerpt characters, replacing invalid UTF-8 so that the
// excerpt can be printed as it is.
func excerpt(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxExcerpt {
		return s
	}
	r := []rune(s)
	return string(r[:maxExcerpt-1]) + "…"
}
