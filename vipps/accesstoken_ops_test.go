package vipps_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
	"github.com/paykit-go/paykit/internal/contract"
)

// Both token operations through the generated client, with validation on both sides; the
// answers use the wire forms (strings on /accesstoken/get, a number on /miami/v1/token).
func TestAccesstokenOperations(t *testing.T) {
	v, err := contract.New(api.FS(), "vipps/accesstoken.yaml")
	require.NoError(t, err)
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		switch r.URL.Path {
		case "/accesstoken/get":
			assert.Equal(t, "0", r.Header.Get("Content-Length"))
			_, _ = io.WriteString(w, `{"token_type":"Bearer","expires_in":"86398","ext_expires_in":"0","expires_on":"1495271273","not_before":"1495184574","resource":"00000002-0000-0000-c000-000000000000","access_token":"eyJ0eXAi.a.b"}`)
		case "/miami/v1/token":
			assert.Empty(t, r.Header.Get("Ocp-Apim-Subscription-Key"), "never a subscription key on miami")
			_, _ = io.WriteString(w, `{"access_token":"eyJ0eXAi.c.d","token_type":"Bearer","expires_in":900}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})))
	defer srv.Close()
	c, err := accesstoken.NewClientWithResponses(srv.URL, accesstoken.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport)}))
	require.NoError(t, err)
	ctx := context.Background()

	got, err := c.FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{},
		accesstoken.RequestEditorFn(auth.Header("client_id", "2ca7f9f6-0c6e-4c8a-9b27-5e1c3a2a9e11")),
		accesstoken.RequestEditorFn(auth.Header("client_secret", "s")),
		accesstoken.RequestEditorFn(auth.Header("Ocp-Apim-Subscription-Key", "k")))
	require.NoError(t, err)
	require.NotNil(t, got.JSON200)
	assert.EqualValues(t, 86398, got.JSON200.ExpiresIn)
	assert.EqualValues(t, 1495271273, got.JSON200.ExpiresOn)

	miami, err := c.FetchTokenWithFormdataBodyWithResponse(ctx, &accesstoken.FetchTokenParams{},
		accesstoken.FetchTokenFormdataRequestBody{GrantType: accesstoken.ClientCredentials},
		accesstoken.RequestEditorFn(auth.Basic("2ca7f9f6-0c6e-4c8a-9b27-5e1c3a2a9e11", "s")))
	require.NoError(t, err)
	require.NotNil(t, miami.JSON200)
	assert.EqualValues(t, 900, miami.JSON200.ExpiresIn)

	// Without credentials both are contract violations, seen on both sides.
	_, err = c.FetchAuthorizationTokenWithResponse(ctx, &accesstoken.FetchAuthorizationTokenParams{})
	require.NoError(t, err)
	viol := v.Violations()
	require.Len(t, viol, 2)
	assert.Contains(t, viol[0].String(), "security")
	t.Logf("accesstoken: 2 operations called, %d requests validated, violations only for the call without credentials", v.Stats().Requests)
}
