package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/merchant"
)

// eCom v2 as the sandbox plays it. A payment is INITIATE until the user (a test through the
// integration-test endpoint or /_sandbox/, or the user policy) approves it, which reserves
// the amount (RESERVE) and sends the callback once, or rejects it (CANCEL). Captures may be
// partial and repeated up to the reserved amount, refunds up to what was captured; cancel
// before reservation logs CANCEL, after it VOID, and after a partial capture only with
// shouldReleaseRemainingFunds. Errors are eCom's error array with the codes Vipps uses.

// ecomMediaType is the media type eCom answers with.
const ecomMediaType = "application/json;charset=UTF-8"

// ecomTestBIN is the card BIN /details shows once the user paid (eCom sends it only there).
const ecomTestBIN = "540185"

// Express payments named neither shipping prefix nor static options: the user picks this.
var ecomDefaultShipping = ecom.ShippingOption{IsDefault: "Y", ShippingCost: 0, ShippingMethod: "Pick up in store", ShippingMethodId: "sandbox-pickup"}

// ecomPayment is one eCom payment.
type ecomPayment struct {
	msn, orderID   string
	amount         int64
	text           string
	mobile         string
	callbackPrefix string
	authToken      string
	express        bool
	skipLanding    bool
	shipping       []ecom.ShippingOption
	token          string // in the landing URL; the integration-test approve may quote it

	state    string // INITIATE, RESERVE (the user paid) or CANCEL (cancelled before paying)
	reserved bool   // the user paid at some point
	captured int64
	refunded int64
	released int64 // reserved amount given back by a cancel (VOID)
	sub      string

	log              []ecom.TransactionLogEntry // oldest first
	created, updated time.Time
}

// remainingToCapture is what is still reserved and neither captured nor released.
func (p *ecomPayment) remainingToCapture() int64 {
	if p.state != "RESERVE" {
		return 0
	}
	return p.amount - p.captured - p.released
}

func (p *ecomPayment) summary() ecom.TransactionSummary {
	return ecom.TransactionSummary{
		CapturedAmount:           p.captured,
		RefundedAmount:           p.refunded,
		RemainingAmountToCapture: p.remainingToCapture(),
		RemainingAmountToRefund:  p.captured - p.refunded,
	}
}

// record logs an operation on the payment.
func (p *ecomPayment) record(op string, amount int64, text, requestID, transactionID string, at time.Time) ecom.TransactionLogEntry {
	e := ecom.TransactionLogEntry{
		Amount: amount, Operation: op, OperationSuccess: true, RequestId: requestID,
		TimeStamp: at, TransactionId: transactionID, TransactionText: text,
	}
	p.log = append(p.log, e)
	p.updated = at
	return e
}

func (p *ecomPayment) last() ecom.TransactionLogEntry { return p.log[len(p.log)-1] }

func (p *ecomPayment) ledgerEntry() LedgerEntry {
	return LedgerEntry{
		Family: "vipps", API: "ecom", Kind: "payment", Reference: p.orderID, Owner: p.msn,
		Party: p.mobile, Amount: strconv.FormatInt(p.amount, 10), Currency: "NOK",
		Status: p.last().Operation, Created: p.created, Updated: p.updated,
	}
}

// ecomErrors is an eCom error array of one error.
func ecomErrors(status int, group, code, message string) vlAnswer {
	return vlJSON(status, ecomMediaType, ecom.ErrorArray{{
		ErrorGroup: group, ErrorCode: code, ErrorMessage: message, ContextId: uuid.NewString(),
	}})
}

// ecomInvalid is the 400 of a request that breaks a rule the documents cannot express;
// errorCode names the field, as eCom's InvalidRequest errors do.
func ecomInvalid(field, rule string) vlAnswer {
	return ecomErrors(http.StatusBadRequest, "InvalidRequest", field, field+": "+rule)
}

