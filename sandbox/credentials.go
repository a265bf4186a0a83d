package sandbox

import (
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// Credentials are the keys the sandbox accepts. They are test values: `paykit sandbox`
// prints them so that a service under test can be configured with them.
type Credentials struct {
	MoMo  MoMoCredentials
	Vipps VippsCredentials
}

// MoMoCredentials are the MoMo subscription keys and a ready API user.
type MoMoCredentials struct {
	// SubscriptionKeys holds one key per product; provisioning accepts any of them.
	SubscriptionKeys momoauth.SubscriptionKeys
	// APIUser is provisioned from the start, so that tokens can be had without the
	// provisioning calls.
	APIUser momoauth.APIUser
	// CallbackHost is the ready API user's providerCallbackHost: callback URLs must use it.
	CallbackHost string
}

// VippsCredentials are a merchant's own keys, a partner's keys with its merchants, and
// management keys for /miami/v1/token.
type VippsCredentials struct {
	// Merchant are a sales unit's own keys, valid for MerchantMSN only.
	Merchant    vippsauth.Credentials
	MerchantMSN string
	// Partner are partner keys, valid for every MSN in PartnerMSNs and no other.
	Partner     vippsauth.Credentials
	PartnerMSNs []string
	// ManagementClientID and ManagementClientSecret get /miami/v1/token tokens.
	ManagementClientID     string
	ManagementClientSecret string
}

// DefaultCredentials returns the fixed test credentials a new sandbox accepts.
func DefaultCredentials() Credentials {
	return Credentials{
		MoMo: MoMoCredentials{
			SubscriptionKeys: momoauth.SubscriptionKeys{
				Collection:   "sandbox-collection-key",
				Disbursement: "sandbox-disbursement-key",
				Remittance:   "sandbox-remittance-key",
			},
			APIUser:      momoauth.APIUser{ID: "5f2c5ac1-8a31-4f6b-9a8e-1f2d3c4b5a60", Key: "0123456789abcdef0123456789abcdef"},
			CallbackHost: "localhost",
		},
		Vipps: VippsCredentials{
			Merchant: vippsauth.Credentials{
				ClientID:        "9c6e4f8a-3b2d-4c1e-8f7a-6b5c4d3e2f10",
				ClientSecret:    "sandbox-merchant-client-secret",
				SubscriptionKey: "sandbox-merchant-subscription-key",
			},
			MerchantMSN: "123456",
			Partner: vippsauth.Credentials{
				ClientID:        "1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6",
				ClientSecret:    "sandbox-partner-client-secret",
				SubscriptionKey: "sandbox-partner-subscription-key",
			},
			PartnerMSNs:            []string{"223344", "334455"},
			ManagementClientID:     "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
			ManagementClientSecret: "sandbox-management-client-secret",
		},
	}
}

// reveal returns the credentials as plain text, for the control endpoint and the CLI: they
// are the sandbox's own test values, meant to be copied into a service's test setup.
func (c Credentials) reveal() map[string]any {
	return map[string]any{
		"momo": map[string]any{
			"subscriptionKeys": map[string]string{
				"collection":   c.MoMo.SubscriptionKeys.Collection.Reveal(),
				"disbursement": c.MoMo.SubscriptionKeys.Disbursement.Reveal(),
				"remittance":   c.MoMo.SubscriptionKeys.Remittance.Reveal(),
			},
			"apiUser":      c.MoMo.APIUser.ID,
			"apiKey":       c.MoMo.APIUser.Key.Reveal(),
			"callbackHost": c.MoMo.CallbackHost,
		},
		"vipps": map[string]any{
			"merchant": map[string]string{
				"clientId":        c.Vipps.Merchant.ClientID,
				"clientSecret":    c.Vipps.Merchant.ClientSecret.Reveal(),
				"subscriptionKey": c.Vipps.Merchant.SubscriptionKey.Reveal(),
				"msn":             c.Vipps.MerchantMSN,
			},
			"partner": map[string]any{
				"clientId":        c.Vipps.Partner.ClientID,
				"clientSecret":    c.Vipps.Partner.ClientSecret.Reveal(),
				"subscriptionKey": c.Vipps.Partner.SubscriptionKey.Reveal(),
				"msns":            c.Vipps.PartnerMSNs,
			},
			"management": map[string]string{
				"clientId":     c.Vipps.ManagementClientID,
				"clientSecret": c.Vipps.ManagementClientSecret,
			},
		},
	}
}

// Reveal returns the credentials as plain text (a JSON-ready map), to print or hand to a
// service under test. The values are the sandbox's test keys, not real secrets.
func (c Credentials) Reveal() map[string]any { return c.reveal() }
