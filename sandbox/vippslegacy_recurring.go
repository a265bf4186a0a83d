package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/recurring"
)

// Recurring v3 as the sandbox plays it.
//
// Agreements: a draft is PENDING until the user accepts it (the test AcceptAgreement
// endpoint, /_sandbox/ or the user policy), which makes it ACTIVE and takes the initial
// charge; a draft nobody accepts is EXPIRED after 10 minutes; a user who rejects it or a
// merchant who stops it makes it STOPPED, for good, cancelling the PENDING, DUE and
// RESERVED charges.
//
// Charges move with the sandbox clock, checked whenever the state is read: PENDING until
// the day before due, DUE then, and on the due date CHARGED (DIRECT_CAPTURE) or RESERVED
// (RESERVE_CAPTURE), or FAILED for the test failure amounts once retryDays have passed.
// UNSCHEDULED and initial charges are taken at once. Captures, cancels and refunds follow
// the facts; every POST, PATCH and DELETE is idempotent by its Idempotency-Key.

const (
	recProblemBase  = "https://developer.vippsmobilepay.com/docs/APIs/recurring-api/recurring-api-problems#"
	recProblemMedia = "application/problem+json"
	// recChargePageSize is small so that clients meet Continuation-Token paging early.
	recChargePageSize = 2
	// recDefaultAgreementPageSize is the pageSize of ListAgreements when none is given.
	recDefaultAgreementPageSize = 500
	// recPageTTL is how long a Continuation-Token stays valid.
	recPageTTL = 5 * time.Minute
	// recPendingTTL is how long a draft waits for the user before it expires.
	recPendingTTL = 10 * time.Minute
	// recMinDueDays is how far ahead a RECURRING charge must be due (1 day in test).
	recMinDueDays = 1
	// recMaxDueYears is how far ahead a charge may be due.
	recMaxDueYears = 2
	// recLegacyFactor caps a charge on LEGACY pricing at this many times the price.
	recLegacyFactor = 5
	// recMaxSuggested caps VARIABLE pricing's suggestedMaxAmount: 20 000 NOK.
	recMaxSuggested = 2_000_000
	// recTestPhone is the test user who accepts agreements for the user policy.
	recTestPhone = "4712345678"
)

// recFailures are the test amounts (minor units) whose charges fail, with the reason given.
var recFailures = map[int64][2]string{
	151: {"user_action_required", "Insufficient funds"},
	182: {"non_technical_error", "The card issuer refused the payment"},
	183: {"non_technical_error", "Suspected fraud"},
	184: {"user_action_required", "The card's withdrawal limit is reached"},
	186: {"user_action_required", "The card has expired"},
	187: {"user_action_required", "The card is invalid"},
}

// recDeclared lists the error statuses each operation documents besides 401, 403, 422, 429
// and 500; an error of another status is answered 422 instead.
var recDeclared = map[string][]int{
	"DraftAgreement":  {400, 409},
	"FetchAgreement":  {404},
	"UpdateAgreement": {400, 404},
	"AcceptAgreement": {400, 404},
	"ListCharges":     {404},
	"CreateCharge":    {400, 404, 409},
	"FetchCharge":     {404},
	"CancelCharge":    {400, 404, 409},
	"CaptureCharge":   {400, 404, 409},
	"RefundCharge":    {400, 404, 409},
	"FetchChargeById": {404},
}

// recFit returns status if op documents it, else 422.
func recFit(op string, status int) int {
	if slices.Contains(recDeclared[op], status) {
		return status
	}
	return http.StatusUnprocessableEntity
}

// recProblem is an ErrorV3 answer of the given problem type (a fragment of the problems page).
func recProblem(status int, kind, title, detail, instance string, extra ...recurring.ErrorDetailV3) vlAnswer {
	return vlJSON(status, recProblemMedia, recurring.ErrorV3{
		Type: recProblemBase + kind, Title: title, Status: int32(status), Detail: detail,
		Instance: instance, ContextId: uuid.NewString(), ExtraDetails: extra,
	})
}

// recRefusal is a refused request, before it is put in an operation's shape.
type recRefusal struct {
	status int
	kind   string
	field  string // the field at fault, for extraDetails; may be empty
	detail string
}

func (f recRefusal) answer(op, instance string) vlAnswer {
	status := recFit(op, f.status)
	var extra []recurring.ErrorDetailV3
	if f.field != "" {
		extra = append(extra, recurring.ErrorDetailV3{Name: f.field, Reason: f.detail})
	}
	return recProblem(status, f.kind, http.StatusText(status), f.detail, instance, extra...)
}

func recInvalid(field, rule string) *recRefusal {
	return &recRefusal{status: http.StatusBadRequest, kind: "validation-error", field: field, detail: field + ": " + rule}
}

// recBadRequest answers a request the documents refuse: a validation-error problem with one
// extraDetails entry per problem. Operations that document no 400 get 422.
func recBadRequest(w http.ResponseWriter, r *http.Request, problems []string) {
	status := http.StatusBadRequest
	if r.Method == http.MethodGet || r.URL.Path == "/recurring/v3/agreements/charges" {
		status = http.StatusUnprocessableEntity
	}
	extra := make([]recurring.ErrorDetailV3, 0, len(problems))
	for _, p := range problems {
		field, rule := vlProblemField(p)
		extra = append(extra, recurring.ErrorDetailV3{Name: field, Reason: rule})
	}
	_ = recProblem(status, "validation-error", http.StatusText(status), strings.Join(problems, "; "), r.URL.Path, extra...).write(w)
}

// recAgreement is one agreement.
type recAgreement struct {
	id, uuid, msn, base string
	status              string // PENDING, ACTIVE, STOPPED or EXPIRED
	pricingType         string // LEGACY, VARIABLE or FLEXIBLE
	currency            string
	price               int64 // LEGACY
	suggestedMax        int64 // VARIABLE
	maxAmount           int64 // VARIABLE: what the user accepted
	interval            recurring.TimePeriod
	campaign            *recurring.CampaignResponseV3
	productName         string
	productDescription  string
	agreementURL        string
	redirectURL         string
	externalID          string
	phone               string
	confirmationURL     string
	sub                 string
	initialChargeID     string
	created             time.Time
	start, stop         time.Time
}

