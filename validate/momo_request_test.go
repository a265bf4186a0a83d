package validate_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/validate"
)

// momoClients are generated MoMo clients that validate with MoMoEditor, pointed at one
// counting server.
type momoClients struct {
	prov *provisioning.ClientWithResponses
	col  *collection.ClientWithResponses
	dis  *disbursement.ClientWithResponses
	rem  *remittance.ClientWithResponses
}

// provision creates a sandbox API user.
func (c momoClients) provision(ctx context.Context, id uuid.UUID, host string) error {
	_, err := c.prov.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: id}, provisioning.ApiUser{ProviderCallbackHost: host})
	return err
}

func newMoMoClients(t *testing.T, srv *countingServer) momoClients {
	t.Helper()
	prov, err := provisioning.NewClientWithResponses(srv.URL, provisioning.WithRequestEditorFn(validate.MoMoEditor()))
	require.NoError(t, err)
	col, err := collection.NewClientWithResponses(srv.URL+"/collection", collection.WithRequestEditorFn(validate.MoMoEditor()))
	require.NoError(t, err)
	dis, err := disbursement.NewClientWithResponses(srv.URL+"/disbursement", disbursement.WithRequestEditorFn(validate.MoMoEditor()))
	require.NoError(t, err)
	rem, err := remittance.NewClientWithResponses(srv.URL+"/remittance", remittance.WithRequestEditorFn(validate.MoMoEditor()))
	require.NoError(t, err)
	return momoClients{prov: prov, col: col, dis: dis, rem: rem}
}

const sandbox = "sandbox"

func msisdn(n string) common.Party { return common.Party{PartyIdType: "MSISDN", PartyId: n} }

func validPay() common.RequestToPay {
	return common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17",
		Payer: msisdn("46733123454"), PayerMessage: "Order 17", PayeeNote: "Order 17"}
}

func validTransfer() common.Transfer {
	return common.Transfer{Amount: "50", Currency: "EUR", ExternalId: "payout-3",
		Payee: msisdn("56733123453"), PayerMessage: "Payout 3", PayeeNote: "Payout 3"}
}

func payParams() *collection.RequestToPayParams {
	return &collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}
}

func ptr[T any](v T) *T { return &v }

