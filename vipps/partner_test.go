package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/userinfo"
	"github.com/paykit-go/paykit/vipps"
)

// partnerGateway stands in for the Vipps hosts: it issues tokens and records, per call,
// the token request's MSN and every API call's MSN and credentials.
type partnerGateway struct {
	*httptest.Server
	mu         sync.Mutex
	tokenCalls []string // MSN sent on each token call ("" when none)
	tokenKeys  []string // subscription key of each token call
	apiCalls   []http.Header
	apiPaths   []string
}

func newPartnerGateway(t *testing.T) *partnerGateway {
	t.Helper()
	g := &partnerGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		if r.URL.Path == "/accesstoken/get" {
			g.tokenCalls = append(g.tokenCalls, r.Header.Get("Merchant-Serial-Number"))
			g.tokenKeys = append(g.tokenKeys, r.Header.Get("Ocp-Apim-Subscription-Key"))
			_ = json.NewEncoder(w).Encode(map[string]string{
				"token_type": "Bearer", "expires_in": "3600", "ext_expires_in": "0",
				"expires_on": "9999999999", "not_before": "0", "resource": "r",
				"access_token": fmt.Sprintf("token-%d", len(g.tokenCalls)),
			})
			return
		}
		g.apiCalls = append(g.apiCalls, r.Header.Clone())
		g.apiPaths = append(g.apiPaths, r.URL.Path)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"reference":"order-12345678"}`))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *partnerGateway) snapshot() (tokens []string, calls []http.Header) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.tokenCalls...), append([]http.Header(nil), g.apiCalls...)
}

var partnerKeys = vippsauth.Credentials{
	ClientID:        "2ca7f9f6-0c6e-4c8a-9b27-5e1c3a2a9e11",
	ClientSecret:    "partner-client-secret-value",
	SubscriptionKey: "partner-subscription-key-value",
}

func createPayment(t *testing.T, c *vipps.Clients, editors ...epayment.RequestEditorFn) error {
	t.Helper()
	_, err := c.EPayment.CreatePaymentWithResponse(context.Background(),
		&epayment.CreatePaymentParams{IdempotencyKey: "idem-1", MerchantSerialNumber: "999999"},
		epayment.CreatePaymentRequest{
			Amount:        epayment.Amount{Currency: "NOK", Value: 1000},
			PaymentMethod: epayment.PaymentMethod{Type: "WALLET"},
			Reference:     "order-12345678",
			UserFlow:      "WEB_REDIRECT",
			ReturnUrl:     "https://shop.example/return",
		}, editors...)
	return err
}

// A client bound to merchant A sends A on every call, whatever the call itself sets.
func TestBoundClientSendsOnlyItsMSN(t *testing.T) {
	g := newPartnerGateway(t)
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys})
	require.NoError(t, err)
	shopA, err := p.ForMerchant("123456")
	require.NoError(t, err)

	overrideToB := epayment.RequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Merchant-Serial-Number", "654321")
		return nil
	})
	require.NoError(t, createPayment(t, shopA))              // params say 999999
	require.NoError(t, createPayment(t, shopA, overrideToB)) // an editor says 654321
	_, err = shopA.EPayment.GetPaymentWithResponse(context.Background(), "order-12345678", &epayment.GetPaymentParams{MerchantSerialNumber: "654321"})
	require.NoError(t, err)

	_, calls := g.snapshot()
	require.Len(t, calls, 3)
	for i, h := range calls {
		assert.Equal(t, []string{"123456"}, h.Values("Merchant-Serial-Number"), "call %d", i)
		assert.Equal(t, partnerKeys.SubscriptionKey.Reveal(), h.Get("Ocp-Apim-Subscription-Key"))
		assert.Equal(t, "Bearer token-1", h.Get("Authorization"))
	}
}

// eCom names the merchant in the body too; a body naming another merchant never leaves.
func TestBoundClientRefusesEcomBodyForAnotherMerchant(t *testing.T) {
	g := newPartnerGateway(t)
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys})
	require.NoError(t, err)
	shopA, err := p.ForMerchant("123456")
	require.NoError(t, err)

	initiate := func(msn string) error {
		_, err := shopA.Ecom.InitiatePaymentWithResponse(context.Background(), &ecom.InitiatePaymentParams{},
			ecom.InitiatePaymentCommand{
				MerchantInfo: ecom.MerchantInfo{MerchantSerialNumber: ecom.BodyMerchantSerialNumber(msn), CallbackPrefix: "https://shop.example/cb", FallBack: "https://shop.example/back"},
				Transaction:  ecom.InitiateTransaction{Amount: 1000, OrderId: "order-1", TransactionText: "Order 1"},
			})
		return err
	}
	err = initiate("654321")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acts for merchant 123456 only")
	_, calls := g.snapshot()
	assert.Empty(t, calls, "nothing may be sent for another merchant")

	require.NoError(t, initiate("123456"))
	_, calls = g.snapshot()
	require.Len(t, calls, 1)
	assert.Equal(t, "123456", calls[0].Get("Merchant-Serial-Number"))
}

// One partner's merchants share one token when the MSN is not sent on the token call, and
// get one each when it is; other keys never share a token.
func TestPartnerTokenSharing(t *testing.T) {
	tests := []struct {
		name       string
		perMerch   bool
		wantTokens []string
	}{
		{"shared by the partner's merchants", false, []string{""}},
		{"one per merchant", true, []string{"111111", "222222"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newPartnerGateway(t)
			p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys, TokenPerMerchant: tt.perMerch})
			require.NoError(t, err)
			for _, msn := range []string{"111111", "222222"} {
				shop, err := p.ForMerchant(msn)
				require.NoError(t, err)
				for range 3 {
					require.NoError(t, createPayment(t, shop))
				}
			}
			tokens, calls := g.snapshot()
			assert.Equal(t, tt.wantTokens, tokens)
			assert.Len(t, calls, 6)
			t.Logf("2 merchants x 3 calls -> %d token fetch(es)", len(tokens))
		})
	}

	t.Run("other keys never share", func(t *testing.T) {
		g := newPartnerGateway(t)
		otherKey, otherID := partnerKeys, partnerKeys
		otherKey.SubscriptionKey = "another-subscription-key"
		otherID.ClientID = "7d4c4d1b-5f0e-4a43-8d8c-3f7b0a7c2b10"
		for _, keys := range []vippsauth.Credentials{partnerKeys, otherKey, otherID} {
			p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: keys})
			require.NoError(t, err)
			shop, err := p.ForMerchant("111111")
			require.NoError(t, err)
			require.NoError(t, createPayment(t, shop))
		}
		tokens, _ := g.snapshot()
		assert.Len(t, tokens, 3)
	})
}

func TestForMerchantChecksTheMSN(t *testing.T) {
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: vipps.TestURL, Credentials: partnerKeys})
	require.NoError(t, err)
	for _, bad := range []string{"", "12a456", "+4712345", " 123456"} {
		_, err := p.ForMerchant(bad)
		assert.Error(t, err, "%q", bad)
	}
	shop, err := p.ForMerchant("12345678901234") // longer than today's 10 digits: allowed
	require.NoError(t, err)
	assert.Equal(t, "12345678901234", shop.MSN)
}

// The partner keys never print, and the Login-flow userinfo call goes out with the user's
// token only: no subscription key, no merchant.
func TestPartnerKeysStayInside(t *testing.T) {
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: vipps.TestURL, Credentials: partnerKeys})
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, p)
		assert.NotContains(t, out, partnerKeys.ClientSecret.Reveal())
		assert.NotContains(t, out, partnerKeys.SubscriptionKey.Reveal())
	}

	g := newPartnerGateway(t)
	p, err = vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys})
	require.NoError(t, err)
	shop, err := p.ForMerchant("123456")
	require.NoError(t, err)
	_, err = shop.Userinfo.GetUserinfoWithLoginTokenWithResponse(context.Background(), &userinfo.GetUserinfoWithLoginTokenParams{},
		userinfo.RequestEditorFn(auth.Header("Authorization", "Bearer user-login-token")))
	require.NoError(t, err)
	tokens, calls := g.snapshot()
	assert.Empty(t, tokens, "no partner token is fetched for a Login call")
	require.Len(t, calls, 1)
	assert.Equal(t, "Bearer user-login-token", calls[0].Get("Authorization"))
	assert.Empty(t, calls[0].Get("Ocp-Apim-Subscription-Key"))
	assert.Empty(t, calls[0].Get("Merchant-Serial-Number"))
}

// A body given as a plain stream (no way to read it twice) is checked all the same.
func TestBoundClientChecksStreamedEcomBodies(t *testing.T) {
	g := newPartnerGateway(t)
	p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: g.URL, Credentials: partnerKeys})
	require.NoError(t, err)
	shopA, err := p.ForMerchant("123456")
	require.NoError(t, err)
	body := io.MultiReader(strings.NewReader(`{"merchantInfo":{"merchantSerialNumber":654321,`),
		strings.NewReader(`"callbackPrefix":"https://x.example","fallBack":"https://x.example"},"transaction":{"amount":1000,"orderId":"o-1","transactionText":"t"}}`))
	_, err = shopA.Ecom.InitiatePaymentWithBodyWithResponse(context.Background(), &ecom.InitiatePaymentParams{}, "application/json", body)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"654321"`)
	_, calls := g.snapshot()
	assert.Empty(t, calls)
}