func (a *recAgreement) response() recurring.AgreementResponseV3 {
	var pricing recurring.PricingResponse
	switch a.pricingType {
	case "LEGACY":
		_ = pricing.FromLegacyPricingResponse(recurring.LegacyPricingResponse{Currency: a.currency, Amount: a.price})
	case "VARIABLE":
		_ = pricing.FromVariablePricingResponse(recurring.VariablePricingResponse{Currency: a.currency, SuggestedMaxAmount: a.suggestedMax, MaxAmount: a.maxAmount})
	default:
		_ = pricing.FromFlexiblePricingResponse(recurring.FlexiblePricingResponse{Currency: a.currency})
	}
	resp := recurring.AgreementResponseV3{
		Id: a.id, Uuid: a.uuid, Status: a.status, Pricing: pricing, ProductName: a.productName,
		ProductDescription: a.productDescription, CountryCode: recCountry(a.currency), Created: a.created,
		MerchantAgreementUrl: a.agreementURL, MerchantRedirectUrl: a.redirectURL, ExternalId: a.externalID,
		Start: a.start, Stop: a.stop, VippsConfirmationUrl: a.confirmationURL,
	}
	if a.interval != (recurring.TimePeriod{}) {
		resp.Interval = recurring.IntervalV3{Unit: a.interval.Unit, Count: a.interval.Count, Text: recIntervalText(a.interval)}
	}
	if a.campaign != nil {
		resp.Campaign = *a.campaign
	}
	if a.sub != "" {
		resp.Sub = a.sub
		resp.UserinfoUrl = a.base + "/vipps-userinfo-api/userinfo/" + a.sub
	}
	return resp
}

// recCountry is the market of a currency.
func recCountry(currency string) string {
	switch currency {
	case "DKK":
		return "DK"
	case "EUR":
		return "FI"
	}
	return "NO"
}

// recIntervalText describes an interval for people, e.g. "every 2 weeks".
func recIntervalText(p recurring.TimePeriod) string {
	unit := strings.ToLower(p.Unit)
	if p.Count == 1 {
		return "every " + unit
	}
	return fmt.Sprintf("every %d %ss", p.Count, unit)
}

// recCharge is one charge.
type recCharge struct {
	id, agreementID, msn string
	amount               int64
	currency             string
	description          string
	due                  time.Time
	status               string
	typ                  string // INITIAL, RECURRING or UNSCHEDULED
	transactionType      string
	transactionID        string // empty until DUE
	retryDays            int32
	processingMode       string
	externalID           string
	captured             int64
	refunded             int64
	cancelled            int64
	history              []recurring.ChargeHistoryEntryV3
	failureReason        string
	failureDescription   string
	key                  string // the Idempotency-Key it was created with
	created, updated     time.Time
}

func (c *recCharge) response(a *recAgreement) recurring.ChargeResponseV3 {
	resp := recurring.ChargeResponseV3{
		Id: c.id, AgreementId: c.agreementID, Amount: c.amount, Currency: c.currency,
		Description: c.description, Due: c.due, Status: c.status, Type: c.typ,
		TransactionType: c.transactionType, RetryDays: c.retryDays, ProcessingMode: c.processingMode,
		ExternalId: c.externalID, FailureReason: c.failureReason, FailureDescription: c.failureDescription,
		Summary: recurring.ChargeSummaryV3{Captured: c.captured, Refunded: c.refunded, Cancelled: c.cancelled},
		History: slices.Clone(c.history),
	}
	if resp.History == nil {
		resp.History = []recurring.ChargeHistoryEntryV3{}
	}
	if c.transactionID != "" {
		id := c.transactionID
		resp.TransactionId = &id
	}
	if a != nil {
		resp.ExternalAgreementId = a.externalID
	}
	return resp
}

func (c *recCharge) record(event string, amount int64, key string, success bool, at time.Time) {
	c.history = append(c.history, recurring.ChargeHistoryEntryV3{
		Occurred: at, Event: event, Amount: amount, IdempotencyKey: key, Success: success,
		TransactionId: c.transactionID, ExternalId: c.externalID,
	})
	c.updated = at
}

func (c *recCharge) ledgerEntry(a *recAgreement) LedgerEntry {
	e := LedgerEntry{
		Family: "vipps", API: "recurring", Kind: "charge", Reference: c.id, IdempotencyKey: c.key,
		Owner: c.msn, Amount: strconv.FormatInt(c.amount, 10), Currency: c.currency, Status: c.status,
		Reason: c.failureReason, Created: c.created, Updated: c.updated,
	}
	if a != nil {
		e.Party = a.phone
	}
	return e
}

// recPage is where a Continuation-Token leads.
type recPage struct {
	msn, kind, agreementID, status string
	createdAfter                   *time.Time
	offset, size                   int
	expires                        time.Time
}

// recServer implements the Recurring strict server.
type recServer struct{ l *vippsLegacy }

var _ recurring.StrictServerInterface = (*recServer)(nil)

// recOnce runs an operation at most once per Idempotency-Key: the same key with the same
// body gets the first answer again (errors included), another body an idempotency-conflict
// problem. The caller holds the lock.
func (l *vippsLegacy) recOnce(call vlCall, op, resource, key string, body any, instance string, run func() vlAnswer) vlAnswer {
	k := "recurring|" + call.caller.MSN + "|" + op + "|" + resource + "|" + key
	hash := vlHash(body)
	if prev, ok := l.replays[k]; ok {
		if prev.hash != hash {
			status := recFit(op, http.StatusConflict)
			return recProblem(status, "idempotency-conflict", http.StatusText(status),
				"Idempotency-Key "+key+" was used with another request; use a new key for a new request", instance,
				recurring.ErrorDetailV3{Name: "Idempotency-Key", Reason: "already used with another request body"})
		}
		return prev.answer
	}
	a := run()
	l.replays[k] = &vlReplay{hash: hash, answer: a}
	return a
}

// recAgreementOf finds the caller's agreement; the caller holds the lock.
func (l *vippsLegacy) recAgreementOf(call vlCall, id string) *recAgreement {
	a, ok := l.agreements[id]
	if !ok || a.msn != call.caller.MSN {
		return nil
	}
	return a
}

