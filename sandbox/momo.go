package sandbox

import (
	"context"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
)

// The MoMo products; each has its own base path, subscription key, tokens and balances.
const (
	momoCollection   = "collection"
	momoDisbursement = "disbursement"
	momoRemittance   = "remittance"
)

// momoProducts lists the products in a fixed order.
var momoProducts = []string{momoCollection, momoDisbursement, momoRemittance}

// momoSandboxEnvironment is the only X-Target-Environment the simulated wallet serves, and
// momoSandboxCurrency the only currency it accepts there.
const (
	momoSandboxEnvironment = "sandbox"
	momoSandboxCurrency    = "EUR"
)

// momoDefaultOpening is the balance a product account starts with: nothing collected yet,
// and a float to pay out from. SetMoMoOpeningBalance changes it.
var momoDefaultOpening = map[string]string{
	momoCollection:   "0",
	momoDisbursement: "1000000",
	momoRemittance:   "1000000",
}

// momoFamily simulates the four MoMo APIs: sandbox provisioning, collection, disbursement
// and remittance. Everything lives behind one mutex: API users, tokens, consents,
// transactions and balances.
type momoFamily struct {
	s *Sandbox

	mu       sync.Mutex
	gen      int                     // bumped by reset, so that timers of old transactions do nothing
	users    map[string]*momoUser    // by API user id
	tokens   map[string]momoToken    // product access tokens
	authReqs map[string]*momoAuthReq // consent requests by auth_req_id
	consents map[string]*momoConsent // consent access tokens
	refresh  map[string]*momoConsent // consent refresh tokens
	txns     map[momoRefKey]*momoTxn // transactions by owner, product and X-Reference-Id
	used     map[momoRefKey]bool     // every X-Reference-Id taken, transactions and cancellations
	order    []*momoTxn              // creation order, for the ledger
	open     dueQueue                // transactions due to become final, soonest first
	accounts map[momoAcctKey]*big.Rat
	opening  map[string]*big.Rat // opening balance per product
	scenario map[string]MoMoBalanceScenario
	outbox   []Delivery // callbacks queued under the lock, sent after it
}

// momoUser is an API user: its id is the X-Reference-Id it was created with.
type momoUser struct {
	id           string
	callbackHost string
	key          string // current API key; empty until one is issued
}

// momoRefKey scopes an X-Reference-Id: unique per API user and product.
type momoRefKey struct{ owner, product, ref string }

// momoAcctKey names the account of an API user in one product.
type momoAcctKey struct{ owner, product string }

func newMoMo(s *Sandbox) family {
	f := &momoFamily{s: s}
	f.resetLocked()
	return f
}

// reset forgets provisioned users (the configured one stays, with its configured key),
// tokens, consents, transactions and balances.
func (f *momoFamily) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resetLocked()
}

func (f *momoFamily) resetLocked() {
	for _, t := range f.order {
		if t.timer != nil {
			t.timer.Stop()
		}
	}
	f.gen++
	f.users = map[string]*momoUser{}
	if c := f.s.opts.creds.MoMo; c.APIUser.ID != "" {
		f.users[c.APIUser.ID] = &momoUser{id: c.APIUser.ID, callbackHost: c.CallbackHost, key: c.APIUser.Key.Reveal()}
	}
	f.tokens = map[string]momoToken{}
	f.authReqs = map[string]*momoAuthReq{}
	f.consents = map[string]*momoConsent{}
	f.refresh = map[string]*momoConsent{}
	f.txns = map[momoRefKey]*momoTxn{}
	f.used = map[momoRefKey]bool{}
	f.order = nil
	f.open = nil
	f.accounts = map[momoAcctKey]*big.Rat{}
	if f.opening == nil {
		f.opening = map[string]*big.Rat{}
		for p, v := range momoDefaultOpening {
			f.opening[p], _ = new(big.Rat).SetString(v)
		}
	}
	f.scenario = map[string]MoMoBalanceScenario{}
	f.outbox = nil
}

