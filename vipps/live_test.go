package vipps_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/vipps"
)

// Environment of the Vipps live contract mode.
const (
	liveVippsClientIDEnv     = "PAYKIT_VIPPS_CLIENT_ID"
	liveVippsClientSecretEnv = "PAYKIT_VIPPS_CLIENT_SECRET"
	liveVippsKeyEnv          = "PAYKIT_VIPPS_SUBSCRIPTION_KEY"
	liveVippsMSNEnv          = "PAYKIT_VIPPS_MSN"
	liveVippsBaseURLEnv      = "PAYKIT_VIPPS_BASE_URL" // optional, default the test environment
)

// Live contract mode: a short ePayment flow and a webhook listing against the Vipps test
// environment through the wired clients, every request and answer checked against the
// documents. It runs only when test keys are given.
func TestVippsLiveContract(t *testing.T) {
	creds := vippsauth.Credentials{
		ClientID:        os.Getenv(liveVippsClientIDEnv),
		ClientSecret:    auth.Secret(os.Getenv(liveVippsClientSecretEnv)),
		SubscriptionKey: auth.Secret(os.Getenv(liveVippsKeyEnv)),
	}
	msn := os.Getenv(liveVippsMSNEnv)
	if creds.ClientID == "" || creds.ClientSecret == "" || creds.SubscriptionKey == "" || msn == "" {
		t.Skip("live Vipps contract mode: set " + liveVippsClientIDEnv + ", " + liveVippsClientSecretEnv + ", " +
			liveVippsKeyEnv + " and " + liveVippsMSNEnv + " (test sales unit keys) to run it against the Vipps test " +
			"environment; optionally " + liveVippsBaseURLEnv + " (default " + vipps.TestURL + ")")
	}
	baseURL := os.Getenv(liveVippsBaseURLEnv)
	if baseURL == "" {
		baseURL = vipps.TestURL
	}
	v, err := contract.New(api.FS(), api.Vipps...)
	require.NoError(t, err)
	defer func() {
		for _, viol := range v.Violations() {
			t.Errorf("contract violation: %s", viol)
		}
		t.Logf("live Vipps: %+v", v.Stats())
	}()
	hc := &http.Client{
		Transport:     v.Transport(vippsauth.NewTransport()),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	c, err := vipps.New(vipps.Config{BaseURL: baseURL, Credentials: creds, MSN: msn, HTTPClient: hc,
		System: vippsauth.System{Name: "paykit", Version: "live-test"}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	ref := "paykit-live-" + uuid.NewString()[:8]
	created, err := c.EPayment.CreatePaymentWithResponse(ctx,
		&epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
		epayment.CreatePaymentRequest{
			Amount:             epayment.Amount{Currency: "NOK", Value: 1000},
			PaymentMethod:      epayment.PaymentMethod{Type: "WALLET"},
			Reference:          ref,
			UserFlow:           "WEB_REDIRECT",
			ReturnUrl:          "https://example.com/return",
			PaymentDescription: "paykit live contract test",
		})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))

	got, err := c.EPayment.GetPaymentWithResponse(ctx, ref, &epayment.GetPaymentParams{MerchantSerialNumber: msn})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	events, err := c.EPayment.GetPaymentEventLogWithResponse(ctx, ref, &epayment.GetPaymentEventLogParams{MerchantSerialNumber: msn})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, events.StatusCode(), string(events.Body))
	cancelled, err := c.EPayment.CancelPaymentWithResponse(ctx, ref, &epayment.CancelPaymentParams{MerchantSerialNumber: msn}, epayment.CancelPaymentJSONRequestBody{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, cancelled.StatusCode(), string(cancelled.Body))

	hooks, err := c.Webhooks.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, hooks.StatusCode(), string(hooks.Body))
}