// TestMoMoRequestThroughClients sends every checked MoMo operation through its generated
// client with MoMoEditor: a valid request reaches the server once, an invalid one never,
// and its error names every field and rule broken.
func TestMoMoRequestThroughClients(t *testing.T) {
	v1, err := uuid.NewUUID()
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c momoClients) error
		want []string // problems as "field rule"; nil means valid
	}{
		{"request to pay", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithResponse(ctx, payParams(), validPay())
			return err
		}, nil},
		{"request to pay, everything wrong", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithResponse(ctx, payParams(), common.RequestToPay{
				Amount: "-5", Currency: "GHS", Payer: msisdn("+4673"), PayerMessage: "it's", PayeeNote: ""})
			return err
		}, []string{"amount format", "currency currency", "payeeNote required", "payer.partyId characters", "payerMessage characters"}},
		{"request to pay, nil reference id", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: uuid.Nil, XTargetEnvironment: sandbox}, validPay())
			return err
		}, []string{"X-Reference-Id version"}},
		{"request to pay, version 1 reference id", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: v1, XTargetEnvironment: sandbox}, validPay())
			return err
		}, []string{"X-Reference-Id version"}},
		{"request to pay, empty callback URL", func(ctx context.Context, c momoClients) error {
			p := payParams()
			p.XCallbackUrl = ptr("")
			_, err := c.col.RequestToPayWithResponse(ctx, p, validPay())
			return err
		}, []string{"X-Callback-Url required"}},
		{"request to pay with a callback URL", func(ctx context.Context, c momoClients) error {
			p := payParams()
			p.XCallbackUrl = ptr("https://shop.example/momo/callback")
			_, err := c.col.RequestToPayWithResponse(ctx, p, validPay())
			return err
		}, nil},
		{"request to pay in Uganda", func(ctx context.Context, c momoClients) error {
			body := validPay()
			body.Amount, body.Currency = "1000", "UGX"
			_, err := c.col.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: "mtnuganda"}, body)
			return err
		}, nil},
		{"request to pay in Uganda with cents", func(ctx context.Context, c momoClients) error {
			body := validPay()
			body.Amount, body.Currency = "1000.50", "UGX"
			_, err := c.col.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: "mtnuganda"}, body)
			return err
		}, []string{"amount fraction"}},
		{"request to pay, amount as a JSON number", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithBodyWithResponse(ctx, payParams(), "application/json", strings.NewReader(
				`{"amount":100,"currency":"EUR","payer":{"partyIdType":"MSISDN","partyId":"46733123454"},"payerMessage":"a","payeeNote":"b"}`))
			return err
		}, []string{"amount type"}},
		{"request to pay, body not JSON", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithBodyWithResponse(ctx, payParams(), "application/json", strings.NewReader("amount=100"))
			return err
		}, []string{"body format"}},
		{"request to pay, no body", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayWithBodyWithResponse(ctx, payParams(), "application/json", strings.NewReader(""))
			return err
		}, []string{"body required"}},
		{"withdraw v1, exponent", func(ctx context.Context, c momoClients) error {
			body := validPay()
			body.Amount = "1e3"
			_, err := c.col.RequestToWithdrawV1WithResponse(ctx, &collection.RequestToWithdrawV1Params{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, body)
			return err
		}, []string{"amount format"}},
		{"withdraw v2", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToWithdrawV2WithResponse(ctx, &collection.RequestToWithdrawV2Params{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, validPay())
			return err
		}, nil},
		{"delivery notification", func(ctx context.Context, c momoClients) error {
			msg := "Your order has shipped"
			_, err := c.col.RequestToPayDeliveryNotificationWithResponse(ctx, uuid.New(),
				&collection.RequestToPayDeliveryNotificationParams{XTargetEnvironment: sandbox, NotificationMessage: &msg, Language: ptr("en")},
				common.DeliveryNotification{NotificationMessage: msg})
			return err
		}, nil},
		{"delivery notification, too long, bad language", func(ctx context.Context, c momoClients) error {
			msg := strings.Repeat("x", 161)
			_, err := c.col.RequestToPayDeliveryNotificationWithResponse(ctx, uuid.New(),
				&collection.RequestToPayDeliveryNotificationParams{XTargetEnvironment: sandbox, NotificationMessage: &msg, Language: ptr("EN")},
				common.DeliveryNotification{NotificationMessage: "Shipped"})
			return err
		}, []string{"Language format", "notificationMessage length"}},
		{"delivery notification, no message", func(ctx context.Context, c momoClients) error {
			_, err := c.col.RequestToPayDeliveryNotificationWithResponse(ctx, uuid.New(),
				&collection.RequestToPayDeliveryNotificationParams{XTargetEnvironment: sandbox}, common.DeliveryNotification{})
			return err
		}, []string{"notificationMessage required"}},
		{"invoice", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.CreateInvoice{Amount: "700", Currency: "EUR", ExternalId: "inv-1", ValidityDuration: "360",
					IntendedPayer: msisdn("46733123454"), Payee: msisdn("56733123453"), Description: "Invoice 1"})
			return err
		}, nil},
		{"invoice, everything wrong", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.CreateInvoice{Amount: "700", Currency: "EUR", ValidityDuration: "1h",
					Payee: msisdn("56733123453"), Description: "Tea & cake"})
			return err
		}, []string{"description characters", "intendedPayer.partyId required", "intendedPayer.partyIdType required", "validityDuration format"}},
		{"cancel invoice", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CancelInvoiceWithResponse(ctx, uuid.New(), &collection.CancelInvoiceParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.CancelInvoice{ExternalId: "inv-1"})
			return err
		}, nil},
		{"cancel invoice, version 1 reference id", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CancelInvoiceWithResponse(ctx, uuid.New(), &collection.CancelInvoiceParams{XReferenceId: v1, XTargetEnvironment: sandbox},
				collection.CancelInvoice{ExternalId: "inv-1"})
			return err
		}, []string{"X-Reference-Id version"}},
		{"payment", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CreatePaymentsWithResponse(ctx, &collection.CreatePaymentsParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.CreatePayments{Money: common.Money{Amount: "25", Currency: "EUR"}, ExternalTransactionId: "p-1",
					CustomerReference: "c-1", ServiceProviderUserName: "shop", ReceiverMessage: "Thanks", SenderNote: "Bill 1", MaxNumberOfRetries: 2})
			return err
		}, nil},
		{"payment, zero amount and negative retries", func(ctx context.Context, c momoClients) error {
			_, err := c.col.CreatePaymentsWithResponse(ctx, &collection.CreatePaymentsParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.CreatePayments{Money: common.Money{Amount: "0", Currency: "EUR"}, MaxNumberOfRetries: -1})
			return err
		}, []string{"maxNumberOfRetries range", "money.amount range"}},
		{"pre-approval", func(ctx context.Context, c momoClients) error {
			_, err := c.col.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.PreApproval{Payer: msisdn("46733123454"), PayerCurrency: "EUR", PayerMessage: "Monthly", ValidityTime: 3600})
			return err
		}, nil},
		{"pre-approval, everything wrong", func(ctx context.Context, c momoClients) error {
			_, err := c.col.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				collection.PreApproval{Payer: msisdn("46733123454"), PayerCurrency: "eur", ValidityTime: -1})
			return err
		}, []string{"payerCurrency format", "payerMessage required", "validityTime range"}},
		{"balance in a currency", func(ctx context.Context, c momoClients) error {
			_, err := c.col.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &collection.GetAccountBalanceInSpecificCurrencyParams{XTargetEnvironment: sandbox})
			return err
		}, nil},
		{"balance in a currency, not a code", func(ctx context.Context, c momoClients) error {
			_, err := c.col.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EURO", &collection.GetAccountBalanceInSpecificCurrencyParams{XTargetEnvironment: sandbox})
			return err
		}, []string{"currency format"}},
		{"create API user", func(ctx context.Context, c momoClients) error {
			return c.provision(ctx, uuid.New(), "shop.example")
		}, nil},
		{"create API user, URL for a host, nil id", func(ctx context.Context, c momoClients) error {
			return c.provision(ctx, uuid.Nil, "https://shop.example/cb")
		}, []string{"X-Reference-Id version", "providerCallbackHost format"}},
		{"status, not checked", func(ctx context.Context, c momoClients) error {
			_, err := c.col.GetRequestToPayStatusWithResponse(ctx, uuid.New(), &collection.GetRequestToPayStatusParams{XTargetEnvironment: sandbox})
			return err
		}, nil},
		{"disbursement transfer", func(ctx context.Context, c momoClients) error {
			_, err := c.dis.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, validTransfer())
			return err
		}, nil},
		{"disbursement transfer, short MSISDN", func(ctx context.Context, c momoClients) error {
			body := validTransfer()
			body.Payee = msisdn("4673312")
			_, err := c.dis.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, body)
			return err
		}, []string{"payee.partyId length"}},
		{"deposit v1, GHS in sandbox", func(ctx context.Context, c momoClients) error {
			body := validTransfer()
			body.Currency = "GHS"
			_, err := c.dis.DepositV1WithResponse(ctx, &disbursement.DepositV1Params{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, body)
			return err
		}, []string{"currency currency"}},
		{"deposit v2, GHS in Ghana", func(ctx context.Context, c momoClients) error {
			body := validTransfer()
			body.Amount, body.Currency = "10.50", "GHS"
			_, err := c.dis.DepositV2WithResponse(ctx, &disbursement.DepositV2Params{XReferenceId: uuid.New(), XTargetEnvironment: "mtnghana"}, body)
			return err
		}, nil},
		{"refund v1", func(ctx context.Context, c momoClients) error {
			_, err := c.dis.RefundV1WithResponse(ctx, &disbursement.RefundV1Params{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				common.Refund{Amount: "100", Currency: "EUR", ExternalId: "r-1", ReferenceIdToRefund: uuid.New(), PayerMessage: "Refund", PayeeNote: "Refund"})
			return err
		}, nil},
		{"refund v2, bad reference to refund", func(ctx context.Context, c momoClients) error {
			_, err := c.dis.RefundV2WithBodyWithResponse(ctx, &disbursement.RefundV2Params{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, "application/json",
				strings.NewReader(`{"amount":"100","currency":"EUR","externalId":"r-1","referenceIdToRefund":"abc","payerMessage":"Refund","payeeNote":"Refund"}`))
			return err
		}, []string{"referenceIdToRefund format"}},
		{"remittance transfer", func(ctx context.Context, c momoClients) error {
			_, err := c.rem.TransferWithResponse(ctx, &remittance.TransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, validTransfer())
			return err
		}, nil},
		{"cash transfer", func(ctx context.Context, c momoClients) error {
			_, err := c.rem.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				remittance.CashTransfer{Amount: "100", Currency: "EUR", ExternalId: "ct-1", Payee: msisdn("56733123453"),
					PayerMessage: "Gift", PayeeNote: "Gift", OriginalAmount: "6000", OriginalCurrency: "XOF",
					OriginatingCountry: "SN", PayerMsisdn: "221771234567", PayerLanguageCode: "fr"})
			return err
		}, nil},
		{"cash transfer, everything wrong", func(ctx context.Context, c momoClients) error {
			_, err := c.rem.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox},
				remittance.CashTransfer{Amount: "100", Currency: "EUR", Payee: msisdn("56733123453"),
					PayerMessage: "Gift", PayeeNote: "Gift", OriginalAmount: "10.5", OriginalCurrency: "XOF",
					OriginatingCountry: "som", PayerMsisdn: "abc", PayerLanguageCode: "EN"})
			return err
		}, []string{"originalAmount fraction", "originatingCountry format", "payerLanguageCode format", "payerMsisdn characters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, http.StatusAccepted)
			err := tc.call(t.Context(), newMoMoClients(t, srv))
			if tc.want == nil {
				require.NoError(t, err)
				assert.EqualValues(t, 1, srv.take(), "a valid request is sent")
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, validate.ErrInvalid)
			assert.Equal(t, tc.want, problems(err), err.Error())
			assert.EqualValues(t, 0, srv.take(), "an invalid request never reaches the server")
			assert.True(t, strings.HasPrefix(err.Error(), "validate: MoMo "), err.Error())
		})
	}
}

