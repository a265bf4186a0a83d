package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
)

// Errors of the MoMo control operations.
var (
	errMoMoUnknownTransaction = errors.New("sandbox: no such MoMo transaction")
	errMoMoAlreadyFinal       = errors.New("sandbox: the MoMo transaction is already final")
)

// mountControl registers the family's /_sandbox/momo/ routes:
//
//	POST /_sandbox/momo/{product}/{kind}/{referenceId}/approve  settle a PENDING or CREATED transaction as SUCCESSFUL
//	POST /_sandbox/momo/{product}/{kind}/{referenceId}/reject   settle it as FAILED / APPROVAL_REJECTED
//	PUT  /_sandbox/momo/{product}/balance/{apiUser}             {"amount":"250.00"} sets an account's balance
//	PUT  /_sandbox/momo/balance-scenario/{apiUser}              {"scenario":"ZeroBalance"} picks what balance calls answer
//
// approve and reject take ?apiUser= when several API users used the same reference.
func (f *momoFamily) mountControl(mux *http.ServeMux) {
	settle := func(approve bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			e, err := f.settle(r.PathValue("product"), r.PathValue("kind"), r.PathValue("referenceId"), r.URL.Query().Get("apiUser"), approve)
			switch {
			case errors.Is(err, errMoMoUnknownTransaction):
				writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			case errors.Is(err, errMoMoAlreadyFinal):
				writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			default:
				writeJSON(w, http.StatusOK, e)
			}
		}
	}
	mux.HandleFunc("POST "+controlPrefix+"momo/{product}/{kind}/{referenceId}/approve", settle(true))
	mux.HandleFunc("POST "+controlPrefix+"momo/{product}/{kind}/{referenceId}/reject", settle(false))
	mux.HandleFunc("PUT "+controlPrefix+"momo/{product}/balance/{apiUser}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Amount string `json:"amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := f.s.SetMoMoBalance(r.PathValue("apiUser"), r.PathValue("product"), body.Amount); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("PUT "+controlPrefix+"momo/balance-scenario/{apiUser}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Scenario MoMoBalanceScenario `json:"scenario"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := f.s.SetMoMoBalanceScenario(r.PathValue("apiUser"), body.Scenario); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// settle plays the account holder: it brings a transaction that is still PENDING or
// CREATED to SUCCESSFUL (approve) or FAILED / APPROVAL_REJECTED, and sends its callback.
func (f *momoFamily) settle(product, kind, ref, apiUser string, approve bool) (LedgerEntry, error) {
	f.mu.Lock()
	f.sweepLocked()
	var t *momoTxn
	for _, c := range f.order {
		if c.product == product && c.kind == kind && c.ref == ref && (apiUser == "" || c.owner == apiUser) {
			t = c
			break
		}
	}
	var err error
	switch {
	case t == nil:
		err = fmt.Errorf("%w: %s %s %s", errMoMoUnknownTransaction, product, kind, ref)
	case t.final:
		err = fmt.Errorf("%w: %s", errMoMoAlreadyFinal, t.status)
	case approve:
		f.finalizeLocked(t, momoSuccessful, "")
	default:
		f.finalizeLocked(t, momoFailed, momoReasonRejected)
	}
	var e LedgerEntry
	if t != nil {
		e = t.entry()
	}
	dl := f.takeOutboxLocked()
	f.mu.Unlock()
	f.sendAll(dl)
	return e, err
}

// SettleMoMo plays the account holder of a MoMo transaction that is still PENDING or
// CREATED (e.g. one of the delayed test values): approve makes it SUCCESSFUL, otherwise it
// fails APPROVAL_REJECTED; its callback is sent. product is collection, disbursement or
// remittance; kind is the operation family as the ledger names it (requesttopay,
// requesttowithdraw, invoice, payment, preapproval, transfer, deposit, refund,
// cashtransfer).
func (s *Sandbox) SettleMoMo(product, kind, referenceID string, approve bool) error {
	f, ok := s.momo()
	if !ok {
		return errors.New("sandbox: MoMo is not simulated")
	}
	_, err := f.settle(product, kind, referenceID, "", approve)
	return err
}

// SetMoMoBalance sets the balance of an API user's account in product (collection,
// disbursement or remittance), as an exact decimal string such as "250.00".
func (s *Sandbox) SetMoMoBalance(apiUserID, product, amount string) error {
	f, ok := s.momo()
	if !ok {
		return errors.New("sandbox: MoMo is not simulated")
	}
	v, err := momoParseAmount(product, amount)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accountLocked(apiUserID, product).Set(v)
	return nil
}

// SetMoMoOpeningBalance sets the balance that accounts in product open with from now on
// (by default 0 for collection, 1000000 for disbursement and remittance). Accounts open at
// their first use; Reset closes them all.
func (s *Sandbox) SetMoMoOpeningBalance(product, amount string) error {
	f, ok := s.momo()
	if !ok {
		return errors.New("sandbox: MoMo is not simulated")
	}
	v, err := momoParseAmount(product, amount)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opening[product] = v
	return nil
}

// SetMoMoBalanceScenario picks what the balance operations answer for an API user, in
// every product.
func (s *Sandbox) SetMoMoBalanceScenario(apiUserID string, sc MoMoBalanceScenario) error {
	f, ok := s.momo()
	if !ok {
		return errors.New("sandbox: MoMo is not simulated")
	}
	if !sc.valid() {
		return fmt.Errorf("sandbox: MoMo balance scenario %q: unknown", sc)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scenario[apiUserID] = sc
	return nil
}

// momo returns the MoMo family.
func (s *Sandbox) momo() (*momoFamily, bool) {
	for _, fam := range s.families {
		if f, ok := fam.(*momoFamily); ok {
			return f, true
		}
	}
	return nil, false
}

// momoParseAmount reads a balance for product.
func momoParseAmount(product, amount string) (*big.Rat, error) {
	if !slices.Contains(momoProducts, product) {
		return nil, fmt.Errorf("sandbox: MoMo product %q: want collection, disbursement or remittance", product)
	}
	v, ok := new(big.Rat).SetString(amount)
	if !ok || !momoDecimalPattern.MatchString(amount) {
		return nil, fmt.Errorf("sandbox: MoMo amount %q: want a decimal string such as 250.00", amount)
	}
	return v, nil
}
