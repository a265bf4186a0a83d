package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/merchant"
)

// ePayment states and event names.
const (
	vpayCreated    = "CREATED"
	vpayAuthorized = "AUTHORIZED"
	vpayAborted    = "ABORTED"
	vpayExpired    = "EXPIRED"
	vpayTerminated = "TERMINATED"
	vpayCancelled  = "CANCELLED"
	vpayCaptured   = "CAPTURED"
	vpayRefunded   = "REFUNDED"
)

// vpayPaymentLife is how long the user has to answer a payment without expiresAt.
const vpayPaymentLife = 10 * time.Minute

// vpayTestPhone is the test user who approves when no phone number is known.
const vpayTestPhone = "4712345678"

// vpayProblemType is the base of the problem type URIs the simulated ePayment answers with.
const vpayProblemType = "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/problems#"

// vpayPayment is one ePayment payment. The amounts are minor units in the payment's
// currency.
type vpayPayment struct {
	msn, reference string
	idemKey        string // the key of the create call
	amount         epayment.Amount
	method         string
	userFlow       string
	state          string
	token          string // the landing token carried in redirectUrl
	redirectURL    string
	psp            string // the CREATED event's pspReference
	authorized     int64
	captured       int64
	cancelled      int64
	refunded       int64
	events         []epayment.PaymentEvent
	expires        time.Time
	scope          string
	phone          string
	sub            string
	metadata       map[string]string
	createdAt      time.Time
	updated        time.Time
}

func (p *vpayPayment) money(v int64) epayment.Amount {
	return epayment.Amount{Currency: p.amount.Currency, Value: v}
}

func (p *vpayPayment) aggregate() epayment.Aggregate {
	return epayment.Aggregate{
		AuthorizedAmount: p.money(p.authorized),
		CancelledAmount:  p.money(p.cancelled),
		CapturedAmount:   p.money(p.captured),
		RefundedAmount:   p.money(p.refunded),
	}
}

func (p *vpayPayment) modification(psp string) epayment.ModificationResponse {
	return epayment.ModificationResponse{Amount: p.amount, State: p.state, Aggregate: p.aggregate(), PspReference: psp, Reference: p.reference}
}

// vpayResult is the outcome of an ePayment operation, kept against its idempotency key so
// that a replay answers the same. status 0 means "use the success status".
type vpayResult struct {
	status  int
	problem epayment.Problem
	created epayment.CreatePaymentResult
	mod     epayment.ModificationResponse
}

// vpayStored is an answer kept against an idempotency key with the hash of its request.
type vpayStored struct {
	hash   string
	result any
}

// vpayEmission is a webhook event to deliver once the state lock is released.
type vpayEmission struct {
	event   string
	msn     string
	payload merchant.WebhookEvent
}

func vpayPaymentKey(msn, reference string) string { return msn + "\x00" + reference }

func vpayIdemKey(msn, op, reference, key string) string {
	return strings.Join([]string{msn, op, reference, key}, "\x00")
}

// vpayHash is the hash of a request body as decoded, so that a replay matches whatever the
// JSON's spacing and key order.
func vpayHash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func vpayProblem(status int, code, title, detail string) vpayResult {
	slug := "validation-error"
	if code != "" {
		slug = code
	}
	p := epayment.Problem{Type: vpayProblemType + slug, Title: title, Status: status, Detail: detail, TraceId: traceID()}
	if code != "" {
		p.ExtraDetails = []epayment.ProblemDetail{{Name: "ErrorCode", Reason: code}}
	}
	return vpayResult{status: status, problem: p}
}

func vpayFieldProblem(name, reason string) vpayResult {
	r := vpayProblem(http.StatusBadRequest, "", "Bad Request", name+": "+reason)
	r.problem.ExtraDetails = []epayment.ProblemDetail{{Name: name, Reason: reason}}
	return r
}

func vpayNotFound(reference string) vpayResult {
	return vpayProblem(http.StatusNotFound, "5090", "Not Found", "No payment with reference "+reference+" for this merchant")
}

// vpayEPayment implements the ePayment API.
type vpayEPayment struct{ f *vippsPayments }

