package validate

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// VippsAPI names one of the Vipps MobilePay APIs whose rules differ.
type VippsAPI string

// The Vipps MobilePay APIs with rules of their own.
const (
	EPayment   VippsAPI = "ePayment"
	Ecom       VippsAPI = "eCom"
	Recurring  VippsAPI = "Recurring"
	Management VippsAPI = "Management"
	Partner    VippsAPI = "Partner"
)

// Limits of Vipps MobilePay values.
const (
	// MaxEPaymentAmount is the largest ePayment amount.value, in minor units.
	MaxEPaymentAmount = 65000000
	// MinEcomAmount is the smallest eCom amount: 100 øre, 1 NOK.
	MinEcomAmount = 100
	// MaxSystemValue is the most characters a Vipps-System-* header may hold.
	MaxSystemValue = 30
	// MaxPhoneDigits is the most digits a phone number can have (E.164); the APIs' own
	// patterns have only ever widened below it.
	MaxPhoneDigits = 15
)

// Currencies each API accepts.
var (
	ePaymentCurrencies  = []string{"NOK", "DKK", "EUR", "SEK", "USD", "GBP"}
	recurringCurrencies = []string{"NOK", "EUR", "DKK"}
)

// ePaymentMinimum is the smallest amount.value of a new payment per currency, in minor
// units: 1 NOK and 1 SEK; one minor unit elsewhere.
var ePaymentMinimum = map[string]int64{"NOK": 100, "SEK": 100}

// cardPassthroughOnly are the ePayment currencies allowed only with CARD_PASSTHROUGH.
var cardPassthroughOnly = []string{"SEK", "USD", "GBP"}

// Patterns the APIs declare.
var (
	ePaymentReferencePattern = regexp.MustCompile(`^[a-zA-Z0-9-]{8,64}$`)
	ecomOrderIDPattern       = regexp.MustCompile(`^[a-zA-Z0-9-]{1,50}$`)
	recurringOrderIDPattern  = regexp.MustCompile(`^[a-zA-Z0-9-]{1,64}$`)
	managementKeyPattern     = regexp.MustCompile(`^[a-zA-Z0-9-]{1,50}$`)
	callbackTokenPattern     = regexp.MustCompile(`^[a-zA-Z0-9-]{1,50}$`)
	businessIDPattern        = regexp.MustCompile(`^[\d-]{4,50}$`)
	datePattern              = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// VippsAmount checks an amount in minor units (øre, cents) for api: ePayment 1 to
// 65 000 000; eCom at least 100 (1 NOK); Recurring 1 to 2 147 483 647 (int32); any other
// API more than 0.
func VippsAmount(api VippsAPI, field string, value int64) error {
	lo, hi := int64(1), int64(math.MaxInt64)
	switch api {
	case EPayment:
		hi = MaxEPaymentAmount
	case Ecom:
		lo, hi = MinEcomAmount, math.MaxInt32
	case Recurring:
		hi = math.MaxInt32
	}
	if value < lo || value > hi {
		return fail(field, RuleRange, rangeWant(lo, hi)+" (minor units)", strconv.FormatInt(value, 10))
	}
	return nil
}

func rangeWant(lo, hi int64) string {
	if hi == math.MaxInt64 {
		return "at least " + strconv.FormatInt(lo, 10)
	}
	return strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(hi, 10)
}

// VippsCurrency checks a currency for api: ePayment NOK, DKK, EUR, SEK, USD or GBP;
// Recurring NOK, EUR or DKK; any other API an ISO 4217 code in circulation.
func VippsCurrency(api VippsAPI, field, code string) error {
	var allowed []string
	switch api {
	case EPayment:
		allowed = ePaymentCurrencies
	case Recurring:
		allowed = recurringCurrencies
	default:
		return Currency(field, code)
	}
	if code == "" {
		return fail(field, RuleRequired, "one of "+strings.Join(allowed, ", "), "")
	}
	for _, c := range allowed {
		if c == code {
			return nil
		}
	}
	return fail(field, RuleCurrency, "one of "+strings.Join(allowed, ", ")+" ("+string(api)+")", code)
}

// EPaymentReference checks an ePayment reference: 8 to 64 letters, digits and hyphens.
func EPaymentReference(field, value string) error {
	return matchPattern(field, value, ePaymentReferencePattern, "8 to 64 of a-z, A-Z, 0-9 and -")
}

// EcomOrderID checks an eCom orderId: 1 to 50 letters, digits and hyphens.
func EcomOrderID(field, value string) error {
	return matchPattern(field, value, ecomOrderIDPattern, "1 to 50 of a-z, A-Z, 0-9 and -")
}

// IdempotencyKey checks a caller's idempotency key against the rules of api, and names it as
// the API does (X-Request-Id for eCom, Idempotency-Key elsewhere): ePayment 1 to 50
// characters; eCom 1 to 40; Recurring 1 to 40 without # ? / \; Management 1 to 50 letters,
// digits and hyphens; Partner any non-empty value. A UUID satisfies them all.
func IdempotencyKey(api VippsAPI, key string) error {
	field := "Idempotency-Key"
	if api == Ecom {
		field = "X-Request-Id"
	}
	switch api {
	case EPayment:
		return length(field, key, 1, 50)
	case Ecom:
		return length(field, key, 1, 40)
	case Recurring:
		if err := length(field, key, 1, 40); err != nil {
			return err
		}
		if strings.ContainsAny(key, `#?/\`) {
			return fail(field, RuleCharacters, `none of # ? / \`, key)
		}
		return nil
	case Management:
		return matchPattern(field, key, managementKeyPattern, "1 to 50 of a-z, A-Z, 0-9 and -")
	}
	return length(field, key, 1, math.MaxInt)
}

// SystemHeader checks a Vipps-System-* header: 1 to 30 characters, no control characters.
// An empty header is refused too: omit it instead.
func SystemHeader(name, value string) error {
	if value == "" {
		return fail(name, RuleRequired, "1 to 30 characters; omit the header rather than send it empty", "")
	}
	if err := length(name, value, 1, MaxSystemValue); err != nil {
		return err
	}
	if strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return fail(name, RuleCharacters, "no control characters", value)
	}
	return nil
}

