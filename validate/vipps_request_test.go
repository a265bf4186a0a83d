package validate_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/management"
	"github.com/paykit-go/paykit/gen/vipps/partner"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/validate"
)

// vippsClients are generated Vipps clients that validate with VippsEditor, pointed at one
// counting server.
type vippsClients struct {
	ep  *epayment.ClientWithResponses
	ec  *ecom.ClientWithResponses
	rec *recurring.ClientWithResponses
	mgm *management.ClientWithResponses
	par *partner.ClientWithResponses
}

func newVippsClients(t *testing.T, srv *countingServer) vippsClients {
	t.Helper()
	var c vippsClients
	var err error
	c.ep, err = epayment.NewClientWithResponses(srv.URL, epayment.WithRequestEditorFn(validate.VippsEditor()))
	require.NoError(t, err)
	c.ec, err = ecom.NewClientWithResponses(srv.URL, ecom.WithRequestEditorFn(validate.VippsEditor()))
	require.NoError(t, err)
	c.rec, err = recurring.NewClientWithResponses(srv.URL, recurring.WithRequestEditorFn(validate.VippsEditor()))
	require.NoError(t, err)
	c.mgm, err = management.NewClientWithResponses(srv.URL, management.WithRequestEditorFn(validate.VippsEditor()))
	require.NoError(t, err)
	c.par, err = partner.NewClientWithResponses(srv.URL, partner.WithRequestEditorFn(validate.VippsEditor()))
	require.NoError(t, err)
	return c
}

const msn = "223344"

func nok(v int64) epayment.Amount { return epayment.Amount{Currency: "NOK", Value: v} }

func phoneCustomer(t *testing.T, n string) epayment.Customer {
	t.Helper()
	var c epayment.Customer
	require.NoError(t, c.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: n}))
	return c
}

func validCreate(t *testing.T) epayment.CreatePaymentRequest {
	return epayment.CreatePaymentRequest{
		Amount:             nok(49900),
		Customer:           phoneCustomer(t, "4712345678"),
		PaymentMethod:      epayment.PaymentMethod{Type: "WALLET"},
		Reference:          "order-" + uuid.NewString()[:8],
		UserFlow:           "WEB_REDIRECT",
		ReturnUrl:          "https://shop.example/return",
		PaymentDescription: "Two books",
	}
}

func createParams() *epayment.CreatePaymentParams {
	return &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn}
}

func validInitiate() ecom.InitiatePaymentCommand {
	return ecom.InitiatePaymentCommand{
		CustomerInfo: ecom.CustomerInfo{MobileNumber: "12345678"},
		MerchantInfo: ecom.MerchantInfo{MerchantSerialNumber: msn, CallbackPrefix: "https://shop.example/vipps",
			FallBack: "https://shop.example/fallback", AuthToken: "callback-token-1"},
		Transaction: ecom.InitiateTransaction{Amount: 20000, OrderId: "order-17", TransactionText: "Two books"},
	}
}

func legacyPricing(t *testing.T, currency string, amount int64) recurring.PricingRequest {
	t.Helper()
	var p recurring.PricingRequest
	require.NoError(t, p.FromLegacyPricingRequest(recurring.LegacyPricingRequest{Type: "LEGACY", Currency: currency, Amount: amount}))
	return p
}

func validDraft(t *testing.T) recurring.DraftAgreementV3 {
	return recurring.DraftAgreementV3{
		Pricing:             legacyPricing(t, "NOK", 29900),
		Interval:            recurring.TimePeriod{Unit: "MONTH", Count: 1},
		MerchantRedirectUrl: "https://shop.example/agreement",
		ProductName:         "Magazine",
		PhoneNumber:         "4712345678",
	}
}