func (f *vippsPayments) mountEPayment(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayEPaymentBadRequest)
	si := epayment.NewStrictHandlerWithOptions(vpayEPayment{f}, nil, epayment.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	epayment.HandlerWithOptions(si, epayment.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []epayment.MiddlewareFunc{
			epayment.MiddlewareFunc(f.s.checked(checked, vpayUnauthorized)),
			epayment.MiddlewareFunc(f.gate(func(r *http.Request) (vippsCaller, *vippsRefusal) { return f.authorize(r, true) },
				func(w http.ResponseWriter, _ *http.Request, refusal *vippsRefusal) { writeGatewayError(w, refusal) })),
		},
	})
}

// vpayEPaymentBadRequest answers a malformed ePayment request with a Problem naming each
// field and rule in extraDetails (no error code, as the API does).
func vpayEPaymentBadRequest(w http.ResponseWriter, r *http.Request, fields []vpayField) {
	p := epayment.Problem{Type: vpayProblemType + "validation-error", Title: "Bad Request", Status: http.StatusBadRequest,
		Detail: vpayDetail(fields), TraceId: traceID(), Instance: r.URL.Path}
	for _, fl := range fields {
		p.ExtraDetails = append(p.ExtraDetails, epayment.ProblemDetail{Name: fl.Name, Reason: fl.Reason})
	}
	_ = epayment.CreatePayment400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(p)}.VisitCreatePaymentResponse(w)
}

// emit delivers the events collected under the lock, in order.
func (f *vippsPayments) emit(emissions []vpayEmission) {
	for _, e := range emissions {
		f.s.vipps.emit(e.event, e.msn, e.payload)
	}
}

// eventLocked logs an event on p and returns its webhook.
func (f *vippsPayments) eventLocked(p *vpayPayment, name string, value int64, key string, success bool) (epayment.PaymentEvent, vpayEmission) {
	now := f.s.now().UTC()
	ev := epayment.PaymentEvent{
		Reference: p.reference, PspReference: f.nextPSPLocked(), Name: name, Amount: p.money(value),
		Timestamp: now, IdempotencyKey: key, Success: success,
	}
	p.events = append(p.events, ev)
	p.updated = now
	payload := merchant.WebhookEvent{
		Msn: p.msn, Reference: p.reference, PspReference: ev.PspReference, Name: name,
		Amount: merchant.Amount{Currency: p.amount.Currency, Value: value}, Timestamp: now,
		IdempotencyKey: key, Success: success,
	}
	if name == vpayAuthorized {
		payload.Sub = p.sub
	}
	return ev, vpayEmission{event: "epayments.payment." + strings.ToLower(name) + ".v1", msn: p.msn, payload: payload}
}

// refreshLocked expires p when its time is up; expiry is applied lazily, whenever the
// payment is looked at, by the sandbox clock.
func (f *vippsPayments) refreshLocked(p *vpayPayment) []vpayEmission {
	if p.state != vpayCreated || f.s.now().Before(p.expires) {
		return nil
	}
	p.state = vpayExpired
	_, em := f.eventLocked(p, vpayExpired, p.amount.Value, "", true)
	return []vpayEmission{em}
}

// findLocked returns the payment of msn with reference, refreshed, or nil.
func (f *vippsPayments) findLocked(msn, reference string) (*vpayPayment, []vpayEmission) {
	p := f.payments[vpayPaymentKey(msn, reference)]
	if p == nil {
		return nil, nil
	}
	return p, f.refreshLocked(p)
}

// approveLocked plays the user approving p: AUTHORIZED for the whole amount.
func (f *vippsPayments) approveLocked(p *vpayPayment, phone string) []vpayEmission {
	if phone != "" {
		p.phone = phone
	}
	if p.phone == "" {
		p.phone = vpayTestPhone
	}
	p.state = vpayAuthorized
	p.authorized = p.amount.Value
	if p.scope != "" {
		p.sub = vpaySub(p.msn, p.phone)
	}
	_, em := f.eventLocked(p, vpayAuthorized, p.amount.Value, "", true)
	return []vpayEmission{em}
}

// rejectLocked plays the user rejecting p.
func (f *vippsPayments) rejectLocked(p *vpayPayment) []vpayEmission {
	p.state = vpayAborted
	_, em := f.eventLocked(p, vpayAborted, p.amount.Value, "", true)
	return []vpayEmission{em}
}

// vpaySubSpace namespaces the user ids (sub) the sandbox derives per sales unit and user.
var vpaySubSpace = uuid.MustParse("6f1d2c3b-4a59-4e8f-9b7a-0c1d2e3f4a5b")