// ecomBadRequest answers a request the documents refuse: one InvalidRequest error per
// problem, errorCode the field's path.
func ecomBadRequest(w http.ResponseWriter, _ *http.Request, problems []string) {
	errs := make(ecom.ErrorArray, 0, len(problems))
	ctxID := uuid.NewString()
	for _, p := range problems {
		field, rule := vlProblemField(p)
		errs = append(errs, ecom.EcomError{ErrorGroup: "InvalidRequest", ErrorCode: field, ErrorMessage: field + ": " + rule, ContextId: ctxID})
	}
	_ = vlJSON(http.StatusBadRequest, ecomMediaType, errs).write(w)
}

func ecomNotFound(orderID string) vlAnswer {
	return ecomErrors(http.StatusNotFound, "Merchant", "35", "Requested order "+orderID+" not found for this merchant")
}

// ecomCheckMSN refuses a body naming another merchant than the caller's.
func ecomCheckMSN(call vlCall, field, msn string) *vlAnswer {
	if msn == "" || msn == call.caller.MSN {
		return nil
	}
	a := ecomInvalid(field, "merchant "+msn+" is not the merchant of these keys ("+call.caller.MSN+")")
	return &a
}

// ecomCheckURL requires an absolute http(s) URL.
func ecomCheckURL(field, raw string) *vlAnswer {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		a := ecomInvalid(field, "must be an absolute https URL")
		return &a
	}
	return nil
}

// ecomServer implements the eCom strict server.
type ecomServer struct{ l *vippsLegacy }

var _ ecom.StrictServerInterface = (*ecomServer)(nil)

func (e *ecomServer) InitiatePayment(ctx context.Context, req ecom.InitiatePaymentRequestObject) (ecom.InitiatePaymentResponseObject, error) {
	call := callOf(ctx)
	b := req.Body
	mi, tx := b.MerchantInfo, b.Transaction
	if a := ecomCheckMSN(call, "merchantInfo.merchantSerialNumber", mi.MerchantSerialNumber); a != nil {
		return *a, nil
	}
	if a := ecomCheckURL("merchantInfo.callbackPrefix", mi.CallbackPrefix); a != nil {
		return *a, nil
	}
	if !mi.IsApp {
		if a := ecomCheckURL("merchantInfo.fallBack", mi.FallBack); a != nil {
			return *a, nil
		}
	}
	express := mi.PaymentType == "eComm Express Payment"
	if express && mi.ConsentRemovalPrefix == "" {
		return ecomInvalid("merchantInfo.consentRemovalPrefix", "required for Express payments"), nil
	}
	if tx.SkipLandingPage && b.CustomerInfo.MobileNumber == "" {
		return ecomInvalid("customerInfo.mobileNumber", "required with transaction.skipLandingPage"), nil
	}

	l := e.l
	l.lock()
	defer l.unlock()
	msn := call.caller.MSN
	if _, dup := l.payments[msn+"/"+tx.OrderId]; dup || l.charges[msn+"/"+tx.OrderId] != nil {
		return ecomErrors(http.StatusConflict, "Merchant", "34", "Duplicate orderId "+tx.OrderId+": an orderId can be used once per merchant"), nil
	}
	now := l.now()
	p := &ecomPayment{
		msn: msn, orderID: tx.OrderId, amount: tx.Amount, text: tx.TransactionText,
		mobile: b.CustomerInfo.MobileNumber, callbackPrefix: mi.CallbackPrefix, authToken: mi.AuthToken,
		express: express, skipLanding: tx.SkipLandingPage, shipping: mi.StaticShippingDetails,
		token: uuid.NewString(), state: "INITIATE", created: now,
	}
	p.record("INITIATE", tx.Amount, tx.TransactionText, "", "", now)
	l.payments[msn+"/"+tx.OrderId] = p
	l.paymentOrder = append(l.paymentOrder, p)

	link := call.base + controlPrefix + "vipps/ecom/" + url.PathEscape(msn) + "/" + url.PathEscape(tx.OrderId) + "?token=" + p.token
	if mi.IsApp {
		link = "vippsMT://?token=" + p.token
	}
	switch l.s.opts.userPolicy {
	case UserApproves:
		l.ecomReserve(p)
	case UserRejects:
		l.ecomUserCancel(p)
	}
	return ecom.InitiatePayment200JSONResponse{OrderId: tx.OrderId, Url: link}, nil
}

