package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// vippsPayments simulates the Vipps MobilePay APIs of the current generation: the access
// token API, ePayment, webhooks, userinfo, management and the deprecated partner API. The
// keys, tokens and webhook registrations live in the shared gateway (s.vipps); the
// payments, idempotency records and product orders live here.
type vippsPayments struct {
	s *Sandbox

	mu       sync.Mutex
	payments map[string]*vpayPayment // by vpayPaymentKey(msn, reference)
	created  []*vpayPayment          // creation order, for the ledger
	idem     map[string]vpayStored   // by vpayIdemKey(msn, operation, reference, key)
	orders   []*vpayOrder            // product orders, oldest first
	psp      int64                   // last pspReference handed out
}

func newVippsPayments(s *Sandbox) family {
	f := &vippsPayments{s: s}
	f.resetLocked()
	return f
}

// mount registers the six APIs and the family's control routes.
func (f *vippsPayments) mount(mux *http.ServeMux) {
	f.mountAccessToken(mux)
	f.mountEPayment(mux)
	f.mountWebhooks(mux)
	f.mountUserinfo(mux)
	f.mountManagement(mux)
	f.mountPartner(mux)
	f.mountControl(mux)
}

// reset forgets payments, idempotency records and product orders; the gateway forgets
// tokens and webhook registrations itself.
func (f *vippsPayments) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resetLocked()
}

func (f *vippsPayments) resetLocked() {
	f.payments = map[string]*vpayPayment{}
	f.created = nil
	f.idem = map[string]vpayStored{}
	f.orders = nil
	f.psp = 0
}

// vpayCtxKey keys what the family's middleware hands its handlers through the context: the
// strict handlers see only the context, not the request.
type vpayCtxKey int

const (
	vpayRequestKey vpayCtxKey = iota
	vpayCallerKey
)

// vpayRequest is what a handler needs of the raw request beyond its typed parameters.
type vpayRequest struct {
	Header http.Header
	Path   string
}

// requestOf returns the request details the middleware stored (empty outside a request).
func requestOf(ctx context.Context) vpayRequest {
	r, _ := ctx.Value(vpayRequestKey).(vpayRequest)
	return r
}

// callerOf returns the caller the gateway check accepted.
func callerOf(ctx context.Context) vippsCaller {
	c, _ := ctx.Value(vpayCallerKey).(vippsCaller)
	return c
}

// withRequest stores the request details in the context for the strict handler.
func withRequest(r *http.Request) *http.Request {
	ctx := context.WithValue(r.Context(), vpayRequestKey, vpayRequest{Header: r.Header.Clone(), Path: r.URL.Path})
	return r.WithContext(ctx)
}

// vpayMSNPattern is the MSN pattern of the documents.
var vpayMSNPattern = regexp.MustCompile(`^[0-9]{4,10}$`)

// authorize checks a call's credentials with the gateway. A Merchant-Serial-Number that is
// not even digits is a malformed request rather than a foreign merchant: the credentials
// are checked without it, and the header is left to the request check, which answers 400
// naming it.
func (f *vippsPayments) authorize(r *http.Request, keyRequired bool) (vippsCaller, *vippsRefusal) {
	msn := r.Header.Get("Merchant-Serial-Number")
	if msn == "" || vpayMSNPattern.MatchString(msn) {
		return f.s.vipps.authorize(r, keyRequired)
	}
	bare := r.Clone(r.Context())
	bare.Header.Del("Merchant-Serial-Number")
	c, refusal := f.s.vipps.authorize(bare, keyRequired)
	if refusal != nil && refusal.Status == http.StatusUnauthorized {
		return c, refusal
	}
	return c, nil
}

// gate returns the gateway check of an API: it runs before the request check, refuses bad
// credentials with refuse (the API's own shape for 401 and 403) and hands the accepted
// caller to the handler.
func (f *vippsPayments) gate(check func(r *http.Request) (vippsCaller, *vippsRefusal), refuse func(w http.ResponseWriter, r *http.Request, refusal *vippsRefusal)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, refusal := check(r)
			if refusal != nil {
				refuse(w, r, refusal)
				return
			}
			r = withRequest(r)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), vpayCallerKey, caller)))
		})
	}
}

// vpayUnauthorized answers a request whose credentials the request check found missing.
func vpayUnauthorized(w http.ResponseWriter, _ *http.Request) {
	writeGatewayError(w, &vippsRefusal{Status: http.StatusUnauthorized, Message: "Authorization: credentials are missing"})
}

