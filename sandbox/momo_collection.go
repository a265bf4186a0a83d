package sandbox

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
)

// momoCollectionAPI simulates the Collection product: requests to pay and to withdraw,
// invoices, payments and pre-approvals, plus the operations every product shares.
type momoCollectionAPI struct{ f *momoFamily }

var _ collection.StrictServerInterface = momoCollectionAPI{}

// momoDebitRequest describes a request to pay or to withdraw: the payer's number picks the
// test value, and the money lands in the caller's collection account.
func momoDebitRequest(kind string, ref uuid.UUID, env string, callback *string, b *common.RequestToPay) momoNew {
	return momoNew{
		kind: kind, ref: ref.String(), env: env, callback: callback,
		amount: string(b.Amount), currency: b.Currency, party: b.Payer, extID: b.ExternalId,
		payerMsg: b.PayerMessage, payee: b.PayeeNote, flow: momoCredit,
		table: momoDebitValues, keys: []string{b.Payer.PartyId},
	}
}

// CreateAccessToken issues a Collection token.
func (a momoCollectionAPI) CreateAccessToken(ctx context.Context, _ collection.CreateAccessTokenRequestObject) (collection.CreateAccessTokenResponseObject, error) {
	return a.f.accessToken(ctx), nil
}

// CreateOauth2Token issues a consent token.
func (a momoCollectionAPI) CreateOauth2Token(ctx context.Context, req collection.CreateOauth2TokenRequestObject) (collection.CreateOauth2TokenResponseObject, error) {
	return a.f.oauth2Token(ctx, req.Params.XTargetEnvironment, req.Body), nil
}

// BcAuthorize starts a consent request.
func (a momoCollectionAPI) BcAuthorize(ctx context.Context, req collection.BcAuthorizeRequestObject) (collection.BcAuthorizeResponseObject, error) {
	return a.f.bcAuthorize(ctx, req.Params.XTargetEnvironment, req.Params.XCallbackUrl, req.Body), nil
}

// GetUserInfoWithConsent answers the consented data.
func (a momoCollectionAPI) GetUserInfoWithConsent(ctx context.Context, req collection.GetUserInfoWithConsentRequestObject) (collection.GetUserInfoWithConsentResponseObject, error) {
	return a.f.userInfo(ctx, req.Params.XTargetEnvironment), nil
}

// GetAccountBalance answers the collection balance.
func (a momoCollectionAPI) GetAccountBalance(ctx context.Context, req collection.GetAccountBalanceRequestObject) (collection.GetAccountBalanceResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, ""), nil
}

// GetAccountBalanceInSpecificCurrency answers the collection balance in one currency.
func (a momoCollectionAPI) GetAccountBalanceInSpecificCurrency(ctx context.Context, req collection.GetAccountBalanceInSpecificCurrencyRequestObject) (collection.GetAccountBalanceInSpecificCurrencyResponseObject, error) {
	return a.f.balance(ctx, req.Params.XTargetEnvironment, req.Currency), nil
}

// ValidateAccountHolderStatus answers whether a holder is active.
func (a momoCollectionAPI) ValidateAccountHolderStatus(_ context.Context, req collection.ValidateAccountHolderStatusRequestObject) (collection.ValidateAccountHolderStatusResponseObject, error) {
	return a.f.accountHolderActive(req.Params.XTargetEnvironment, req.AccountHolderIdType, req.AccountHolderId), nil
}

// GetBasicUserinfo answers a holder's basic details.
func (a momoCollectionAPI) GetBasicUserinfo(_ context.Context, req collection.GetBasicUserinfoRequestObject) (collection.GetBasicUserinfoResponseObject, error) {
	return a.f.basicUserInfo(req.Params.XTargetEnvironment, req.AccountHolderIdType, req.AccountHolderId), nil
}