// The error names the product and the operation.
func TestMoMoRequestNamesOperation(t *testing.T) {
	srv := newCountingServer(t, http.StatusAccepted)
	c := newMoMoClients(t, srv)
	body := validTransfer()
	body.Amount = "0"
	_, err := c.dis.TransferWithResponse(t.Context(), &disbursement.TransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, body)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "validate: MoMo disbursement Transfer: amount: range")
	_, err = c.rem.TransferWithResponse(t.Context(), &remittance.TransferParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, body)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "validate: MoMo remittance Transfer")
}

// A body the request cannot give again (a plain io.Reader: no GetBody) is still checked,
// and the request still sends it whole.
func TestMoMoRequestBodyWithoutGetBody(t *testing.T) {
	srv := newCountingServer(t, http.StatusAccepted)
	c := newMoMoClients(t, srv)

	valid, err := json.Marshal(validPay())
	require.NoError(t, err)
	_, err = c.col.RequestToPayWithBodyWithResponse(t.Context(), payParams(), "application/json", &plainReader{strings.NewReader(string(valid))})
	require.NoError(t, err)
	assert.EqualValues(t, 1, srv.take())
	assert.JSONEq(t, string(valid), string(srv.body()), "the server gets the body the caller gave")

	invalid := validPay()
	invalid.Amount = "-5"
	raw, err := json.Marshal(invalid)
	require.NoError(t, err)
	_, err = c.col.RequestToPayWithBodyWithResponse(t.Context(), payParams(), "application/json", &plainReader{strings.NewReader(string(raw))})
	require.Error(t, err)
	assert.Equal(t, []string{"amount format"}, problems(err))
	assert.EqualValues(t, 0, srv.take())
}

