package validate

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SandboxEnvironment is the X-Target-Environment of the MoMo sandbox, which accepts EUR only.
const SandboxEnvironment = "sandbox"

// MaxMoMoText is the most characters a MoMo text field may hold; the gateway answers 400 to
// more. (A newer rule of 128 has been announced; 160 is what the gateway enforces today.)
const MaxMoMoText = 160

// fallbackFraction is the fraction-digit limit of an amount whose currency is unknown (and
// reported as such): two, as for most currencies.
const fallbackFraction = 2

// MoMoAmount checks a MoMo amount: a decimal string of digits with an optional fraction
// ("100", "12.50"), no sign, exponent or spaces, greater than zero, and with no more
// fraction digits than currency has minor units under ISO 4217 ("100.5" is refused in UGX,
// which has none). MoMo counts unsupported decimals as a validation failure; the currency's
// own exponent is the one limit that holds in every market, where a flat two would let UGX
// or XAF fractions through.
func MoMoAmount(field, amount, currency string) error {
	if amount == "" {
		return fail(field, RuleRequired, "a decimal amount such as \"100\" or \"12.50\"", "")
	}
	whole, frac, hasPoint := strings.Cut(amount, ".")
	if !allDigits(whole) || (hasPoint && !allDigits(frac)) {
		return fail(field, RuleFormat, "digits with an optional fraction (\"12.50\"): no sign, exponent or spaces", amount)
	}
	if strings.Trim(whole+frac, "0") == "" {
		return fail(field, RuleRange, "an amount greater than zero", amount)
	}
	limit, known := MinorUnits(currency)
	if !known {
		limit = fallbackFraction
	}
	if len(frac) > limit {
		want := "at most " + strconv.Itoa(limit) + " fraction digits"
		if known {
			want += " (" + currency + " has " + strconv.Itoa(limit) + " minor-unit digits)"
		}
		if limit == 0 {
			want = "a whole amount"
			if known {
				want += " (" + currency + " has no minor unit)"
			}
		}
		return fail(field, RuleFraction, want, amount)
	}
	return nil
}

// MoMoCurrency checks a MoMo currency: an ISO 4217 code in circulation and, when
// targetEnvironment is "sandbox", EUR, the only currency the sandbox accepts (others get 500
// INVALID_CURRENCY). Other environments are not tied to a currency here: MTN does not
// publish one next to the environment names.
func MoMoCurrency(field, code, targetEnvironment string) error {
	if err := Currency(field, code); err != nil {
		return err
	}
	if targetEnvironment == SandboxEnvironment && code != "EUR" {
		return fail(field, RuleCurrency, "EUR: the sandbox target environment accepts EUR only", code)
	}
	return nil
}

// MSISDN checks a phone number as MoMo wants it: 8 to 15 digits with the country code first,
// no "+", spaces or other characters. Country rules are left to the gateway.
func MSISDN(field, value string) error {
	switch {
	case value == "":
		return fail(field, RuleRequired, "an MSISDN: country code and number, digits only", "")
	case !allDigits(value):
		return fail(field, RuleCharacters, "digits only: country code and number, no '+' or spaces", value)
	case len(value) < 8 || len(value) > 15:
		return fail(field, RuleLength, "8 to 15 digits", value)
	}
	return nil
}

// UUID checks that value is a UUID in its canonical form, 8-4-4-4-12 hexadecimal digits.
func UUID(field, value string) error {
	_, err := parseUUID(field, value)
	return err
}

// ReferenceID checks an X-Reference-Id (or another id MoMo wants as one): a UUID of version
// 4 in canonical form. The gateway answers 400 to anything else.
func ReferenceID(field, value string) error {
	u, err := parseUUID(field, value)
	if err != nil {
		return err
	}
	if u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		return fail(field, RuleVersion, "a version 4 (random) UUID, e.g. from momo.NewReferenceID", value)
	}
	return nil
}

