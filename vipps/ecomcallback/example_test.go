package ecomcallback_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/ecomcallback"
)

func ExampleHandler() {
	token := auth.Secret("s3cr3t-callback-token-0f9e8d") // merchantInfo.authToken on initiate
	h := ecomcallback.Handler(token, func(ctx context.Context, cb ecomcallback.Callback) error {
		fmt.Printf("order %s: %s reserved=%v failed=%v msn=%s amount=%d\n", cb.OrderID, cb.Status(),
			cb.Reserved(), cb.Failed(), cb.Body.MerchantSerialNumber, cb.Body.TransactionInfo.Amount)
		return nil
	})

	send := func(authorization, body string) {
		r := httptest.NewRequest(http.MethodPost, "https://shop.example.com/vipps/callback/v2/payments/order-42", strings.NewReader(body))
		r.Header.Set("Authorization", authorization)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Regular payment: the MSN arrives as a number.
	send("s3cr3t-callback-token-0f9e8d", `{"merchantSerialNumber":123456,"orderId":"order-42",`+
		`"transactionInfo":{"amount":49900,"status":"RESERVED","timeStamp":"2025-01-14T09:30:00.000Z","transactionId":"5001420062"}}`)
	// Express payment: RESERVE means reserved too.
	send("s3cr3t-callback-token-0f9e8d", `{"merchantSerialNumber":"123456","orderId":"order-42",`+
		`"transactionInfo":{"amount":49900,"status":"RESERVE","timeStamp":"2025-01-14T09:30:00.000Z"}}`)
	// The token is sent raw; a Bearer prefix is not what Vipps sends.
	send("Bearer s3cr3t-callback-token-0f9e8d", `{}`)
	// Output:
	// order order-42: RESERVED reserved=true failed=false msn=123456 amount=49900
	// 200
	// order order-42: RESERVE reserved=true failed=false msn=123456 amount=49900
	// 200
	// 401
}

func ExampleCheckToken() {
	token := auth.Secret("s3cr3t-callback-token-0f9e8d")
	r := httptest.NewRequest(http.MethodPost, "/vipps/callback/v2/payments/order-42/shippingDetails", nil)
	r.Header.Set("Authorization", "wrong")
	fmt.Println(ecomcallback.CheckToken(r, token))
	r.Header.Set("Authorization", "s3cr3t-callback-token-0f9e8d")
	fmt.Println(ecomcallback.CheckToken(r, token))
	// Output:
	// ecomcallback: Authorization does not carry the configured authToken
	// <nil>
}