// mount registers the four APIs and the family's control routes. Every API request passes,
// in this order: the bodyless-POST and subscription key checks of the gateway, the
// credentials (Basic, product token or consent token), the check against the documents,
// and then the handler.
func (f *momoFamily) mount(mux *http.ServeMux) {
	provisioning.HandlerWithOptions(
		provisioning.NewStrictHandlerWithOptions(momoProvisioningAPI{f}, nil, f.strictOptions()),
		provisioning.StdHTTPServerOptions{
			BaseRouter:       mux,
			ErrorHandlerFunc: f.paramError(""),
			Middlewares: []provisioning.MiddlewareFunc{
				provisioning.MiddlewareFunc(f.s.checked(momoBadRequest, f.unauthorized)),
				provisioning.MiddlewareFunc(f.gateway("")),
			},
		})
	collection.HandlerWithOptions(
		collection.NewStrictHandlerWithOptions(momoCollectionAPI{f}, nil, collection.StrictHTTPServerOptions(f.strictOptions())),
		collection.StdHTTPServerOptions{
			BaseURL:          "/" + momoCollection,
			BaseRouter:       mux,
			ErrorHandlerFunc: f.paramError(momoCollection),
			Middlewares: []collection.MiddlewareFunc{
				collection.MiddlewareFunc(f.s.checked(momoBadRequest, f.unauthorized)),
				collection.MiddlewareFunc(f.credentials(momoCollection)),
				collection.MiddlewareFunc(f.gateway(momoCollection)),
			},
		})
	disbursement.HandlerWithOptions(
		disbursement.NewStrictHandlerWithOptions(momoDisbursementAPI{f}, nil, disbursement.StrictHTTPServerOptions(f.strictOptions())),
		disbursement.StdHTTPServerOptions{
			BaseURL:          "/" + momoDisbursement,
			BaseRouter:       mux,
			ErrorHandlerFunc: f.paramError(momoDisbursement),
			Middlewares: []disbursement.MiddlewareFunc{
				disbursement.MiddlewareFunc(f.s.checked(momoBadRequest, f.unauthorized)),
				disbursement.MiddlewareFunc(f.credentials(momoDisbursement)),
				disbursement.MiddlewareFunc(f.gateway(momoDisbursement)),
			},
		})
	remittance.HandlerWithOptions(
		remittance.NewStrictHandlerWithOptions(momoRemittanceAPI{f}, nil, remittance.StrictHTTPServerOptions(f.strictOptions())),
		remittance.StdHTTPServerOptions{
			BaseURL:          "/" + momoRemittance,
			BaseRouter:       mux,
			ErrorHandlerFunc: f.paramError(momoRemittance),
			Middlewares: []remittance.MiddlewareFunc{
				remittance.MiddlewareFunc(f.s.checked(momoBadRequest, f.unauthorized)),
				remittance.MiddlewareFunc(f.credentials(momoRemittance)),
				remittance.MiddlewareFunc(f.gateway(momoRemittance)),
			},
		})
	f.mountControl(mux)
}

// strictOptions answers the rare request the documents let through but the generated
// binding cannot decode in the API's own 400 shape, and a handler failure as the wallet's
// 500.
func (f *momoFamily) strictOptions() provisioning.StrictHTTPServerOptions {
	return provisioning.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			momoBadRequest(w, r, []string{err.Error()})
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, _ error) {
			_ = momoError(http.StatusInternalServerError, momoCodeInternal).write(w)
		},
	}
}

// ledger lists every MoMo transaction in the order created, with its status as of now.
func (f *momoFamily) ledger() []LedgerEntry {
	f.mu.Lock()
	f.sweepLocked()
	out := make([]LedgerEntry, 0, len(f.order))
	for _, t := range f.order {
		out = append(out, t.entry())
	}
	dl := f.takeOutboxLocked()
	f.mu.Unlock()
	f.sendAll(dl)
	return out
}

// momoCtxKey keys what the credential check hands the strict handlers through the
// context: they see only the context, not the request.
type momoCtxKey int

const momoCallerKey momoCtxKey = 0

// momoCaller is who made a product call, once its credentials are checked.
type momoCaller struct {
	user    string // API user id
	product string
	consent *momoConsent // set on calls with a consent token
}

// momoCallerOf returns the caller the credential check accepted.
func momoCallerOf(ctx context.Context) momoCaller {
	c, _ := ctx.Value(momoCallerKey).(momoCaller)
	return c
}

// locked runs fn under the family's lock after bringing due transactions to their final
// state, then sends the callbacks that became due, outside the lock.
func (f *momoFamily) locked(fn func() momoReply) momoReply {
	f.mu.Lock()
	f.sweepLocked()
	reply := fn()
	dl := f.takeOutboxLocked()
	f.mu.Unlock()
	f.sendAll(dl)
	return reply
}

func (f *momoFamily) takeOutboxLocked() []Delivery {
	dl := f.outbox
	f.outbox = nil
	return dl
}

// sendAll hands callbacks to the deliverer, unless the sandbox is closing.
func (f *momoFamily) sendAll(dl []Delivery) {
	for _, d := range dl {
		if f.s.deliver.ctx.Err() != nil {
			return
		}
		f.s.deliver.send(d)
	}
}

// now is the sandbox clock.
func (f *momoFamily) now() time.Time { return f.s.now() }
