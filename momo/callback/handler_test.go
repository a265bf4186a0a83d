package callback_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gencallback "github.com/paykit-go/paykit/gen/momo/callback"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/sandbox"
)

const ref = "3f8a1c9e-52b4-4d0e-9a7b-6c1d2e3f4a5b"

// The observed callback of a rejected request to pay: reason as a bare string.
const rejected = `{"externalId":"order-17","amount":"100","currency":"EUR","payer":{"partyIdType":"MSISDN","partyId":"46733123451"},` +
	`"payeeNote":"Order 17","status":"FAILED","reason":"APPROVAL_REJECTED"}`

func TestHandlerHandsOnPostAndPutWithEitherReason(t *testing.T) {
	tests := []struct {
		name, method, body, status, reason string
	}{
		{"POST, reason as string", http.MethodPost, rejected, "FAILED", "APPROVAL_REJECTED"},
		{"PUT, reason as string", http.MethodPut, rejected, "FAILED", "APPROVAL_REJECTED"},
		{"POST, reason as object", http.MethodPost,
			`{"status":"FAILED","reason":{"code":"PAYER_NOT_FOUND","message":"Payee does not exist"},"unknown":[1,2]}`, "FAILED", "PAYER_NOT_FOUND"},
		{"PUT, reason as object", http.MethodPut,
			`{"status":"FAILED","reason":{"code":"NOT_ENOUGH_FUNDS"}}`, "FAILED", "NOT_ENOUGH_FUNDS"},
		{"invoice, errorReason", http.MethodPost, `{"status":"FAILED","errorReason":"EXPIRED","invoiceId":"1308629355"}`, "FAILED", "EXPIRED"},
		{"success, amount as a number", http.MethodPost, `{"amount":100,"currency":"EUR","financialTransactionId":"600198217","status":"SUCCESSFUL"}`, "SUCCESSFUL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := callback.Handler(rec.handle)
			require.Equal(t, http.StatusOK, deliver(t, h, tt.method, "http://shop.example/momo/callback/"+ref, tt.body))
			got := rec.handled()
			require.Len(t, got, 1)
			n := got[0]
			assert.Equal(t, ref, n.Reference)
			assert.Equal(t, tt.status, n.Status)
			assert.Equal(t, tt.reason, n.Reason)
			assert.Equal(t, tt.method, n.Method)
			assert.Equal(t, tt.body, string(n.Raw))
			assert.False(t, n.Confirmed)
			assert.Equal(t, tt.status, n.Callback.Status)
		})
	}
}

func TestHandlerFindsTheReference(t *testing.T) {
	upper := strings.ToUpper(ref)
	tests := []struct {
		name    string
		pattern string // mux pattern; empty serves the handler directly
		target  string
		opts    []callback.Option
		want    string
	}{
		{"last segment UUID", "", "/momo/callback/" + ref, nil, ref},
		{"last segment UUID, trailing slash", "", "/momo/callback/" + ref + "/", nil, ref},
		{"upper-case UUID made canonical", "", "/cb/" + upper, nil, ref},
		{"last segment not a UUID", "", "/momo/callback/order-17", nil, ""},
		{"{reference} wildcard", "/orders/{reference}/momo", "/orders/" + ref + "/momo", nil, ref},
		{"{reference} wildcard, any text", "/orders/{reference}/momo", "/orders/order-17/momo", nil, "order-17"},
		{"WithReference from the query", "", "/momo/callback?ref=abc", []callback.Option{callback.WithReference(
			func(r *http.Request, _ gencallback.Callback) (string, bool) {
				v := r.URL.Query().Get("ref")
				return v, v != ""
			})}, "abc"},
		{"WithReference from externalId", "", "/momo/callback", []callback.Option{callback.WithReference(
			func(_ *http.Request, cb gencallback.Callback) (string, bool) {
				return cb.ExternalId, cb.ExternalId != ""
			})}, "order-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			var h http.Handler = callback.Handler(rec.handle, tt.opts...)
			if tt.pattern != "" {
				mux := http.NewServeMux()
				mux.Handle(tt.pattern, h)
				h = mux
			}
			require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example"+tt.target, rejected))
			require.Len(t, rec.handled(), 1)
			assert.Equal(t, tt.want, rec.handled()[0].Reference)
		})
	}
}