func (e *ecomServer) IntegrationTestApprovePayment(ctx context.Context, req ecom.IntegrationTestApprovePaymentRequestObject) (ecom.IntegrationTestApprovePaymentResponseObject, error) {
	call := callOf(ctx)
	l := e.l
	l.lock()
	defer l.unlock()
	var reqID string
	if req.Params.XRequestId != nil {
		reqID = *req.Params.XRequestId
	}
	return l.ecomOnce(call, "approve", req.OrderId, reqID, req.Body, func() vlAnswer {
		p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
		switch {
		case !ok:
			return ecomNotFound(req.OrderId)
		case p.express || p.skipLanding:
			return ecomErrors(http.StatusBadRequest, "VippsError", "91", "Express payments and payments that skip the landing page cannot be approved through the integration test API")
		case req.Body.Token != "" && req.Body.Token != p.token:
			return ecomInvalid("token", "is not the token of this payment's url")
		case req.Body.CustomerPhoneNumber != "" && p.mobile != "" && req.Body.CustomerPhoneNumber != p.mobile:
			return ecomInvalid("customerPhoneNumber", "is not the customerInfo.mobileNumber of the payment")
		case p.state != "INITIATE":
			return ecomErrors(http.StatusBadRequest, "VippsError", "92", "The payment was already processed ("+p.last().Operation+")")
		}
		l.ecomReserve(p)
		return vlRender(ecom.IntegrationTestApprovePayment200Response{}.VisitIntegrationTestApprovePaymentResponse)
	}), nil
}

func (e *ecomServer) CapturePayment(ctx context.Context, req ecom.CapturePaymentRequestObject) (ecom.CapturePaymentResponseObject, error) {
	call := callOf(ctx)
	if a := ecomCheckMSN(call, "merchantInfo.merchantSerialNumber", req.Body.MerchantInfo.MerchantSerialNumber); a != nil {
		return *a, nil
	}
	l := e.l
	l.lock()
	defer l.unlock()
	return l.ecomOnce(call, "capture", req.OrderId, req.Params.XRequestId, req.Body, func() vlAnswer {
		p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
		if !ok {
			return ecomNotFound(req.OrderId)
		}
		switch p.state {
		case "INITIATE":
			return ecomErrors(http.StatusConflict, "Payment", "62", "The payment is not reserved: the user has not approved it")
		case "CANCEL":
			return ecomErrors(http.StatusConflict, "Payment", "62", "The payment was cancelled and cannot be captured")
		}
		rest := p.remainingToCapture()
		amount := req.Body.Transaction.Amount
		if amount == 0 {
			amount = rest
		}
		if amount > rest || rest == 0 {
			return ecomErrors(http.StatusBadRequest, "Payment", "61", "Captured amount "+strconv.FormatInt(amount, 10)+" exceeds the reserved amount left ("+strconv.FormatInt(rest, 10)+")")
		}
		now := l.now()
		p.captured += amount
		entry := p.record("CAPTURE", amount, req.Body.Transaction.TransactionText, req.Params.XRequestId, l.nextTransactionID(), now)
		return vlRender(ecom.CapturePayment200JSONResponse{
			OrderId: p.orderID, PaymentInstrument: "VIPPS",
			TransactionInfo:    ecomInfo(entry, "Captured"),
			TransactionSummary: p.summary(),
		}.VisitCapturePaymentResponse)
	}), nil
}