// recChargeOf finds the caller's charge on agreement agreementID ("" for any).
func (l *vippsLegacy) recChargeOf(call vlCall, agreementID, chargeID string) *recCharge {
	c, ok := l.charges[call.caller.MSN+"/"+chargeID]
	if !ok || agreementID != "" && c.agreementID != agreementID {
		return nil
	}
	return c
}

func recNotFound(op, what, instance string) vlAnswer {
	return recRefusal{status: http.StatusNotFound, kind: "resource-not-found", detail: what + " not found for this merchant"}.answer(op, instance)
}

func recAgreementPath(id string) string { return "/recurring/v3/agreements/" + id }

func recChargePath(agreementID, chargeID string) string {
	return recAgreementPath(agreementID) + "/charges/" + chargeID
}

func (r *recServer) DraftAgreement(ctx context.Context, req recurring.DraftAgreementRequestObject) (recurring.DraftAgreementResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op, instance = "DraftAgreement", "/recurring/v3/agreements"
	return l.recOnce(call, op, "", req.Params.IdempotencyKey, req.Body, instance, func() vlAnswer {
		a, initial, refusal := l.recDraft(call, req.Body, req.Params.IdempotencyKey)
		if refusal != nil {
			return refusal.answer(op, instance)
		}
		resp := recurring.DraftAgreement201JSONResponse{AgreementId: a.id, Uuid: a.uuid, VippsConfirmationUrl: a.confirmationURL}
		if initial != nil {
			resp.ChargeId = initial.id
		}
		switch l.s.opts.userPolicy {
		case UserApproves:
			l.recAccept(a, recTestPhone)
		case UserRejects:
			l.recReject(a)
		}
		return vlRender(resp.VisitDraftAgreementResponse)
	}), nil
}

// recDraft checks a draft and creates the agreement (and its initial charge).
func (l *vippsLegacy) recDraft(call vlCall, b *recurring.DraftAgreementV3, key string) (*recAgreement, *recCharge, *recRefusal) {
	now := l.now()
	a := &recAgreement{
		id: vlRandomID("agr_", 7), uuid: uuid.NewString(), msn: call.caller.MSN, base: call.base,
		status: "PENDING", interval: b.Interval, productName: b.ProductName,
		productDescription: b.ProductDescription, agreementURL: b.MerchantAgreementUrl,
		redirectURL: b.MerchantRedirectUrl, externalID: b.ExternalId, phone: b.PhoneNumber, created: now,
	}
	kind, err := b.Pricing.Discriminator()
	if err != nil {
		return nil, nil, recInvalid("pricing.type", "must be LEGACY, VARIABLE or FLEXIBLE")
	}
	a.pricingType = kind
	switch kind {
	case "LEGACY":
		p, _ := b.Pricing.AsLegacyPricingRequest()
		a.currency, a.price = p.Currency, p.Amount
	case "VARIABLE":
		p, _ := b.Pricing.AsVariablePricingRequest()
		a.currency, a.suggestedMax = p.Currency, p.SuggestedMaxAmount
		if p.SuggestedMaxAmount > recMaxSuggested {
			return nil, nil, &recRefusal{status: http.StatusBadRequest, kind: "invalid-suggested-max-amount", field: "pricing.suggestedMaxAmount",
				detail: "pricing.suggestedMaxAmount: at most " + strconv.Itoa(recMaxSuggested) + " (20 000 NOK)"}
		}
	case "FLEXIBLE":
		p, _ := b.Pricing.AsFlexiblePricingRequest()
		a.currency = p.Currency
	default:
		return nil, nil, recInvalid("pricing.type", "must be LEGACY, VARIABLE or FLEXIBLE")
	}
	if !slices.Contains([]string{"NOK", "DKK", "EUR"}, a.currency) {
		return nil, nil, recInvalid("pricing.currency", "must be NOK, DKK or EUR")
	}
	if u, err := url.Parse(b.MerchantRedirectUrl); err != nil || u.Scheme == "" || u.Scheme == "http" {
		return nil, nil, recInvalid("merchantRedirectUrl", "must be an https URL or an app deeplink")
	}
	if b.SkipLandingPage && b.PhoneNumber == "" {
		return nil, nil, recInvalid("phoneNumber", "required with skipLandingPage")
	}
	if campaign, ok := recCampaign(b.Campaign); ok {
		a.campaign = &campaign
	}
	var initial *recCharge
	if ic := b.InitialCharge; ic != (recurring.InitialChargeV3{}) {
		spec := recChargeSpec{
			amount: ic.Amount, description: ic.Description, transactionType: ic.TransactionType,
			typ: "INITIAL", orderID: ic.OrderId, externalID: ic.ExternalId, processingMode: "SINGLE_ATTEMPT",
		}
		if f := l.recCheckCharge(call.caller.MSN, a, spec, now, "initialCharge."); f != nil {
			return nil, nil, f
		}
		initial = l.recNewCharge(a, spec, key, now)
		a.initialChargeID = initial.id
	}
	a.confirmationURL = call.base + controlPrefix + "vipps/recurring/" + url.PathEscape(a.msn) + "/" + a.id
	if b.IsApp {
		a.confirmationURL = "vippsMT://recurring?agreementId=" + a.id
	}
	l.agreements[a.id] = a
	l.agreementOrder = append(l.agreementOrder, a)
	return a, initial, nil
}

// recCampaign turns a requested campaign into its answer form.
func recCampaign(c recurring.CampaignRequest) (recurring.CampaignResponseV3, bool) {
	if raw, err := c.MarshalJSON(); err != nil || string(raw) == "null" {
		return recurring.CampaignResponseV3{}, false
	}
	v, err := c.ValueByDiscriminator()
	if err != nil {
		return recurring.CampaignResponseV3{}, false
	}
	switch v := v.(type) {
	case recurring.PriceCampaignV3:
		return recurring.CampaignResponseV3{Type: string(v.Type), Price: v.Price, End: v.End,
			Explanation: "Campaign price until " + v.End.Format("2006-01-02")}, true
	case recurring.PeriodCampaignV3:
		return recurring.CampaignResponseV3{Type: string(v.Type), Price: v.Price, Period: v.Period,
			Explanation: "Campaign price for the first " + strings.TrimPrefix(recIntervalText(v.Period), "every ")}, true
	case recurring.EventCampaignV3:
		return recurring.CampaignResponseV3{Type: string(v.Type), Price: v.Price, EventDate: v.EventDate, EventText: v.EventText,
			Explanation: "Campaign price until " + v.EventText}, true
	}
	return recurring.CampaignResponseV3{}, false
}

