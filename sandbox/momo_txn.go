package sandbox

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/wire"
)

// Kinds of transaction: the operation family that created it, as the ledger and the
// /_sandbox/momo/{product}/{kind}/... routes name it.
const (
	momoKindRequestToPay = "requesttopay"
	momoKindWithdraw     = "requesttowithdraw"
	momoKindInvoice      = "invoice"
	momoKindPayment      = "payment"
	momoKindPreApproval  = "preapproval"
	momoKindTransfer     = "transfer"
	momoKindDeposit      = "deposit"
	momoKindRefund       = "refund"
	momoKindCashTransfer = "cashtransfer"
)

// momoFlow is how a successful transaction moves the caller's balance in its product.
type momoFlow int

const (
	momoNoFlow momoFlow = iota
	momoCredit          // money comes in: request to pay, withdraw, invoice
	momoDebit           // money goes out: transfer, deposit, refund, cash transfer
)

// momoTxn is one transaction. Its state is computed from the clock: PENDING (CREATED for
// the delayed test values) until finalAt, then plan; a timer brings it to its final state
// at the same moment so that the callback leaves without waiting for a read.
type momoTxn struct {
	gen     int
	product string
	kind    string
	ref     string
	owner   string // API user
	party   common.Party
	amount  string // as sent: an exact decimal string
	amt     *big.Rat
	curr    string
	extID   string
	payerMsg,
	payeeNote string
	callbackURL string
	flow        momoFlow

	created, updated time.Time
	plan             momoOutcome
	finalAt          time.Time
	timer            *time.Timer

	final    bool
	status   string
	reason   string
	finTxnID string
	reserved bool     // the amount is held from the balance (debits planned to succeed)
	refunded *big.Rat // on a request to pay: amount refunded or being refunded

	// What each kind adds.
	invoice     *collection.CreateInvoice
	invoiceID   string
	paymentRef  string
	payment     *collection.CreatePayments
	preApproval *collection.PreApproval
	approved    time.Time
	cancelled   bool // a pre-approval cancelled by its payee
	cash        *remittance.CashTransfer
	refundOf    *momoTxn
}

// momoNew describes a transaction to create.
type momoNew struct {
	kind     string
	ref      string
	env      string
	callback *string
	// amount is checked to be positive when set; currency must be the sandbox's.
	amount   string
	currency string
	party    common.Party
	extID    string
	payerMsg string
	payee    string
	flow     momoFlow
	// table and keys pick the test value; vet may change the outcome of a transaction no
	// test value named (refunds check the refunded transaction).
	table map[string]momoOutcome
	keys  []string
	vet   func(t *momoTxn, o momoOutcome) momoOutcome
	// fill sets what the kind adds.
	fill func(t *momoTxn)
}

// create checks and records a new transaction for the caller: the target environment,
// the reference (409 when taken), the amount, the callback host, the currency and the
// test values, in that order, then answers 202.
func (f *momoFamily) create(ctx context.Context, n momoNew) momoReply {
	caller := momoCallerOf(ctx)
	return f.locked(func() momoReply {
		if n.env != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		key := momoRefKey{caller.user, caller.product, n.ref}
		if f.used[key] {
			return momoError(http.StatusConflict, momoCodeAlreadyExists)
		}
		var amt *big.Rat
		if n.amount != "" {
			var ok bool
			if amt, ok = new(big.Rat).SetString(n.amount); !ok || amt.Sign() <= 0 {
				return momoValidation("request body: amount: must be a decimal greater than 0")
			}
		}
		cb := ""
		if n.callback != nil {
			cb = *n.callback
			if !f.callbackHostOK(caller.user, cb) {
				return momoError(http.StatusInternalServerError, momoCodeCallbackHost)
			}
		}
		if n.currency != momoSandboxCurrency {
			return momoError(http.StatusInternalServerError, momoCodeCurrency)
		}
		outcome, matched := momoLookup(n.table, n.keys...)
		if outcome.refuse != "" {
			return momoStatusError(outcome.refuse)
		}
		now := f.now()
		t := &momoTxn{
			gen: f.gen, product: caller.product, kind: n.kind, ref: n.ref, owner: caller.user,
			party: n.party, amount: n.amount, amt: amt, curr: n.currency, extID: n.extID,
			payerMsg: n.payerMsg, payeeNote: n.payee, callbackURL: cb, flow: n.flow,
			created: now, updated: now,
		}
		if n.fill != nil {
			n.fill(t)
		}
		if !matched && n.vet != nil {
			outcome = n.vet(t, outcome)
		}
		if t.flow == momoDebit && outcome == momoSuccess {
			acct := f.accountLocked(t.owner, t.product)
			if acct.Cmp(amt) < 0 {
				outcome = momoFailWith(momoReasonNotEnoughFunds)
			} else {
				acct.Sub(acct, amt)
				t.reserved = true
			}
		}
		if t.refundOf != nil && outcome.status == momoSuccessful {
			t.refundOf.refunded.Add(t.refundOf.refunded, amt)
		}
		t.plan = outcome
		f.txns[key] = t
		f.used[key] = true
		f.order = append(f.order, t)
		f.schedule(t, now)
		return momoAccepted
	})
}

