package demo

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/vipps"
)

// recurring runs draft agreement → accept as the test user → the agreement is ACTIVE →
// create a charge → fetch it.
func (r *runner) recurring(ctx context.Context, c *vipps.Clients) {
	const family = FamilyVipps
	const price = 29900
	var agreementID, chargeID string

	if !r.step(ctx, family, "Recurring draft agreement", "POST /recurring/v3/agreements", "201 with an agreement id", func(ctx context.Context) (string, error) {
		var pricing recurring.PricingRequest
		if err := pricing.FromLegacyPricingRequest(recurring.LegacyPricingRequest{Type: "LEGACY", Currency: "NOK", Amount: price}); err != nil {
			return "", err
		}
		res, err := c.Recurring.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()},
			recurring.DraftAgreementV3{
				Pricing:              pricing,
				Interval:             recurring.TimePeriod{Unit: "MONTH", Count: 1},
				MerchantRedirectUrl:  "https://shop.example/subscription/done",
				MerchantAgreementUrl: "https://shop.example/subscription",
				ProductName:          "paykit demo subscription",
				PhoneNumber:          VippsTestPhone,
			})
		if err != nil {
			return "", err
		}
		if res.JSON201 == nil || res.JSON201.AgreementId == "" {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		agreementID = res.JSON201.AgreementId
		return "201, agreement " + agreementID, nil
	}) {
		return
	}
	if !r.step(ctx, family, "Recurring accept (test user)", "PATCH /recurring/v3/agreements/{id}/accept", "204", func(ctx context.Context) (string, error) {
		res, err := c.Recurring.AcceptAgreementWithResponse(ctx, agreementID, &recurring.AcceptAgreementParams{IdempotencyKey: uuid.NewString()},
			recurring.AcceptAgreementV3{PhoneNumber: VippsTestPhone})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusNoContent, "204")
	}) {
		return
	}
	var agreementState string
	if !r.step(ctx, family, "Recurring agreement status", "GET /recurring/v3/agreements/{id}", "ACTIVE", func(ctx context.Context) (string, error) {
		ctx, cancel := r.waitCtx(ctx)
		defer cancel()
		got, err := poll(ctx, func(ctx context.Context) (string, bool, error) {
			res, err := c.Recurring.FetchAgreementWithResponse(ctx, agreementID, &recurring.FetchAgreementParams{})
			if err != nil {
				return "", false, err
			}
			if res.JSON200 == nil {
				return httpResult(res.StatusCode(), res.Body), false, errMismatch
			}
			return res.JSON200.Status, res.JSON200.Status != "PENDING", nil
		})
		agreementState = got
		if err != nil {
			return got, err
		}
		return expect(got == "ACTIVE", got)
	}) {
		return
	}
	r.final("vipps Recurring agreement", agreementID, agreementState)

	// A recurring charge is due at least a day or two ahead; three days suits both the
	// test and the production rule.
	due := time.Now().UTC().AddDate(0, 0, 3)
	if !r.step(ctx, family, "Recurring create charge", "POST /recurring/v3/agreements/{id}/charges", "201 with a charge id", func(ctx context.Context) (string, error) {
		retryDays := int32(0)
		res, err := c.Recurring.CreateChargeWithResponse(ctx, agreementID, &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
			recurring.CreateChargeV3{
				Amount:          price,
				Description:     "paykit demo, first month",
				TransactionType: "DIRECT_CAPTURE",
				Type:            "RECURRING",
				Due:             openapi_types.Date{Time: due},
				RetryDays:       &retryDays,
			})
		if err != nil {
			return "", err
		}
		if res.JSON201 == nil || res.JSON201.ChargeId == "" {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		chargeID = res.JSON201.ChargeId
		return "201, charge " + chargeID, nil
	}) {
		return
	}
	wantCharge := fmt.Sprintf("PENDING or DUE, %d NOK øre, due %s", price, due.Format(time.DateOnly))
	var chargeState string
	if !r.step(ctx, family, "Recurring fetch charge", "GET /recurring/v3/agreements/{id}/charges/{chargeId}", wantCharge, func(ctx context.Context) (string, error) {
		res, err := c.Recurring.FetchChargeWithResponse(ctx, agreementID, chargeID, &recurring.FetchChargeParams{})
		if err != nil {
			return "", err
		}
		ch := res.JSON200
		if ch == nil {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		chargeState = ch.Status
		got := fmt.Sprintf("%s, %d %s øre, due %s", ch.Status, ch.Amount, ch.Currency, ch.Due.UTC().Format(time.DateOnly))
		ok := (ch.Status == "PENDING" || ch.Status == "DUE") && ch.Amount == price && ch.Due.UTC().Format(time.DateOnly) == due.Format(time.DateOnly)
		return expect(ok, got)
	}) {
		return
	}
	r.final("vipps Recurring charge", chargeID, chargeState)
}