// TestVippsRequestThroughClients sends the checked Vipps operations through their generated
// clients with VippsEditor: a valid request reaches the server once, an invalid one never,
// and its error names every field and rule broken.
func TestVippsRequestThroughClients(t *testing.T) {
	long := strings.Repeat("k", 51)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, t *testing.T, c vippsClients) error
		want []string
	}{
		{"ePayment create", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CreatePaymentWithResponse(ctx, createParams(), validCreate(t))
			return err
		}, nil},
		{"ePayment create, everything wrong", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validCreate(t)
			body.Amount = epayment.Amount{Currency: "CHF", Value: 65000001}
			body.Reference = "short"
			body.Customer = phoneCustomer(t, "+47 12345678")
			body.ReturnUrl = ""
			body.PaymentDescription = "ab"
			_, err := c.ep.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: long, MerchantSerialNumber: "22-33"}, body)
			return err
		}, []string{"Idempotency-Key length", "Merchant-Serial-Number characters", "amount.currency currency", "amount.value range",
			"customer.phoneNumber characters", "paymentDescription length", "reference pattern", "returnUrl required"}},
		{"ePayment create, NOK under 1 krone", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validCreate(t)
			body.Amount = nok(99)
			_, err := c.ep.CreatePaymentWithResponse(ctx, createParams(), body)
			return err
		}, []string{"amount.value range"}},
		{"ePayment create, SEK with a wallet", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validCreate(t)
			body.Amount = epayment.Amount{Currency: "SEK", Value: 10000}
			_, err := c.ep.CreatePaymentWithResponse(ctx, createParams(), body)
			return err
		}, []string{"amount.currency currency"}},
		{"ePayment create, unknown user flow, no key", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validCreate(t)
			body.UserFlow = "SMS"
			_, err := c.ep.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{MerchantSerialNumber: msn}, body)
			return err
		}, []string{"Idempotency-Key required", "userFlow enum"}},
		{"ePayment create, too much metadata, long system name", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validCreate(t)
			body.Metadata = epayment.Metadata{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": strings.Repeat("v", 501)}
			p := createParams()
			p.VippsSystemName = ptr(strings.Repeat("s", 31))
			_, err := c.ep.CreatePaymentWithResponse(ctx, p, body)
			return err
		}, []string{"Vipps-System-Name length", "metadata length", "metadata.f length"}},
		{"ePayment create, amount as a fraction", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CreatePaymentWithBodyWithResponse(ctx, createParams(), "application/json", strings.NewReader(
				`{"amount":{"currency":"NOK","value":499.5},"paymentMethod":{"type":"WALLET"},"reference":"order-12345","userFlow":"QR"}`))
			return err
		}, []string{"amount.value type"}},
		{"ePayment capture", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CapturePaymentWithResponse(ctx, "order-12345", &epayment.CapturePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
				epayment.CaptureModificationRequest{ModificationAmount: nok(49900)})
			return err
		}, nil},
		{"ePayment capture, bad reference, zero, no key", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CapturePaymentWithResponse(ctx, "order 1", &epayment.CapturePaymentParams{MerchantSerialNumber: msn},
				epayment.CaptureModificationRequest{ModificationAmount: nok(0)})
			return err
		}, []string{"Idempotency-Key required", "Reference pattern", "modificationAmount.value range"}},
		{"ePayment refund", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.RefundPaymentWithResponse(ctx, "order-12345", &epayment.RefundPaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
				epayment.RefundModificationRequest{ModificationAmount: nok(10000)})
			return err
		}, nil},
		{"ePayment refund, GBP", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.RefundPaymentWithResponse(ctx, "order-12345", &epayment.RefundPaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: msn},
				epayment.RefundModificationRequest{ModificationAmount: epayment.Amount{Currency: "JPY", Value: 100}})
			return err
		}, []string{"modificationAmount.currency currency"}},
		{"ePayment cancel without a key", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CancelPaymentWithResponse(ctx, "order-12345", &epayment.CancelPaymentParams{MerchantSerialNumber: msn}, epayment.CancelModificationRequest{})
			return err
		}, nil},
		{"ePayment cancel, key too long", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.CancelPaymentWithResponse(ctx, "order-12345", &epayment.CancelPaymentParams{MerchantSerialNumber: msn, IdempotencyKey: &long}, epayment.CancelModificationRequest{})
			return err
		}, []string{"Idempotency-Key length"}},
		{"ePayment get, not checked", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ep.GetPaymentWithResponse(ctx, "order-12345", &epayment.GetPaymentParams{MerchantSerialNumber: msn})
			return err
		}, nil},
		{"eCom initiate", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, validInitiate())
			return err
		}, nil},
		{"eCom initiate, everything wrong", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validInitiate()
			body.CustomerInfo.MobileNumber = "4712345678"
			body.MerchantInfo.MerchantSerialNumber = "MSN1"
			body.MerchantInfo.FallBack = ""
			body.Transaction = ecom.InitiateTransaction{Amount: 99, OrderId: "order_17", TransactionText: strings.Repeat("t", 101)}
			_, err := c.ec.InitiatePaymentWithResponse(ctx, &ecom.InitiatePaymentParams{}, body)
			return err
		}, []string{"customerInfo.mobileNumber length", "merchantInfo.fallBack required", "merchantInfo.merchantSerialNumber characters",
			"transaction.amount range", "transaction.orderId pattern", "transaction.transactionText length"}},
		{"eCom capture", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.CapturePaymentWithResponse(ctx, "order-17", &ecom.CapturePaymentParams{XRequestId: uuid.NewString()},
				ecom.PaymentActionsRequest{MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.ActionTransaction{TransactionText: "Shipped"}})
			return err
		}, nil},
		{"eCom capture, key too long, small amount", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.CapturePaymentWithResponse(ctx, "order-17", &ecom.CapturePaymentParams{XRequestId: strings.Repeat("r", 41)},
				ecom.PaymentActionsRequest{MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.ActionTransaction{Amount: 50, TransactionText: "Shipped"}})
			return err
		}, []string{"X-Request-Id length", "transaction.amount range"}},
		{"eCom refund, no request id", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.RefundPaymentWithResponse(ctx, "order-17", &ecom.RefundPaymentParams{},
				ecom.PaymentActionsRequest{MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.ActionTransaction{Amount: 1000, TransactionText: "Returned"}})
			return err
		}, []string{"X-Request-Id required"}},
		{"eCom cancel", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.CancelPaymentWithResponse(ctx, "order-17", &ecom.CancelPaymentParams{},
				ecom.CancelPaymentActionRequest{MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}, Transaction: ecom.CancelTransaction{TransactionText: "Out of stock"}})
			return err
		}, nil},
		{"eCom cancel, no text, bad order id", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.ec.CancelPaymentWithResponse(ctx, "order/17", &ecom.CancelPaymentParams{},
				ecom.CancelPaymentActionRequest{MerchantInfo: ecom.ActionMerchantInfo{MerchantSerialNumber: msn}})
			return err
		}, []string{"orderId pattern", "transaction.transactionText required"}},
		{"Recurring draft", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: uuid.NewString()}, validDraft(t))
			return err
		}, nil},
		{"Recurring draft, everything wrong", func(ctx context.Context, t *testing.T, c vippsClients) error {
			body := validDraft(t)
			body.Pricing = legacyPricing(t, "SEK", 1<<31)
			body.ProductName = strings.Repeat("p", 46)
			body.PhoneNumber = "+4712345678"
			body.InitialCharge = recurring.InitialChargeV3{Amount: 100, TransactionType: "LATER"}
			_, err := c.rec.DraftAgreementWithResponse(ctx, &recurring.DraftAgreementParams{IdempotencyKey: "agreement#1"}, body)
			return err
		}, []string{"Idempotency-Key characters", "initialCharge.description required", "initialCharge.transactionType enum",
			"phoneNumber characters", "pricing.amount range", "pricing.currency currency", "productName length"}},
		{"Recurring charge", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.CreateChargeWithResponse(ctx, "agr_5kSeqz", &recurring.CreateChargeParams{IdempotencyKey: uuid.NewString()},
				recurring.CreateChargeV3{Amount: 29900, Description: "March", TransactionType: "DIRECT_CAPTURE", RetryDays: ptr(int32(5)), OrderId: "charge-3"})
			return err
		}, nil},
		{"Recurring charge, everything wrong", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.CreateChargeWithResponse(ctx, "agr_5kSeqz", &recurring.CreateChargeParams{IdempotencyKey: strings.Repeat("k", 41)},
				recurring.CreateChargeV3{Amount: 0, TransactionType: "DIRECT_CAPTURE", RetryDays: ptr(int32(15)), OrderId: "charge/3"})
			return err
		}, []string{"Idempotency-Key length", "amount range", "description required", "orderId pattern", "retryDays range"}},
		{"Recurring capture", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.CaptureChargeWithResponse(ctx, "agr_5kSeqz", "chr_1", &recurring.CaptureChargeParams{IdempotencyKey: uuid.NewString()},
				recurring.CaptureChargeV3{Amount: 29900})
			return err
		}, nil},
		{"Recurring capture, negative", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.CaptureChargeWithResponse(ctx, "agr_5kSeqz", "chr_1", &recurring.CaptureChargeParams{IdempotencyKey: uuid.NewString()},
				recurring.CaptureChargeV3{Amount: -1})
			return err
		}, []string{"amount range"}},
		{"Recurring refund", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.RefundChargeWithResponse(ctx, "agr_5kSeqz", "chr_1", &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()},
				recurring.RefundChargeV3{Amount: 1000, Description: "Returned"})
			return err
		}, nil},
		{"Recurring refund, no description", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.RefundChargeWithResponse(ctx, "agr_5kSeqz", "chr_1", &recurring.RefundChargeParams{IdempotencyKey: uuid.NewString()},
				recurring.RefundChargeV3{Amount: 1000})
			return err
		}, []string{"description required"}},
		{"Recurring patch", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.UpdateAgreementWithResponse(ctx, "agr_5kSeqz", &recurring.UpdateAgreementParams{IdempotencyKey: uuid.NewString()},
				recurring.PatchAgreementV3{Status: "STOPPED"})
			return err
		}, nil},
		{"Recurring patch, reactivate, key with slash", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.UpdateAgreementWithResponse(ctx, "agr_5kSeqz", &recurring.UpdateAgreementParams{IdempotencyKey: "a/b"},
				recurring.PatchAgreementV3{Status: "ACTIVE", ProductDescription: strings.Repeat("d", 101)})
			return err
		}, []string{"Idempotency-Key characters", "productDescription length", "status enum"}},
		{"Recurring cancel charge, no key", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.rec.CancelChargeWithResponse(ctx, "agr_5kSeqz", "chr_1", &recurring.CancelChargeParams{})
			return err
		}, []string{"Idempotency-Key required"}},
		{"Management order product", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.mgm.OrderProductWithResponse(ctx, &management.OrderProductParams{IdempotencyKey: uuid.NewString()},
				management.ProductOrderRequest{BusinessIdentifier: management.BusinessIdentifier{Scheme: "business:NO:ORG", Id: "987654321"}, ProductType: "PAYMENT_INTEGRATION"})
			return err
		}, nil},
		{"Management order product, everything wrong", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.mgm.OrderProductWithResponse(ctx, &management.OrderProductParams{IdempotencyKey: "order_1"},
				management.ProductOrderRequest{BusinessIdentifier: management.BusinessIdentifier{Scheme: "NO", Id: "98x"}, SalesUnitName: strings.Repeat("n", 41)})
			return err
		}, []string{"Idempotency-Key pattern", "businessIdentifier.id pattern", "businessIdentifier.scheme length", "productType required", "salesUnitName length"}},
		{"Partner order product, no key", func(ctx context.Context, t *testing.T, c vippsClients) error {
			_, err := c.par.OrderProductWithResponse(ctx, &partner.OrderProductParams{},
				partner.ProductOrderRequest{Orgno: "987654321", ProductType: "VIPPS_PA_NETT"})
			return err
		}, []string{"Idempotency-Key required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, http.StatusOK)
			err := tc.call(t.Context(), t, newVippsClients(t, srv))
			if tc.want == nil {
				require.NoError(t, err)
				assert.EqualValues(t, 1, srv.take(), "a valid request is sent")
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, validate.ErrInvalid)
			assert.Equal(t, tc.want, problems(err), err.Error())
			assert.EqualValues(t, 0, srv.take(), "an invalid request never reaches the server")
			assert.True(t, strings.HasPrefix(err.Error(), "validate: Vipps "), err.Error())
		})
	}
}

