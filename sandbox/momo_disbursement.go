package sandbox

import (
	"context"
	"math/big"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
)

// momoDisbursementAPI simulates the Disbursement product: transfers, deposits and refunds
// paid from the caller's disbursement account, plus the operations every product shares.
type momoDisbursementAPI struct{ f *momoFamily }

var _ disbursement.StrictServerInterface = momoDisbursementAPI{}

// momoPayout describes a transfer or deposit: the payee's number picks the test value, and
// the money leaves the caller's account in the product (NOT_ENOUGH_FUNDS above its balance).
func momoPayout(kind string, table map[string]momoOutcome, ref uuid.UUID, env string, callback *string, b *common.Transfer) momoNew {
	return momoNew{
		kind: kind, ref: ref.String(), env: env, callback: callback,
		amount: string(b.Amount), currency: b.Currency, party: b.Payee, extID: b.ExternalId,
		payerMsg: b.PayerMessage, payee: b.PayeeNote, flow: momoDebit,
		table: table, keys: []string{b.Payee.PartyId},
	}
}

// refund describes a refund of the caller's request to pay named by referenceIdToRefund:
// the refund's payee is that request's payer. A refund of an unknown request fails
// TRANSACTION_NOT_FOUND; of one that did not succeed, or beyond what is left to refund,
// NOT_ALLOWED. The test ids (1 to 13) are matched in externalId and referenceIdToRefund.
func (a momoDisbursementAPI) refund(ref uuid.UUID, env string, callback *string, b *common.Refund) momoNew {
	var orig *momoTxn
	return momoNew{
		kind: momoKindRefund, ref: ref.String(), env: env, callback: callback,
		amount: string(b.Amount), currency: b.Currency, extID: b.ExternalId,
		payerMsg: b.PayerMessage, payee: b.PayeeNote, flow: momoDebit,
		table: momoRefundValues, keys: []string{b.ExternalId, b.ReferenceIdToRefund.String()},
		fill: func(t *momoTxn) {
			orig = a.f.txns[momoRefKey{t.owner, momoCollection, b.ReferenceIdToRefund.String()}]
			if orig == nil || orig.kind != momoKindRequestToPay {
				orig = nil
				return
			}
			if orig.refunded == nil {
				orig.refunded = new(big.Rat)
			}
			t.refundOf, t.party = orig, orig.party
		},
		vet: func(t *momoTxn, o momoOutcome) momoOutcome {
			switch {
			case orig == nil:
				return momoFailWith(momoReasonTxnNotFound)
			case orig.statusNow() != momoSuccessful:
				return momoFailWith(momoCodeNotAllowed)
			case new(big.Rat).Sub(orig.amt, orig.refunded).Cmp(t.amt) < 0:
				return momoFailWith(momoCodeNotAllowed)
			}
			return o
		},
	}
}

// CreateAccessToken issues a Disbursement token.
func (a momoDisbursementAPI) CreateAccessToken(ctx context.Context, _ disbursement.CreateAccessTokenRequestObject) (disbursement.CreateAccessTokenResponseObject, error) {
	return a.f.accessToken(ctx), nil
}

// CreateOauth2Token issues a consent token.
func (a momoDisbursementAPI) CreateOauth2Token(ctx context.Context, req disbursement.CreateOauth2TokenRequestObject) (disbursement.CreateOauth2TokenResponseObject, error) {
	return a.f.oauth2Token(ctx, req.Params.XTargetEnvironment, req.Body), nil
}

// BcAuthorize starts a consent request.
func (a momoDisbursementAPI) BcAuthorize(ctx context.Context, req disbursement.BcAuthorizeRequestObject) (disbursement.BcAuthorizeResponseObject, error) {
	return a.f.bcAuthorize(ctx, req.Params.XTargetEnvironment, req.Params.XCallbackUrl, req.Body), nil
}