// vpaySub is the user's id at a sales unit: stable for the same user and unit, different
// across units, as the real sub is.
func vpaySub(msn, phone string) string {
	return uuid.NewSHA1(vpaySubSpace, []byte(msn+":"+phone)).String()
}

// vpayScopes are the profile scopes a payment may ask for.
var vpayScopes = []string{"name", "address", "email", "phoneNumber", "birthDate", "nin"}

// vpayMinimum is the smallest amount of a currency, in minor units.
func vpayMinimum(currency string) int64 {
	if currency == "NOK" || currency == "SEK" {
		return 100
	}
	return 1
}

// checkCreate applies the API's rules beyond the document's shapes to a new payment.
func (f *vippsPayments) checkCreate(b epayment.CreatePaymentRequest) *vpayResult {
	customer, _ := b.Customer.MarshalJSON()
	noCustomer := len(customer) == 0 || string(customer) == "null"
	fail := func(r vpayResult) *vpayResult { return &r }
	switch {
	case b.UserFlow == epayment.WEBREDIRECT && b.ReturnUrl == "":
		return fail(vpayFieldProblem("returnUrl", "required when userFlow is WEB_REDIRECT"))
	case b.UserFlow == epayment.PUSHMESSAGE && noCustomer:
		return fail(vpayFieldProblem("customer", "required when userFlow is PUSH_MESSAGE"))
	}
	cardOnly := b.Amount.Currency == "SEK" || b.Amount.Currency == "USD" || b.Amount.Currency == "GBP"
	if !slices.Contains([]string{"NOK", "DKK", "EUR"}, b.Amount.Currency) && !(cardOnly && b.PaymentMethod.Type == "CARD_PASSTHROUGH") {
		return fail(vpayProblem(http.StatusBadRequest, "5040", "Bad Request", "Currency "+b.Amount.Currency+" is not supported for this payment method"))
	}
	if min := vpayMinimum(b.Amount.Currency); b.Amount.Value < min {
		return fail(vpayProblem(http.StatusBadRequest, "4040", "Bad Request", fmt.Sprintf("amount.value %d is below the minimum %d for %s", b.Amount.Value, min, b.Amount.Currency)))
	}
	for _, s := range strings.Fields(b.Profile.Scope) {
		if !slices.Contains(vpayScopes, s) {
			return fail(vpayProblem(http.StatusBadRequest, "4080", "Bad Request", "profile.scope: unknown scope "+strconv.Quote(s)))
		}
	}
	if !b.ExpiresAt.IsZero() {
		switch ahead := b.ExpiresAt.Sub(f.s.now()); {
		case ahead <= vpayPaymentLife:
			return fail(vpayProblem(http.StatusBadRequest, "6120", "Bad Request", "expiresAt must be more than 10 minutes ahead"))
		case ahead >= 60*24*time.Hour:
			return fail(vpayProblem(http.StatusBadRequest, "6110", "Bad Request", "expiresAt must be less than 60 days ahead"))
		case len(b.Receipt.OrderLines) == 0:
			return fail(vpayProblem(http.StatusBadRequest, "6130", "Bad Request", "a payment with expiresAt needs a receipt"))
		}
	}
	return nil
}

// CreatePayment creates a payment in state CREATED; the user policy may approve or reject
// it at once.
func (e vpayEPayment) CreatePayment(ctx context.Context, req epayment.CreatePaymentRequestObject) (epayment.CreatePaymentResponseObject, error) {
	f := e.f
	msn, key, b := callerOf(ctx).MSN, req.Params.IdempotencyKey, *req.Body
	hash := vpayHash(b)
	f.mu.Lock()
	res, emissions := f.createLocked(msn, key, hash, b)
	f.mu.Unlock()
	f.emit(emissions)
	return vpayCreateAnswer(res), nil
}

