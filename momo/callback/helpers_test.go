package callback_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/sandbox"
)

// recorder is a handle func that keeps what it was given and can be told to fail.
type recorder struct {
	mu    sync.Mutex
	got   []callback.Notification
	dups  []callback.Notification
	fails int // how many of the next calls fail
}

func (r *recorder) handle(_ context.Context, n callback.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fails > 0 {
		r.fails--
		return errTest
	}
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) duplicate(_ context.Context, n callback.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dups = append(r.dups, n)
}

func (r *recorder) handled() []callback.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]callback.Notification(nil), r.got...)
}

func (r *recorder) duplicates() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.dups)
}

type testError string

func (e testError) Error() string { return string(e) }

const errTest = testError("the service is down")

// deliver sends one callback to h the way MoMo does and returns the answer's status.
func deliver(t *testing.T, h http.Handler, method, target, body string) int {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Set("User-Agent", "LWAC Http Client 1.0")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// momoSandbox is a running sandbox with wired clients for its ready API user.
type momoSandbox struct {
	sb  *sandbox.Sandbox
	url string
	c   *momo.Clients
}

func newMoMoSandbox(t *testing.T, opts ...sandbox.Option) *momoSandbox {
	t.Helper()
	sb, err := sandbox.New(opts...)
	require.NoError(t, err)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	creds := sb.Credentials().MoMo
	c, err := momo.New(momo.Config{BaseURL: srv.URL, SubscriptionKeys: creds.SubscriptionKeys, APIUser: creds.APIUser})
	require.NoError(t, err)
	return &momoSandbox{sb: sb, url: srv.URL, c: c}
}

// requestToPay asks payer for 100 EUR under a new reference, with a callback URL when cb is
// not empty.
func requestToPay(t *testing.T, c *momo.Clients, payer, cb string) uuid.UUID {
	t.Helper()
	ref := momo.NewReferenceID()
	requestToPayAs(t, c, ref, payer, cb)
	return ref
}

// requestToPayAs is requestToPay under the reference ref.
func requestToPayAs(t *testing.T, c *momo.Clients, ref uuid.UUID, payer, cb string) {
	t.Helper()
	params := &collection.RequestToPayParams{XReferenceId: ref}
	if cb != "" {
		params.XCallbackUrl = &cb
	}
	res, err := c.Collection.RequestToPayWithResponse(context.Background(), params, common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "order-17",
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
		PayerMessage: "Order 17", PayeeNote: "Order 17",
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode(), string(res.Body))
}

// eventually waits up to 10 s for cond, checking often; the bound is generous on purpose.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond, msg)
}
