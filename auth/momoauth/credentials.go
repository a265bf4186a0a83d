package momoauth

import (
	"fmt"

	"github.com/paykit-go/paykit/auth"
)

// Product is a MoMo product: each has its own base path, subscription key and tokens.
type Product string

// The three MoMo products.
const (
	Collection   Product = "collection"
	Disbursement Product = "disbursement"
	Remittance   Product = "remittance"
)

// Products lists every product, in a fixed order.
var Products = []Product{Collection, Disbursement, Remittance}

// Valid reports whether p is one of the three products.
func (p Product) Valid() bool {
	return p == Collection || p == Disbursement || p == Remittance
}

// Base URLs of the MoMo gateways. Country gateways (e.g. https://proxy.momoapi.mtn.co.rw)
// have their own host and credentials; pass them as a custom base URL.
const (
	SandboxURL    = "https://sandbox.momodeveloper.mtn.com"
	ProductionURL = "https://proxy.momoapi.mtn.com"
)

// SubscriptionKeys holds the gateway subscription key of each product the account subscribes
// to (the primary or the secondary key: both work). Unused products may stay empty.
type SubscriptionKeys struct {
	Collection   auth.Secret
	Disbursement auth.Secret
	Remittance   auth.Secret
}

// For returns the key of product p.
func (k SubscriptionKeys) For(p Product) auth.Secret {
	switch p {
	case Collection:
		return k.Collection
	case Disbursement:
		return k.Disbursement
	case Remittance:
		return k.Remittance
	}
	return ""
}

// Any returns the first key set, in product order; the sandbox provisioning API accepts the
// key of any subscribed product.
func (k SubscriptionKeys) Any() auth.Secret {
	for _, p := range Products {
		if key := k.For(p); key != "" {
			return key
		}
	}
	return ""
}

// APIUser is the wallet credential: an API user id (a UUID) and its API key.
type APIUser struct {
	// ID is the API user's id; not secret.
	ID string
	// Key is the API key (32 hex characters in the sandbox).
	Key auth.Secret
}

// String shows the user id and hides the key.
func (u APIUser) String() string {
	return fmt.Sprintf("momoauth.APIUser{ID: %q, Key: %v}", u.ID, u.Key)
}

// GoString is String, so %#v hides the key too.
func (u APIUser) GoString() string { return u.String() }

// Format prints String for every verb, so no verb (%x, %q, %+v) reaches the key.
func (u APIUser) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, u.String()) }