func (f *vippsPayments) createLocked(msn, key, hash string, b epayment.CreatePaymentRequest) (vpayResult, []vpayEmission) {
	ik := vpayIdemKey(msn, "create", "", key)
	if st, ok := f.idem[ik]; ok {
		if st.hash == hash {
			return st.result.(vpayResult), nil
		}
		return vpayProblem(http.StatusConflict, "4020", "Conflict", "Idempotency-Key "+key+" was used with a different request"), nil
	}
	store := func(r vpayResult) vpayResult {
		f.idem[ik] = vpayStored{hash: hash, result: r}
		return r
	}
	if bad := f.checkCreate(b); bad != nil {
		return store(*bad), nil
	}
	if _, exists := f.payments[vpayPaymentKey(msn, b.Reference)]; exists {
		return store(vpayProblem(http.StatusConflict, "4150", "Conflict", "A payment with reference "+b.Reference+" already exists")), nil
	}
	now := f.s.now().UTC()
	p := &vpayPayment{
		msn: msn, reference: b.Reference, idemKey: key, amount: b.Amount, method: b.PaymentMethod.Type,
		userFlow: string(b.UserFlow), state: vpayCreated, token: strings.ReplaceAll(uuid.NewString(), "-", ""),
		expires: now.Add(vpayPaymentLife), scope: b.Profile.Scope, metadata: b.Metadata, createdAt: now, updated: now,
	}
	if !b.ExpiresAt.IsZero() {
		p.expires = b.ExpiresAt
	}
	if c, err := b.Customer.AsCustomerPhoneNumber(); err == nil {
		p.phone = c.PhoneNumber
	}
	switch b.UserFlow {
	case epayment.WEBREDIRECT, epayment.QR:
		p.redirectURL = "https://apitest.vipps.no/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=" + p.token
	case epayment.NATIVEREDIRECT:
		p.redirectURL = "vippsMT://?v=2&token=" + p.token
	}
	ev, em := f.eventLocked(p, vpayCreated, p.amount.Value, key, true)
	p.psp = ev.PspReference
	f.payments[vpayPaymentKey(msn, b.Reference)] = p
	f.created = append(f.created, p)
	emissions := []vpayEmission{em}
	switch f.s.opts.userPolicy {
	case UserApproves:
		emissions = append(emissions, f.approveLocked(p, "")...)
	case UserRejects:
		emissions = append(emissions, f.rejectLocked(p)...)
	}
	return store(vpayResult{created: epayment.CreatePaymentResult{Reference: p.reference, RedirectUrl: p.redirectURL}}), emissions
}

func vpayCreateAnswer(r vpayResult) epayment.CreatePaymentResponseObject {
	switch r.status {
	case 0:
		return epayment.CreatePayment201JSONResponse(r.created)
	case http.StatusConflict:
		return epayment.CreatePayment409ApplicationProblemPlusJSONResponse{ConflictApplicationProblemPlusJSONResponse: epayment.ConflictApplicationProblemPlusJSONResponse(r.problem)}
	default:
		return epayment.CreatePayment400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(r.problem)}
	}
}

// GetPayment answers the payment's state, amounts and, once shared, the user's details.
func (e vpayEPayment) GetPayment(ctx context.Context, req epayment.GetPaymentRequestObject) (epayment.GetPaymentResponseObject, error) {
	f := e.f
	f.mu.Lock()
	p, emissions := f.findLocked(callerOf(ctx).MSN, req.Reference)
	var out epayment.GetPaymentResult
	if p != nil {
		out = epayment.GetPaymentResult{
			Aggregate: p.aggregate(), Amount: p.amount, State: p.state,
			PaymentMethod: epayment.PaymentMethodResponse{Type: p.method},
			Profile:       epayment.ProfileResponse{Sub: p.sub},
			PspReference:  p.psp, Reference: p.reference, RedirectUrl: p.redirectURL,
			Metadata: epayment.MetadataResponse(p.metadata),
		}
		if p.sub != "" {
			u := vpayTestUser(p.phone)
			out.UserDetails = epayment.UserDetails{Email: u.Email, FirstName: u.GivenName, LastName: u.FamilyName, MobileNumber: u.PhoneNumber, DateOfBirth: u.Birthdate}
		}
	}
	f.mu.Unlock()
	f.emit(emissions)
	if p == nil {
		return epayment.GetPayment404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(vpayNotFound(req.Reference).problem)}, nil
	}
	return epayment.GetPayment200JSONResponse(out), nil
}

