package demo

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/vipps"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// Vipps test values.
const (
	// VippsTestPhone is the test user's MSISDN for ePayment and Recurring.
	VippsTestPhone = "4712345678"
	// VippsTestPhone8 is the same user as eCom writes it: eight digits, no country code.
	VippsTestPhone8 = "12345678"
)

// Webhook events the demo registers for and waits for.
const (
	eventCaptured = "epayments.payment.captured.v1"
	eventRefunded = "epayments.payment.refunded.v1"
)

// demoSystem fills the Vipps-System-* headers of the demo's calls.
var demoSystem = vippsauth.System{Name: "paykit-demo", Version: "1.0.0"}

// vipps runs the Vipps flows with partner keys acting for the first MSN: token and webhook
// registration, then the ePayment, eCom and Recurring flows, each on its own (one failing
// does not stop the others).
func (r *runner) vipps(ctx context.Context) {
	const family = FamilyVipps
	cfg := r.cfg.Vipps
	msn := cfg.MSNs[0]

	var c *vipps.Clients
	if !r.step(ctx, family, "partner client for MSN "+msn, "vipps.NewPartner, ForMerchant", "clients bound to "+msn, func(context.Context) (string, error) {
		p, err := vipps.NewPartner(vipps.PartnerConfig{BaseURL: cfg.BaseURL, Credentials: cfg.Partner, System: demoSystem, HTTPClient: r.cfg.HTTPClient})
		if err != nil {
			return "", err
		}
		if c, err = p.ForMerchant(msn); err != nil {
			return "", err
		}
		return expect(c.MSN == msn, "bound to "+c.MSN)
	}) {
		return
	}
	if !r.step(ctx, family, "access token (partner keys)", "POST /accesstoken/get", "a bearer token", func(ctx context.Context) (string, error) {
		src, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{BaseURL: cfg.BaseURL, Credentials: cfg.Partner, System: demoSystem, HTTPClient: httpDoer(r.cfg.HTTPClient)})
		if err != nil {
			return "", err
		}
		return tokenResult(src.Token(ctx))
	}) {
		return
	}
	if !r.step(ctx, family, "register webhook", "POST /webhooks/v1/webhooks", "201 with a secret", func(ctx context.Context) (string, error) {
		res, err := c.Webhooks.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{},
			webhooks.RegisterWebhookRequest{Url: r.rcv.webhookURL(), Events: []string{eventCaptured, eventRefunded}})
		if err != nil {
			return "", err
		}
		if res.JSON201 == nil || res.JSON201.Secret == "" {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		r.rcv.acceptWebhooks(auth.Secret(res.JSON201.Secret))
		return "201, id " + res.JSON201.Id.String(), nil
	}) {
		return
	}

	r.epayment(ctx, c, msn)
	r.ecom(ctx, c, msn)
	r.recurring(ctx, c)
}

