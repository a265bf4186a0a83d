package validate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/validate"
)

func TestErrorMessage(t *testing.T) {
	err := validate.MoMoAmount("amount", "-5", "EUR")
	require.Error(t, err)
	assert.Equal(t, `amount: format: want digits with an optional fraction ("12.50"): no sign, exponent or spaces, got "-5"`, err.Error())

	err = validate.MoMoText("payeeNote", "")
	require.Error(t, err)
	assert.Equal(t, "payeeNote: required: want a text of 1 to 160 characters", err.Error(), "no excerpt of an absent value")
}

// A long value is cut to 32 characters, and printable as it is.
func TestErrorExcerpt(t *testing.T) {
	long := strings.Repeat("x", 200) + "'"
	var e *validate.Error
	require.True(t, errors.As(validate.MoMoText("payerMessage", long), &e))
	assert.Equal(t, 32, len([]rune(e.Value)))
	assert.True(t, strings.HasSuffix(e.Value, "…"))

	require.True(t, errors.As(validate.MSISDN("payer.partyId", "12\xff34567"), &e))
	assert.Equal(t, "12\uFFFD34567", e.Value)
}

// Joined and wrapped problems stay reachable, all of them.
func TestProblems(t *testing.T) {
	joined := errors.Join(
		validate.MoMoAmount("amount", "0", "EUR"),
		validate.Currency("currency", "eur"),
		errors.New("not a validation problem"),
	)
	wrapped := fmt.Errorf("momo: request to pay: %w", joined)
	assert.ErrorIs(t, wrapped, validate.ErrInvalid)
	got := validate.Problems(wrapped)
	require.Len(t, got, 2)
	assert.Equal(t, "amount", got[0].Field)
	assert.Equal(t, validate.RuleRange, got[0].Rule)
	assert.Equal(t, "currency", got[1].Field)
	assert.Equal(t, validate.RuleFormat, got[1].Rule)

	assert.Empty(t, validate.Problems(nil))
	assert.Empty(t, validate.Problems(errors.New("other")))
	assert.NotErrorIs(t, errors.New("other"), validate.ErrInvalid)
}