func (e *ecomServer) RefundPayment(ctx context.Context, req ecom.RefundPaymentRequestObject) (ecom.RefundPaymentResponseObject, error) {
	call := callOf(ctx)
	if a := ecomCheckMSN(call, "merchantInfo.merchantSerialNumber", req.Body.MerchantInfo.MerchantSerialNumber); a != nil {
		return *a, nil
	}
	l := e.l
	l.lock()
	defer l.unlock()
	return l.ecomOnce(call, "refund", req.OrderId, req.Params.XRequestId, req.Body, func() vlAnswer {
		p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
		if !ok {
			return ecomNotFound(req.OrderId)
		}
		refundable := p.captured - p.refunded
		if p.captured == 0 {
			if p.state == "CANCEL" || p.released > 0 {
				return ecomErrors(http.StatusConflict, "Payment", "73", "The payment was cancelled and has nothing to refund")
			}
			return ecomErrors(http.StatusConflict, "Payment", "72", "Nothing is captured yet: cancel the reservation instead of refunding it")
		}
		amount := req.Body.Transaction.Amount
		if amount == 0 {
			amount = refundable
		}
		if amount > refundable || refundable == 0 {
			return ecomErrors(http.StatusBadRequest, "Payment", "71", "Refunded amount "+strconv.FormatInt(amount, 10)+" exceeds the captured amount left ("+strconv.FormatInt(refundable, 10)+")")
		}
		p.refunded += amount
		entry := p.record("REFUND", amount, req.Body.Transaction.TransactionText, req.Params.XRequestId, l.nextTransactionID(), l.now())
		return vlRender(ecom.RefundPayment200JSONResponse{
			OrderId: p.orderID, Transaction: ecomInfo(entry, "Refund"), TransactionSummary: p.summary(),
		}.VisitRefundPaymentResponse)
	}), nil
}

func (e *ecomServer) CancelPayment(ctx context.Context, req ecom.CancelPaymentRequestObject) (ecom.CancelPaymentResponseObject, error) {
	call := callOf(ctx)
	if a := ecomCheckMSN(call, "merchantInfo.merchantSerialNumber", req.Body.MerchantInfo.MerchantSerialNumber); a != nil {
		return *a, nil
	}
	l := e.l
	l.lock()
	defer l.unlock()
	p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
	if !ok {
		return ecomNotFound(req.OrderId), nil
	}
	text := req.Body.Transaction.TransactionText
	now := l.now()
	var entry ecom.TransactionLogEntry
	switch {
	case p.state == "CANCEL" || p.released > 0:
		return ecomErrors(http.StatusConflict, "VippsError", "92", "The payment is already cancelled"), nil
	case p.state == "INITIATE":
		p.state = "CANCEL"
		entry = p.record("CANCEL", p.amount, text, "", l.nextTransactionID(), now)
	case p.remainingToCapture() == 0:
		return ecomErrors(http.StatusConflict, "Payment", "51", "A fully captured payment cannot be cancelled; refund it instead"), nil
	case p.captured > 0 && !req.Body.ShouldReleaseRemainingFunds:
		return ecomErrors(http.StatusConflict, "Payment", "51", "The payment is partly captured: set shouldReleaseRemainingFunds to release the rest"), nil
	default:
		rest := p.remainingToCapture()
		p.released += rest
		entry = p.record("VOID", rest, text, "", l.nextTransactionID(), now)
	}
	return ecom.CancelPayment200JSONResponse{
		OrderId: p.orderID, PaymentInstrument: "VIPPS",
		TransactionInfo: ecom.CancelTransactionInfo{
			Amount: entry.Amount, Status: "Cancelled", TimeStamp: entry.TimeStamp,
			TransactionId: entry.TransactionId, TransactionText: entry.TransactionText,
		},
		TransactionSummary: p.summary(),
	}, nil
}