// RequestToPay asks a payer to pay the caller.
func (a momoCollectionAPI) RequestToPay(ctx context.Context, req collection.RequestToPayRequestObject) (collection.RequestToPayResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoDebitRequest(momoKindRequestToPay, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetRequestToPayStatus answers a request to pay's status.
func (a momoCollectionAPI) GetRequestToPayStatus(ctx context.Context, req collection.GetRequestToPayStatusRequestObject) (collection.GetRequestToPayStatusResponseObject, error) {
	return a.f.status(ctx, momoKindRequestToPay, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// RequestToPayDeliveryNotification accepts a text for the payer of a successful request to
// pay (409 for any other state, 404 for an unknown one); the text travels in the header,
// the body or both.
func (a momoCollectionAPI) RequestToPayDeliveryNotification(ctx context.Context, req collection.RequestToPayDeliveryNotificationRequestObject) (collection.RequestToPayDeliveryNotificationResponseObject, error) {
	c := momoCallerOf(ctx)
	return a.f.locked(func() momoReply {
		if req.Params.XTargetEnvironment != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		msg := ""
		if req.Params.NotificationMessage != nil {
			msg = *req.Params.NotificationMessage
		}
		if req.Body != nil && req.Body.NotificationMessage != "" {
			msg = req.Body.NotificationMessage
		}
		if strings.TrimSpace(msg) == "" {
			return momoValidation("header notificationMessage: required (or the body's notificationMessage)")
		}
		t := a.f.txns[momoRefKey{c.user, c.product, req.ReferenceId.String()}]
		if t == nil || t.kind != momoKindRequestToPay {
			return momoError(http.StatusNotFound, momoCodeNotFound)
		}
		if t.statusNow() != momoSuccessful {
			return momoErrorMessage(http.StatusConflict, momoCodeNotAllowed, "The transaction has not completed successfully.")
		}
		return momoReply{status: http.StatusOK}
	}), nil
}

// RequestToWithdrawV1 asks a payer to approve a withdrawal.
func (a momoCollectionAPI) RequestToWithdrawV1(ctx context.Context, req collection.RequestToWithdrawV1RequestObject) (collection.RequestToWithdrawV1ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoDebitRequest(momoKindWithdraw, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// RequestToWithdrawV2 is RequestToWithdrawV1 under the version 2 path.
func (a momoCollectionAPI) RequestToWithdrawV2(ctx context.Context, req collection.RequestToWithdrawV2RequestObject) (collection.RequestToWithdrawV2ResponseObject, error) {
	p := req.Params
	return a.f.create(ctx, momoDebitRequest(momoKindWithdraw, p.XReferenceId, p.XTargetEnvironment, p.XCallbackUrl, req.Body)), nil
}

// GetRequestToWithdrawStatus answers a withdrawal's status.
func (a momoCollectionAPI) GetRequestToWithdrawStatus(ctx context.Context, req collection.GetRequestToWithdrawStatusRequestObject) (collection.GetRequestToWithdrawStatusResponseObject, error) {
	return a.f.status(ctx, momoKindWithdraw, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// CreateInvoice issues an invoice; the intended payer's number picks the test value, and
// the paid amount lands in the caller's collection account.
func (a momoCollectionAPI) CreateInvoice(ctx context.Context, req collection.CreateInvoiceRequestObject) (collection.CreateInvoiceResponseObject, error) {
	p, b := req.Params, *req.Body
	return a.f.create(ctx, momoNew{
		kind: momoKindInvoice, ref: p.XReferenceId.String(), env: p.XTargetEnvironment, callback: p.XCallbackUrl,
		amount: string(b.Amount), currency: b.Currency, party: b.IntendedPayer, extID: b.ExternalId,
		flow: momoCredit, table: momoDebitValues, keys: []string{b.IntendedPayer.PartyId},
		fill: func(t *momoTxn) { t.invoice, t.invoiceID = &b, momoDigits(10) },
	}), nil
}

// GetInvoiceStatus answers an invoice's status; a failed one carries errorReason.
func (a momoCollectionAPI) GetInvoiceStatus(ctx context.Context, req collection.GetInvoiceStatusRequestObject) (collection.GetInvoiceStatusResponseObject, error) {
	return a.f.status(ctx, momoKindInvoice, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// CancelInvoice cancels an invoice that is not final yet: it ends FAILED with
// TRANSACTION_CANCELED, and its callback goes to the cancellation's X-Callback-Url when
// one is given. The cancellation's own X-Reference-Id cannot be used again.
func (a momoCollectionAPI) CancelInvoice(ctx context.Context, req collection.CancelInvoiceRequestObject) (collection.CancelInvoiceResponseObject, error) {
	c := momoCallerOf(ctx)
	p := req.Params
	return a.f.locked(func() momoReply {
		if p.XTargetEnvironment != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		cancelKey := momoRefKey{c.user, c.product, p.XReferenceId.String()}
		if a.f.used[cancelKey] {
			return momoError(http.StatusConflict, momoCodeAlreadyExists)
		}
		t := a.f.txns[momoRefKey{c.user, c.product, req.ReferenceId.String()}]
		if t == nil || t.kind != momoKindInvoice {
			return momoError(http.StatusNotFound, momoCodeNotFound)
		}
		if p.XCallbackUrl != nil && !a.f.callbackHostOK(c.user, *p.XCallbackUrl) {
			return momoError(http.StatusInternalServerError, momoCodeCallbackHost)
		}
		if t.final {
			return momoErrorMessage(http.StatusInternalServerError, momoCodeNotAllowed, "The invoice is already "+strings.ToLower(t.status)+".")
		}
		a.f.used[cancelKey] = true
		if p.XCallbackUrl != nil {
			t.callbackURL = *p.XCallbackUrl
		}
		a.f.finalizeLocked(t, momoFailed, momoReasonCancelled)
		return momoOK(collection.CancelInvoice{ExternalId: req.Body.ExternalId})
	}), nil
}

// CreatePayments records a bill payment; the customer reference picks the test value.
// Payments leave the balances alone.
func (a momoCollectionAPI) CreatePayments(ctx context.Context, req collection.CreatePaymentsRequestObject) (collection.CreatePaymentsResponseObject, error) {
	p, b := req.Params, *req.Body
	return a.f.create(ctx, momoNew{
		kind: momoKindPayment, ref: p.XReferenceId.String(), env: p.XTargetEnvironment, callback: p.XCallbackUrl,
		amount: string(b.Money.Amount), currency: b.Money.Currency,
		party: common.Party{PartyIdType: "MSISDN", PartyId: b.CustomerReference}, extID: b.ExternalTransactionId,
		payerMsg: b.SenderNote, payee: b.ReceiverMessage,
		table: momoDebitValues, keys: []string{b.CustomerReference},
		fill: func(t *momoTxn) { t.payment = &b },
	}), nil
}

// GetPaymentStatus answers a payment's status.
func (a momoCollectionAPI) GetPaymentStatus(ctx context.Context, req collection.GetPaymentStatusRequestObject) (collection.GetPaymentStatusResponseObject, error) {
	return a.f.status(ctx, momoKindPayment, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// PreApproval asks a payer to approve future debits by the caller.
func (a momoCollectionAPI) PreApproval(ctx context.Context, req collection.PreApprovalRequestObject) (collection.PreApprovalResponseObject, error) {
	p, b := req.Params, *req.Body
	return a.f.create(ctx, momoNew{
		kind: momoKindPreApproval, ref: p.XReferenceId.String(), env: p.XTargetEnvironment, callback: p.XCallbackUrl,
		currency: b.PayerCurrency, party: b.Payer, payerMsg: b.PayerMessage,
		table: momoPreApprovalValues, keys: []string{b.Payer.PartyId},
		fill: func(t *momoTxn) { t.preApproval = &b },
	}), nil
}

// GetPreApprovalStatus answers a pre-approval's status.
func (a momoCollectionAPI) GetPreApprovalStatus(ctx context.Context, req collection.GetPreApprovalStatusRequestObject) (collection.GetPreApprovalStatusResponseObject, error) {
	return a.f.status(ctx, momoKindPreApproval, req.ReferenceId, req.Params.XTargetEnvironment), nil
}

// GetApprovedPreApprovals lists the holder's approved, unexpired and uncancelled
// pre-approvals in which the caller is payee.
func (a momoCollectionAPI) GetApprovedPreApprovals(ctx context.Context, req collection.GetApprovedPreApprovalsRequestObject) (collection.GetApprovedPreApprovalsResponseObject, error) {
	c := momoCallerOf(ctx)
	return a.f.locked(func() momoReply {
		if req.Params.XTargetEnvironment != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		now := a.f.now()
		list := []collection.PreApprovalDetails{}
		for _, t := range a.f.order {
			if t.kind != momoKindPreApproval || t.owner != c.user || t.statusNow() != momoSuccessful || t.cancelled ||
				!strings.EqualFold(t.party.PartyId, req.AccountHolderId) || !now.Before(t.expiry()) {
				continue
			}
			idType := t.party.PartyIdType
			if idType == "" {
				idType = "MSISDN"
			}
			list = append(list, collection.PreApprovalDetails{
				PreApprovalId: t.ref, ToFri: "FRI:" + t.owner + "/API", FromFri: "FRI:" + t.party.PartyId + "/" + strings.ToUpper(idType),
				FromCurrency: t.curr, CreatedTime: t.created.UTC().Format(momoLocalTime), ApprovedTime: t.approved.UTC().Format(momoLocalTime),
				ExpiryTime: t.expiry().UTC().Format(momoLocalTime), Status: "APPROVED", Message: t.payerMsg,
			})
		}
		return momoOK(list)
	}), nil
}

// CancelPreApproval cancels an approved pre-approval in which the caller is payee (404 for
// any other).
func (a momoCollectionAPI) CancelPreApproval(ctx context.Context, req collection.CancelPreApprovalRequestObject) (collection.CancelPreApprovalResponseObject, error) {
	c := momoCallerOf(ctx)
	return a.f.locked(func() momoReply {
		if req.Params.XTargetEnvironment != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		t := a.f.txns[momoRefKey{c.user, c.product, req.PreApprovalId.String()}]
		if t == nil || t.kind != momoKindPreApproval || t.statusNow() != momoSuccessful || t.cancelled {
			return momoError(http.StatusNotFound, momoCodeNotFound)
		}
		t.cancelled = true
		t.updated = a.f.now()
		return momoReply{status: http.StatusOK}
	}), nil
}
