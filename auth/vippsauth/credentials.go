package vippsauth

import (
	"errors"
	"fmt"

	"github.com/paykit-go/paykit/auth"
)

// Base URLs of the two Vipps MobilePay environments. Keys, MSNs and webhook registrations do
// not carry over between them, so a configuration names one explicitly.
const (
	TestURL       = "https://apitest.vipps.no"
	ProductionURL = "https://api.vipps.no"
)

// Credentials are the keys of a sales unit or of a partner, as issued together on the portal.
// Partner keys act for every merchant linked to the partner; see the package documentation
// for what that means for the MSN.
type Credentials struct {
	// ClientID is the client_id (a UUID); not secret, shown when the value is printed.
	ClientID string
	// ClientSecret is the client_secret that goes with ClientID.
	ClientSecret auth.Secret
	// SubscriptionKey is the primary or the secondary Ocp-Apim-Subscription-Key; the gateway
	// accepts either.
	SubscriptionKey auth.Secret
}

// Validate reports the first missing field, before a request earns an opaque 401 for it.
func (c Credentials) Validate() error {
	switch {
	case c.ClientID == "":
		return errors.New("vipps: credentials: ClientID (client_id) is required")
	case c.ClientSecret == "":
		return errors.New("vipps: credentials: ClientSecret (client_secret) is required")
	case c.SubscriptionKey == "":
		return errors.New("vipps: credentials: SubscriptionKey (Ocp-Apim-Subscription-Key) is required")
	}
	return nil
}

// String shows the client id and hides both secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("vippsauth.Credentials{ClientID: %q, ClientSecret: %v, SubscriptionKey: %v}",
		c.ClientID, c.ClientSecret, c.SubscriptionKey)
}

// GoString is String, so %#v hides the secrets too.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb, so no verb (%x, %q, %+v) reaches a secret.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, c.String()) }