// epayment runs create → force approve → capture → refund, and waits for the captured and
// refunded webhooks.
func (r *runner) epayment(ctx context.Context, c *vipps.Clients, msn string) {
	const family = FamilyVipps
	const amount, refund = 49900, 10000
	ref := "paykit-demo-" + uuid.NewString()[:8]
	nok := func(v int64) epayment.Amount { return epayment.Amount{Currency: "NOK", Value: v} }

	if !r.step(ctx, family, "ePayment create", "POST /epayment/v1/payments", "201 Created", func(ctx context.Context) (string, error) {
		var customer epayment.Customer
		if err := customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: VippsTestPhone}); err != nil {
			return "", err
		}
		res, err := c.EPayment.CreatePaymentWithResponse(ctx,
			&epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
			epayment.CreatePaymentRequest{
				Amount:             nok(amount),
				Customer:           customer,
				PaymentMethod:      epayment.PaymentMethod{Type: "WALLET"},
				Reference:          ref,
				UserFlow:           "WEB_REDIRECT",
				ReturnUrl:          "https://shop.example/return/" + ref,
				PaymentDescription: "paykit demo",
			})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusCreated, "201, reference "+ref)
	}) {
		return
	}
	if !r.step(ctx, family, "ePayment approve (test user)", "POST /epayment/v1/test/payments/{ref}/approve", "200", func(ctx context.Context) (string, error) {
		var customer epayment.Customer
		if err := customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: VippsTestPhone}); err != nil {
			return "", err
		}
		res, err := c.EPayment.ForceApproveWithResponse(ctx, ref, &epayment.ForceApproveParams{MerchantSerialNumber: msn},
			epayment.ForceApprove{Customer: customer})
		if err != nil {
			return "", err
		}
		return expectStatus(res.StatusCode(), res.Body, http.StatusOK, "200")
	}) {
		return
	}
	if !r.step(ctx, family, "ePayment state", "GET /epayment/v1/payments/{ref}", "AUTHORIZED", func(ctx context.Context) (string, error) {
		ctx, cancel := r.waitCtx(ctx)
		defer cancel()
		got, err := poll(ctx, func(ctx context.Context) (string, bool, error) {
			res, err := c.EPayment.GetPaymentWithResponse(ctx, ref, &epayment.GetPaymentParams{MerchantSerialNumber: msn})
			if err != nil {
				return "", false, err
			}
			if res.JSON200 == nil {
				return httpResult(res.StatusCode(), res.Body), false, errMismatch
			}
			return res.JSON200.State, res.JSON200.State != "CREATED", nil
		})
		if err != nil {
			return got, err
		}
		return expect(got == "AUTHORIZED", got)
	}) {
		return
	}
	if !r.step(ctx, family, "ePayment capture", "POST /epayment/v1/payments/{ref}/capture", fmt.Sprintf("captured %d NOK øre", amount), func(ctx context.Context) (string, error) {
		res, err := c.EPayment.CapturePaymentWithResponse(ctx, ref,
			&epayment.CapturePaymentParams{MerchantSerialNumber: msn, IdempotencyKey: uuid.NewString()},
			epayment.CaptureModificationRequest{ModificationAmount: nok(amount)})
		if err != nil {
			return "", err
		}
		if res.JSON200 == nil {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		got := res.JSON200.Aggregate.CapturedAmount.Value
		return expect(got == amount, fmt.Sprintf("captured %d NOK øre, state %s", got, res.JSON200.State))
	}) {
		return
	}
	var state string
	if !r.step(ctx, family, "ePayment refund", "POST /epayment/v1/payments/{ref}/refund", fmt.Sprintf("refunded %d NOK øre", refund), func(ctx context.Context) (string, error) {
		res, err := c.EPayment.RefundPaymentWithResponse(ctx, ref,
			&epayment.RefundPaymentParams{MerchantSerialNumber: msn, IdempotencyKey: uuid.NewString()},
			epayment.RefundModificationRequest{ModificationAmount: nok(refund)})
		if err != nil {
			return "", err
		}
		if res.JSON200 == nil {
			return httpResult(res.StatusCode(), res.Body), errMismatch
		}
		a := res.JSON200.Aggregate
		state = fmt.Sprintf("%s, captured %d, refunded %d", res.JSON200.State, a.CapturedAmount.Value, a.RefundedAmount.Value)
		return expect(a.RefundedAmount.Value == refund, fmt.Sprintf("refunded %d NOK øre", a.RefundedAmount.Value))
	}) {
		return
	}
	r.final("vipps ePayment", ref, state)

	for _, name := range []string{"CAPTURED", "REFUNDED"} {
		if !r.step(ctx, family, "webhook "+name, "webhook → receiver (HMAC verified)", name+", signature verified", func(ctx context.Context) (string, error) {
			ctx, cancel := r.waitCtx(ctx)
			defer cancel()
			var ev webhook.Event
			err := r.rcv.wait(ctx, func() bool {
				var ok bool
				ev, ok = r.rcv.webhookEvent(ref, name)
				return ok
			})
			if err != nil {
				return "no verified webhook", fmt.Errorf("waited %v: %w", r.cfg.WaitTimeout, err)
			}
			e, err := ev.EPayment()
			if err != nil {
				return "a verified webhook", err
			}
			return fmt.Sprintf("%s, signature verified, %d %s øre", e.Name, e.Amount.Value, e.Amount.Currency), nil
		}) {
			return
		}
	}
}

// httpDoer returns c as an auth.Doer, or nil (the default client) when c is nil.
func httpDoer(c *http.Client) auth.Doer {
	if c == nil {
		return nil
	}
	return c
}
