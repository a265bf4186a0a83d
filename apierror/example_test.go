package apierror_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/apierror"
	"github.com/paykit-go/paykit/gen/momo/collection"
)

// ExampleCheck turns MoMo's answer to a repeated reference id into an error to branch on.
func ExampleCheck() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`)
	}))
	defer srv.Close()
	c, err := collection.NewClientWithResponses(srv.URL)
	if err != nil {
		panic(err)
	}

	_, err = apierror.Check(c.RequestToPayWithResponse(context.Background(),
		&collection.RequestToPayParams{XReferenceId: uuid.New(), XTargetEnvironment: "sandbox"},
		collection.RequestToPayJSONRequestBody{Amount: "100", Currency: "EUR", ExternalId: "order-17"}))

	var apiErr *apierror.Error
	if errors.As(err, &apiErr) && apiErr.Code == apierror.MoMoResourceAlreadyExist {
		fmt.Println("already sent; poll its status")
	}
	fmt.Println(errors.Is(err, apierror.ErrConflict), err)
	// Output:
	// already sent; poll its status
	// true HTTP 409 RESOURCE_ALREADY_EXIST: Duplicated reference id. Creation of resource failed.
}

// ExampleDecode reads an ePayment problem; the error code travels in extraDetails.
func ExampleDecode() {
	body := []byte(`{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems","title":"Bad Request",
		"detail":"Cannot capture before the payment is reserved","status":400,"traceId":"t-1",
		"extraDetails":[{"name":"ErrorCode","reason":"6080"}]}`)
	e := apierror.Decode(http.StatusBadRequest, http.Header{"Content-Type": {"application/problem+json"}}, body)
	fmt.Println(e.Code == apierror.EPaymentCaptureBeforeReservation, e.Problem.TraceID, e.Temporary())
	fmt.Println(e)
	// Output:
	// true t-1 false
	// HTTP 400 6080: Cannot capture before the payment is reserved
}
