package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/momo/callback"
	"github.com/paykit-go/paykit/vipps/ecomcallback"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// Paths of the receiver's endpoints.
const (
	momoCallbackPath = "/momo/callback/" // + the X-Reference-Id of the transaction
	webhookPath      = "/vipps/webhook"  // the registered webhook URL
	ecomPrefixPath   = "/vipps/ecom"     // callbackPrefix; Vipps appends /v2/payments/{orderId}
	ecomCallbackPath = "/v2/payments/"   // under ecomPrefixPath
	maxCallbackBytes = 64 << 10          // MoMo callbacks are small
)

// receiver is the local server that stands for the merchant: it takes MoMo callbacks,
// verified Vipps webhooks and eCom callbacks, and lets the flows wait for them.
type receiver struct {
	srv  *httptest.Server
	base string // http://{callbackHost}:{port}

	// ecomToken is the authToken sent on eCom initiate; callbacks must bring it back.
	ecomToken auth.Secret
	// webhooks is set once the webhook is registered and its secret known; until then
	// deliveries are answered 503, so that the sender tries again.
	webhooks atomic.Pointer[http.Handler]

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever something arrives
	momo    map[string][]callback.Callback
	events  []webhook.Event
	ecom    []ecomcallback.Callback
}

func newReceiver(callbackHost string) (*receiver, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	r := &receiver{
		ecomToken: auth.Secret("demo-" + hex.EncodeToString(b)),
		changed:   make(chan struct{}),
		momo:      map[string][]callback.Callback{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc(momoCallbackPath+"{ref}", r.momoCallback)
	mux.HandleFunc(webhookPath, func(w http.ResponseWriter, req *http.Request) {
		h := r.webhooks.Load()
		if h == nil {
			http.Error(w, "webhook not registered yet", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, req)
	})
	mux.Handle(ecomPrefixPath+ecomCallbackPath+"{orderId}", ecomcallback.Handler(r.ecomToken,
		func(_ context.Context, cb ecomcallback.Callback) error {
			r.record(func() { r.ecom = append(r.ecom, cb) })
			return nil
		}))
	r.srv = httptest.NewServer(mux)
	u, err := url.Parse(r.srv.URL)
	if err != nil {
		r.srv.Close()
		return nil, err
	}
	r.base = "http://" + net.JoinHostPort(callbackHost, u.Port())
	return r, nil
}

func (r *receiver) close() { r.srv.Close() }

// momoCallbackURL is the X-Callback-Url for the MoMo transaction ref.
func (r *receiver) momoCallbackURL(ref string) string { return r.base + momoCallbackPath + ref }

// webhookURL is the URL to register for Vipps webhooks.
func (r *receiver) webhookURL() string { return r.base + webhookPath }

// ecomCallbackPrefix is the eCom callbackPrefix.
func (r *receiver) ecomCallbackPrefix() string { return r.base + ecomPrefixPath }

// acceptWebhooks starts verifying webhook deliveries with the registration's secret.
func (r *receiver) acceptWebhooks(secret auth.Secret) {
	v := webhook.Verifier{Secret: secret, URL: r.webhookURL()}
	var h http.Handler = webhook.Handler(v, func(_ context.Context, ev webhook.Event) error {
		r.record(func() { r.events = append(r.events, ev) })
		return nil
	})
	r.webhooks.Store(&h)
}

// momoCallback takes a MoMo callback (POST as the sandbox sends, or PUT as documented).
func (r *receiver) momoCallback(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost && req.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "POST or PUT", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxCallbackBytes))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	var cb callback.Callback
	if err := json.Unmarshal(body, &cb); err != nil {
		http.Error(w, "malformed callback", http.StatusBadRequest)
		return
	}
	ref := req.PathValue("ref")
	r.record(func() { r.momo[ref] = append(r.momo[ref], cb) })
	w.WriteHeader(http.StatusOK)
}

// record applies change under the lock and wakes the waiters.
func (r *receiver) record(change func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	change()
	close(r.changed)
	r.changed = make(chan struct{})
}

// wait returns when found, called under the lock, reports true, or when ctx ends.
func (r *receiver) wait(ctx context.Context, found func() bool) error {
	for {
		r.mu.Lock()
		ok, changed := found(), r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// momoFinal returns the first callback for ref with a final status. It, webhookEvent and
// ecomCallback read the received items: call them inside wait, which holds the lock.
func (r *receiver) momoFinal(ref string) (callback.Callback, bool) {
	for _, cb := range r.momo[ref] {
		if finalMoMo(cb.Status) {
			return cb, true
		}
	}
	return callback.Callback{}, false
}

// webhookEvent returns the first verified event for reference named name.
func (r *receiver) webhookEvent(reference, name string) (webhook.Event, bool) {
	for _, ev := range r.events {
		if ev.Payload.Reference == reference && ev.Payload.Name == name {
			return ev, true
		}
	}
	return webhook.Event{}, false
}

// ecomCallback returns the first callback for orderID.
func (r *receiver) ecomCallback(orderID string) (ecomcallback.Callback, bool) {
	for _, cb := range r.ecom {
		if cb.OrderID == orderID {
			return cb, true
		}
	}
	return ecomcallback.Callback{}, false
}