func (r *recServer) FetchAgreement(ctx context.Context, req recurring.FetchAgreementRequestObject) (recurring.FetchAgreementResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	a := l.recAgreementOf(call, req.AgreementId)
	if a == nil {
		return recNotFound("FetchAgreement", "Agreement "+req.AgreementId, recAgreementPath(req.AgreementId)), nil
	}
	return recurring.FetchAgreement200JSONResponse(a.response()), nil
}

func (r *recServer) ListAgreements(ctx context.Context, req recurring.ListAgreementsRequestObject) (recurring.ListAgreementsResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	now := l.now()
	l.recAdvance(now)
	p := req.Params
	page := recPage{msn: call.caller.MSN, kind: "agreements", status: "ACTIVE", size: recDefaultAgreementPageSize}
	if p.ContinuationToken != nil {
		stored, ok := l.pages[*p.ContinuationToken]
		if !ok || stored.kind != page.kind || stored.msn != page.msn || !now.Before(stored.expires) {
			return recInvalid("Continuation-Token", "unknown or expired; start again without it").answer("ListAgreements", "/recurring/v3/agreements"), nil
		}
		page = *stored
	} else {
		if p.Status != nil {
			page.status = *p.Status
		}
		if p.CreatedAfter != nil {
			t := time.UnixMilli(*p.CreatedAfter)
			page.createdAfter = &t
		}
		if p.PageSize != nil {
			page.size = int(*p.PageSize)
		}
		if p.PageNumber != nil {
			page.offset = (int(*p.PageNumber) - 1) * page.size
		}
	}
	var all []recurring.AgreementResponseV3
	for _, a := range l.agreementOrder {
		if a.msn == page.msn && a.status == page.status && (page.createdAfter == nil || a.created.After(*page.createdAfter)) {
			all = append(all, a.response())
		}
	}
	items, token := l.recSlice(len(all), page, now)
	return recList(all[items[0]:items[1]], token), nil
}

func (r *recServer) UpdateAgreement(ctx context.Context, req recurring.UpdateAgreementRequestObject) (recurring.UpdateAgreementResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op = "UpdateAgreement"
	instance := recAgreementPath(req.AgreementId)
	return l.recOnce(call, op, req.AgreementId, req.Params.IdempotencyKey, req.Body, instance, func() vlAnswer {
		l.recAdvance(l.now())
		a := l.recAgreementOf(call, req.AgreementId)
		if a == nil {
			return recNotFound(op, "Agreement "+req.AgreementId, instance)
		}
		if f := l.recUpdate(a, req.Body, req.Params.IdempotencyKey); f != nil {
			return f.answer(op, instance)
		}
		return vlRender(recurring.UpdateAgreement204Response{}.VisitUpdateAgreementResponse)
	}), nil
}

// recUpdate applies a PATCH; the caller holds the lock.
func (l *vippsLegacy) recUpdate(a *recAgreement, b *recurring.PatchAgreementV3, key string) *recRefusal {
	others := *b
	others.Status = ""
	if b.Status != "" {
		if others != (recurring.PatchAgreementV3{}) {
			return recInvalid("status", "STOPPED cannot be combined with other changes")
		}
		switch a.status {
		case "STOPPED":
			return nil // already stopped: nothing to do
		case "EXPIRED":
			return &recRefusal{status: http.StatusBadRequest, kind: "illegal-agreement-update", field: "status", detail: "status: the agreement is EXPIRED and cannot be stopped"}
		}
		l.recStop(a, key, "MERCHANT")
		return nil
	}
	if a.status == "STOPPED" || a.status == "EXPIRED" {
		return &recRefusal{status: http.StatusBadRequest, kind: "illegal-agreement-update", detail: "the agreement is " + a.status + " and can no longer be changed"}
	}
	if b.Pricing.Amount != 0 && a.pricingType != "LEGACY" {
		return recInvalid("pricing.amount", "only for LEGACY pricing")
	}
	if b.Pricing.SuggestedMaxAmount != 0 {
		if a.pricingType != "VARIABLE" {
			return recInvalid("pricing.suggestedMaxAmount", "only for VARIABLE pricing")
		}
		if b.Pricing.SuggestedMaxAmount > recMaxSuggested {
			return &recRefusal{status: http.StatusBadRequest, kind: "invalid-suggested-max-amount", field: "pricing.suggestedMaxAmount",
				detail: "pricing.suggestedMaxAmount: at most " + strconv.Itoa(recMaxSuggested) + " (20 000 NOK)"}
		}
	}
	var interval *recurring.TimePeriod
	switch iv := b.Interval; {
	case iv == (recurring.PatchIntervalV3{}):
	case iv.Type == recurring.PatchIntervalV3TypeFLEXIBLE:
		if iv.Period != (recurring.TimePeriod{}) {
			return recInvalid("interval.period", "not allowed with interval type FLEXIBLE")
		}
		interval = &recurring.TimePeriod{}
	default:
		if iv.Period == (recurring.TimePeriod{}) {
			return recInvalid("interval.period", "required with interval type RECURRING")
		}
		interval = &iv.Period
	}
	if b.ProductName != "" {
		a.productName = b.ProductName
	}
	if b.ProductDescription != "" {
		a.productDescription = b.ProductDescription
	}
	if b.MerchantAgreementUrl != "" {
		a.agreementURL = b.MerchantAgreementUrl
	}
	if b.ExternalId != "" {
		a.externalID = b.ExternalId
	}
	if b.Pricing.Amount != 0 {
		a.price = b.Pricing.Amount
	}
	if b.Pricing.SuggestedMaxAmount != 0 {
		a.suggestedMax = b.Pricing.SuggestedMaxAmount
	}
	if interval != nil {
		a.interval = *interval
	}
	return nil
}

