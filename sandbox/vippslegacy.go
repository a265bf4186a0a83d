package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/internal/contract"
)

// vippsLegacy simulates the two older Vipps MobilePay APIs still in wide use: eCom v2
// (vippslegacy_ecom.go) and Recurring v3 (vippslegacy_recurring.go). Both share one lock, one
// transaction id sequence (orderIds and chargeIds are unique per MSN across the two, as on
// the real platform) and one store of idempotency records.
type vippsLegacy struct {
	s *Sandbox

	mu     sync.Mutex
	outbox []func() // deliveries and webhooks queued under mu, sent once it is released
	txSeq  int64    // the last transaction id handed out, as an offset

	payments     map[string]*ecomPayment // by msn + "/" + orderId
	paymentOrder []*ecomPayment          // in creation order, for the ledger

	agreements     map[string]*recAgreement // by id
	agreementOrder []*recAgreement
	charges        map[string]*recCharge // by msn + "/" + chargeId
	chargeOrder    []*recCharge
	pages          map[string]*recPage // continuation tokens

	replays map[string]*vlReplay // idempotency records
}

func newVippsLegacy(s *Sandbox) family {
	l := &vippsLegacy{s: s}
	l.resetLocked()
	return l
}

// resetLocked empties the state; the caller holds mu or owns l exclusively.
func (l *vippsLegacy) resetLocked() {
	l.txSeq = 0
	l.payments = map[string]*ecomPayment{}
	l.paymentOrder = nil
	l.agreements = map[string]*recAgreement{}
	l.agreementOrder = nil
	l.charges = map[string]*recCharge{}
	l.chargeOrder = nil
	l.pages = map[string]*recPage{}
	l.replays = map[string]*vlReplay{}
}

func (l *vippsLegacy) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.resetLocked()
	l.outbox = nil
}

// mount registers eCom, Recurring and their /_sandbox/ routes.
func (l *vippsLegacy) mount(mux *http.ServeMux) {
	eh := &ecomServer{l: l}
	ecom.HandlerWithOptions(ecom.NewStrictHandlerWithOptions(eh, nil, ecom.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			ecomBadRequest(w, r, []string{"request body: " + err.Error()})
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			ecomErrors(http.StatusInternalServerError, "VippsError", "99", err.Error()).write(w)
		},
	}), ecom.StdHTTPServerOptions{
		BaseURL:    "",
		BaseRouter: mux,
		Middlewares: []ecom.MiddlewareFunc{
			ecom.MiddlewareFunc(l.s.checked(ecomBadRequest, l.refuse)),
			ecom.MiddlewareFunc(l.gateway),
		},
		ErrorHandlerFunc: l.paramError(ecomBadRequest),
	})

	rh := &recServer{l: l}
	recurring.HandlerWithOptions(recurring.NewStrictHandlerWithOptions(rh, nil, recurring.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			recBadRequest(w, r, []string{"request body: " + err.Error()})
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			recProblem(http.StatusInternalServerError, "operation-failed", "Internal Server Error", err.Error(), r.URL.Path).write(w)
		},
	}), recurring.StdHTTPServerOptions{
		BaseURL:    "",
		BaseRouter: mux,
		Middlewares: []recurring.MiddlewareFunc{
			recurring.MiddlewareFunc(l.s.checked(recBadRequest, l.refuse)),
			recurring.MiddlewareFunc(l.gateway),
		},
		ErrorHandlerFunc: l.paramError(recBadRequest),
	})

	mux.HandleFunc("GET "+controlPrefix+"vipps/ecom/{msn}/{orderId}", l.controlEcomShow)
	mux.HandleFunc("POST "+controlPrefix+"vipps/ecom/{msn}/{orderId}/{action}", l.controlEcomAct)
	mux.HandleFunc("GET "+controlPrefix+"vipps/recurring/{msn}/{agreementId}", l.controlRecurringShow)
	mux.HandleFunc("POST "+controlPrefix+"vipps/recurring/{msn}/{agreementId}/{action}", l.controlRecurringAct)
}

// vlCall is what the gateway check learnt about a request: who made it, and where the
// sandbox is reachable (for the landing page URLs it hands out).
type vlCall struct {
	caller vippsCaller
	base   string
}

type vlCallKey struct{}

// callOf returns the call the gateway check stored in ctx.
func callOf(ctx context.Context) vlCall {
	c, _ := ctx.Value(vlCallKey{}).(vlCall)
	return c
}

