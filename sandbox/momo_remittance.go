package sandbox

import (
	"context"

	"github.com/paykit-go/paykit/gen/momo/remittance"
)

// momoRemittanceAPI simulates the Remittance product: transfers and cash transfers paid
// from the caller's remittance account, plus the operations every product shares.
type momoRemittanceAPI struct{ f *momoFamily }

var _ remittance.StrictServerInterface = momoRemittanceAPI{}

// CreateAccessToken issues a Remittance token.
func (a momoRemittanceAPI) CreateAccessToken(ctx context.Context, _ remittance.CreateAccessTokenRequestObject) (remittance.CreateAccessTokenResponseObject, error) {
	return a.f.accessToken(ctx), nil
}

// CreateOauth2Token issues a consent token.
func (a momoRemittanceAPI) CreateOauth2Token(ctx context.Context, req remittance.CreateOauth2TokenRequestObject) (remittance.CreateOauth2TokenResponseObject, error) {
	return a.f.oauth2Token(ctx, req.Params.XTargetEnvironment, req.Body), nil
}

// BcAuthorize starts a consent request.
func (a momoRemittanceAPI) BcAuthorize(ctx context.Context, req remittance.BcAuthorizeRequestObject) (remittance.BcAuthorizeResponseObject, error) {
	return a.f.bcAuthorize(ctx, req.Params.XTargetEnvironment, req.Params.XCallbackUrl, req.Body), nil
}

// GetUserInfoWithConsent answers the consented data.
func (a momoRemittanceAPI) GetUserInfoWithConsent(ctx context.Context, req remittance.GetUserInfoWithConsentRequestObject) (remittance.GetUserInfoWithConsentResponseObject, error) {
	return a.f.userInfo(ctx, req.Params.XTargetEnvironment), nil
}

// GetAccountBalance answers the remittance balance.
func (a momoRemittanceAPI) GetAccountBalance(ctx context.Context, req remittance.GetAccountBalanceRequestObject) (remittance.GetAccountBalanceResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, ""), nil
}

// GetAccountBalanceInSpecificCurrency answers the remittance balance in one currency.
func (a momoRemittanceAPI) GetAccountBalanceInSpecificCurrency(ctx context.Context, req remittance.GetAccountBalanceInSpecificCurrencyRequestObject) (remittance.GetAccountBalanceInSpecificCurrencyResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, req.Currency), nil
}

// ValidateAccountHolderStatus answers whether a holder is active.
func (a momoRemittanceAPI) ValidateAccountHolderStatus(_ context.Context, req remittance.ValidateAccountHolderStatusRequestObject) (remittance.ValidateAccountHolderStatusResponseObject, error) {
	return a.f.accountHolderActive(req.Params.XTargetEnvironment, req.AccountHolderIdType, req.AccountHolderId), nil
}

// GetBasicUserinfo answers a holder's basic details, by MSISDN only.
func (a momoRemittanceAPI) GetBasicUserinfo(_ context.Context, req remittance.GetBasicUserinfoRequestObject) (remittance.GetBasicUserinfoResponseObject, error) {
	return a.f.basicUserInfo(req.Params.XTargetEnvironment, "msisdn", req.AccountHolderMSISDN), nil
}

// Transfer pays a payee from the remittance account.
func (a momoRemittanceAPI) Transfer(ctx context.Context, req remittance.TransferRequestObject) (remittance.TransferResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoPayout(momoKindTransfer, momoTransferValues, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetTransferStatus answers a transfer's status.
func (a momoRemittanceAPI) GetTransferStatus(ctx context.Context, req remittance.GetTransferStatusRequestObject) (remittance.GetTransferStatusResponseObject, error) {
	return a.f.status(ctx, momoKindTransfer, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// CashTransfer pays a payee from the remittance account with the sender's identity; the
// test ids (1 to 13) are matched in externalId and payee.partyId.
func (a momoRemittanceAPI) CashTransfer(ctx context.Context, req remittance.CashTransferRequestObject) (remittance.CashTransferResponseObject, error) {
	p, b := req.Params, *req.Body
	return a.f.create(ctx, momoNew{
		kind: momoKindCashTransfer, ref: p.XReferenceId.String(), env: p.XTargetEnvironment, callback: p.XCallbackUrl,
		amount: string(b.Amount), currency: b.Currency, party: b.Payee, extID: b.ExternalId,
		payerMsg: b.PayerMessage, payee: b.PayeeNote, flow: momoDebit,
		table: momoCashTransferValues, keys: []string{b.ExternalId, b.Payee.PartyId},
		fill: func(t *momoTxn) { t.cash = &b },
	}), nil
}

// GetCashTransferStatus answers a cash transfer's status.
func (a momoRemittanceAPI) GetCashTransferStatus(ctx context.Context, req remittance.GetCashTransferStatusRequestObject) (remittance.GetCashTransferStatusResponseObject, error) {
	return a.f.status(ctx, momoKindCashTransfer, req.ReferenceId, req.Params.XTargetEnvironment), nil
}