func (r *recServer) AcceptAgreement(ctx context.Context, req recurring.AcceptAgreementRequestObject) (recurring.AcceptAgreementResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op = "AcceptAgreement"
	instance := recAgreementPath(req.AgreementId) + "/accept"
	return l.recOnce(call, op, req.AgreementId, req.Params.IdempotencyKey, req.Body, instance, func() vlAnswer {
		l.recAdvance(l.now())
		a := l.recAgreementOf(call, req.AgreementId)
		if a == nil {
			return recNotFound(op, "Agreement "+req.AgreementId, instance)
		}
		if a.status != "PENDING" {
			return recRefusal{status: http.StatusBadRequest, kind: "illegal-agreement-update",
				detail: "the agreement is " + a.status + "; only a PENDING agreement can be accepted"}.answer(op, instance)
		}
		l.recAccept(a, req.Body.PhoneNumber)
		return vlRender(recurring.AcceptAgreement204Response{}.VisitAcceptAgreementResponse)
	}), nil
}

// recUserActs plays the user accepting or rejecting a PENDING agreement, for /_sandbox/.
func (l *vippsLegacy) recUserActs(msn, id string, accept bool, phone string) (int, string, string) {
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	a, ok := l.agreements[id]
	if !ok || a.msn != msn {
		return http.StatusNotFound, "", "no agreement " + id + " for merchant " + msn
	}
	if a.status != "PENDING" {
		return http.StatusConflict, a.status, "the agreement is not waiting for the user"
	}
	if phone == "" {
		phone = recTestPhone
	}
	if accept {
		l.recAccept(a, phone)
	} else {
		l.recReject(a)
	}
	return http.StatusOK, a.status, ""
}

// recAccept is the user accepting a PENDING agreement: it becomes ACTIVE and the initial
// charge is taken; if that fails, the agreement expires instead.
func (l *vippsLegacy) recAccept(a *recAgreement, phone string) {
	now := l.now()
	a.phone = phone
	a.sub = uuid.NewString()
	if a.pricingType == "VARIABLE" {
		a.maxAmount = a.suggestedMax
	}
	var initial *recCharge
	if a.initialChargeID != "" {
		initial = l.charges[a.msn+"/"+a.initialChargeID]
	}
	if initial != nil {
		initial.due = now
		if _, fails := recFailures[initial.amount]; fails {
			l.recFail(a, initial, now)
			a.status = "EXPIRED"
			l.recEmit("recurring.agreement-expired.v1", a, nil, 0, "SYSTEM", now)
			return
		}
	}
	a.status = "ACTIVE"
	a.start = now
	l.recEmit("recurring.agreement-activated.v1", a, nil, 0, "USER", now)
	if initial != nil {
		l.recStep(a, initial, now)
	}
}

// recReject is the user rejecting a PENDING agreement.
func (l *vippsLegacy) recReject(a *recAgreement) {
	now := l.now()
	a.status = "STOPPED"
	a.stop = now
	l.recCancelOpen(a, "", now)
	l.recEmit("recurring.agreement-rejected.v1", a, nil, 0, "USER", now)
}

// recStop stops an agreement for good, cancelling its open charges.
func (l *vippsLegacy) recStop(a *recAgreement, key, actor string) {
	now := l.now()
	a.status = "STOPPED"
	a.stop = now
	l.recCancelOpen(a, key, now)
	l.recEmit("recurring.agreement-stopped.v1", a, nil, 0, actor, now)
}

// recCancelOpen cancels an agreement's PENDING, DUE and RESERVED charges.
func (l *vippsLegacy) recCancelOpen(a *recAgreement, key string, at time.Time) {
	for _, c := range l.chargeOrder {
		if c.agreementID == a.id && slices.Contains([]string{"PENDING", "DUE", "RESERVED"}, c.status) {
			k := key
			if k == "" {
				k = c.key // the system acts: the charge's own key marks the entry
			}
			l.recCancel(a, c, k, at)
		}
	}
}

// recCancel cancels what is left of a charge: PENDING, DUE and RESERVED become CANCELLED, a
// PARTIALLY_CAPTURED one CHARGED.
func (l *vippsLegacy) recCancel(a *recAgreement, c *recCharge, key string, at time.Time) {
	rest := c.amount - c.captured - c.cancelled
	c.cancelled += rest
	if c.status == "PARTIALLY_CAPTURED" {
		c.status = "CHARGED"
	} else {
		c.status = "CANCELLED"
	}
	c.record("CANCEL", rest, key, true, at)
	l.recEmit("recurring.charge-canceled.v1", a, c, rest, "MERCHANT", at)
}

// recAdvance moves agreements and charges along the clock; the caller holds the lock.
func (l *vippsLegacy) recAdvance(now time.Time) {
	for _, a := range l.agreementOrder {
		if a.status == "PENDING" && !now.Before(a.created.Add(recPendingTTL)) {
			at := a.created.Add(recPendingTTL)
			a.status = "EXPIRED"
			l.recCancelOpen(a, "", at)
			l.recEmit("recurring.agreement-expired.v1", a, nil, 0, "SYSTEM", at)
		}
	}
	for _, c := range l.chargeOrder {
		if a := l.agreements[c.agreementID]; a != nil {
			l.recStep(a, c, now)
		}
	}
}

// recStep moves one charge of an ACTIVE agreement along the clock.
func (l *vippsLegacy) recStep(a *recAgreement, c *recCharge, now time.Time) {
	if a.status != "ACTIVE" {
		return
	}
	if c.status == "PENDING" && !now.Before(c.due.AddDate(0, 0, -1)) {
		c.status = "DUE"
		c.transactionID = l.nextTransactionID()
		c.updated = later(c.created, c.due.AddDate(0, 0, -1))
	}
	if c.status != "DUE" || now.Before(c.due) {
		return
	}
	at := later(c.created, c.due)
	if _, fails := recFailures[c.amount]; fails {
		failAt := c.due
		if c.typ == "RECURRING" && c.processingMode != "SINGLE_ATTEMPT" {
			failAt = c.due.AddDate(0, 0, int(c.retryDays))
		}
		if now.Before(failAt) {
			return // still being retried
		}
		l.recFail(a, c, later(c.created, failAt))
		return
	}
	c.record("RESERVE", c.amount, c.key, true, at)
	if c.transactionType == "RESERVE_CAPTURE" {
		c.status = "RESERVED"
		l.recEmit("recurring.charge-reserved.v1", a, c, c.amount, "SYSTEM", at)
		return
	}
	c.status = "CHARGED"
	c.captured = c.amount
	c.record("CAPTURE", c.amount, c.key, true, at)
	l.recEmit("recurring.charge-captured.v1", a, c, c.amount, "SYSTEM", at)
}