// schedule sets when t becomes final and starts its timer; with no delay it is final at
// once. Delayed test values stay CREATED until settled by hand.
func (f *momoFamily) schedule(t *momoTxn, now time.Time) {
	if t.plan.stuck {
		return
	}
	delay := f.s.opts.momoDelay
	if t.plan.ongoing {
		delay *= 180
	}
	if delay <= 0 {
		f.finalizeLocked(t, t.plan.status, t.plan.reason)
		return
	}
	t.finalAt = now.Add(delay)
	heap.Push(&f.open, t)
	gen := f.gen
	t.timer = time.AfterFunc(delay, func() {
		f.mu.Lock()
		if gen == f.gen && !t.final {
			f.finalizeLocked(t, t.plan.status, t.plan.reason)
		}
		dl := f.takeOutboxLocked()
		f.mu.Unlock()
		f.sendAll(dl)
	})
}

// sweepLocked brings every transaction whose time has come to its final state, so that a
// read never shows PENDING after the delay even when the timer has not fired yet (or the
// sandbox runs on a test clock). The queue is ordered by due time, so a sweep looks only at
// the transactions it finalizes (or finds finalized already) and the first not yet due: under
// load thousands are pending, and every MoMo call sweeps under the family's lock.
func (f *momoFamily) sweepLocked() {
	now := f.now()
	for len(f.open) > 0 && !now.Before(f.open[0].finalAt) {
		t := heap.Pop(&f.open).(*momoTxn)
		f.finalizeLocked(t, t.plan.status, t.plan.reason)
	}
}

// dueQueue is a heap of transactions ordered by finalAt. A transaction finalized early (by
// its timer or by hand) stays until its time comes and is then dropped by the sweep, since
// finalizeLocked does nothing to a final transaction.
type dueQueue []*momoTxn

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].finalAt.Before(q[j].finalAt) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(*momoTxn)) }
func (q *dueQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil // let the transaction go once it is final and forgotten elsewhere
	*q = old[:len(old)-1]
	return t
}

