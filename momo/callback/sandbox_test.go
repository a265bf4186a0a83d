package callback_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/momo/callback"
	"github.com/paykit-go/paykit/sandbox"
)

// End to end: an API user provisioned with the receiver's host asks for payments with an
// X-Callback-Url naming the reference; the sandbox delivers every callback twice, and the
// service sees each result exactly once, confirmed.
func TestSandboxCallbacksReachTheServiceOnce(t *testing.T) {
	sb, err := sandbox.New(sandbox.WithMoMoDelay(20*time.Millisecond), sandbox.WithFaults(sandbox.Faults{DuplicateCallbacks: true}))
	require.NoError(t, err)
	gateway := httptest.NewServer(sb)
	t.Cleanup(func() {
		gateway.Close()
		sb.Close()
	})
	ctx := context.Background()
	keys := sb.Credentials().MoMo.SubscriptionKeys

	// The receiver listens on 127.0.0.1, which is the API user's providerCallbackHost.
	var rec recorder
	var c *momo.Clients // set below, before any payment
	mux := http.NewServeMux()
	mux.Handle("/momo/callback/{reference}", callback.Handler(rec.handle,
		callback.WithConfirm(func(ctx context.Context, reference string) (string, string, error) {
			return callback.ConfirmRequestToPay(c.Collection, "")(ctx, reference)
		}),
		callback.WithOnDuplicate(rec.duplicate)))
	receiver := httptest.NewServer(mux)
	t.Cleanup(receiver.Close)
	u, err := url.Parse(receiver.URL)
	require.NoError(t, err)
	host, _, err := net.SplitHostPort(u.Host)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)

	prov, err := momo.New(momo.Config{BaseURL: gateway.URL, SubscriptionKeys: keys})
	require.NoError(t, err)
	userID := momo.NewReferenceID()
	created, err := prov.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: userID},
		provisioning.ApiUser{ProviderCallbackHost: host})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	key, err := prov.Provisioning.CreateApiKeyWithResponse(ctx, userID)
	require.NoError(t, err)
	require.NotNil(t, key.JSON201, string(key.Body))
	c, err = momo.New(momo.Config{BaseURL: gateway.URL, SubscriptionKeys: keys,
		APIUser: momoauth.APIUser{ID: userID.String(), Key: auth.Secret(key.JSON201.ApiKey)}})
	require.NoError(t, err)

	payments := []struct{ payer, status, reason string }{
		{"56733123453", "SUCCESSFUL", ""},
		{"46733123451", "FAILED", "APPROVAL_REJECTED"},
		{"46733123452", "FAILED", "EXPIRED"},
	}
	want := map[string]struct{ status, reason string }{}
	start := time.Now()
	for _, p := range payments {
		id := momo.NewReferenceID()
		requestToPayAs(t, c, id, p.payer, receiver.URL+"/momo/callback/"+id.String())
		want[id.String()] = struct{ status, reason string }{p.status, p.reason}
	}

	delivered := func() int {
		n := 0
		for _, d := range sb.Deliveries() {
			if strings.HasPrefix(d.URL, receiver.URL) && d.Delivered {
				n++
			}
		}
		return n
	}
	eventually(t, func() bool { return delivered() == 2*len(payments) }, "every callback delivered twice")
	t.Logf("%d payments: %d callbacks delivered, %d handed on, %d repeats dropped, in %v",
		len(payments), delivered(), len(rec.handled()), rec.duplicates(), time.Since(start).Round(time.Millisecond))

	got := rec.handled()
	require.Len(t, got, len(payments), "each result once")
	assert.Equal(t, len(payments), rec.duplicates())
	for _, n := range got {
		w, ok := want[n.Reference]
		require.True(t, ok, "notification for an unknown reference %q", n.Reference)
		assert.Equal(t, w.status, n.Status, n.Reference)
		assert.Equal(t, w.reason, n.Reason, n.Reference)
		assert.Equal(t, w.status, n.Callback.Status, "the sandbox tells the truth")
		assert.True(t, n.Confirmed)
		assert.Equal(t, http.MethodPost, n.Method)
		delete(want, n.Reference)
	}
	assert.Empty(t, want)
}
