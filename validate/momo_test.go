package validate_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/validate"
)

func TestMoMoAmount(t *testing.T) {
	for _, tc := range []struct {
		name, amount, currency string
		rule                   validate.Rule
	}{
		{"whole", "100", "EUR", ""},
		{"two decimals", "12.50", "EUR", ""},
		{"one decimal", "0.5", "EUR", ""},
		{"large", "123456789012", "UGX", ""},
		{"leading zero", "0100", "EUR", ""},
		{"three decimals in KWD", "1.250", "KWD", ""},
		{"empty", "", "EUR", validate.RuleRequired},
		{"negative", "-5", "EUR", validate.RuleFormat},
		{"plus sign", "+5", "EUR", validate.RuleFormat},
		{"exponent", "1e3", "EUR", validate.RuleFormat},
		{"space", " 5", "EUR", validate.RuleFormat},
		{"comma", "5,00", "EUR", validate.RuleFormat},
		{"trailing point", "5.", "EUR", validate.RuleFormat},
		{"leading point", ".5", "EUR", validate.RuleFormat},
		{"two points", "1.2.3", "EUR", validate.RuleFormat},
		{"letters", "abc", "EUR", validate.RuleFormat},
		{"zero", "0", "EUR", validate.RuleRange},
		{"zero with fraction", "0.00", "EUR", validate.RuleRange},
		{"three decimals in EUR", "1.005", "EUR", validate.RuleFraction},
		{"decimals in UGX", "100.5", "UGX", validate.RuleFraction},
		{"zero decimals in XAF", "100.00", "XAF", validate.RuleFraction},
		{"unknown currency caps at two", "1.005", "ZZZ", validate.RuleFraction},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertRule(t, validate.MoMoAmount("amount", tc.amount, tc.currency), "amount", tc.rule)
		})
	}
}

func TestMoMoAmountFractionNamesCurrency(t *testing.T) {
	err := validate.MoMoAmount("amount", "100.5", "UGX")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "UGX has no minor unit")
	err = validate.MoMoAmount("amount", "1.005", "EUR")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at most 2 fraction digits")
}

func TestCurrency(t *testing.T) {
	runFieldCases(t, "currency", validate.Currency, []fieldCase{
		{"EUR", "EUR", ""},
		{"UGX", "UGX", ""},
		{"XOF", "XOF", ""},
		{"empty", "", validate.RuleRequired},
		{"lower case", "eur", validate.RuleFormat},
		{"two letters", "EU", validate.RuleFormat},
		{"digits", "978", validate.RuleFormat},
		{"not a currency", "ABC", validate.RuleCurrency},
		{"withdrawn", "HRK", validate.RuleCurrency},
		{"precious metal", "XAU", validate.RuleCurrency},
	})
}

func TestMinorUnits(t *testing.T) {
	for code, want := range map[string]int{"EUR": 2, "UGX": 0, "XAF": 0, "KWD": 3, "GHS": 2, "RWF": 0} {
		got, ok := validate.MinorUnits(code)
		assert.True(t, ok, code)
		assert.Equal(t, want, got, code)
	}
	_, ok := validate.MinorUnits("XXX")
	assert.False(t, ok)
}

func TestMoMoCurrency(t *testing.T) {
	for _, tc := range []struct {
		name, code, env string
		rule            validate.Rule
	}{
		{"EUR in sandbox", "EUR", "sandbox", ""},
		{"GHS in sandbox", "GHS", "sandbox", validate.RuleCurrency},
		{"UGX in Uganda", "UGX", "mtnuganda", ""},
		{"EUR with no environment yet", "EUR", "", ""},
		{"GHS with no environment yet", "GHS", "", ""},
		{"lower case in sandbox", "eur", "sandbox", validate.RuleFormat},
		{"unknown in Ghana", "ABC", "mtnghana", validate.RuleCurrency},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertRule(t, validate.MoMoCurrency("currency", tc.code, tc.env), "currency", tc.rule)
		})
	}
}

func TestMSISDN(t *testing.T) {
	runFieldCases(t, "payer.partyId", validate.MSISDN, []fieldCase{
		{"sandbox number", "46733123454", ""},
		{"eight digits", "12345678", ""},
		{"fifteen digits", "123456789012345", ""},
		{"empty", "", validate.RuleRequired},
		{"plus", "+46733123454", validate.RuleCharacters},
		{"spaces", "467 331 234 54", validate.RuleCharacters},
		{"letters", "4673312345a", validate.RuleCharacters},
		{"seven digits", "1234567", validate.RuleLength},
		{"sixteen digits", "1234567890123456", validate.RuleLength},
	})
}