// finalizeLocked gives t its final state, moves the balance and queues the callback. A
// debit that was not held (a delayed one approved by hand) fails NOT_ENOUGH_FUNDS when the
// balance no longer covers it.
func (f *momoFamily) finalizeLocked(t *momoTxn, status, reason string) {
	if t.final {
		return
	}
	acct := f.accountLocked(t.owner, t.product)
	if status == momoSuccessful {
		switch t.flow {
		case momoCredit:
			acct.Add(acct, t.amt)
		case momoDebit:
			if !t.reserved {
				if acct.Cmp(t.amt) < 0 {
					status, reason = momoFailed, momoReasonNotEnoughFunds
					break
				}
				acct.Sub(acct, t.amt)
				t.reserved = true
				if t.refundOf != nil {
					t.refundOf.refunded.Add(t.refundOf.refunded, t.amt)
				}
			}
		}
	}
	if status != momoSuccessful && t.reserved {
		acct.Add(acct, t.amt)
		t.reserved = false
		if t.refundOf != nil && t.plan.status == momoSuccessful {
			t.refundOf.refunded.Sub(t.refundOf.refunded, t.amt)
		}
	}
	t.final, t.status, t.reason = true, status, ""
	t.updated = f.now()
	if status == momoSuccessful {
		t.finTxnID = momoDigits(10)
		if t.kind == momoKindPreApproval {
			t.approved = t.updated
		}
		if t.kind == momoKindInvoice {
			t.paymentRef = momoDigits(10)
		}
	} else {
		t.reason = reason
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.callbackURL != "" {
		f.outbox = append(f.outbox, f.callback(t))
	}
}

// callback is the delivery of t's final state: the status body without referenceId, sent
// as the wallet sends it (no Authorization, no signature), retried while the receiver
// fails.
func (f *momoFamily) callback(t *momoTxn) Delivery {
	body, _ := json.Marshal(t.view(false))
	return Delivery{
		Method: f.s.opts.callbackMethod,
		URL:    t.callbackURL,
		Header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"},
			"User-Agent":   {"LWAC Http Client 1.0"},
		},
		Body:  body,
		Retry: true,
	}
}

// callbackHostOK reports whether rawURL's host is the API user's providerCallbackHost:
// host names compare case-insensitively, ports do not count.
func (f *momoFamily) callbackHostOK(user, rawURL string) bool {
	u, err := url.Parse(rawURL)
	owner := f.users[user]
	return err == nil && owner != nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), owner.callbackHost)
}

// statusNow is t's status as of the last sweep.
func (t *momoTxn) statusNow() string {
	switch {
	case t.final:
		return t.status
	case t.plan.stuck:
		return momoCreated
	default:
		return momoPending
	}
}

// reasonNow is t's failure reason, as the bare code string the wire carries.
func (t *momoTxn) reasonNow() common.Reason {
	if t.final && t.status == momoFailed {
		return common.Reason{Code: t.reason}
	}
	return common.Reason{}
}

// view is t's status body; withRef keeps referenceId, which callbacks leave out.
func (t *momoTxn) view(withRef bool) any {
	ref := ""
	if withRef {
		ref = t.ref
	}
	switch t.kind {
	case momoKindRequestToPay, momoKindWithdraw:
		return common.RequestToPayResult{
			Amount: wire.Decimal(t.amount), Currency: t.curr, ExternalId: t.extID, FinancialTransactionId: t.finTxnID,
			Payer: t.party, PayerMessage: t.payerMsg, PayeeNote: t.payeeNote, Status: t.statusNow(), Reason: t.reasonNow(),
		}
	case momoKindTransfer, momoKindDeposit, momoKindRefund:
		return common.TransferResult{
			Amount: wire.Decimal(t.amount), Currency: t.curr, ExternalId: t.extID, FinancialTransactionId: t.finTxnID,
			Payee: t.party, PayerMessage: t.payerMsg, PayeeNote: t.payeeNote, Status: t.statusNow(), Reason: t.reasonNow(),
		}
	case momoKindInvoice:
		return collection.InvoiceResult{
			ReferenceId: ref, ExternalId: t.extID, Amount: wire.Decimal(t.amount), Currency: t.curr,
			Status: t.statusNow(), PaymentReference: t.paymentRef, InvoiceId: t.invoiceID,
			ExpiryDateTime: t.created.Add(momoSecondsOf(t.invoice.ValidityDuration)).UTC().Format(momoLocalTime),
			IntendedPayer:  t.party, Description: t.invoice.Description, ErrorReason: t.reasonNow(),
		}
	case momoKindPayment:
		return collection.PaymentResult{ReferenceId: ref, Status: t.statusNow(), FinancialTransactionId: t.finTxnID, Reason: t.reasonNow()}
	case momoKindPreApproval:
		return collection.PreApprovalResult{
			Payer: t.party, PayerCurrency: t.curr, PayerMessage: t.payerMsg, Status: t.statusNow(),
			ExpirationDateTime: common.TextOrNumber(t.expiry().UTC().Format(momoLocalTime)), Reason: t.reasonNow(),
		}
	case momoKindCashTransfer:
		c := t.cash
		return remittance.CashTransferResult{
			Amount: c.Amount, Currency: c.Currency, ExternalId: c.ExternalId, FinancialTransactionId: t.finTxnID,
			OriginalAmount: c.OriginalAmount, OriginalCurrency: c.OriginalCurrency, Payee: c.Payee,
			PayeeNote: c.PayeeNote, PayerMessage: c.PayerMessage, PayerEmail: c.PayerEmail,
			PayerFirstName: c.PayerFirstName, PayerSurName: c.PayerSurName, PayerGender: c.PayerGender,
			PayerIdentificationNumber: c.PayerIdentificationNumber, PayerIdentificationType: c.PayerIdentificationType,
			PayerIdentity: c.PayerIdentity, PayerLanguageCode: c.PayerLanguageCode, PayerMsisdn: c.PayerMsisdn,
			Status: t.statusNow(), Reason: t.reasonNow(),
		}
	}
	return nil
}