// gateway checks the credentials before anything else, as the API gateway does, and keeps
// the caller for the handlers.
func (l *vippsLegacy) gateway(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, refusal := l.s.vipps.authorize(r, true)
		if refusal != nil {
			writeGatewayError(w, refusal)
			return
		}
		ctx := context.WithValue(r.Context(), vlCallKey{}, vlCall{caller: caller, base: vlBaseURL(r)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// refuse answers a request the documents' security requirements refuse (no token, no key)
// as the gateway does: both APIs accept the gateway body on 401 and 403.
func (l *vippsLegacy) refuse(w http.ResponseWriter, r *http.Request) {
	if _, refusal := l.s.vipps.authorize(r, true); refusal != nil {
		writeGatewayError(w, refusal)
		return
	}
	writeGatewayError(w, &vippsRefusal{Status: http.StatusUnauthorized, Message: "Authorization and Ocp-Apim-Subscription-Key are required"})
}

// paramError answers the generated router's parameter errors, which it meets before any
// middleware runs: credentials first, then the documents' verdict in the API's shape.
func (l *vippsLegacy) paramError(badRequest func(http.ResponseWriter, *http.Request, []string)) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if _, refusal := l.s.vipps.authorize(r, true); refusal != nil {
			writeGatewayError(w, refusal)
			return
		}
		var ce *contract.Error
		if verr := l.s.validator.ValidateRequest(r); errors.As(verr, &ce) && len(ce.Problems) > 0 {
			badRequest(w, r, ce.Problems)
			return
		}
		badRequest(w, r, []string{err.Error()})
	}
}

// vlBaseURL is the scheme and host the request reached the sandbox at.
func vlBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// vlProblemField splits a problem of the request checks ("request body: transaction/amount:
// value must be an integer", "header Idempotency-Key: string doesn't match ...") into the
// field it names, as a dotted path or a parameter name, and the rule.
func vlProblemField(p string) (field, rule string) {
	head, rest, ok := strings.Cut(p, ": ")
	if !ok {
		return "request", p
	}
	switch {
	case head == "request body":
		ptr, reason, ok := strings.Cut(rest, ": ")
		if ok && ptr != "" && !strings.ContainsAny(ptr, " \"") {
			return strings.ReplaceAll(ptr, "/", "."), reason
		}
		return "body", rest
	case strings.HasPrefix(head, "header "), strings.HasPrefix(head, "query "), strings.HasPrefix(head, "path "), strings.HasPrefix(head, "cookie "):
		_, name, _ := strings.Cut(head, " ")
		return name, rest
	}
	return "request", p
}

// vlAnswer is a response rendered ahead of writing, so that it can be kept against an
// idempotency key and written again, byte for byte, to a retry. It implements the response
// interface of every eCom and Recurring operation.
type vlAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a vlAnswer) write(w http.ResponseWriter) error {
	for k, v := range a.header {
		w.Header()[k] = append([]string(nil), v...)
	}
	w.WriteHeader(a.status)
	_, err := w.Write(a.body)
	return err
}

