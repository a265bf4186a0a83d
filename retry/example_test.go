package retry_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paykit-go/paykit/retry"
)

// A create carrying its idempotency key is sent again after a 503, with the same key and body.
func ExampleNew() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	doer := retry.New(srv.Client(), retry.Policy{
		InitialBackoff: time.Millisecond,
		Observe: func(a retry.Attempt) {
			fmt.Printf("attempt %d: HTTP %d, retry %v (%s)\n", a.Number, a.StatusCode, a.Retry, a.Reason)
		},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/collection/v1_0/requesttopay", strings.NewReader(`{"amount":"100"}`))
	req.Header.Set("X-Reference-Id", "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61")
	resp, err := doer.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	fmt.Println(resp.Status, "already accepted:", retry.AlreadyAccepted(resp))
	// Output:
	// attempt 1: HTTP 503, retry true (retryable status)
	// attempt 2: HTTP 202, retry false (final status)
	// 202 Accepted already accepted: false
}

// A MoMo create whose first answer was lost: the retry meets 409 RESOURCE_ALREADY_EXIST, which
// means the first attempt got through, and the caller sees an acceptance.
func ExampleAlreadyAccepted() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusGatewayTimeout) // MoMo took it; the answer was lost
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`))
	}))
	defer srv.Close()

	doer := retry.New(srv.Client(), retry.Policy{InitialBackoff: time.Millisecond})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/collection/v1_0/requesttopay", strings.NewReader(`{"amount":"100"}`))
	req.Header.Set("X-Reference-Id", "3f1c2a9e-6d1b-4c55-9b8e-2a7d0c4e5f61")
	resp, err := doer.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, retry.AlreadyAccepted(resp))
	// Output:
	// 202 true
}
