package validate_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/validate"
)

// Distinctive secret values that must never come back in an error.
const (
	bearerToken     = "eyJ0eXAiOiJKV1Qi.SECRET-BEARER-9f1c27"
	subscriptionKey = "SECRET-SUBSCRIPTION-KEY-5b7e01"
	clientSecret    = "SECRET-CLIENT-SECRET-c3d4a8"
	callbackToken   = "SECRET-CALLBACK-TOKEN-0a1b2c"
	customerToken   = "SECRET-CUSTOMER-TOKEN-77e6f1"
)

var allSecrets = []string{bearerToken, subscriptionKey, clientSecret, callbackToken, customerToken}

// withCredentials sets every credential header a request can carry.
func withCredentials(req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+bearerToken)
	req.Header.Set("Ocp-Apim-Subscription-Key", subscriptionKey)
	req.Header.Set("client_secret", clientSecret)
}

// assertNoSecret formats err every way a log might and checks that no secret shows.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var shown strings.Builder
	fmt.Fprintf(&shown, "%v\n%+v\n%#v\n%s\n%q\n", err, err, err, err, err)
	for _, p := range validate.Problems(err) {
		fmt.Fprintf(&shown, "%v %+v %#v\n", p, *p, p)
	}
	for _, s := range allSecrets {
		assert.NotContains(t, shown.String(), s)
	}
}

// Validation errors never repeat a credential: the checks do not read the credential
// headers, and the secret values they do check (an eCom authToken, an Express callback
// token, a customer token) are left out of the error.
func TestValidationErrorsHoldNoSecret(t *testing.T) {
	t.Run("MoMo request with credentials and bad fields", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, "https://gateway.example/collection/v1_0/requesttopay",
			strings.NewReader(`{"amount":"-5","currency":"GHS","payer":{"partyIdType":"MSISDN","partyId":"+4673"},"payerMessage":"x&y"}`))
		require.NoError(t, err)
		withCredentials(req)
		req.Header.Set("X-Reference-Id", "not-a-uuid")
		req.Header.Set("X-Target-Environment", "sandbox")
		err = validate.MoMoRequest(req)
		assertNoSecret(t, err)
		assert.Len(t, validate.Problems(err), 6)
	})
	t.Run("eCom authToken too long", func(t *testing.T) {
		token := callbackToken + strings.Repeat("x", 300)
		req, err := http.NewRequest(http.MethodPost, "https://api.example/ecomm/v2/payments", strings.NewReader(
			`{"merchantInfo":{"merchantSerialNumber":"123456","callbackPrefix":"https://shop.example","fallBack":"https://shop.example/f","authToken":"`+token+`"},`+
				`"transaction":{"amount":50,"orderId":"order-1","transactionText":"x"}}`))
		require.NoError(t, err)
		withCredentials(req)
		err = validate.VippsRequest(req)
		assertNoSecret(t, err)
		assert.Contains(t, problems(err), "merchantInfo.authToken length")
	})
	t.Run("eCom authToken of the wrong type", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, "https://api.example/ecomm/v2/payments", strings.NewReader(
			`{"merchantInfo":{"merchantSerialNumber":"123456","callbackPrefix":"https://shop.example","fallBack":"https://shop.example/f","authToken":["`+callbackToken+`"]},`+
				`"transaction":{"amount":500,"orderId":"order-1","transactionText":"x"}}`))
		require.NoError(t, err)
		err = validate.VippsRequest(req)
		assertNoSecret(t, err)
		assert.Equal(t, []string{"merchantInfo.authToken type"}, problems(err))
	})
	t.Run("ePayment callback token and customer token", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, "https://api.example/epayment/v1/payments", strings.NewReader(
			`{"amount":{"currency":"NOK","value":1000},"paymentMethod":{"type":"WALLET"},"reference":"order-12345","userFlow":"PUSH_MESSAGE",`+
				`"customer":{"customerToken":"`+customerToken+`","phoneNumber":"4712345678"},`+
				`"shipping":{"dynamicOptions":{"callbackUrl":"https://shop.example/s","callbackAuthorizationToken":"`+callbackToken+`!"}}}`))
		require.NoError(t, err)
		withCredentials(req)
		req.Header.Set("Idempotency-Key", uuid.NewString())
		err = validate.VippsRequest(req)
		assertNoSecret(t, err)
		assert.Equal(t, []string{"customer required", "shipping.dynamicOptions.callbackAuthorizationToken pattern"}, problems(err))
	})
	t.Run("Recurring request with credentials", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, "https://api.example/recurring/v3/agreements/agr_1/charges", strings.NewReader(`{"amount":0}`))
		require.NoError(t, err)
		withCredentials(req)
		req.Header.Set("Idempotency-Key", "a#b")
		err = validate.VippsRequest(req)
		assertNoSecret(t, err)
	})
}
