package vippsauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

func Example() {
	// A stand-in for https://apitest.vipps.no that knows one set of keys.
	vipps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		if r.Header.Get("Ocp-Apim-Subscription-Key") != "0f14ebcab0ec4b29ae0cb90d91b4a84a" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`)
			return
		}
		_, _ = io.WriteString(w, `{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"0",`+
			`"expires_on":"4102444800","not_before":"1495184574","resource":"00000002-0000-0000-c000-000000000000",`+
			`"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln"}`)
	}))
	defer vipps.Close()

	creds := vippsauth.Credentials{
		ClientID:        "fb492b5e-7907-4d83-ba20-c7fb60ca35de",
		ClientSecret:    auth.Secret("Y8Kteew6GE2ZmeycEt6egg=="),
		SubscriptionKey: auth.Secret("0f14ebcab0ec4b29ae0cb90d91b4a84a"),
	}
	fmt.Println(creds)

	tokens := vippsauth.NewRegistry()
	src, err := tokens.Source(vippsauth.TokenConfig{
		BaseURL:     vipps.URL, // vippsauth.TestURL in real use
		Credentials: creds,
		System:      vippsauth.System{Name: "acme", Version: "3.1.2"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.TokenType, tok.AccessToken, time.Until(tok.Expiry).Round(time.Minute))

	creds.SubscriptionKey = "a-key-that-was-revoked"
	src, _ = tokens.Source(vippsauth.TokenConfig{BaseURL: vipps.URL, Credentials: creds})
	_, err = src.Token(context.Background())
	fmt.Println(err)
	fmt.Println(errors.Is(err, vippsauth.ErrCredentialsRefused))
	// Output:
	// vippsauth.Credentials{ClientID: "fb492b5e-7907-4d83-ba20-c7fb60ca35de", ClientSecret: [redacted], SubscriptionKey: [redacted]}
	// Bearer [redacted] 1h0m0s
	// auth: fetch token: vipps: token from /accesstoken/get: HTTP 401: Access denied due to invalid subscription key.
	// true
}

func ExampleMerchantSerialNumber() {
	// A partner's client for one merchant: the MSN comes from configuration and is fixed.
	bind := vippsauth.MerchantSerialNumber("123456")

	req, _ := http.NewRequest(http.MethodGet, "https://apitest.vipps.no/epayment/v1/payments/order-1", nil)
	fmt.Println(bind(context.Background(), req), req.Header.Get("Merchant-Serial-Number"))

	other, _ := http.NewRequest(http.MethodGet, "https://apitest.vipps.no/epayment/v1/payments/order-2", nil)
	other.Header.Set("Merchant-Serial-Number", "654321")
	fmt.Println(bind(context.Background(), other))
	// Output:
	// <nil> 123456
	// vipps: Merchant-Serial-Number "654321": this client is bound to MSN "123456"
}
