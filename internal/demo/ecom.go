package demo

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/vipps"
	"github.com/paykit-go/paykit/vipps/ecomcallback"
)

// ecom runs the legacy eCom flow: initiate with a callbackPrefix on the receiver and an
// authToken → approve as the test user → the RESERVED callback arrives → capture.
func (r *runner) ecom(ctx context.Context, c *vipps.Clients, msn string) {
	const family = FamilyVipps
	const amount = 20000
	orderID := "paykit-demo-" + uuid.NewString()[:8]

	if !r.step(ctx, family, "eCom initiate", "POST /ecomm/v2/payments", "200 with a landing page URL", func(ctx context.Context) (string, error) {
		res, err := c.Ecom.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, ecom.InitiatePaymentCommand{
			CustomerInfo: ecom.CustomerInfo{MobileNumber: VippsTestPhone8},
			MerchantInfo: ecom.MerchantInfo{
				MerchantSerialNumber: msn,
				CallbackPrefix:       r.rcv.ecomCallbackPrefix(),
				FallBack:             "https://shop.example/fallback/" + orderID,
				AuthToken:            r.rcv.ecomToken.Reveal(),
			},
			Transaction: ecom.InitiateTransaction{Amount: amount, OrderId: orderID, TransactionText: "paykit demo"},
		})
		if err != nil {
			return "", err
		}
		if res.JSON200 == nil || res.JSON200.Url == "" {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		return "200, order " + res.JSON200.OrderId, nil
	}) {
		return
	}
	if !r.step(ctx, family, "eCom approve (test user)", "POST /ecomm/v2/integration-test/payments/{orderId}/approve", "200", func(ctx context.Context) (string, error) {
		requestID := uuid.NewString()
		res, err := c.Ecom.IntegrationTestApprovePaymentWithResponse(ctx, orderID,
			&ecom.IntegrationTestApprovePaymentParams{XRequestId: &requestID},
			ecom.ForceApproveRequest{CustomerPhoneNumber: VippsTestPhone8})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusOK, "200")
	}) {
		return
	}
	if !r.step(ctx, family, "eCom callback", "callbackPrefix → receiver (authToken checked)", "RESERVED", func(ctx context.Context) (string, error) {
		ctx, cancel := r.waitCtx(ctx)
		defer cancel()
		var cb ecomcallback.Callback
		err := r.rcv.wait(ctx, func() bool {
			var ok bool
			cb, ok = r.rcv.ecomCallback(orderID)
			return ok
		})
		if err != nil {
			return "no callback", fmt.Errorf("waited %v: %w", r.cfg.WaitTimeout, err)
		}
		return expect(cb.Reserved(), fmt.Sprintf("%s, %d NOK øre", cb.Status(), cb.Body.TransactionInfo.Amount))
	}) {
		return
	}
	var state string
	if !r.step(ctx, family, "eCom capture", "POST /ecomm/v2/payments/{orderId}/capture", fmt.Sprintf("Captured %d NOK øre", amount), func(ctx context.Context) (string, error) {
		res, err := c.Ecom.CapturePaymentWithResponse(ctx, orderID, &ecom.CapturePaymentParams{XRequestId: uuid.NewString()},
			ecom.PaymentActionsRequest{
				MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn},
				Transaction:  ecom.ActionTransaction{Amount: amount, TransactionText: "paykit demo shipped"},
			})
		if err != nil {
			return "", err
		}
		if res.JSON200 == nil {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		info := res.JSON200.TransactionInfo
		sum := res.JSON200.TransactionSummary
		state = fmt.Sprintf("%s, captured %d, remaining %d", info.Status, sum.CapturedAmount, sum.RemainingAmountToCapture)
		return expect(info.Status == "Captured" && info.Amount == amount, fmt.Sprintf("%s %d NOK øre", info.Status, info.Amount))
	}) {
		return
	}
	r.final("vipps eCom order", orderID, state)
}