func TestHandlerRefusesWhatItCannotTake(t *testing.T) {
	tests := []struct {
		name   string
		method string
		body   string
		opts   []callback.Option
		want   int
	}{
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
		{"DELETE", http.MethodDelete, rejected, nil, http.StatusMethodNotAllowed},
		{"PATCH", http.MethodPatch, rejected, nil, http.StatusMethodNotAllowed},
		{"too large", http.MethodPost, rejected, []callback.Option{callback.WithMaxBodyBytes(32)}, http.StatusRequestEntityTooLarge},
		{"not JSON", http.MethodPost, "status=SUCCESSFUL", nil, http.StatusBadRequest},
		{"empty", http.MethodPost, "", nil, http.StatusBadRequest},
		{"JSON array", http.MethodPost, `[{"status":"SUCCESSFUL"}]`, nil, http.StatusBadRequest},
		{"JSON null", http.MethodPost, `null`, nil, http.StatusBadRequest},
		{"truncated", http.MethodPost, rejected[:40], nil, http.StatusBadRequest},
		{"reason a number", http.MethodPost, `{"status":"FAILED","reason":12}`, nil, http.StatusBadRequest},
		{"status an object", http.MethodPost, `{"status":{"x":1}}`, nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := callback.Handler(rec.handle, tt.opts...)
			r := httptest.NewRequest(tt.method, "http://shop.example/momo/callback/"+ref, strings.NewReader(tt.body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, tt.want, w.Code)
			if tt.want == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST, PUT", w.Header().Get("Allow"))
			}
			assert.Empty(t, rec.handled(), "nothing is handed on")
		})
	}
}

// MoMo delivers the same callback more than once, and may do so at the same moment: the
// service sees it once and every delivery is acknowledged.
func TestHandlerHandsOnConcurrentRepeatsOnce(t *testing.T) {
	var rec recorder
	h := callback.Handler(rec.handle, callback.WithOnDuplicate(rec.duplicate))
	const deliveries = 5
	codes := make([]int, deliveries)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range deliveries {
		wg.Go(func() {
			<-start
			codes[i] = deliver(t, h, http.MethodPost, "http://shop.example/momo/callback/"+ref, rejected)
		})
	}
	close(start)
	wg.Wait()
	for i, c := range codes {
		assert.Equal(t, http.StatusOK, c, "delivery %d", i)
	}
	assert.Len(t, rec.handled(), 1)
	assert.Equal(t, deliveries-1, rec.duplicates())

	// The same reference with another final status is another result, handed on too; a
	// status that is not final is never taken for a repeat.
	require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPut, "http://shop.example/momo/callback/"+ref, `{"status":"SUCCESSFUL"}`))
	require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback/"+ref, `{"status":"PENDING"}`))
	require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback/"+ref, `{"status":"PENDING"}`))
	assert.Len(t, rec.handled(), 4)
	assert.Equal(t, deliveries-1, rec.duplicates())
}

// A callback the service failed to take is answered 500 and not remembered, so that the
// redelivery is handed on; after that, repeats are not.
func TestHandlerFailureThenRedelivery(t *testing.T) {
	rec := recorder{fails: 1}
	h := callback.Handler(rec.handle, callback.WithOnDuplicate(rec.duplicate))
	target := "http://shop.example/momo/callback/" + ref
	assert.Equal(t, http.StatusInternalServerError, deliver(t, h, http.MethodPost, target, rejected))
	assert.Empty(t, rec.handled())
	assert.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, target, rejected))
	require.Len(t, rec.handled(), 1)
	assert.Equal(t, "APPROVAL_REJECTED", rec.handled()[0].Reason)
	assert.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, target, rejected))
	assert.Len(t, rec.handled(), 1)
	assert.Equal(t, 1, rec.duplicates())
}

