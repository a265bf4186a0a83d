package validate_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/validate"
)

// BenchmarkMoMoRequest is the cost of checking a request to pay as the wired client does on
// every call: route, headers, body. internal/bench sets it against a whole call.
func BenchmarkMoMoRequest(b *testing.B) {
	req, err := collection.NewRequestToPayRequest("http://gateway.test/collection",
		&collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: sandbox}, validPay())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := validate.MoMoRequest(req); err != nil {
			b.Fatal(err)
		}
	}
}
