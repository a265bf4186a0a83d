package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/gen/vipps/epayment"
)

// VippsRaw is the ePayment create-and-get flow written by hand with net/http, the load
// generator of the sandbox runs. It sends what the typed client sends and decodes the
// answers into the same types.
type VippsRaw struct {
	Client *http.Client
	// BaseURL is the host, e.g. the sandbox's URL.
	BaseURL         string
	ClientID        string
	ClientSecret    string
	SubscriptionKey string
	MSN             string
	// Token is the bearer token sent on every call; FetchToken sets it.
	Token string
}

// FetchToken gets an access token from /accesstoken/get and keeps it.
func (v *VippsRaw) FetchToken(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url("/accesstoken/get"), http.NoBody)
	if err != nil {
		return err
	}
	req.Header.Set("client_id", v.ClientID)
	req.Header.Set("client_secret", v.ClientSecret)
	req.Header.Set("Ocp-Apim-Subscription-Key", v.SubscriptionKey)
	req.Header.Set("Merchant-Serial-Number", v.MSN)
	body, err := v.do(req, http.StatusOK)
	if err != nil {
		return fmt.Errorf("vipps token: %w", err)
	}
	// Vipps writes expires_in as a string; only the token matters here.
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return fmt.Errorf("vipps token: %w", err)
	}
	v.Token = tok.AccessToken
	return nil
}

// CreatePayment creates a 499 NOK wallet payment with reference ref and wants 201.
func (v *VippsRaw) CreatePayment(ctx context.Context, ref, idempotencyKey string) (*epayment.CreatePaymentResult, error) {
	var customer epayment.Customer
	if err := customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: "4712345678"}); err != nil {
		return nil, err
	}
	body, err := json.Marshal(epayment.CreatePaymentRequest{
		Amount:             epayment.Amount{Currency: "NOK", Value: 49900},
		Customer:           customer,
		PaymentMethod:      epayment.PaymentMethod{Type: "WALLET"},
		Reference:          ref,
		UserFlow:           "WEB_REDIRECT",
		ReturnUrl:          "https://shop.example/return/" + ref,
		PaymentDescription: "Order " + ref,
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url("/epayment/v1/payments"), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	v.headers(req)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", idempotencyKey)
	out, err := v.do(req, http.StatusCreated)
	if err != nil {
		return nil, fmt.Errorf("vipps create payment: %w", err)
	}
	var res epayment.CreatePaymentResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("vipps create payment: %w", err)
	}
	return &res, nil
}

// GetPayment gets payment ref and wants 200.
func (v *VippsRaw) GetPayment(ctx context.Context, ref string) (*epayment.GetPaymentResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.url("/epayment/v1/payments/"+ref), nil)
	if err != nil {
		return nil, err
	}
	v.headers(req)
	out, err := v.do(req, http.StatusOK)
	if err != nil {
		return nil, fmt.Errorf("vipps get payment: %w", err)
	}
	var res epayment.GetPaymentResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("vipps get payment: %w", err)
	}
	return &res, nil
}

func (v *VippsRaw) url(path string) string { return strings.TrimRight(v.BaseURL, "/") + path }

func (v *VippsRaw) headers(req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+v.Token)
	req.Header.Set("Ocp-Apim-Subscription-Key", v.SubscriptionKey)
	req.Header.Set("Merchant-Serial-Number", v.MSN)
}

func (v *VippsRaw) do(req *http.Request, want int) ([]byte, error) { return send(v.Client, req, want) }
