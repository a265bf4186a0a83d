package demo

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/callback"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/wire"
)

// MoMo sandbox test numbers (X-Target-Environment sandbox).
const (
	MoMoSuccessNumber = "56733123453" // every transaction succeeds
	MoMoRejectNumber  = "46733123451" // the payer rejects: FAILED, APPROVAL_REJECTED
)

// momoPayment is one request to pay and the outcome it should have.
type momoPayment struct {
	payer string
	want  string // final status as momoOutcome writes it
	ref   uuid.UUID
}

// momo runs the MoMo flow: provision an API user and key, get a token, request two
// payments with callbacks, wait for both callbacks and statuses, then a transfer.
func (r *runner) momo(ctx context.Context) {
	const family = FamilyMoMo
	cfg := r.cfg.MoMo
	base := momo.Config{
		BaseURL:           cfg.BaseURL,
		TargetEnvironment: cfg.TargetEnvironment,
		SubscriptionKeys:  cfg.SubscriptionKeys,
		HTTPClient:        r.cfg.HTTPClient,
	}
	prov, err := momo.New(base)
	if err != nil {
		r.fail(family, "wire clients", "momo.New", "clients for "+cfg.BaseURL, err)
		return
	}

	userID := momo.NewReferenceID()
	host := r.cfg.CallbackHost
	if !r.step(ctx, family, "create API user", "POST /v1_0/apiuser", "201, callback host "+host, func(ctx context.Context) (string, error) {
		res, err := prov.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: userID},
			provisioning.ApiUser{ProviderCallbackHost: host})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusCreated, "201, user "+userID.String())
	}) {
		return
	}
	var apiKey auth.Secret
	if !r.step(ctx, family, "create API key", "POST /v1_0/apiuser/{id}/apikey", "201 with a key", func(ctx context.Context) (string, error) {
		res, err := prov.Provisioning.CreateApiKeyWithResponse(ctx, userID)
		if err != nil {
			return "", err
		}
		if res.JSON201 == nil || res.JSON201.ApiKey == "" {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		apiKey = auth.Secret(res.JSON201.ApiKey)
		return "201, key received", nil
	}) {
		return
	}

	base.APIUser = momoauth.APIUser{ID: userID.String(), Key: apiKey}
	c, err := momo.New(base)
	if err != nil {
		r.fail(family, "wire clients with the API user", "momo.New", "clients", err)
		return
	}
	if !r.step(ctx, family, "collection token", "POST /collection/token/", "a bearer token", func(ctx context.Context) (string, error) {
		return tokenResult(c.Token(ctx, momoauth.Collection))
	}) {
		return
	}

	payments := []*momoPayment{
		{payer: MoMoSuccessNumber, want: "SUCCESSFUL"},
		{payer: MoMoRejectNumber, want: "FAILED (APPROVAL_REJECTED)"},
	}
	for _, p := range payments {
		p.ref = momo.NewReferenceID()
		cb := r.rcv.momoCallbackURL(p.ref.String())
		if !r.step(ctx, family, "request to pay from "+p.payer, "POST /collection/v1_0/requesttopay", "202 Accepted", func(ctx context.Context) (string, error) {
			res, err := c.Collection.RequestToPayWithResponse(ctx,
				&collection.RequestToPayParams{XReferenceId: p.ref, XCallbackUrl: &cb},
				common.RequestToPay{
					Amount: "100", Currency: "EUR", ExternalId: "paykit-demo-" + p.payer,
					Payer:        common.Party{PartyIdType: "MSISDN", PartyId: p.payer},
					PayerMessage: "paykit demo", PayeeNote: "paykit demo",
				})
			if err != nil {
				return "", err
			}
			return expectStatus(res.StatusCode(), res.Body, http.StatusAccepted, "202, ref "+p.ref.String())
		}) {
			return
		}
	}
	for _, p := range payments {
		if !r.step(ctx, family, "callback for "+p.payer, "X-Callback-Url → receiver", p.want, func(ctx context.Context) (string, error) {
			ctx, cancel := r.waitCtx(ctx)
			defer cancel()
			var got callback.Callback
			err := r.rcv.wait(ctx, func() bool {
				cb, ok := r.rcv.momoFinal(p.ref.String())
				got = cb
				return ok
			})
			if err != nil {
				return "no final callback", fmt.Errorf("waited %v: %w", r.cfg.WaitTimeout, err)
			}
			outcome := momoOutcome(got.Status, got.Reason)
			return expect(outcome == p.want, outcome)
		}) {
			return
		}
		var outcome string
		if !r.step(ctx, family, "status of "+p.payer, "GET /collection/v1_0/requesttopay/{ref}", p.want, func(ctx context.Context) (string, error) {
			ctx, cancel := r.waitCtx(ctx)
			defer cancel()
			got, err := poll(ctx, func(ctx context.Context) (string, bool, error) {
				res, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, p.ref, &collection.GetRequestToPayStatusParams{})
				if err != nil {
					return "", false, err
				}
				if res.JSON200 == nil {
					return httpResult(res.StatusCode(), res.Body), false, errMismatch
				}
				return momoOutcome(res.JSON200.Status, res.JSON200.Reason), finalMoMo(res.JSON200.Status), nil
			})
			outcome = got
			if err != nil {
				return got, err
			}
			return expect(got == p.want, got)
		}) {
			return
		}
		r.final("momo request to pay from "+p.payer, p.ref.String(), outcome)
	}

	if !r.step(ctx, family, "disbursement token", "POST /disbursement/token/", "a bearer token", func(ctx context.Context) (string, error) {
		return tokenResult(c.Token(ctx, momoauth.Disbursement))
	}) {
		return
	}
	transfer := momo.NewReferenceID()
	if !r.step(ctx, family, "transfer to "+MoMoSuccessNumber, "POST /disbursement/v1_0/transfer", "202 Accepted", func(ctx context.Context) (string, error) {
		res, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: transfer},
			common.Transfer{
				Amount: "50", Currency: "EUR", ExternalId: "paykit-demo-payout",
				Payee:        common.Party{PartyIdType: "MSISDN", PartyId: MoMoSuccessNumber},
				PayerMessage: "paykit demo payout", PayeeNote: "paykit demo payout",
			})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusAccepted, "202, ref "+transfer.String())
	}) {
		return
	}
	var outcome string
	if r.step(ctx, family, "transfer status", "GET /disbursement/v1_0/transfer/{ref}", "SUCCESSFUL", func(ctx context.Context) (string, error) {
		ctx, cancel := r.waitCtx(ctx)
		defer cancel()
		got, err := poll(ctx, func(ctx context.Context) (string, bool, error) {
			res, err := c.Disbursement.GetTransferStatusWithResponse(ctx, transfer, &disbursement.GetTransferStatusParams{})
			if err != nil {
				return "", false, err
			}
			if res.JSON200 == nil {
				return httpResult(res.StatusCode(), res.Body), false, errMismatch
			}
			return momoOutcome(res.JSON200.Status, res.JSON200.Reason), finalMoMo(res.JSON200.Status), nil
		})
		outcome = got
		if err != nil {
			return got, err
		}
		return expect(got == "SUCCESSFUL", got)
	}) {
		r.final("momo transfer to "+MoMoSuccessNumber, transfer.String(), outcome)
	}
}

// finalMoMo reports whether a MoMo status is final; unknown statuses are not.
func finalMoMo(status string) bool { return status == "SUCCESSFUL" || status == "FAILED" }

// momoOutcome writes a status with its reason, e.g. "FAILED (APPROVAL_REJECTED)".
func momoOutcome(status string, reason wire.Reason) string {
	if reason.Code != "" {
		return status + " (" + reason.Code + ")"
	}
	return status
}

// tokenResult describes a fetched token without showing it.
func tokenResult(tok auth.Token, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if tok.AccessToken == "" {
		return "an empty token", errMismatch
	}
	if tok.Expiry.IsZero() {
		return "token without expiry", nil
	}
	return "token, expires in " + time.Until(tok.Expiry).Round(time.Second).String(), nil
}
