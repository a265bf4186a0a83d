package sandbox

import "time"

// LedgerEntry is one transaction as the sandbox holds it.
type LedgerEntry struct {
	// Family is "momo" or "vipps"; API is the product or API, e.g. "collection", "epayment".
	Family string `json:"family"`
	API    string `json:"api"`
	// Kind is the kind of transaction, e.g. "requesttopay", "transfer", "payment", "charge".
	Kind string `json:"kind"`
	// Reference identifies the transaction: X-Reference-Id, reference, orderId, chargeId.
	Reference string `json:"reference"`
	// IdempotencyKey is the key the creating request carried (MoMo: the reference itself).
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// Owner is who created it: the MoMo API user or the Vipps MSN.
	Owner string `json:"owner,omitempty"`
	// Party is the payer or payee (an MSISDN, a phone number), when known.
	Party string `json:"party,omitempty"`
	// Amount is the amount as the API writes it: a decimal string (MoMo) or minor units (Vipps).
	Amount   string    `json:"amount"`
	Currency string    `json:"currency"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}
