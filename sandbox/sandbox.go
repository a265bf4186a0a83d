package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/internal/contract"
)

// Sandbox simulates both API families. It is an http.Handler; serve it with httptest or
// an http.Server. Safe for concurrent use.
type Sandbox struct {
	opts      options
	mux       *http.ServeMux
	validator *contract.Validator
	faults    *faultInjector
	deliver   *deliverer
	vipps     *vippsGateway

	families []family
}

// family is one simulated API family (MoMo, Vipps). Each mounts its generated servers on
// the mux, keeps its own state and shows its part of the ledger.
type family interface {
	// mount registers the family's API routes and its /_sandbox/ routes.
	mount(mux *http.ServeMux)
	// ledger lists the family's transactions.
	ledger() []LedgerEntry
	// reset forgets every transaction, user and token, keeping the configured credentials.
	reset()
}

// New returns a sandbox with the default test credentials (see Credentials) changed by opts.
func New(opts ...Option) (*Sandbox, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	v, err := contract.New(api.FS(), clientDocuments()...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: load documents: %w", err)
	}
	s := &Sandbox{
		opts:      o,
		mux:       http.NewServeMux(),
		validator: v,
		faults:    newFaultInjector(o.faults, o.seed),
		deliver:   newDeliverer(o),
	}
	s.vipps = newVippsGateway(s)
	s.families = []family{newMoMo(s), newVippsPayments(s), newVippsLegacy(s)}
	for _, f := range s.families {
		f.mount(s.mux)
	}
	s.mountControl()
	return s, nil
}

// clientDocuments are the documents of the APIs the sandbox serves; the merchant-side
// documents (MoMo callbacks, Vipps callbacks and webhooks) describe what it sends instead.
func clientDocuments() []string {
	var docs []string
	for _, d := range append(append([]string(nil), api.MoMo...), api.Vipps...) {
		if d != "momo/callback.yaml" && d != "vipps/merchant.yaml" {
			docs = append(docs, d)
		}
	}
	return docs
}

// ServeHTTP answers one request: faults first (they stand for the network and the
// gateway), then the API.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, controlPrefix) && s.faults.inject(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Close stops background work: pending deliveries of callbacks and webhooks are abandoned.
func (s *Sandbox) Close() { s.deliver.close() }

// Ledger lists every transaction of both families, oldest first within each family.
func (s *Sandbox) Ledger() []LedgerEntry {
	var all []LedgerEntry
	for _, f := range s.families {
		all = append(all, f.ledger()...)
	}
	return all
}

// Reset forgets all state (transactions, users, tokens, idempotency keys, deliveries) but
// keeps the configured credentials and options.
func (s *Sandbox) Reset() {
	for _, f := range s.families {
		f.reset()
	}
	s.vipps.reset()
}

// Credentials returns the test credentials the sandbox accepts.
func (s *Sandbox) Credentials() Credentials { return s.opts.creds }

// now is the sandbox clock.
func (s *Sandbox) now() time.Time { return s.opts.now() }