func TestReferenceID(t *testing.T) {
	v1, err := uuid.NewUUID()
	require.NoError(t, err)
	v7, err := uuid.NewV7()
	require.NoError(t, err)
	runFieldCases(t, "X-Reference-Id", validate.ReferenceID, []fieldCase{
		{"version 4", uuid.NewString(), ""},
		{"version 4 upper case", strings.ToUpper(uuid.NewString()), ""},
		{"empty", "", validate.RuleRequired},
		{"not a UUID", "order-17", validate.RuleFormat},
		{"no hyphens", strings.ReplaceAll(uuid.NewString(), "-", ""), validate.RuleFormat},
		{"braces", "{" + uuid.NewString() + "}", validate.RuleFormat},
		{"urn", "urn:uuid:" + uuid.NewString(), validate.RuleFormat},
		{"nil UUID", uuid.Nil.String(), validate.RuleVersion},
		{"version 1", v1.String(), validate.RuleVersion},
		{"version 7", v7.String(), validate.RuleVersion},
	})
}

func TestUUID(t *testing.T) {
	v1, err := uuid.NewUUID()
	require.NoError(t, err)
	runFieldCases(t, "referenceIdToRefund", validate.UUID, []fieldCase{
		{"version 4", uuid.NewString(), ""},
		{"version 1", v1.String(), ""},
		{"empty", "", validate.RuleRequired},
		{"short", "1234", validate.RuleFormat},
	})
}

func TestMoMoText(t *testing.T) {
	runFieldCases(t, "payerMessage", validate.MoMoText, []fieldCase{
		{"plain", "Order 17", ""},
		{"160 characters", strings.Repeat("a", 160), ""},
		{"160 multi-byte characters", strings.Repeat("ø", 160), ""},
		{"emoji", "Takk 🙂", ""},
		{"empty", "", validate.RuleRequired},
		{"161 characters", strings.Repeat("a", 161), validate.RuleLength},
		{"161 multi-byte characters", strings.Repeat("é", 161), validate.RuleLength},
		{"apostrophe", "Joe's shop", validate.RuleCharacters},
		{"ampersand", "Tea & cake", validate.RuleCharacters},
		{"newline", "line\nbreak", validate.RuleCharacters},
		{"tab", "a\tb", validate.RuleCharacters},
		{"NUL", "a\x00b", validate.RuleCharacters},
		{"invalid UTF-8", "a\xffb", validate.RuleCharacters},
	})
}

func TestParty(t *testing.T) {
	for _, tc := range []struct {
		name, idType, id string
		want             []string
	}{
		{"MSISDN", "MSISDN", "46733123454", nil},
		{"msisdn lower case", "msisdn", "46733123454", nil},
		{"EMAIL", "EMAIL", "payer@example.com", nil},
		{"unknown type is accepted", "ALIAS", "shop-17", nil},
		{"bad MSISDN", "MSISDN", "+46733123454", []string{"payer.partyId characters"}},
		{"no id", "EMAIL", "", []string{"payer.partyId required"}},
		{"no type", "", "46733123454", []string{"payer.partyIdType required"}},
		{"nothing", "", "", []string{"payer.partyId required", "payer.partyIdType required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validate.Party("payer", tc.idType, tc.id)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, validate.ErrInvalid)
			assert.Equal(t, tc.want, problems(err))
		})
	}
}

func TestValidityTime(t *testing.T) {
	assert.NoError(t, validate.ValidityTime("validityTime", 0))
	assert.NoError(t, validate.ValidityTime("validityTime", 3600))
	assertRule(t, validate.ValidityTime("validityTime", -1), "validityTime", validate.RuleRange)
}

func TestCallbackURL(t *testing.T) {
	runFieldCases(t, "X-Callback-Url", validate.CallbackURL, []fieldCase{
		{"https", "https://shop.example/momo/callback", ""},
		{"http with port", "http://shop.example:8080/cb", ""},
		{"empty", "", validate.RuleRequired},
		{"relative", "/momo/callback", validate.RuleFormat},
		{"no scheme", "shop.example/cb", validate.RuleFormat},
		{"ftp", "ftp://shop.example/cb", validate.RuleFormat},
	})
}

// The query of a callback URL can carry a token; it is not repeated.
func TestCallbackURLHidesQuery(t *testing.T) {
	err := validate.CallbackURL("X-Callback-Url", "ftp://shop.example/cb?token=hush-hush-4471")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hush-hush-4471")
	assert.Contains(t, err.Error(), "ftp://shop.example/cb")
}

func TestLanguage(t *testing.T) {
	runFieldCases(t, "Language", validate.Language, []fieldCase{
		{"ISO 639-1", "en", ""},
		{"ISO 639-3", "eng", ""},
		{"upper case", "EN", validate.RuleFormat},
		{"locale", "en-GB", validate.RuleFormat},
		{"empty", "", validate.RuleFormat},
	})
}
