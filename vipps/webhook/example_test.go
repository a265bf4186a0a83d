package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// The official Vipps test vector: the secret is used as text, never base64-decoded.
func ExampleVerifier_Verify() {
	const body = `{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}`
	r := httptest.NewRequest(http.MethodPost, "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63", strings.NewReader(body))
	r.Header.Set("x-ms-date", "Thu, 30 Mar 2023 08:38:32 GMT")
	r.Header.Set("x-ms-content-sha256", "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=")
	r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=")

	v := webhook.Verifier{
		Secret: auth.Secret("A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="),
		URL:    "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
	}
	fmt.Println("genuine:", v.Verify(r, []byte(body)))

	err := v.Verify(r, []byte(strings.Replace(body, "hello", "HELLO", 1)))
	fmt.Println("tampered:", errors.Is(err, webhook.ErrContentHash), err)

	v.Secret = ""
	fmt.Println("no secret:", v.Verify(r, []byte(body)))
	// Output:
	// genuine: <nil>
	// tampered: true webhook: content hash mismatch: x-ms-content-sha256 does not match the body (74 bytes)
	// no secret: webhook: no secret configured
}

func ExampleSign() {
	date := time.Date(2023, 3, 30, 8, 38, 32, 0, time.UTC)
	h, err := webhook.Sign(
		auth.Secret("A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="),
		"https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
		date,
		[]byte(`{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}`),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Get("x-ms-date"))
	fmt.Println(h.Get("x-ms-content-sha256"))
	fmt.Println(h.Get("Authorization"))
	// Output:
	// Thu, 30 Mar 2023 08:38:32 GMT
	// lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=
	// HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=
}

func ExampleHandler() {
	secret := auth.Secret("090a478d-37ff-4e77-970e-d457aeb26a3a")
	const registered = "https://shop.example.com/vipps/webhooks"

	h := webhook.Handler(webhook.Verifier{Secret: secret, URL: registered}, func(ctx context.Context, ev webhook.Event) error {
		amount, _ := ev.Payload.Amount.AsAmount()
		fmt.Println(ev.Kind(), ev.Payload.Name, ev.Payload.Reference, amount.Value, amount.Currency)
		return nil
	})

	// What Vipps sends; a proxy in front may change the Host, the registered URL still counts.
	body := []byte(`{"msn":"123456","reference":"order-42","pspReference":"7686f7788898767977","name":"CAPTURED",` +
		`"amount":{"currency":"NOK","value":49900},"timestamp":"2025-01-14T09:30:00Z","success":true}`)
	headers, _ := webhook.Sign(secret, registered, time.Now(), body)
	r := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080/vipps/webhooks", strings.NewReader(string(body)))
	for k, vs := range headers {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)

	// The same body with a forged amount never reaches the func.
	r = httptest.NewRequest(http.MethodPost, registered, strings.NewReader(strings.Replace(string(body), "49900", "100", 1)))
	for k, vs := range headers {
		r.Header[k] = vs
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// epayment CAPTURED order-42 49900 NOK
	// 200
	// 401
}