// Without a reference the body itself tells repeats apart.
func TestHandlerWithoutReferenceDedupesOnTheBody(t *testing.T) {
	var rec recorder
	h := callback.Handler(rec.handle, callback.WithOnDuplicate(rec.duplicate))
	for range 3 {
		require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback", rejected))
	}
	require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback", strings.Replace(rejected, "order-17", "order-18", 1)))
	got := rec.handled()
	require.Len(t, got, 2)
	assert.Empty(t, got[0].Reference)
	assert.Equal(t, "order-17", got[0].Callback.ExternalId)
	assert.Equal(t, "order-18", got[1].Callback.ExternalId)
	assert.Equal(t, 2, rec.duplicates())
}

// failingStore is a Store whose lookups fail.
type failingStore struct{}

func (failingStore) Seen(context.Context, string) (bool, error) {
	return false, errors.New("store down")
}
func (failingStore) Remember(context.Context, string) error { return errors.New("store down") }

func TestHandlerStoreFailureAsksForRedelivery(t *testing.T) {
	var rec recorder
	h := callback.Handler(rec.handle, callback.WithStore(failingStore{}))
	assert.Equal(t, http.StatusServiceUnavailable, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback/"+ref, rejected))
	assert.Empty(t, rec.handled())
	// A status that is not final needs no lookup.
	assert.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, "http://shop.example/momo/callback/"+ref, `{"status":"PENDING"}`))
}

func TestHandlerSharesAStore(t *testing.T) {
	store := callback.NewMemoryStore(0)
	var a, b recorder
	ha := callback.Handler(a.handle, callback.WithStore(store))
	hb := callback.Handler(b.handle, callback.WithStore(store), callback.WithOnDuplicate(b.duplicate))
	require.Equal(t, http.StatusOK, deliver(t, ha, http.MethodPost, "http://a.example/cb/"+ref, rejected))
	require.Equal(t, http.StatusOK, deliver(t, hb, http.MethodPost, "http://b.example/cb/"+ref, rejected))
	assert.Len(t, a.handled(), 1)
	assert.Empty(t, b.handled())
	assert.Equal(t, 1, b.duplicates())
	assert.Equal(t, 1, store.Len())
}

func TestMemoryStoreForgetsTheOldest(t *testing.T) {
	ctx := context.Background()
	s := callback.NewMemoryStore(2)
	for _, k := range []string{"a", "b", "a", "c"} {
		require.NoError(t, s.Remember(ctx, k))
	}
	for k, want := range map[string]bool{"a": false, "b": true, "c": true, "d": false} {
		seen, err := s.Seen(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, want, seen, k)
	}
	assert.Equal(t, 2, s.Len())
}

// The status read wins over what the unsigned callback claims.
func TestHandlerConfirmOverridesTheCallback(t *testing.T) {
	msb := newMoMoSandbox(t, sandbox.WithMoMoDelay(0))
	confirm := callback.ConfirmRequestToPay(msb.c.Collection, "")
	tests := []struct {
		name, payer, claim, wantStatus, wantReason string
	}{
		{"claims SUCCESSFUL, was rejected", "46733123451", `{"status":"SUCCESSFUL","financialTransactionId":"1"}`, "FAILED", "APPROVAL_REJECTED"},
		{"claims FAILED, succeeded", "56733123453", rejected, "SUCCESSFUL", ""},
		{"tells the truth", "46733123450", `{"status":"FAILED","reason":"INTERNAL_PROCESSING_ERROR"}`, "FAILED", "INTERNAL_PROCESSING_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := callback.Handler(rec.handle, callback.WithConfirm(confirm), callback.WithOnDuplicate(rec.duplicate))
			id := requestToPay(t, msb.c, tt.payer, "")
			target := "http://shop.example/momo/callback/" + id.String()
			require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, target, tt.claim))
			got := rec.handled()
			require.Len(t, got, 1)
			assert.True(t, got[0].Confirmed)
			assert.Equal(t, tt.wantStatus, got[0].Status)
			assert.Equal(t, tt.wantReason, got[0].Reason)
			assert.Equal(t, tt.claim, string(got[0].Raw), "the body stays as sent")

			// The same lie again is a repeat of the confirmed result.
			require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, target, tt.claim))
			assert.Len(t, rec.handled(), 1)
			assert.Equal(t, 1, rec.duplicates())
		})
	}
}

