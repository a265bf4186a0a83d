package validate_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/validate"
)

func TestVippsAmount(t *testing.T) {
	for _, tc := range []struct {
		api   validate.VippsAPI
		value int64
		rule  validate.Rule
	}{
		{validate.EPayment, 1, ""},
		{validate.EPayment, 49900, ""},
		{validate.EPayment, 65000000, ""},
		{validate.EPayment, 0, validate.RuleRange},
		{validate.EPayment, -100, validate.RuleRange},
		{validate.EPayment, 65000001, validate.RuleRange},
		{validate.Ecom, 100, ""},
		{validate.Ecom, 20000, ""},
		{validate.Ecom, 99, validate.RuleRange},
		{validate.Ecom, 0, validate.RuleRange},
		{validate.Ecom, math.MaxInt32 + 1, validate.RuleRange},
		{validate.Recurring, 1, ""},
		{validate.Recurring, math.MaxInt32, ""},
		{validate.Recurring, 0, validate.RuleRange},
		{validate.Recurring, math.MaxInt32 + 1, validate.RuleRange},
		{validate.Management, 1, ""},
		{validate.Management, 0, validate.RuleRange},
	} {
		t.Run(string(tc.api)+" "+strconv.FormatInt(tc.value, 10), func(t *testing.T) {
			assertRule(t, validate.VippsAmount(tc.api, "amount.value", tc.value), "amount.value", tc.rule)
		})
	}
}

func TestVippsCurrency(t *testing.T) {
	for _, tc := range []struct {
		api  validate.VippsAPI
		code string
		rule validate.Rule
	}{
		{validate.EPayment, "NOK", ""},
		{validate.EPayment, "DKK", ""},
		{validate.EPayment, "EUR", ""},
		{validate.EPayment, "SEK", ""},
		{validate.EPayment, "USD", ""},
		{validate.EPayment, "GBP", ""},
		{validate.EPayment, "CHF", validate.RuleCurrency},
		{validate.EPayment, "nok", validate.RuleCurrency},
		{validate.EPayment, "", validate.RuleRequired},
		{validate.Recurring, "NOK", ""},
		{validate.Recurring, "EUR", ""},
		{validate.Recurring, "DKK", ""},
		{validate.Recurring, "SEK", validate.RuleCurrency},
		{validate.Ecom, "NOK", ""},
		{validate.Ecom, "QQQ", validate.RuleCurrency},
	} {
		t.Run(string(tc.api)+" "+tc.code, func(t *testing.T) {
			assertRule(t, validate.VippsCurrency(tc.api, "amount.currency", tc.code), "amount.currency", tc.rule)
		})
	}
}

func TestEPaymentReference(t *testing.T) {
	runFieldCases(t, "reference", validate.EPaymentReference, []fieldCase{
		{"eight", "order-17", ""},
		{"sixty-four", strings.Repeat("a", 64), ""},
		{"UUID", uuid.NewString(), ""},
		{"empty", "", validate.RuleRequired},
		{"seven", "order17", validate.RulePattern},
		{"sixty-five", strings.Repeat("a", 65), validate.RulePattern},
		{"underscore", "order_17x", validate.RulePattern},
		{"space", "order 17x", validate.RulePattern},
		{"non-ASCII", "ordre-blåbær", validate.RulePattern},
	})
}

func TestEcomOrderID(t *testing.T) {
	runFieldCases(t, "transaction.orderId", validate.EcomOrderID, []fieldCase{
		{"one", "a", ""},
		{"fifty", strings.Repeat("7", 50), ""},
		{"empty", "", validate.RuleRequired},
		{"fifty-one", strings.Repeat("7", 51), validate.RulePattern},
		{"slash", "order/17", validate.RulePattern},
	})
}

func TestIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		api        validate.VippsAPI
		key, field string
		rule       validate.Rule
	}{
		{validate.EPayment, uuid.NewString(), "Idempotency-Key", ""},
		{validate.EPayment, strings.Repeat("k", 50), "Idempotency-Key", ""},
		{validate.EPayment, "key with #?/ allowed", "Idempotency-Key", ""},
		{validate.EPayment, strings.Repeat("k", 51), "Idempotency-Key", validate.RuleLength},
		{validate.EPayment, "", "Idempotency-Key", validate.RuleRequired},
		{validate.Ecom, uuid.NewString(), "X-Request-Id", ""},
		{validate.Ecom, strings.Repeat("k", 40), "X-Request-Id", ""},
		{validate.Ecom, strings.Repeat("k", 41), "X-Request-Id", validate.RuleLength},
		{validate.Ecom, "", "X-Request-Id", validate.RuleRequired},
		{validate.Recurring, uuid.NewString(), "Idempotency-Key", ""},
		{validate.Recurring, strings.Repeat("k", 40), "Idempotency-Key", ""},
		{validate.Recurring, strings.Repeat("k", 41), "Idempotency-Key", validate.RuleLength},
		{validate.Recurring, "charge#1", "Idempotency-Key", validate.RuleCharacters},
		{validate.Recurring, "charge?1", "Idempotency-Key", validate.RuleCharacters},
		{validate.Recurring, "charge/1", "Idempotency-Key", validate.RuleCharacters},
		{validate.Recurring, `charge\1`, "Idempotency-Key", validate.RuleCharacters},
		{validate.Recurring, "", "Idempotency-Key", validate.RuleRequired},
		{validate.Management, uuid.NewString(), "Idempotency-Key", ""},
		{validate.Management, strings.Repeat("k", 50), "Idempotency-Key", ""},
		{validate.Management, strings.Repeat("k", 51), "Idempotency-Key", validate.RulePattern},
		{validate.Management, "order_1", "Idempotency-Key", validate.RulePattern},
		{validate.Management, "", "Idempotency-Key", validate.RuleRequired},
		{validate.Partner, strings.Repeat("k", 200), "Idempotency-Key", ""},
		{validate.Partner, "", "Idempotency-Key", validate.RuleRequired},
	} {
		t.Run(string(tc.api)+" "+tc.key, func(t *testing.T) {
			assertRule(t, validate.IdempotencyKey(tc.api, tc.key), tc.field, tc.rule)
		})
	}
}

func TestSystemHeader(t *testing.T) {
	runFieldCases(t, "Vipps-System-Name", validate.SystemHeader, []fieldCase{
		{"name", "acme-webshop", ""},
		{"thirty", strings.Repeat("s", 30), ""},
		{"thirty multi-byte", strings.Repeat("å", 30), ""},
		{"thirty-one", strings.Repeat("s", 31), validate.RuleLength},
		{"empty", "", validate.RuleRequired},
		{"control", "acme\x7f", validate.RuleCharacters},
	})
}

func TestMSN(t *testing.T) {
	runFieldCases(t, "Merchant-Serial-Number", validate.MSN, []fieldCase{
		{"six digits", "123456", ""},
		{"four digits", "1234", ""},
		{"twelve digits, not capped", "123456789012", ""},
		{"empty", "", validate.RuleRequired},
		{"letters", "12345a", validate.RuleCharacters},
		{"space", "123 456", validate.RuleCharacters},
	})
}

func TestVippsPhone(t *testing.T) {
	for _, tc := range []struct {
		api   validate.VippsAPI
		value string
		rule  validate.Rule
	}{
		{validate.EPayment, "4712345678", ""},
		{validate.EPayment, "4791234567", ""},
		{validate.EPayment, "123456789012345", ""},
		{validate.EPayment, "", validate.RuleRequired},
		{validate.EPayment, "+4712345678", validate.RuleCharacters},
		{validate.EPayment, "47 12345678", validate.RuleCharacters},
		{validate.EPayment, "1234567890123456", validate.RuleLength},
		{validate.Recurring, "4712345678", ""},
		{validate.Recurring, "+4712345678", validate.RuleCharacters},
		{validate.Ecom, "12345678", ""},
		{validate.Ecom, "4712345678", validate.RuleLength},
		{validate.Ecom, "1234567", validate.RuleLength},
		{validate.Ecom, "1234567a", validate.RuleCharacters},
	} {
		t.Run(string(tc.api)+" "+tc.value, func(t *testing.T) {
			assertRule(t, validate.VippsPhone(tc.api, "customer.phoneNumber", tc.value), "customer.phoneNumber", tc.rule)
		})
	}
}