// GetPaymentEventLog answers every event of the payment, oldest first.
func (e vpayEPayment) GetPaymentEventLog(ctx context.Context, req epayment.GetPaymentEventLogRequestObject) (epayment.GetPaymentEventLogResponseObject, error) {
	f := e.f
	f.mu.Lock()
	p, emissions := f.findLocked(callerOf(ctx).MSN, req.Reference)
	var events []epayment.PaymentEvent
	if p != nil {
		events = slices.Clone(p.events)
	}
	f.mu.Unlock()
	f.emit(emissions)
	if p == nil {
		return epayment.GetPaymentEventLog404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(vpayNotFound(req.Reference).problem)}, nil
	}
	return epayment.GetPaymentEventLog200JSONResponse(events), nil
}

// modify runs a modification under the lock with the API's idempotency rules: a key seen
// with the same body replays the stored answer, with another body it is refused with
// conflictCode. Without a key (cancel allows that) every call acts anew.
func (f *vippsPayments) modify(msn, op, reference, key string, body any, conflictCode string, act func(p *vpayPayment) (vpayResult, []vpayEmission)) vpayResult {
	hash := vpayHash(body)
	f.mu.Lock()
	ik := vpayIdemKey(msn, op, reference, key)
	if key != "" {
		if st, ok := f.idem[ik]; ok {
			f.mu.Unlock()
			if st.hash == hash {
				return st.result.(vpayResult)
			}
			return vpayProblem(http.StatusConflict, conflictCode, "Conflict", "Idempotency-Key "+key+" was used with a different request")
		}
	}
	p, emissions := f.findLocked(msn, reference)
	var res vpayResult
	if p == nil {
		res = vpayNotFound(reference)
	} else {
		var more []vpayEmission
		res, more = act(p)
		emissions = append(emissions, more...)
	}
	if key != "" {
		f.idem[ik] = vpayStored{hash: hash, result: res}
	}
	f.mu.Unlock()
	f.emit(emissions)
	return res
}

// CapturePayment captures part or all of what is authorized and neither captured nor
// cancelled.
func (e vpayEPayment) CapturePayment(ctx context.Context, req epayment.CapturePaymentRequestObject) (epayment.CapturePaymentResponseObject, error) {
	f := e.f
	key := req.Params.IdempotencyKey
	res := f.modify(callerOf(ctx).MSN, "capture", req.Reference, key, req.Body, "4010", func(p *vpayPayment) (vpayResult, []vpayEmission) {
		amt := req.Body.ModificationAmount
		switch {
		case p.state == vpayCreated:
			return vpayProblem(http.StatusBadRequest, "6080", "Bad Request", "The payment is not authorized yet"), nil
		case p.state != vpayAuthorized:
			return vpayProblem(http.StatusBadRequest, "6200", "Bad Request", "A "+p.state+" payment cannot be captured"), nil
		case amt.Currency != p.amount.Currency:
			return vpayProblem(http.StatusBadRequest, "4040", "Bad Request", "modificationAmount.currency must be "+p.amount.Currency), nil
		case amt.Value <= 0:
			return vpayProblem(http.StatusBadRequest, "4040", "Bad Request", "modificationAmount.value must be positive"), nil
		}
		left := p.authorized - p.captured - p.cancelled
		if amt.Value > left {
			if left == 0 && p.cancelled > 0 {
				return vpayProblem(http.StatusBadRequest, "6070", "Bad Request", "The rest of the payment was cancelled"), nil
			}
			return vpayProblem(http.StatusBadRequest, "6090", "Bad Request", fmt.Sprintf("Capture of %d is more than the %d left to capture", amt.Value, left)), nil
		}
		p.captured += amt.Value
		ev, em := f.eventLocked(p, vpayCaptured, amt.Value, key, true)
		return vpayResult{mod: p.modification(ev.PspReference)}, []vpayEmission{em}
	})
	switch res.status {
	case 0:
		return epayment.CapturePayment200JSONResponse{ModificationJSONResponse: epayment.ModificationJSONResponse(res.mod)}, nil
	case http.StatusNotFound:
		return epayment.CapturePayment404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(res.problem)}, nil
	case http.StatusConflict:
		return epayment.CapturePayment409ApplicationProblemPlusJSONResponse{ConflictApplicationProblemPlusJSONResponse: epayment.ConflictApplicationProblemPlusJSONResponse(res.problem)}, nil
	}
	return epayment.CapturePayment400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(res.problem)}, nil
}