func parseUUID(field, value string) (uuid.UUID, error) {
	if value == "" {
		return uuid.Nil, fail(field, RuleRequired, "a UUID", "")
	}
	u, err := uuid.Parse(value)
	if err != nil || len(value) != 36 {
		return uuid.Nil, fail(field, RuleFormat, "a UUID: 8-4-4-4-12 hexadecimal digits", value)
	}
	return u, nil
}

// MoMoText checks a MoMo text (payerMessage, payeeNote, description, receiverMessage,
// senderNote, notificationMessage): not empty (production answers 500 to an empty one), at
// most 160 characters counted as characters rather than bytes, none of ' and & (refused with
// 400), and no control characters.
func MoMoText(field, value string) error {
	switch {
	case value == "":
		return fail(field, RuleRequired, "a text of 1 to 160 characters", "")
	case !utf8.ValidString(value):
		return fail(field, RuleCharacters, "valid UTF-8", value)
	case utf8.RuneCountInString(value) > MaxMoMoText:
		return fail(field, RuleLength, "at most 160 characters ("+strconv.Itoa(utf8.RuneCountInString(value))+" given)", value)
	case strings.ContainsAny(value, "'&"):
		return fail(field, RuleCharacters, "none of ' and &", value)
	case strings.IndexFunc(value, unicode.IsControl) >= 0:
		return fail(field, RuleCharacters, "no control characters (line breaks, tabs)", value)
	}
	return nil
}

// Party checks an account holder, reporting field.partyIdType and field.partyId: the type
// must be given (the set is open: MSISDN, EMAIL, PARTY_CODE, ALIAS and whatever MTN adds),
// the id must be given, and an MSISDN id must pass MSISDN.
func Party(field, partyIDType, partyID string) error {
	var typeErr, idErr *Error
	if partyIDType == "" {
		typeErr = fail(field+".partyIdType", RuleRequired, "an id type such as MSISDN, EMAIL or PARTY_CODE", "")
	}
	switch {
	case strings.EqualFold(partyIDType, "MSISDN"):
		if err := MSISDN("", partyID); err != nil {
			idErr = err.(*Error)
			idErr.Field = field + ".partyId" // named here, so that a valid party costs no name
		}
	case partyID == "":
		idErr = fail(field+".partyId", RuleRequired, "the account holder's id", "")
	}
	if typeErr == nil && idErr == nil {
		return nil
	}
	return join(typeErr, idErr)
}

// ValidityTime checks a pre-approval's validityTime: a number of seconds, 0 or more.
func ValidityTime(field string, seconds int64) error {
	if seconds < 0 {
		return fail(field, RuleRange, "0 or more seconds", strconv.FormatInt(seconds, 10))
	}
	return nil
}

// CallbackURL checks an X-Callback-Url: an absolute http or https URL. An empty header is
// refused by the gateway with 400; omit it instead. Only the part before any query is
// repeated in the error, since a query may carry a token.
func CallbackURL(field, value string) error {
	shown, _, _ := strings.Cut(value, "?")
	if value == "" {
		return fail(field, RuleRequired, "an absolute http(s) URL; omit the header rather than send it empty", "")
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(field, RuleFormat, "an absolute http(s) URL", shown)
	}
	return nil
}

// Language checks the Language header of a delivery notification: an ISO 639-1 or 639-3
// code, two or three lower-case letters.
func Language(field, value string) error {
	if n := len(value); n < 2 || n > 3 || strings.IndexFunc(value, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return fail(field, RuleFormat, "an ISO 639-1 or 639-3 code: two or three lower-case letters", value)
	}
	return nil
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// join is errors.Join that returns a nil error for no problems, whatever the nil *Error
// values among errs.
func join(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if e, ok := err.(*Error); ok && e == nil {
			continue
		}
		kept = append(kept, err)
	}
	return errors.Join(kept...)
}