// Checking a request directly leaves its body for the send, whichever way it was built.
func TestMoMoRequestLeavesBody(t *testing.T) {
	raw, err := json.Marshal(validPay())
	require.NoError(t, err)
	for name, body := range map[string]func() io.Reader{
		"strings.Reader (GetBody)":  func() io.Reader { return strings.NewReader(string(raw)) },
		"plain reader (no GetBody)": func() io.Reader { return &plainReader{strings.NewReader(string(raw))} },
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "https://gateway.example/collection/v1_0/requesttopay", body())
			require.NoError(t, err)
			req.Header.Set("X-Reference-Id", uuid.NewString())
			req.Header.Set("X-Target-Environment", sandbox)
			require.NoError(t, validate.MoMoRequest(req))
			require.NoError(t, validate.MoMoRequest(req), "a second check sees the body again")
			require.NotNil(t, req.GetBody)
			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, string(raw), string(got))
			assert.EqualValues(t, len(raw), req.ContentLength)
		})
	}
}

// A body that cannot be read fails the request before it is sent, with the read error
// rather than a validation problem.
func TestMoMoRequestUnreadableBody(t *testing.T) {
	srv := newCountingServer(t, http.StatusAccepted)
	c := newMoMoClients(t, srv)
	_, err := c.col.RequestToPayWithBodyWithResponse(t.Context(), payParams(), "application/json",
		io.MultiReader(strings.NewReader(`{"amount":`), &plainReader{failingReader{}}))
	require.Error(t, err)
	assert.ErrorIs(t, err, errDisk)
	assert.NotErrorIs(t, err, validate.ErrInvalid)
	assert.Contains(t, err.Error(), "read request body")
	assert.EqualValues(t, 0, srv.take())
}

var errDisk = errors.New("disk on fire")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDisk }

// MoMoDoer checks after every editor: here the editor sets X-Target-Environment to the
// sandbox, which makes GHS invalid.
func TestMoMoDoer(t *testing.T) {
	srv := newCountingServer(t, http.StatusAccepted)
	env := func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-Target-Environment", sandbox)
		return nil
	}
	c, err := collection.NewClientWithResponses(srv.URL+"/collection",
		collection.WithHTTPClient(validate.MoMoDoer(http.DefaultClient)),
		collection.WithRequestEditorFn(env))
	require.NoError(t, err)

	body := validPay()
	body.Currency = "GHS"
	_, err = c.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: uuid.New()}, body)
	require.Error(t, err)
	assert.Equal(t, []string{"currency currency"}, problems(err))
	assert.EqualValues(t, 0, srv.take())

	_, err = c.RequestToPayWithResponse(t.Context(), &collection.RequestToPayParams{XReferenceId: uuid.New()}, validPay())
	require.NoError(t, err)
	assert.EqualValues(t, 1, srv.take())
}
