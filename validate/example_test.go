package validate_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/validate"
)

// A generated client with MoMoEditor refuses a negative amount before anything is sent:
// the server counts no request. The corrected request goes through.
func ExampleMoMoEditor() {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	client, err := collection.NewClientWithResponses(srv.URL+"/collection",
		collection.WithRequestEditorFn(validate.MoMoEditor()))
	if err != nil {
		panic(err)
	}
	pay := common.RequestToPay{
		Amount: "-5", Currency: "EUR", ExternalId: "order-17",
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: "46733123454"},
		PayerMessage: "Order 17", PayeeNote: "Order 17",
	}
	params := &collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: "sandbox"}

	_, err = client.RequestToPayWithResponse(context.Background(), params, pay)
	fmt.Println(err)
	fmt.Println("invalid:", errors.Is(err, validate.ErrInvalid))
	fmt.Println("requests sent:", hits.Load())

	pay.Amount = "5"
	res, err := client.RequestToPayWithResponse(context.Background(), params, pay)
	fmt.Println(res.StatusCode(), err)
	fmt.Println("requests sent:", hits.Load())
	// Output:
	// validate: MoMo collection RequestToPay: amount: format: want digits with an optional fraction ("12.50"): no sign, exponent or spaces, got "-5"
	// invalid: true
	// requests sent: 0
	// 202 <nil>
	// requests sent: 1
}

// The field checks work on their own, one value at a time.
func ExampleMoMoAmount() {
	fmt.Println(validate.MoMoAmount("amount", "12.50", "EUR"))
	fmt.Println(validate.MoMoAmount("amount", "12.50", "UGX"))
	fmt.Println(validate.MoMoAmount("amount", "0", "EUR"))
	// Output:
	// <nil>
	// amount: fraction: want a whole amount (UGX has no minor unit), got "12.50"
	// amount: range: want an amount greater than zero, got "0"
}

// Problems lists every field a request got wrong.
func ExampleProblems() {
	err := errors.Join(
		validate.IdempotencyKey(validate.Recurring, "charge#1"),
		validate.VippsAmount(validate.EPayment, "amount.value", 0),
		validate.EPaymentReference("reference", "abc"),
	)
	for _, p := range validate.Problems(err) {
		fmt.Printf("%s: %s\n", p.Field, p.Rule)
	}
	// Output:
	// Idempotency-Key: characters
	// amount.value: range
	// reference: pattern
}
