package vippsauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/paykit-go/paykit/auth"
)

// Header names Vipps MobilePay uses for credentials, the merchant and the calling system.
const (
	ClientIDHeader             = "client_id"
	ClientSecretHeader         = "client_secret"
	SubscriptionKeyHeader      = "Ocp-Apim-Subscription-Key"
	MerchantSerialNumberHeader = "Merchant-Serial-Number"
	SystemNameHeader           = "Vipps-System-Name"
	SystemVersionHeader        = "Vipps-System-Version"
	SystemPluginNameHeader     = "Vipps-System-Plugin-Name"
	SystemPluginVersionHeader  = "Vipps-System-Plugin-Version"
)

// SubscriptionKey returns an editor that sets the gateway subscription key. It belongs on
// every call except the management token (/miami/v1/token), where it causes a 401.
func SubscriptionKey(key auth.Secret) auth.Editor {
	return auth.SecretHeader(SubscriptionKeyHeader, key)
}

// MerchantSerialNumber returns an editor that binds requests to one merchant: it sets the
// Merchant-Serial-Number header, and fails a request that already carries a different MSN
// (passed as a parameter of a generated operation) instead of sending it. With partner keys
// the MSN decides whose money moves, so a client bound to one merchant must not be able to
// act for another. An invalid msn fails every request with the error of ValidMSN.
func MerchantSerialNumber(msn string) auth.Editor {
	err := ValidMSN(msn)
	return func(_ context.Context, req *http.Request) error {
		if err != nil {
			return err
		}
		if sent := req.Header.Get(MerchantSerialNumberHeader); sent != "" && sent != msn {
			return fmt.Errorf("vipps: %s %q: this client is bound to MSN %q", MerchantSerialNumberHeader, sent, msn)
		}
		req.Header.Set(MerchantSerialNumberHeader, msn)
		return nil
	}
}

// ValidMSN reports whether msn is a merchant serial number: a non-empty string of ASCII
// digits. The length is deliberately not checked: the allowed range has widened from 4–6 to
// 4–7 to 4–10 digits over the API's versions, and a client that enforced it would start
// refusing real merchants.
func ValidMSN(msn string) error {
	if msn == "" {
		return errors.New("vipps: " + MerchantSerialNumberHeader + ": empty")
	}
	for _, r := range msn {
		if r < '0' || r > '9' {
			return fmt.Errorf("vipps: %s %q: digits only", MerchantSerialNumberHeader, msn)
		}
	}
	return nil
}
