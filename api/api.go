// Package api holds the hand-written OpenAPI 3.0 documents that are the source of truth for
// the generated clients, the simulator and the contract tests.
//
// The documents are embedded so that tests and tools can load them without knowing where the
// module sits on disk. Each family has a shared components document (momo/common.yaml, vipps/common.yaml) that
// the product documents reference by relative path.
package api

import (
	"embed"
	"io/fs"
)

//go:embed momo/*.yaml vipps/*.yaml
var documents embed.FS

// FS returns the documents; paths read like "momo/collection.yaml".
func FS() fs.FS { return documents }

// MoMo lists the MoMo API documents, each of which a generated package is made from. The
// shared components document is loaded through their references.
var MoMo = []string{
	"momo/provisioning.yaml",
	"momo/collection.yaml",
	"momo/disbursement.yaml",
	"momo/remittance.yaml",
	"momo/callback.yaml",
}

// Vipps lists the Vipps MobilePay API documents. merchant.yaml describes the calls Vipps
// makes to a merchant (callbacks, webhook deliveries), from which receivers and the
// simulator's senders are generated.
var Vipps = []string{
	"vipps/accesstoken.yaml",
	"vipps/epayment.yaml",
	"vipps/ecom.yaml",
	"vipps/recurring.yaml",
	"vipps/partner.yaml",
	"vipps/management.yaml",
	"vipps/userinfo.yaml",
	"vipps/webhooks.yaml",
	"vipps/merchant.yaml",
}