func TestHandlerConfirmFailuresAskForRedelivery(t *testing.T) {
	msb := newMoMoSandbox(t, sandbox.WithMoMoDelay(0))
	confirm := callback.ConfirmRequestToPay(msb.c.Collection, "")
	stuck := requestToPay(t, msb.c, "46733123454", "") // stays CREATED

	tests := []struct {
		name    string
		confirm callback.Confirmer
		target  string
		body    string
		want    int
		handed  string // status handed on, if any
	}{
		{"confirm error", func(context.Context, string) (string, string, error) { return "", "", errors.New("gateway timeout") },
			"/cb/" + ref, rejected, http.StatusServiceUnavailable, ""},
		{"unknown reference (404)", confirm, "/cb/" + ref, rejected, http.StatusServiceUnavailable, ""},
		{"claims final, read still CREATED", confirm, "/cb/" + stuck.String(), `{"status":"SUCCESSFUL"}`, http.StatusServiceUnavailable, ""},
		{"claims PENDING, read CREATED", confirm, "/cb/" + stuck.String(), `{"status":"PENDING"}`, http.StatusOK, "CREATED"},
		{"no reference", confirm, "/cb/order-17", rejected, http.StatusBadRequest, ""},
		{"reference not a UUID", confirm, "/orders/order-17", rejected, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			mux := http.NewServeMux()
			mux.Handle("/cb/", callback.Handler(rec.handle, callback.WithConfirm(tt.confirm)))
			mux.Handle("/orders/{reference}", callback.Handler(rec.handle, callback.WithConfirm(tt.confirm)))
			assert.Equal(t, tt.want, deliver(t, mux, http.MethodPost, "http://shop.example"+tt.target, tt.body))
			if tt.handed == "" {
				assert.Empty(t, rec.handled())
				return
			}
			require.Len(t, rec.handled(), 1)
			assert.Equal(t, tt.handed, rec.handled()[0].Status)
			assert.True(t, rec.handled()[0].Confirmed)
		})
	}

	// Once the read shows the result, the redelivered callback goes through.
	var rec recorder
	h := callback.Handler(rec.handle, callback.WithConfirm(confirm))
	target := "http://shop.example/cb/" + stuck.String()
	require.Equal(t, http.StatusServiceUnavailable, deliver(t, h, http.MethodPost, target, `{"status":"SUCCESSFUL"}`))
	require.NoError(t, msb.sb.SettleMoMo("collection", "requesttopay", stuck.String(), true))
	require.Equal(t, http.StatusOK, deliver(t, h, http.MethodPost, target, `{"status":"SUCCESSFUL"}`))
	require.Len(t, rec.handled(), 1)
	assert.Equal(t, "SUCCESSFUL", rec.handled()[0].Status)
}

func TestConfirmersReadTheirOperation(t *testing.T) {
	msb := newMoMoSandbox(t, sandbox.WithMoMoDelay(0))
	ctx := context.Background()
	id := requestToPay(t, msb.c, "46733123452", "")
	status, reason, err := callback.ConfirmRequestToPay(msb.c.Collection, "sandbox")(ctx, id.String())
	require.NoError(t, err)
	assert.Equal(t, "FAILED", status)
	assert.Equal(t, "EXPIRED", reason)

	// The request to pay is no transfer: each confirmer reads its own operation.
	_, _, err = callback.ConfirmTransfer(msb.c.Disbursement, "")(ctx, id.String())
	require.ErrorIs(t, err, callback.ErrUnknownReference)
	_, _, err = callback.ConfirmTransfer(msb.c.Disbursement, "")(ctx, "order-17")
	require.ErrorIs(t, err, callback.ErrBadReference)

	// A wrong target environment is the gateway's 500, reported with its body.
	_, _, err = callback.ConfirmRequestToPay(msb.c.Collection, "mtnuganda")(ctx, id.String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 500")
	assert.Contains(t, err.Error(), "NOT_ALLOWED_TARGET_ENVIRONMENT")
}
