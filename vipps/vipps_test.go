package vipps_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/vipps"
)

func TestNewChecksItsConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   vipps.Config
		inErr string
	}{
		{"path in base URL", vipps.Config{BaseURL: "https://apitest.vipps.no/epayment", Credentials: partnerKeys}, "host only"},
		{"no secret", vipps.Config{Credentials: vippsauth.Credentials{ClientID: "id", SubscriptionKey: "k"}}, "client_secret"},
		{"long system name", vipps.Config{Credentials: partnerKeys, System: vippsauth.System{Name: "a-name-that-is-longer-than-thirty"}}, "Vipps-System-Name"},
		{"bad MSN", vipps.Config{Credentials: partnerKeys, MSN: "12-34"}, "digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vipps.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
			assert.NotContains(t, fmt.Sprintf("%+v", err), partnerKeys.ClientSecret.Reveal())
		})
	}
}

// A merchant's own, unbound clients send the MSN the call names, the system headers, and
// refresh the token once when an API answers 401.
func TestMerchantClientsRefreshOnceOn401(t *testing.T) {
	var tokens, calls atomic.Int32
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/accesstoken/get" {
			n := tokens.Add(1)
			fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"0","expires_on":"9999999999","not_before":"0","resource":"r","access_token":"token-%d"}`, n)
			return
		}
		calls.Add(1)
		seen.Store(r.Header.Clone())
		if r.Header.Get("Authorization") == "Bearer token-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"reference":"order-12345678"}`))
	}))
	defer srv.Close()
	c, err := vipps.New(vipps.Config{BaseURL: srv.URL, Credentials: partnerKeys,
		System: vippsauth.System{Name: "acme", Version: "1.2.3"}})
	require.NoError(t, err)
	res, err := c.EPayment.CreatePaymentWithResponse(context.Background(),
		&epayment.CreatePaymentParams{IdempotencyKey: "k-1", MerchantSerialNumber: "555555"},
		epayment.CreatePaymentRequest{Amount: epayment.Amount{Currency: "NOK", Value: 1000},
			PaymentMethod: epayment.PaymentMethod{Type: "WALLET"}, Reference: "order-12345678", UserFlow: "WEB_REDIRECT",
			ReturnUrl: "https://shop.example/return"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, res.StatusCode())
	assert.Equal(t, int32(2), tokens.Load())
	assert.Equal(t, int32(2), calls.Load())
	h := seen.Load().(http.Header)
	assert.Equal(t, "Bearer token-2", h.Get("Authorization"))
	assert.Equal(t, "555555", h.Get("Merchant-Serial-Number"))
	assert.Equal(t, "k-1", h.Get("Idempotency-Key"), "the retry resends the same key")
	assert.Equal(t, "acme", h.Get("Vipps-System-Name"))
	assert.Equal(t, "1.2.3", h.Get("Vipps-System-Version"))
	assert.Empty(t, h.Values("Vipps-System-Plugin-Name"), "unset system headers are not sent empty")
}
