// Package paykit is the root of typed Go clients for the Vipps MobilePay and MTN MoMo payment
// APIs, generated from the hand-written OpenAPI documents under api/.
//
// Import the family you use:
//
//   - github.com/paykit-go/paykit/momo: wired MoMo clients (provisioning, collection,
//     disbursement, remittance) with credentials, token refresh and timeouts;
//   - github.com/paykit-go/paykit/auth: credentials, header editors and token caches;
//   - github.com/paykit-go/paykit/gen/...: the generated models, clients and server interfaces.
//
// Run `go generate ./...` after editing a document under api/; the generated code is
// committed and CI fails when it is stale.
package paykit

// One line per OpenAPI document. Each family's shared components are generated as their own
// package, which the other packages of the family import (see the import-mapping in codegen/).
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/common.yaml api/momo/common.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/provisioning.yaml api/momo/provisioning.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/collection.yaml api/momo/collection.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/disbursement.yaml api/momo/disbursement.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/remittance.yaml api/momo/remittance.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/momo/callback.yaml api/momo/callback.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/common.yaml api/vipps/common.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/accesstoken.yaml api/vipps/accesstoken.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/epayment.yaml api/vipps/epayment.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/ecom.yaml api/vipps/ecom.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/recurring.yaml api/vipps/recurring.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/partner.yaml api/vipps/partner.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/management.yaml api/vipps/management.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/userinfo.yaml api/vipps/userinfo.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/webhooks.yaml api/vipps/webhooks.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config codegen/vipps/merchant.yaml api/vipps/merchant.yaml