// recFail marks a charge FAILED with the reason of its test amount.
func (l *vippsLegacy) recFail(a *recAgreement, c *recCharge, at time.Time) {
	why := recFailures[c.amount]
	if c.transactionID == "" {
		c.transactionID = l.nextTransactionID()
	}
	c.status = "FAILED"
	c.failureReason, c.failureDescription = why[0], why[1]
	c.record("FAIL", c.amount, c.key, false, at)
	l.recEmit("recurring.charge-failed.v1", a, c, c.amount, "SYSTEM", at)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// recEmit queues a Recurring webhook. The payload is not documented anywhere; this one
// carries what receivers are seen to read.
func (l *vippsLegacy) recEmit(event string, a *recAgreement, c *recCharge, amount int64, actor string, at time.Time) {
	payload := map[string]any{
		"eventType":     event,
		"agreementId":   a.id,
		"agreementUuid": a.uuid,
		"msn":           a.msn,
		"occurred":      at.UTC().Format(time.RFC3339Nano),
		"actor":         actor,
	}
	if a.externalID != "" {
		payload["agreementExternalId"] = a.externalID
	}
	if c != nil {
		payload["chargeId"] = c.id
		payload["chargeType"] = c.typ
		payload["amount"] = amount
		payload["currency"] = c.currency
		payload["amountCaptured"] = c.captured
		payload["amountRefunded"] = c.refunded
		payload["amountCanceled"] = c.cancelled
		if c.externalID != "" {
			payload["chargeExternalId"] = c.externalID
		}
		if c.failureReason != "" {
			payload["failureReason"] = c.failureReason
		}
	}
	msn := a.msn
	l.outbox = append(l.outbox, func() { l.s.vipps.emit(event, msn, payload) })
}

// recChargeSpec is a charge to create, from CreateCharge, the batch or an initial charge.
type recChargeSpec struct {
	amount          int64
	description     string
	transactionType string
	typ             string
	due             time.Time // zero when not given
	retryDays       *int32
	processingMode  string
	orderID         string
	externalID      string
}

// recCheckCharge checks a charge against the agreement and the rules the documents cannot
// express; prefix names where the charge sits in the body.
func (l *vippsLegacy) recCheckCharge(msn string, a *recAgreement, s recChargeSpec, now time.Time, prefix string) *recRefusal {
	if !slices.Contains([]string{"RESERVE_CAPTURE", "DIRECT_CAPTURE"}, s.transactionType) {
		return recInvalid(prefix+"transactionType", "must be RESERVE_CAPTURE or DIRECT_CAPTURE")
	}
	if s.amount <= 0 {
		return recInvalid(prefix+"amount", "must be more than 0")
	}
	if s.typ == "RECURRING" {
		if s.due.IsZero() {
			return recInvalid(prefix+"due", "required for RECURRING charges")
		}
		if s.retryDays == nil {
			return recInvalid(prefix+"retryDays", "required for RECURRING charges")
		}
		today := now.UTC().Truncate(24 * time.Hour)
		if s.due.Before(today.AddDate(0, 0, recMinDueDays)) {
			return &recRefusal{status: http.StatusBadRequest, kind: "charge-due-too-soon", field: prefix + "due",
				detail: prefix + "due: must be at least " + strconv.Itoa(recMinDueDays) + " day ahead"}
		}
		if s.due.After(today.AddDate(recMaxDueYears, 0, 0)) {
			return &recRefusal{status: http.StatusBadRequest, kind: "charge-due-in-too-long", field: prefix + "due",
				detail: prefix + "due: must be at most " + strconv.Itoa(recMaxDueYears) + " years ahead"}
		}
	}
	if s.typ == "UNSCHEDULED" && s.processingMode == "SINGLE_ATTEMPT" {
		return recInvalid(prefix+"processingMode", "SINGLE_ATTEMPT is not allowed for UNSCHEDULED charges")
	}
	if s.processingMode == "SINGLE_ATTEMPT" && s.typ == "RECURRING" && s.retryDays != nil && *s.retryDays != 0 {
		return recInvalid(prefix+"retryDays", "must be 0 with SINGLE_ATTEMPT")
	}
	switch a.pricingType {
	case "LEGACY":
		if s.amount > recLegacyFactor*a.price {
			return &recRefusal{status: http.StatusBadRequest, kind: "charge-amount-too-high", field: prefix + "amount",
				detail: fmt.Sprintf("%samount: %d is more than %d times the agreement's price of %d", prefix, s.amount, recLegacyFactor, a.price)}
		}
	case "VARIABLE":
		if a.status == "ACTIVE" && s.amount > a.maxAmount {
			return &recRefusal{status: http.StatusBadRequest, kind: "charge-amount-too-high", field: prefix + "amount",
				detail: fmt.Sprintf("%samount: %d is more than the %d the user accepted", prefix, s.amount, a.maxAmount)}
		}
	}
	if s.orderID != "" {
		if _, dup := l.charges[msn+"/"+s.orderID]; dup || l.payments[msn+"/"+s.orderID] != nil {
			return &recRefusal{status: http.StatusConflict, kind: "conflict", field: prefix + "orderId",
				detail: prefix + "orderId: " + s.orderID + " is already used by this merchant (Recurring or eCom)"}
		}
	}
	return nil
}

// recNewCharge creates a checked charge and takes it at once if it is due.
func (l *vippsLegacy) recNewCharge(a *recAgreement, s recChargeSpec, key string, now time.Time) *recCharge {
	id := s.orderID
	for id == "" || l.charges[a.msn+"/"+id] != nil {
		id = vlRandomID("chr-", 10)
	}
	due := s.due
	if s.typ != "RECURRING" {
		due = now
	}
	mode := s.processingMode
	if mode == "" {
		mode = "MULTIPLE_ATTEMPTS"
	}
	var retry int32
	if s.retryDays != nil {
		retry = *s.retryDays
	}
	c := &recCharge{
		id: id, agreementID: a.id, msn: a.msn, amount: s.amount, currency: a.currency,
		description: s.description, due: due, status: "PENDING", typ: s.typ,
		transactionType: s.transactionType, retryDays: retry, processingMode: mode,
		externalID: s.externalID, key: key, created: now,
	}
	c.record("CREATE", s.amount, key, true, now)
	l.charges[a.msn+"/"+id] = c
	l.chargeOrder = append(l.chargeOrder, c)
	l.recStep(a, c, now)
	return c
}

func (r *recServer) CreateCharge(ctx context.Context, req recurring.CreateChargeRequestObject) (recurring.CreateChargeResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op = "CreateCharge"
	instance := recAgreementPath(req.AgreementId) + "/charges"
	return l.recOnce(call, op, req.AgreementId, req.Params.IdempotencyKey, req.Body, instance, func() vlAnswer {
		now := l.now()
		l.recAdvance(now)
		a := l.recAgreementOf(call, req.AgreementId)
		if a == nil {
			return recNotFound(op, "Agreement "+req.AgreementId, instance)
		}
		if a.status != "ACTIVE" {
			return recRefusal{status: http.StatusConflict, kind: "conflict",
				detail: "the agreement is " + a.status + "; charges need an ACTIVE agreement"}.answer(op, instance)
		}
		b := req.Body
		spec := recChargeSpec{
			amount: b.Amount, description: b.Description, transactionType: b.TransactionType,
			typ: string(b.Type), due: b.Due.Time, retryDays: b.RetryDays, processingMode: string(b.ProcessingMode),
			orderID: b.OrderId, externalID: b.ExternalId,
		}
		if spec.typ == "" {
			spec.typ = "RECURRING"
		}
		if f := l.recCheckCharge(a.msn, a, spec, now, ""); f != nil {
			return f.answer(op, instance)
		}
		c := l.recNewCharge(a, spec, req.Params.IdempotencyKey, now)
		return vlRender(recurring.CreateCharge201JSONResponse{ChargeId: c.id}.VisitCreateChargeResponse)
	}), nil
}

func (r *recServer) CreateChargeAsync(ctx context.Context, req recurring.CreateChargeAsyncRequestObject) (recurring.CreateChargeAsyncResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op, instance = "CreateChargeAsync", "/recurring/v3/agreements/charges"
	return l.recOnce(call, op, "", req.Params.IdempotencyKey, req.Body, instance, func() vlAnswer {
		now := l.now()
		l.recAdvance(now)
		resp := recurring.CreateChargeAsync202JSONResponse{InvalidCharges: []recurring.InvalidChargeV3{}, ValidCharges: []string{}}
		for i, item := range *req.Body {
			spec := recChargeSpec{
				amount: item.Amount, description: item.Description, transactionType: item.TransactionType,
				typ: string(item.Type), due: item.Due.Time, retryDays: &item.RetryDays,
				processingMode: string(item.ProcessingMode), orderID: item.OrderId, externalID: item.ExternalId,
			}
			if spec.typ == "" {
				spec.typ = "RECURRING"
			}
			var problem string
			a := l.recAgreementOf(call, item.AgreementId)
			switch {
			case a == nil:
				problem = "agreementId: agreement " + item.AgreementId + " not found for this merchant"
			case a.status != "ACTIVE":
				problem = "agreementId: the agreement is " + a.status + "; charges need an ACTIVE agreement"
			default:
				if f := l.recCheckCharge(a.msn, a, spec, now, ""); f != nil {
					problem = f.detail
				}
			}
			if problem != "" {
				resp.InvalidCharges = append(resp.InvalidCharges, recurring.InvalidChargeV3{
					ChargeBatchItemDto: recurring.ChargeBatchItemV3{
						AgreementId: item.AgreementId, Amount: item.Amount, Description: item.Description,
						Due: item.Due.Time.Format("2006-01-02"), RetryDays: item.RetryDays, TransactionType: item.TransactionType,
						OrderId: item.OrderId, Type: string(item.Type), ProcessingMode: string(item.ProcessingMode), ExternalId: item.ExternalId,
					},
					Errors: []string{fmt.Sprintf("[%d] %s", i, problem)},
				})
				continue
			}
			c := l.recNewCharge(a, spec, req.Params.IdempotencyKey, now)
			resp.ValidCharges = append(resp.ValidCharges, c.id)
		}
		return vlRender(resp.VisitCreateChargeAsyncResponse)
	}), nil
}

func (r *recServer) ListCharges(ctx context.Context, req recurring.ListChargesRequestObject) (recurring.ListChargesResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	const op = "ListCharges"
	instance := recAgreementPath(req.AgreementId) + "/charges"
	now := l.now()
	l.recAdvance(now)
	a := l.recAgreementOf(call, req.AgreementId)
	if a == nil {
		return recNotFound(op, "Agreement "+req.AgreementId, instance), nil
	}
	page := recPage{msn: a.msn, kind: "charges", agreementID: a.id, size: recChargePageSize}
	if t := req.Params.ContinuationToken; t != nil {
		stored, ok := l.pages[*t]
		if !ok || stored.kind != page.kind || stored.agreementID != a.id || stored.msn != a.msn || !now.Before(stored.expires) {
			return recInvalid("Continuation-Token", "unknown or expired; start again without it").answer(op, instance), nil
		}
		page = *stored
	} else if req.Params.Status != nil {
		page.status = *req.Params.Status
	}
	var all []recurring.ChargeResponseV3
	for _, c := range l.chargeOrder {
		if c.agreementID == a.id && (page.status == "" || c.status == page.status) {
			all = append(all, c.response(a))
		}
	}
	items, token := l.recSlice(len(all), page, now)
	return recList(all[items[0]:items[1]], token), nil
}

// recSlice picks a page out of n items and, when more follow, a token for the next page.
func (l *vippsLegacy) recSlice(n int, page recPage, now time.Time) ([2]int, string) {
	from := min(page.offset, n)
	to := min(from+page.size, n)
	if to >= n {
		return [2]int{from, to}, ""
	}
	for t, p := range l.pages {
		if !now.Before(p.expires) {
			delete(l.pages, t) // forget tokens nobody can use any more
		}
	}
	next := page
	next.offset = to
	next.expires = now.Add(recPageTTL)
	token := uuid.NewString()
	l.pages[token] = &next
	return [2]int{from, to}, token
}

// recList is a page of a list, with Continuation-Token only when more pages follow (the
// generated response would send an empty one on the last page).
func recList[T any](items []T, token string) vlAnswer {
	if items == nil {
		items = []T{}
	}
	a := vlJSON(http.StatusOK, "application/json", items)
	if token != "" {
		a.header.Set("Continuation-Token", token)
	}
	return a
}

func (r *recServer) FetchCharge(ctx context.Context, req recurring.FetchChargeRequestObject) (recurring.FetchChargeResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	c := l.recChargeOf(call, req.AgreementId, req.ChargeId)
	if c == nil {
		return recNotFound("FetchCharge", "Charge "+req.ChargeId+" of agreement "+req.AgreementId, recChargePath(req.AgreementId, req.ChargeId)), nil
	}
	return recurring.FetchCharge200JSONResponse(c.response(l.agreements[c.agreementID])), nil
}

func (r *recServer) FetchChargeById(ctx context.Context, req recurring.FetchChargeByIdRequestObject) (recurring.FetchChargeByIdResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	l.recAdvance(l.now())
	c := l.recChargeOf(call, "", req.ChargeId)
	if c == nil {
		return recNotFound("FetchChargeById", "Charge "+req.ChargeId, "/recurring/v3/charges/"+req.ChargeId), nil
	}
	return recurring.FetchChargeById200JSONResponse(c.response(l.agreements[c.agreementID])), nil
}

// recChargeOp is the frame of the three charge changes: idempotency, the clock, lookup.
func (l *vippsLegacy) recChargeOp(call vlCall, op, agreementID, chargeID, key string, body any, instance string, change func(a *recAgreement, c *recCharge, now time.Time) *recRefusal, done func() vlAnswer) vlAnswer {
	return l.recOnce(call, op, agreementID+"/"+chargeID, key, body, instance, func() vlAnswer {
		now := l.now()
		l.recAdvance(now)
		c := l.recChargeOf(call, agreementID, chargeID)
		if c == nil {
			return recNotFound(op, "Charge "+chargeID+" of agreement "+agreementID, instance)
		}
		if f := change(l.agreements[c.agreementID], c, now); f != nil {
			return f.answer(op, instance)
		}
		return done()
	})
}

func (r *recServer) CancelCharge(ctx context.Context, req recurring.CancelChargeRequestObject) (recurring.CancelChargeResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	key := req.Params.IdempotencyKey
	return l.recChargeOp(call, "CancelCharge", req.AgreementId, req.ChargeId, key, nil, recChargePath(req.AgreementId, req.ChargeId),
		func(a *recAgreement, c *recCharge, now time.Time) *recRefusal {
			if !slices.Contains([]string{"PENDING", "DUE", "RESERVED", "PARTIALLY_CAPTURED"}, c.status) {
				return &recRefusal{status: http.StatusBadRequest, kind: "cancel-charge-failed",
					detail: "the charge is " + c.status + "; only PENDING, DUE, RESERVED and PARTIALLY_CAPTURED charges can be cancelled"}
			}
			l.recCancel(a, c, key, now)
			return nil
		},
		func() vlAnswer { return vlRender(recurring.CancelCharge204Response{}.VisitCancelChargeResponse) }), nil
}

func (r *recServer) CaptureCharge(ctx context.Context, req recurring.CaptureChargeRequestObject) (recurring.CaptureChargeResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	key := req.Params.IdempotencyKey
	return l.recChargeOp(call, "CaptureCharge", req.AgreementId, req.ChargeId, key, req.Body, recChargePath(req.AgreementId, req.ChargeId)+"/capture",
		func(a *recAgreement, c *recCharge, now time.Time) *recRefusal {
			if c.status != "RESERVED" && c.status != "PARTIALLY_CAPTURED" {
				return &recRefusal{status: http.StatusBadRequest, kind: "charge-capture-failed",
					detail: "the charge is " + c.status + "; only RESERVED and PARTIALLY_CAPTURED charges can be captured"}
			}
			rest := c.amount - c.captured - c.cancelled
			amount := req.Body.Amount
			if amount <= 0 || amount > rest {
				return &recRefusal{status: http.StatusBadRequest, kind: "charge-capture-failed", field: "amount",
					detail: fmt.Sprintf("amount: must be from 1 to the %d left to capture", rest)}
			}
			c.captured += amount
			c.status = "PARTIALLY_CAPTURED"
			if c.captured == c.amount-c.cancelled {
				c.status = "CHARGED"
			}
			c.record("CAPTURE", amount, key, true, now)
			l.recEmit("recurring.charge-captured.v1", a, c, amount, "MERCHANT", now)
			return nil
		},
		func() vlAnswer { return vlRender(recurring.CaptureCharge204Response{}.VisitCaptureChargeResponse) }), nil
}

func (r *recServer) RefundCharge(ctx context.Context, req recurring.RefundChargeRequestObject) (recurring.RefundChargeResponseObject, error) {
	call := callOf(ctx)
	l := r.l
	l.lock()
	defer l.unlock()
	key := req.Params.IdempotencyKey
	return l.recChargeOp(call, "RefundCharge", req.AgreementId, req.ChargeId, key, req.Body, recChargePath(req.AgreementId, req.ChargeId)+"/refund",
		func(a *recAgreement, c *recCharge, now time.Time) *recRefusal {
			refundable := c.captured - c.refunded
			if c.captured == 0 {
				return &recRefusal{status: http.StatusBadRequest, kind: "operation-failed",
					detail: "the charge is " + c.status + "; nothing is captured to refund"}
			}
			amount := req.Body.Amount
			if amount <= 0 || amount > refundable {
				return &recRefusal{status: http.StatusBadRequest, kind: "validation-error", field: "amount",
					detail: fmt.Sprintf("amount: must be from 1 to the %d captured and not yet refunded", refundable)}
			}
			c.refunded += amount
			c.status = "PARTIALLY_REFUNDED"
			if c.refunded == c.captured {
				c.status = "REFUNDED"
			}
			c.record("REFUND", amount, key, true, now)
			l.recEmit("recurring.charge-refunded.v1", a, c, amount, "MERCHANT", now)
			return nil
		},
		func() vlAnswer { return vlRender(recurring.RefundCharge204Response{}.VisitRefundChargeResponse) }), nil
}