// A body without GetBody is checked and still sent whole.
func TestVippsRequestBodyWithoutGetBody(t *testing.T) {
	srv := newCountingServer(t, http.StatusOK)
	c := newVippsClients(t, srv)
	const valid = `{"amount":{"currency":"NOK","value":49900},"paymentMethod":{"type":"WALLET"},"reference":"order-12345","userFlow":"QR"}`
	_, err := c.ep.CreatePaymentWithBodyWithResponse(t.Context(), createParams(), "application/json", &plainReader{strings.NewReader(valid)})
	require.NoError(t, err)
	assert.EqualValues(t, 1, srv.take())
	assert.JSONEq(t, valid, string(srv.body()))

	invalid := strings.Replace(valid, "49900", "0", 1)
	_, err = c.ep.CreatePaymentWithBodyWithResponse(t.Context(), createParams(), "application/json", &plainReader{strings.NewReader(invalid)})
	require.Error(t, err)
	assert.Equal(t, []string{"amount.value range"}, problems(err))
	assert.EqualValues(t, 0, srv.take())
}

// VippsDoer runs after the editors, so it sees the Merchant-Serial-Number an editor (or a
// partner's binding) set.
func TestVippsDoer(t *testing.T) {
	srv := newCountingServer(t, http.StatusOK)
	setMSN := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Merchant-Serial-Number", "12ab")
		return nil
	}
	c, err := epayment.NewClientWithResponses(srv.URL,
		epayment.WithHTTPClient(validate.VippsDoer(http.DefaultClient)),
		epayment.WithRequestEditorFn(setMSN))
	require.NoError(t, err)
	_, err = c.CreatePaymentWithResponse(t.Context(), &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString()}, validCreate(t))
	require.Error(t, err)
	assert.Equal(t, []string{"Merchant-Serial-Number characters"}, problems(err))
	assert.EqualValues(t, 0, srv.take())
}