// vpayField is one problem of a refused request: the field and the rule it broke.
type vpayField struct {
	Name   string
	Reason string
}

// vpayMissingProperty finds the property a "property "x" is missing" problem names.
var vpayMissingProperty = regexp.MustCompile(`property "([^"]+)" is missing`)

// vpayFields turns the request check's problems ("header X: rule", "request body: a/b:
// rule") into field and rule pairs, the field named as the API names it (a.b for a body
// field, the header or parameter name otherwise).
func vpayFields(problems []string) []vpayField {
	out := make([]vpayField, 0, len(problems))
	for _, p := range problems {
		out = append(out, vpayFieldOf(p))
	}
	return out
}

func vpayFieldOf(p string) vpayField {
	for _, in := range []string{"header ", "path ", "query "} {
		if rest, ok := strings.CutPrefix(p, in); ok {
			name, reason, _ := strings.Cut(rest, ": ")
			return vpayField{Name: name, Reason: reason}
		}
	}
	if rest, ok := strings.CutPrefix(p, "request body: "); ok {
		ptr, reason, found := strings.Cut(rest, ": ")
		if !found || strings.ContainsAny(ptr, " \"") {
			ptr, reason = "", rest
		}
		name := strings.ReplaceAll(ptr, "/", ".")
		// A missing property is named by the pointer to it, or by the rule alone when the
		// pointer stops at its parent.
		if m := vpayMissingProperty.FindStringSubmatch(reason); m != nil && !strings.HasSuffix("/"+ptr, "/"+m[1]) {
			if name != "" {
				name += "."
			}
			name += m[1]
		}
		if name == "" {
			name = "body"
		}
		return vpayField{Name: name, Reason: reason}
	}
	if rest, ok := strings.CutPrefix(p, "request body "); ok {
		return vpayField{Name: "body", Reason: rest}
	}
	return vpayField{Name: "request", Reason: p}
}

// vpayParamField turns an error of the generated parameter binding (a required header
// missing, a parameter that does not parse) into the field it names.
func vpayParamField(err error) vpayField {
	name := "request"
	v := reflect.ValueOf(err)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	reason := err.Error()
	if v.Kind() == reflect.Struct {
		if p := v.FieldByName("ParamName"); p.IsValid() && p.Kind() == reflect.String {
			name = p.String()
		}
		switch inner := errors.Unwrap(err); {
		case strings.HasPrefix(v.Type().Name(), "Required"):
			reason = "required, but missing"
		case inner != nil:
			reason = inner.Error()
		}
	}
	return vpayField{Name: name, Reason: reason}
}

// vpayDetail joins the problems into one line for a detail or message field.
func vpayDetail(fields []vpayField) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, f.Name+": "+f.Reason)
	}
	return strings.Join(parts, "; ")
}

// badRequestHandlers returns the handlers of the three ways a request can be refused as malformed before
// the API sees it, all answered by write: the request check (checked), the generated
// parameter binding (ErrorHandlerFunc) and the strict handler's body decoding.
func badRequestHandlers(write func(w http.ResponseWriter, r *http.Request, fields []vpayField)) (checked func(http.ResponseWriter, *http.Request, []string), params func(http.ResponseWriter, *http.Request, error), body func(http.ResponseWriter, *http.Request, error)) {
	checked = func(w http.ResponseWriter, r *http.Request, problems []string) { write(w, r, vpayFields(problems)) }
	params = func(w http.ResponseWriter, r *http.Request, err error) { write(w, r, []vpayField{vpayParamField(err)}) }
	body = func(w http.ResponseWriter, r *http.Request, err error) {
		write(w, r, []vpayField{{Name: "body", Reason: err.Error()}})
	}
	return checked, params, body
}

// vpayServerError answers a handler failure (which should not happen) with a gateway 500.
func vpayServerError(w http.ResponseWriter, _ *http.Request, err error) {
	writeJSON(w, http.StatusInternalServerError, map[string]any{"statusCode": http.StatusInternalServerError, "message": err.Error()})
}

// traceID returns a fresh trace id for an error body.
func traceID() string { return uuid.NewString() }

// nextPSPLocked returns a new pspReference; the caller holds f.mu.
func (f *vippsPayments) nextPSPLocked() string {
	f.psp++
	return fmt.Sprintf("%010d", 3100000000+f.psp)
}