func (e *ecomServer) GetPaymentDetails(ctx context.Context, req ecom.GetPaymentDetailsRequestObject) (ecom.GetPaymentDetailsResponseObject, error) {
	call := callOf(ctx)
	l := e.l
	l.lock()
	defer l.unlock()
	p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
	if !ok {
		return ecomNotFound(req.OrderId), nil
	}
	history := slices.Clone(p.log)
	slices.Reverse(history)
	d := ecom.GetPaymentDetails200JSONResponse{OrderId: p.orderID, TransactionLogHistory: history}
	if p.reserved {
		d.TransactionSummary = p.summary()
		d.TransactionSummary.BankIdentificationNumber = ecomTestBIN
		d.Sub = p.sub
		if p.express {
			opt := p.chosenShipping()
			d.ShippingDetails = ecom.ShippingDetails{
				Address:      ecom.Address{AddressLine1: "Robert Levins gate 5", City: "Oslo", Country: "NO", PostCode: "0154", ZipCode: "0154", AddressType: "H"},
				ShippingCost: opt.ShippingCost, ShippingMethod: opt.ShippingMethod, ShippingMethodId: opt.ShippingMethodId,
			}
			u := ecomTestUser(p)
			d.UserDetails = ecom.UserDetails{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, MobileNumber: u.MobileNumber, UserId: u.UserId}
		}
	}
	return d, nil
}

func (e *ecomServer) GetOrderStatus(ctx context.Context, req ecom.GetOrderStatusRequestObject) (ecom.GetOrderStatusResponseObject, error) {
	call := callOf(ctx)
	l := e.l
	l.lock()
	defer l.unlock()
	p, ok := l.payments[call.caller.MSN+"/"+req.OrderId]
	if !ok {
		return ecomNotFound(req.OrderId), nil
	}
	last := p.last()
	return ecom.GetOrderStatus200JSONResponse{OrderId: p.orderID, TransactionInfo: ecom.StatusTransactionInfo{
		Amount: last.Amount, Status: last.Operation, TimeStamp: last.TimeStamp, TransactionId: last.TransactionId,
	}}, nil
}

// ecomInfo turns a log entry into the transactionInfo of an answer.
func ecomInfo(e ecom.TransactionLogEntry, status string) ecom.TransactionInfo {
	return ecom.TransactionInfo{Amount: e.Amount, Status: status, TimeStamp: e.TimeStamp, TransactionId: e.TransactionId, TransactionText: e.TransactionText}
}

// ecomOnce runs an operation made with an X-Request-Id at most once: the same id with the
// same body gets the first answer again; with another body, error 93. Without an id the
// operation just runs. The caller holds the lock.
func (l *vippsLegacy) ecomOnce(call vlCall, op, orderID, requestID string, body any, run func() vlAnswer) vlAnswer {
	if requestID == "" {
		return run()
	}
	key := "ecom|" + call.caller.MSN + "|" + op + "|" + orderID + "|" + requestID
	hash := vlHash(body)
	if prev, ok := l.replays[key]; ok {
		if prev.hash != hash {
			return ecomErrors(http.StatusConflict, "VippsError", "93", "X-Request-Id "+requestID+" was used with another request: a retry must be identical")
		}
		return prev.answer
	}
	a := run()
	l.replays[key] = &vlReplay{hash: hash, answer: a}
	return a
}

// ecomUserActs plays the user approving or rejecting a payment that waits; it answers a
// status, the payment's state and a problem, for /_sandbox/.
func (l *vippsLegacy) ecomUserActs(msn, orderID string, approve bool) (int, string, string) {
	l.lock()
	defer l.unlock()
	p, ok := l.payments[msn+"/"+orderID]
	if !ok {
		return http.StatusNotFound, "", "no eCom payment " + orderID + " for merchant " + msn
	}
	if p.state != "INITIATE" {
		return http.StatusConflict, p.last().Operation, "the payment is not waiting for the user"
	}
	if approve {
		l.ecomReserve(p)
	} else {
		l.ecomUserCancel(p)
	}
	return http.StatusOK, p.last().Operation, ""
}