// vlRecorder collects what a generated response type writes.
type vlRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *vlRecorder) Header() http.Header { return r.header }
func (r *vlRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *vlRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// vlRender renders a generated response (its Visit method) into an answer.
func vlRender(visit func(http.ResponseWriter) error) vlAnswer {
	rec := &vlRecorder{header: http.Header{}}
	if err := visit(rec); err != nil {
		return vlAnswer{status: http.StatusInternalServerError, header: http.Header{}, body: nil}
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return vlAnswer{status: rec.status, header: rec.header, body: rec.body.Bytes()}
}

// vlJSON renders v as a JSON answer with the given media type.
func vlJSON(status int, mediaType string, v any) vlAnswer {
	b, err := json.Marshal(v)
	if err != nil {
		return vlAnswer{status: http.StatusInternalServerError, header: http.Header{}}
	}
	return vlAnswer{status: status, header: http.Header{"Content-Type": {mediaType}}, body: append(b, '\n')}
}

// vlReplay is what an idempotency key was first used for, and the answer it got. A 4xx is
// kept too: a retry gets the same error, and a corrected request needs a new key.
type vlReplay struct {
	hash   [32]byte
	answer vlAnswer
}

// vlHash is the fingerprint of a request body, taken from its decoded form so that
// formatting and key order do not count.
func vlHash(body any) [32]byte {
	b, _ := json.Marshal(body)
	return sha256.Sum256(b)
}

// lock takes the state lock; unlock releases it and then sends what was queued meanwhile,
// so that no delivery is ever made while the state is held.
func (l *vippsLegacy) lock() { l.mu.Lock() }

func (l *vippsLegacy) unlock() {
	out := l.outbox
	l.outbox = nil
	l.mu.Unlock()
	for _, send := range out {
		send()
	}
}

// nextTransactionID hands out a Vipps-style transaction id (ten digits or more); the
// caller holds mu.
func (l *vippsLegacy) nextTransactionID() string {
	l.txSeq++
	return strconv.FormatInt(5001420000+l.txSeq, 10)
}

// vlRandomID returns prefix plus n random letters and digits, the shape of agr_5kSeqz.
func vlRandomID(prefix string, n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// ledger lists eCom payments, then Recurring charges, each in creation order.
func (l *vippsLegacy) ledger() []LedgerEntry {
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	out := make([]LedgerEntry, 0, len(l.paymentOrder)+len(l.chargeOrder))
	for _, p := range l.paymentOrder {
		out = append(out, p.ledgerEntry())
	}
	for _, c := range l.chargeOrder {
		out = append(out, c.ledgerEntry(l.agreements[c.agreementID]))
	}
	return out
}

// Visit methods: vlAnswer answers every eCom and Recurring operation.

func (a vlAnswer) VisitInitiatePaymentResponse(w http.ResponseWriter) error { return a.write(w) }
func (a vlAnswer) VisitCapturePaymentResponse(w http.ResponseWriter) error  { return a.write(w) }
func (a vlAnswer) VisitCancelPaymentResponse(w http.ResponseWriter) error   { return a.write(w) }
func (a vlAnswer) VisitRefundPaymentResponse(w http.ResponseWriter) error   { return a.write(w) }
func (a vlAnswer) VisitIntegrationTestApprovePaymentResponse(w http.ResponseWriter) error {
	return a.write(w)
}
func (a vlAnswer) VisitGetPaymentDetailsResponse(w http.ResponseWriter) error { return a.write(w) }
func (a vlAnswer) VisitGetOrderStatusResponse(w http.ResponseWriter) error    { return a.write(w) }

func (a vlAnswer) VisitListAgreementsResponse(w http.ResponseWriter) error    { return a.write(w) }
func (a vlAnswer) VisitDraftAgreementResponse(w http.ResponseWriter) error    { return a.write(w) }
func (a vlAnswer) VisitCreateChargeAsyncResponse(w http.ResponseWriter) error { return a.write(w) }
func (a vlAnswer) VisitFetchAgreementResponse(w http.ResponseWriter) error    { return a.write(w) }
func (a vlAnswer) VisitUpdateAgreementResponse(w http.ResponseWriter) error   { return a.write(w) }
func (a vlAnswer) VisitAcceptAgreementResponse(w http.ResponseWriter) error   { return a.write(w) }
func (a vlAnswer) VisitListChargesResponse(w http.ResponseWriter) error       { return a.write(w) }
func (a vlAnswer) VisitCreateChargeResponse(w http.ResponseWriter) error      { return a.write(w) }
func (a vlAnswer) VisitCancelChargeResponse(w http.ResponseWriter) error      { return a.write(w) }
func (a vlAnswer) VisitFetchChargeResponse(w http.ResponseWriter) error       { return a.write(w) }
func (a vlAnswer) VisitCaptureChargeResponse(w http.ResponseWriter) error     { return a.write(w) }
func (a vlAnswer) VisitRefundChargeResponse(w http.ResponseWriter) error      { return a.write(w) }
func (a vlAnswer) VisitFetchChargeByIdResponse(w http.ResponseWriter) error   { return a.write(w) }

// vlControlResult is what the /_sandbox/ routes of the family answer.
type vlControlResult struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (l *vippsLegacy) controlEcomAct(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !slices.Contains([]string{"approve", "reject"}, action) {
		writeJSON(w, http.StatusNotFound, vlControlResult{Error: "unknown action " + action + ": want approve or reject"})
		return
	}
	status, state, err := l.ecomUserActs(r.PathValue("msn"), r.PathValue("orderId"), action == "approve")
	writeJSON(w, status, vlControlResult{Status: state, Error: err})
}

func (l *vippsLegacy) controlEcomShow(w http.ResponseWriter, r *http.Request) {
	l.lock()
	defer l.unlock()
	p, ok := l.payments[r.PathValue("msn")+"/"+r.PathValue("orderId")]
	if !ok {
		writeJSON(w, http.StatusNotFound, vlControlResult{Error: "no such eCom payment"})
		return
	}
	writeJSON(w, http.StatusOK, p.ledgerEntry())
}

func (l *vippsLegacy) controlRecurringAct(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !slices.Contains([]string{"accept", "reject"}, action) {
		writeJSON(w, http.StatusNotFound, vlControlResult{Error: "unknown action " + action + ": want accept or reject"})
		return
	}
	status, state, err := l.recUserActs(r.PathValue("msn"), r.PathValue("agreementId"), action == "accept", "")
	writeJSON(w, status, vlControlResult{Status: state, Error: err})
}

func (l *vippsLegacy) controlRecurringShow(w http.ResponseWriter, r *http.Request) {
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	a, ok := l.agreements[r.PathValue("agreementId")]
	if !ok || a.msn != r.PathValue("msn") {
		writeJSON(w, http.StatusNotFound, vlControlResult{Error: "no such agreement"})
		return
	}
	writeJSON(w, http.StatusOK, a.response())
}

// now is the sandbox clock in UTC, truncated to milliseconds, the precision the APIs show.
func (l *vippsLegacy) now() time.Time { return l.s.now().UTC().Truncate(time.Millisecond) }
