package momo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/momo"
)

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"sandbox.momodeveloper.mtn.com", "ftp://x", "://"} {
		_, err := momo.New(momo.Config{BaseURL: u})
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "base URL")
	}
}

// A product without a subscription key fails before anything is sent, naming the product,
// while the configured products keep working.
func TestMissingCredentialsFailBeforeSending(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	c, err := momo.New(momo.Config{
		BaseURL:          srv.URL,
		SubscriptionKeys: momoauth.SubscriptionKeys{Collection: "collection-secret-key"},
		APIUser:          momoauth.APIUser{ID: "783a8f21-3fc6-4e39-aa76-da8e562fba7e", Key: "api-secret-key"},
	})
	require.NoError(t, err)

	_, err = c.Disbursement.TransferWithResponse(context.Background(),
		&disbursement.TransferParams{XReferenceId: momo.NewReferenceID()},
		common.Transfer{Amount: "1", Currency: "EUR", ExternalId: "x", Payee: common.Party{PartyIdType: "MSISDN", PartyId: "46733123454"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disbursement")
	assert.Equal(t, int32(0), hits.Load(), "nothing may be sent without credentials")

	_, err = c.Token(context.Background(), momoauth.Remittance)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "remittance subscription key: required")

	noUser, err := momo.New(momo.Config{BaseURL: srv.URL, SubscriptionKeys: momoauth.SubscriptionKeys{Collection: "k"}})
	require.NoError(t, err)
	_, err = noUser.Token(context.Background(), momoauth.Collection)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "API user id: required")
	assert.Equal(t, int32(0), hits.Load())
}

// The gateway answers /token (no slash) with a redirect to an internal address; the default
// client must not follow redirects anywhere.
func TestDefaultClientFollowsNoRedirects(t *testing.T) {
	var redirected atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { redirected.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/token/", http.StatusFound)
	}))
	defer srv.Close()

	c, err := momo.New(momo.Config{
		BaseURL:          srv.URL,
		SubscriptionKeys: momoauth.SubscriptionKeys{Collection: "k"},
		APIUser:          momoauth.APIUser{ID: "u", Key: "api-secret-key"},
	})
	require.NoError(t, err)
	_, err = c.Token(context.Background(), momoauth.Collection)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 302")
	assert.Equal(t, int32(0), redirected.Load())
}

// Errors from the wired clients never carry a secret, however they are formatted.
func TestWiredErrorsHideSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":"login_failed"}`))
	}))
	defer srv.Close()
	secrets := []string{"collection-secret-key", "api-secret-key"}
	cfg := momo.Config{
		BaseURL:          srv.URL,
		SubscriptionKeys: momoauth.SubscriptionKeys{Collection: auth.Secret(secrets[0])},
		APIUser:          momoauth.APIUser{ID: "783a8f21-3fc6-4e39-aa76-da8e562fba7e", Key: auth.Secret(secrets[1])},
	}
	c, err := momo.New(cfg)
	require.NoError(t, err)
	_, err = c.Collection.GetAccountBalanceWithResponse(context.Background(), nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, momoauth.ErrBadCredentials)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, s := range secrets {
			assert.NotContains(t, fmt.Sprintf(verb, err), s)
			assert.NotContains(t, fmt.Sprintf(verb, cfg), s)
		}
	}
}

// Through the wired clients, the token operations authenticate with the API user by
// themselves, and the consent userinfo refuses to go out with the product token.
func TestWiredClientsPickTheCredentialPerOperation(t *testing.T) {
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.Path + " " + r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	c, err := momo.New(momo.Config{
		BaseURL:          srv.URL,
		SubscriptionKeys: momoauth.SubscriptionKeys{Collection: "k"},
		APIUser:          momoauth.APIUser{ID: "user", Key: "pass"},
	})
	require.NoError(t, err)
	ctx := context.Background()

	res, err := c.Collection.CreateAccessTokenWithResponse(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok", res.JSON200.AccessToken)
	assert.Equal(t, "/collection/token/ Basic dXNlcjpwYXNz", seen.Load())

	_, err = c.Collection.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &collection.CreateOauth2TokenParams{},
		collection.CreateOauth2TokenFormdataRequestBody{GrantType: "urn:openid:params:grant-type:ciba", AuthReqId: "id"})
	require.NoError(t, err)
	assert.Equal(t, "/collection/oauth2/token/ Basic dXNlcjpwYXNz", seen.Load())

	_, err = c.Collection.GetUserInfoWithConsentWithResponse(ctx, &collection.GetUserInfoWithConsentParams{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "consent token")
	assert.Equal(t, "/collection/oauth2/token/ Basic dXNlcjpwYXNz", seen.Load(), "nothing sent")
}
