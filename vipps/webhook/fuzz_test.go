package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// FuzzVerify signs body, then checks that Verify accepts exactly the signed delivery: never
// a different body under the same headers, and never a delivery whose x-ms-date or
// Authorization header was replaced, unless the replacement is byte-for-byte the original.
// It must never panic, whatever the inputs.
func FuzzVerify(f *testing.F) {
	vec := loadVectors(f)[0]
	f.Add([]byte(vec.Body), []byte(vec.Body+" "), vec.Date, vec.Authorization)
	f.Add([]byte{}, []byte("{}"), "Mon, 02 Jan 2006 15:04:05 GMT", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=")
	f.Add([]byte(`{"name":"AUTHORIZED"}`), []byte(`{"name":"AUTHORIZED"}`), "", "Bearer x")

	const registered = "https://shop.example.com:8443/vipps/webhooks?tenant=acme"
	secret := auth.Secret("090a478d-37ff-4e77-970e-d457aeb26a3a")
	signedAt := time.Date(2025, 1, 14, 9, 30, 0, 0, time.UTC)
	v := webhook.Verifier{Secret: secret, URL: registered}

	f.Fuzz(func(t *testing.T, body, other []byte, date, authz string) {
		h, err := webhook.Sign(secret, registered, signedAt, body)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		request := func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "http://receiver.internal/hook", bytes.NewReader(body))
			for k, vs := range h {
				r.Header[k] = vs
			}
			return r
		}

		if err := v.Verify(request(), body); err != nil {
			t.Fatalf("the signed delivery is rejected: %v", err)
		}
		if !bytes.Equal(other, body) {
			err := v.Verify(request(), other)
			if err == nil {
				t.Fatalf("a mutated body is accepted: %q instead of %q", other, body)
			}
			if !errors.Is(err, webhook.ErrContentHash) {
				t.Fatalf("a mutated body gives %v, want ErrContentHash", err)
			}
		}

		r := request()
		r.Header.Set("x-ms-date", date)
		if err := v.Verify(r, body); err == nil && date != h.Get("x-ms-date") {
			t.Fatalf("a replaced x-ms-date %q is accepted", date)
		}
		r = request()
		r.Header.Set("Authorization", authz)
		if err := v.Verify(r, body); err == nil && authz != h.Get("Authorization") {
			t.Fatalf("a replaced Authorization %q is accepted", authz)
		}
		r = request()
		r.Header.Set("x-ms-date", date)
		r.Header.Set("Authorization", authz)
		_ = v.Verify(r, other) // must not panic
	})
}