// ecomReserve is the user paying: the amount is reserved and the callback sent. The
// caller holds the lock.
func (l *vippsLegacy) ecomReserve(p *ecomPayment) {
	p.state = "RESERVE"
	p.reserved = true
	p.sub = uuid.NewString()
	e := p.record("RESERVE", p.amount, p.text, "", l.nextTransactionID(), l.now())
	status := "RESERVED"
	if p.express {
		status = "RESERVE" // Express callbacks say RESERVE for the same thing
	}
	l.ecomCallback(p, status, e)
}

// ecomUserCancel is the user rejecting the payment in the app.
func (l *vippsLegacy) ecomUserCancel(p *ecomPayment) {
	p.state = "CANCEL"
	e := p.record("CANCEL", p.amount, p.text, "", l.nextTransactionID(), l.now())
	l.ecomCallback(p, "CANCELLED", e)
}

func (p *ecomPayment) chosenShipping() ecom.ShippingOption {
	for _, o := range p.shipping {
		if o.IsDefault == "Y" {
			return o
		}
	}
	if len(p.shipping) > 0 {
		return p.shipping[0]
	}
	return ecomDefaultShipping
}

// ecomTestUser is the test user who pays Express payments.
func ecomTestUser(p *ecomPayment) merchant.ExpressUserDetails {
	mobile := p.mobile
	if mobile == "" {
		mobile = "91234567"
	}
	return merchant.ExpressUserDetails{
		BankIdVerified: "Y", Email: "test.user@example.com", FirstName: "Test", LastName: "User",
		MobileNumber: mobile, UserId: "sbx" + strings.ReplaceAll(p.sub, "-", "")[:20] + "==",
	}
}

// ecomCallbackWire is the callback body with merchantSerialNumber as a JSON number, as
// Vipps sends it (the documents say string; merchants must accept both).
type ecomCallbackWire struct {
	merchant.EcomCallbackBody
	MerchantSerialNumber json.Number `json:"merchantSerialNumber"`
}

// ecomCallback queues the one attempt Vipps makes to tell the merchant about a state change:
// POST callbackPrefix/v2/payments/{orderId}, the raw authToken as Authorization.
func (l *vippsLegacy) ecomCallback(p *ecomPayment, status string, e ecom.TransactionLogEntry) {
	body := ecomCallbackWire{
		EcomCallbackBody: merchant.EcomCallbackBody{
			OrderId: p.orderID,
			TransactionInfo: merchant.EcomTransactionInfo{
				Amount: e.Amount, Status: status, TimeStamp: e.TimeStamp.Format(time.RFC3339Nano), TransactionId: e.TransactionId,
			},
		},
		MerchantSerialNumber: json.Number(p.msn),
	}
	if p.express && status == "RESERVE" {
		opt := p.chosenShipping()
		body.ShippingDetails = merchant.ExpressShippingDetails{
			Address:      merchant.ExpressAddress{AddressLine1: "Robert Levins gate 5", City: "Oslo", Country: "NO", ZipCode: "0154"},
			ShippingCost: opt.ShippingCost, ShippingMethod: opt.ShippingMethod, ShippingMethodId: opt.ShippingMethodId,
		}
		body.UserDetails = ecomTestUser(p)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if p.authToken != "" {
		h.Set("Authorization", p.authToken)
	}
	d := Delivery{
		Method: http.MethodPost,
		URL:    strings.TrimRight(p.callbackPrefix, "/") + "/v2/payments/" + url.PathEscape(p.orderID),
		Header: h,
		Body:   raw,
		Retry:  false, // Vipps makes one attempt and never retries an eCom callback
	}
	l.outbox = append(l.outbox, func() { l.s.deliver.send(d) })
}