// RefundPayment gives back part or all of what is captured and not yet refunded.
func (e vpayEPayment) RefundPayment(ctx context.Context, req epayment.RefundPaymentRequestObject) (epayment.RefundPaymentResponseObject, error) {
	f := e.f
	key := req.Params.IdempotencyKey
	res := f.modify(callerOf(ctx).MSN, "refund", req.Reference, key, req.Body, "4150", func(p *vpayPayment) (vpayResult, []vpayEmission) {
		amt := req.Body.ModificationAmount
		switch {
		case p.state == vpayCreated:
			return vpayProblem(http.StatusBadRequest, "6020", "Bad Request", "The payment is not authorized yet"), nil
		case p.state != vpayAuthorized:
			return vpayProblem(http.StatusBadRequest, "6210", "Bad Request", "A "+p.state+" payment cannot be refunded"), nil
		case amt.Currency != p.amount.Currency:
			return vpayProblem(http.StatusBadRequest, "4040", "Bad Request", "modificationAmount.currency must be "+p.amount.Currency), nil
		case amt.Value <= 0:
			return vpayProblem(http.StatusBadRequest, "4040", "Bad Request", "modificationAmount.value must be positive"), nil
		}
		if left := p.captured - p.refunded; amt.Value > left {
			return vpayProblem(http.StatusBadRequest, "6150", "Bad Request", fmt.Sprintf("Refund of %d is more than the %d captured and not refunded", amt.Value, left)), nil
		}
		p.refunded += amt.Value
		ev, em := f.eventLocked(p, vpayRefunded, amt.Value, key, true)
		return vpayResult{mod: p.modification(ev.PspReference)}, []vpayEmission{em}
	})
	switch res.status {
	case 0:
		return epayment.RefundPayment200JSONResponse{ModificationJSONResponse: epayment.ModificationJSONResponse(res.mod)}, nil
	case http.StatusNotFound:
		return epayment.RefundPayment404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(res.problem)}, nil
	case http.StatusConflict:
		return epayment.RefundPayment409ApplicationProblemPlusJSONResponse{ConflictApplicationProblemPlusJSONResponse: epayment.ConflictApplicationProblemPlusJSONResponse(res.problem)}, nil
	}
	return epayment.RefundPayment400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(res.problem)}, nil
}

// CancelPayment ends a CREATED payment (TERMINATED) or releases what is left of an
// AUTHORIZED one, which stays AUTHORIZED with the rest in cancelledAmount.
func (e vpayEPayment) CancelPayment(ctx context.Context, req epayment.CancelPaymentRequestObject) (epayment.CancelPaymentResponseObject, error) {
	f := e.f
	var key string
	if req.Params.IdempotencyKey != nil {
		key = *req.Params.IdempotencyKey
	}
	var body epayment.CancelModificationRequest
	if req.Body != nil {
		body = *req.Body
	}
	res := f.modify(callerOf(ctx).MSN, "cancel", req.Reference, key, body, "4010", func(p *vpayPayment) (vpayResult, []vpayEmission) {
		switch p.state {
		case vpayCreated:
			p.state = vpayTerminated
			ev, em := f.eventLocked(p, vpayTerminated, p.amount.Value, key, true)
			return vpayResult{mod: p.modification(ev.PspReference)}, []vpayEmission{em}
		case vpayAuthorized:
		default:
			return vpayProblem(http.StatusBadRequest, "6190", "Bad Request", "A "+p.state+" payment cannot be cancelled"), nil
		}
		left := p.authorized - p.captured - p.cancelled
		switch {
		case body.CancelTransactionOnly:
			return vpayProblem(http.StatusBadRequest, "6060", "Bad Request", "The payment is authorized; cancelTransactionOnly cancels only payments not yet authorized"), nil
		case left == 0 && p.cancelled == 0:
			return vpayProblem(http.StatusBadRequest, "6040", "Bad Request", "The payment is captured in full"), nil
		case left == 0:
			return vpayProblem(http.StatusBadRequest, "6190", "Bad Request", "The payment is already cancelled"), nil
		}
		p.cancelled += left
		ev, em := f.eventLocked(p, vpayCancelled, left, key, true)
		return vpayResult{mod: p.modification(ev.PspReference)}, []vpayEmission{em}
	})
	switch res.status {
	case 0:
		return epayment.CancelPayment200JSONResponse{ModificationJSONResponse: epayment.ModificationJSONResponse(res.mod)}, nil
	case http.StatusNotFound:
		return epayment.CancelPayment404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(res.problem)}, nil
	case http.StatusConflict:
		return epayment.CancelPayment409ApplicationProblemPlusJSONResponse{ConflictApplicationProblemPlusJSONResponse: epayment.ConflictApplicationProblemPlusJSONResponse(res.problem)}, nil
	}
	return epayment.CancelPayment400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(res.problem)}, nil
}