// MSN checks a merchant serial number: digits only. The length is not checked: the APIs
// have widened it from 4–6 to 4–10 digits and may again.
func MSN(field, value string) error {
	switch {
	case value == "":
		return fail(field, RuleRequired, "a merchant serial number (digits)", "")
	case !allDigits(value):
		return fail(field, RuleCharacters, "digits only", value)
	}
	return nil
}

// VippsPhone checks a customer phone number for api: for eCom exactly eight digits, the
// Norwegian number without country code (the legacy API's fixed pattern); elsewhere digits
// only, country code first, at most 15. The lower bound of the ePayment and Recurring
// patterns is left to the API, which has widened it before (10 to 9 digits).
func VippsPhone(api VippsAPI, field, value string) error {
	switch {
	case value == "":
		return fail(field, RuleRequired, "a phone number (digits)", "")
	case !allDigits(value):
		return fail(field, RuleCharacters, "digits only, no '+' or spaces", value)
	case api == Ecom && len(value) != 8:
		return fail(field, RuleLength, "exactly 8 digits, without country code", value)
	case len(value) > MaxPhoneDigits:
		return fail(field, RuleLength, "at most 15 digits", value)
	}
	return nil
}

// length checks that value has min to max characters.
func length(field, value string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(value)
	switch {
	case value == "" && minLen > 0:
		return fail(field, RuleRequired, lengthWant(minLen, maxLen), "")
	case n < minLen || n > maxLen:
		return fail(field, RuleLength, lengthWant(minLen, maxLen)+" ("+strconv.Itoa(n)+" given)", value)
	}
	return nil
}

// secretLength is length for a secret value: the error never repeats it.
func secretLength(field, value string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(value)
	switch {
	case value == "" && minLen > 0:
		return failSecret(field, RuleRequired, lengthWant(minLen, maxLen))
	case n < minLen || n > maxLen:
		return failSecret(field, RuleLength, lengthWant(minLen, maxLen)+" ("+strconv.Itoa(n)+" given)")
	}
	return nil
}

func lengthWant(minLen, maxLen int) string {
	switch {
	case maxLen == math.MaxInt && minLen <= 1:
		return "a non-empty value"
	case maxLen == math.MaxInt:
		return "at least " + strconv.Itoa(minLen) + " characters"
	case minLen == 0:
		return "at most " + strconv.Itoa(maxLen) + " characters"
	}
	return strconv.Itoa(minLen) + " to " + strconv.Itoa(maxLen) + " characters"
}

// matchPattern checks value against the API's pattern, described by want.
func matchPattern(field, value string, re *regexp.Regexp, want string) error {
	switch {
	case value == "":
		return fail(field, RuleRequired, want, "")
	case !re.MatchString(value):
		return fail(field, RulePattern, want, value)
	}
	return nil
}