// expiry is when a pre-approval stops being valid (an hour when no validityTime was given).
func (t *momoTxn) expiry() time.Time {
	secs := 3600
	if t.preApproval != nil && t.preApproval.ValidityTime > 0 {
		secs = t.preApproval.ValidityTime
	}
	from := t.created
	if !t.approved.IsZero() {
		from = t.approved
	}
	return from.Add(time.Duration(secs) * time.Second)
}

// entry is t as the ledger shows it.
func (t *momoTxn) entry() LedgerEntry {
	status := t.statusNow()
	if t.cancelled {
		status = "CANCELLED"
	}
	return LedgerEntry{
		Family: "momo", API: t.product, Kind: t.kind, Reference: t.ref, IdempotencyKey: t.ref,
		Owner: t.owner, Party: t.party.PartyId, Amount: t.amount, Currency: t.curr,
		Status: status, Reason: t.reason, Created: t.created, Updated: t.updated,
	}
}

// status answers the status operation of kind: the caller's own transaction of that kind
// under ref, else 404.
func (f *momoFamily) status(ctx context.Context, kind string, ref uuid.UUID, env string) momoReply {
	caller := momoCallerOf(ctx)
	return f.locked(func() momoReply {
		if env != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		t := f.txns[momoRefKey{caller.user, caller.product, ref.String()}]
		if t == nil || t.kind != kind {
			return momoError(http.StatusNotFound, momoCodeNotFound)
		}
		return momoOK(t.view(true))
	})
}

// accountLocked returns the balance of owner's account in product, opening it if needed.
func (f *momoFamily) accountLocked(owner, product string) *big.Rat {
	k := momoAcctKey{owner, product}
	a := f.accounts[k]
	if a == nil {
		a = new(big.Rat)
		if o := f.opening[product]; o != nil {
			a.Set(o)
		}
		f.accounts[k] = a
	}
	return a
}

// momoDecimal writes r as the shortest exact decimal string ("1000000", "12.5").
func momoDecimal(r *big.Rat) string {
	scaled := new(big.Rat)
	ten := big.NewRat(10, 1)
	scaled.Set(r)
	for d := 0; d < 30; d++ {
		if scaled.IsInt() {
			return r.FloatString(d)
		}
		scaled.Mul(scaled, ten)
	}
	return r.FloatString(30)
}

// momoDigits returns n random decimal digits, the first not 0, as the wallet's
// transaction ids look.
func momoDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// momoSecondsOf reads a count of seconds sent as a string ("360").
func momoSecondsOf(s string) time.Duration {
	n, ok := new(big.Int).SetString(strings.TrimSpace(s), 10)
	if !ok || n.Sign() < 0 || !n.IsInt64() || n.Int64() > 1<<31 {
		return 0
	}
	return time.Duration(n.Int64()) * time.Second
}

// momoDecimalPattern is the documents' pattern of an amount.
var momoDecimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