// ForceApprove approves a CREATED payment as the test user (or with the landing token).
func (e vpayEPayment) ForceApprove(ctx context.Context, req epayment.ForceApproveRequestObject) (epayment.ForceApproveResponseObject, error) {
	f := e.f
	var phone, token string
	if req.Body != nil {
		token = req.Body.Token
		if c, err := req.Body.Customer.AsCustomerPhoneNumber(); err == nil {
			phone = c.PhoneNumber
		}
	}
	f.mu.Lock()
	p, emissions := f.findLocked(callerOf(ctx).MSN, req.Reference)
	var res vpayResult
	switch {
	case p == nil:
		res = vpayNotFound(req.Reference)
	case token != "" && token != p.token:
		res = vpayProblem(http.StatusBadRequest, "10010", "Bad Request", "The token does not belong to this payment")
	case p.state == vpayAuthorized:
		res = vpayProblem(http.StatusBadRequest, "6230", "Bad Request", "The payment is already authorized")
	case p.state != vpayCreated:
		res = vpayProblem(http.StatusBadRequest, "10020", "Bad Request", "A "+p.state+" payment cannot be approved")
	default:
		emissions = append(emissions, f.approveLocked(p, phone)...)
	}
	f.mu.Unlock()
	f.emit(emissions)
	switch res.status {
	case 0:
		return epayment.ForceApprove200Response{}, nil
	case http.StatusNotFound:
		return epayment.ForceApprove404ApplicationProblemPlusJSONResponse{NotFoundApplicationProblemPlusJSONResponse: epayment.NotFoundApplicationProblemPlusJSONResponse(res.problem)}, nil
	}
	return epayment.ForceApprove400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: epayment.BadRequestApplicationProblemPlusJSONResponse(res.problem)}, nil
}

// ledger lists the payments, oldest first, each brought up to date by the clock.
func (f *vippsPayments) ledger() []LedgerEntry {
	f.mu.Lock()
	var emissions []vpayEmission
	out := make([]LedgerEntry, 0, len(f.created))
	for _, p := range f.created {
		emissions = append(emissions, f.refreshLocked(p)...)
		out = append(out, LedgerEntry{
			Family: "vipps", API: "epayment", Kind: "payment",
			Reference: p.reference, IdempotencyKey: p.idemKey, Owner: p.msn, Party: p.phone,
			Amount: strconv.FormatInt(p.amount.Value, 10), Currency: p.amount.Currency, Status: p.state,
			Reason:  fmt.Sprintf("authorized=%d captured=%d cancelled=%d refunded=%d", p.authorized, p.captured, p.cancelled, p.refunded),
			Created: p.createdAt, Updated: p.updated,
		})
	}
	f.mu.Unlock()
	f.emit(emissions)
	return out
}

// mountControl adds the routes that play the user: approve or reject a CREATED payment.
func (f *vippsPayments) mountControl(mux *http.ServeMux) {
	for _, action := range []string{"approve", "reject"} {
		mux.HandleFunc("POST "+controlPrefix+"vipps/epayment/{msn}/{reference}/"+action, func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			p, emissions := f.findLocked(r.PathValue("msn"), r.PathValue("reference"))
			status := http.StatusOK
			var answer any
			switch {
			case p == nil:
				status, answer = http.StatusNotFound, map[string]string{"error": "no such payment"}
			case p.state != vpayCreated:
				status, answer = http.StatusConflict, map[string]string{"error": "the payment is " + p.state + ", not CREATED", "state": p.state}
			default:
				if action == "approve" {
					emissions = append(emissions, f.approveLocked(p, r.URL.Query().Get("phoneNumber"))...)
				} else {
					emissions = append(emissions, f.rejectLocked(p)...)
				}
				answer = map[string]any{"msn": p.msn, "reference": p.reference, "state": p.state, "aggregate": p.aggregate()}
			}
			f.mu.Unlock()
			f.emit(emissions)
			writeJSON(w, status, answer)
		})
	}
}