// GetUserInfoWithConsent answers the consented data.
func (a momoDisbursementAPI) GetUserInfoWithConsent(ctx context.Context, req disbursement.GetUserInfoWithConsentRequestObject) (disbursement.GetUserInfoWithConsentResponseObject, error) {
	return a.f.userInfo(ctx, req.Params.XTargetEnvironment), nil
}

// GetAccountBalance answers the disbursement balance.
func (a momoDisbursementAPI) GetAccountBalance(ctx context.Context, req disbursement.GetAccountBalanceRequestObject) (disbursement.GetAccountBalanceResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, ""), nil
}

// GetAccountBalanceInSpecificCurrency answers the disbursement balance in one currency.
func (a momoDisbursementAPI) GetAccountBalanceInSpecificCurrency(ctx context.Context, req disbursement.GetAccountBalanceInSpecificCurrencyRequestObject) (disbursement.GetAccountBalanceInSpecificCurrencyResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, req.Currency), nil
}

// ValidateAccountHolderStatus answers whether a holder is active.
func (a momoDisbursementAPI) ValidateAccountHolderStatus(_ context.Context, req disbursement.ValidateAccountHolderStatusRequestObject) (disbursement.ValidateAccountHolderStatusResponseObject, error) {
	return a.f.accountHolderActive(req.Params.XTargetEnvironment, req.AccountHolderIdType, req.AccountHolderId), nil
}

// GetBasicUserinfo answers a holder's basic details.
func (a momoDisbursementAPI) GetBasicUserinfo(_ context.Context, req disbursement.GetBasicUserinfoRequestObject) (disbursement.GetBasicUserinfoResponseObject, error) {
	return a.f.basicUserInfo(req.Params.XTargetEnvironment, req.AccountHolderIdType, req.AccountHolderId), nil
}

// Transfer pays a payee from the disbursement account.
func (a momoDisbursementAPI) Transfer(ctx context.Context, req disbursement.TransferRequestObject) (disbursement.TransferResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoPayout(momoKindTransfer, momoTransferValues, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetTransferStatus answers a transfer's status.
func (a momoDisbursementAPI) GetTransferStatus(ctx context.Context, req disbursement.GetTransferStatusRequestObject) (disbursement.GetTransferStatusResponseObject, error) {
	return a.f.status(ctx, momoKindTransfer, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// DepositV1 deposits into a payee's account from the disbursement account.
func (a momoDisbursementAPI) DepositV1(ctx context.Context, req disbursement.DepositV1RequestObject) (disbursement.DepositV1ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoPayout(momoKindDeposit, momoDepositValues, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// DepositV2 is DepositV1 under the version 2 path.
func (a momoDisbursementAPI) DepositV2(ctx context.Context, req disbursement.DepositV2RequestObject) (disbursement.DepositV2ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoPayout(momoKindDeposit, momoDepositValues, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetDepositStatus answers a deposit's status.
func (a momoDisbursementAPI) GetDepositStatus(ctx context.Context, req disbursement.GetDepositStatusRequestObject) (disbursement.GetDepositStatusResponseObject, error) {
	return a.f.status(ctx, momoKindDeposit, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// RefundV1 refunds (part of) a successful request to pay.
func (a momoDisbursementAPI) RefundV1(ctx context.Context, req disbursement.RefundV1RequestObject) (disbursement.RefundV1ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, a.refund(p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// RefundV2 is RefundV1 under the version 2 path.
func (a momoDisbursementAPI) RefundV2(ctx context.Context, req disbursement.RefundV2RequestObject) (disbursement.RefundV2ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, a.refund(p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetRefundStatus answers a refund's status; its payee is the refunded payer.
func (a momoDisbursementAPI) GetRefundStatus(ctx context.Context, req disbursement.GetRefundStatusRequestObject) (disbursement.GetRefundStatusResponseObject, error) {
	return a.f.status(ctx, momoKindRefund, req.ReferenceId, req.Params.XTargetEnvironment), nil
}
