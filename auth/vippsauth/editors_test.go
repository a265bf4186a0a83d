package vippsauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/vippsauth"
)

func TestValidMSN(t *testing.T) {
	tests := []struct {
		msn   string
		inErr string // empty: valid
	}{
		{"1", ""},
		{"1234", ""},
		{"123456", ""},
		{"1234567", ""},
		{"1234567890", ""},
		{strings.Repeat("9", 40), ""}, // no length cap: the allowed length keeps growing
		{"", "empty"},
		{"12a456", "digits only"},
		{"abcdef", "digits only"},
		{"123 456", "digits only"},
		{" 123456", "digits only"},
		{"123456\n", "digits only"},
		{"+47", "digits only"},
		{"-123", "digits only"},
		{"12.5", "digits only"},
		{"١٢٣٤", "digits only"}, // Arabic-Indic digits are digits to unicode, not to Vipps
	}
	for _, tt := range tests {
		t.Run(tt.msn, func(t *testing.T) {
			err := vippsauth.ValidMSN(tt.msn)
			if tt.inErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Merchant-Serial-Number")
			assert.Contains(t, err.Error(), tt.inErr)
		})
	}
}

func TestMerchantSerialNumberBindsTheClient(t *testing.T) {
	edit := vippsauth.MerchantSerialNumber("123456")
	tests := []struct {
		name, given string
		inErr       string
	}{
		{"sets the header", "", ""},
		{"same MSN passed for the call", "123456", ""},
		{"another merchant's MSN", "654321", `"654321": this client is bound to MSN "123456"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/epayment/v1/payments", nil)
			if tt.given != "" {
				r.Header.Set("Merchant-Serial-Number", tt.given)
			}
			err := edit(context.Background(), r)
			if tt.inErr != "" {
				assert.ErrorContains(t, err, tt.inErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "123456", r.Header.Get("Merchant-Serial-Number"))
		})
	}

	r := httptest.NewRequest(http.MethodGet, "/epayment/v1/payments/x", nil)
	assert.ErrorContains(t, vippsauth.MerchantSerialNumber("+47 123")(context.Background(), r), "digits only")
	assert.NotContains(t, r.Header, "Merchant-Serial-Number")
}

func TestSubscriptionKeyEditor(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/epayment/v1/payments/x", nil)
	require.NoError(t, vippsauth.SubscriptionKey(testSubKey)(context.Background(), r))
	assert.Equal(t, testSubKey.Reveal(), r.Header.Get("Ocp-Apim-Subscription-Key"))

	err := vippsauth.SubscriptionKey("")(context.Background(), r)
	assert.ErrorContains(t, err, "Ocp-Apim-Subscription-Key")
}
