package callback_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/sandbox"
)

// MoMo delivers the same callback twice; the service sees it once, and both deliveries are
// acknowledged. The reference is the last segment of the callback URL.
func ExampleHandler() {
	h := callback.Handler(func(ctx context.Context, n callback.Notification) error {
		fmt.Println("handed on:", n.Reference, n.Status, n.Reason, n.Callback.ExternalId)
		return nil
	}, callback.WithOnDuplicate(func(ctx context.Context, n callback.Notification) {
		fmt.Println("repeat of:", n.Reference, n.Status)
	}))

	// The body MoMo sends: the status body without referenceId, reason as a bare code.
	body := `{"externalId":"order-17","amount":"100","currency":"EUR",` +
		`"payer":{"partyIdType":"MSISDN","partyId":"46733123451"},"status":"FAILED","reason":"APPROVAL_REJECTED"}`
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		r := httptest.NewRequest(method, "https://shop.example/momo/callback/0f8e4a52-6b1c-4d3e-9f7a-2b5c8d1e4f60", strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(method, w.Code)
	}
	// Output:
	// handed on: 0f8e4a52-6b1c-4d3e-9f7a-2b5c8d1e4f60 FAILED APPROVAL_REJECTED order-17
	// POST 200
	// repeat of: 0f8e4a52-6b1c-4d3e-9f7a-2b5c8d1e4f60 FAILED
	// PUT 200
}

// Callbacks are unsigned. With WithConfirm the Handler reads the status through the wired
// clients of momo.New and hands on what MoMo says, not what the callback claims. Here the
// payer rejected the payment, and a forged callback claims it succeeded.
func ExampleWithConfirm() {
	sb, err := sandbox.New(sandbox.WithMoMoDelay(0))
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	gateway := httptest.NewServer(sb)
	defer gateway.Close()
	creds := sb.Credentials().MoMo
	c, err := momo.New(momo.Config{BaseURL: gateway.URL, SubscriptionKeys: creds.SubscriptionKeys, APIUser: creds.APIUser})
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/momo/callback/{reference}", callback.Handler(func(ctx context.Context, n callback.Notification) error {
		fmt.Println("handed on:", n.Status, n.Reason, "confirmed:", n.Confirmed, "claimed:", n.Callback.Status)
		return nil
	}, callback.WithConfirm(callback.ConfirmRequestToPay(c.Collection, ""))))

	ref := momo.NewReferenceID()
	_, err = c.Collection.RequestToPayWithResponse(context.Background(), &collection.RequestToPayParams{XReferenceId: ref},
		common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17",
			Payer:        common.Party{PartyIdType: "MSISDN", PartyId: "46733123451"},
			PayerMessage: "Order 17", PayeeNote: "Order 17"})
	if err != nil {
		panic(err)
	}

	forged := `{"externalId":"order-17","status":"SUCCESSFUL","financialTransactionId":"123"}`
	r := httptest.NewRequest(http.MethodPost, "https://shop.example/momo/callback/"+ref.String(), strings.NewReader(forged))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println("answer:", w.Code)
	// Output:
	// handed on: FAILED APPROVAL_REJECTED confirmed: true claimed: SUCCESSFUL
	// answer: 200
}
