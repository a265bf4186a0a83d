package validate

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// MoMo headers the checks read.
const (
	referenceIDHeader       = "X-Reference-Id"
	targetEnvironmentHeader = "X-Target-Environment"
	callbackURLHeader       = "X-Callback-Url"
)

// momoRoutes are the MoMo operations that send something worth checking: the money
// movements, which create a transaction under an X-Reference-Id, the invoice cancel, the
// delivery notification, the balance in a currency and the sandbox API user's creation.
// Everything else passes unchecked.
var momoRoutes = routes{
	{method: http.MethodPost, pattern: []string{"v1_0", "requesttopay"}, name: "RequestToPay", body: true, bodyRequired: true, check: momoDebit},
	{method: http.MethodPost, pattern: []string{"v1_0", "requesttowithdraw"}, name: "RequestToWithdraw-V1", body: true, bodyRequired: true, check: momoDebit},
	{method: http.MethodPost, pattern: []string{"v2_0", "requesttowithdraw"}, name: "RequestToWithdraw-V2", body: true, bodyRequired: true, check: momoDebit},
	{method: http.MethodPost, pattern: []string{"v1_0", "requesttopay", "*", "deliverynotification"}, name: "RequestToPayDeliveryNotification", body: true, check: momoDeliveryNotification},
	{method: http.MethodPost, pattern: []string{"v2_0", "invoice"}, name: "CreateInvoice", body: true, bodyRequired: true, check: momoInvoice},
	{method: http.MethodDelete, pattern: []string{"v2_0", "invoice", "*"}, name: "CancelInvoice", check: momoCancelInvoice},
	{method: http.MethodPost, pattern: []string{"v2_0", "payment"}, name: "CreatePayments", body: true, bodyRequired: true, check: momoPayments},
	{method: http.MethodPost, pattern: []string{"v2_0", "preapproval"}, name: "PreApproval", body: true, bodyRequired: true, check: momoPreApproval},
	{method: http.MethodPost, pattern: []string{"v1_0", "transfer"}, name: "Transfer", body: true, bodyRequired: true, check: momoCredit},
	{method: http.MethodPost, pattern: []string{"v1_0", "deposit"}, name: "Deposit-V1", body: true, bodyRequired: true, check: momoCredit},
	{method: http.MethodPost, pattern: []string{"v2_0", "deposit"}, name: "Deposit-V2", body: true, bodyRequired: true, check: momoCredit},
	{method: http.MethodPost, pattern: []string{"v1_0", "refund"}, name: "Refund-V1", body: true, bodyRequired: true, check: momoRefund},
	{method: http.MethodPost, pattern: []string{"v2_0", "refund"}, name: "Refund-V2", body: true, bodyRequired: true, check: momoRefund},
	{method: http.MethodPost, pattern: []string{"v2_0", "cashtransfer"}, name: "CashTransfer", body: true, bodyRequired: true, check: momoCashTransfer},
	{method: http.MethodGet, pattern: []string{"v1_0", "account", "balance", "*"}, name: "GetAccountBalanceInSpecificCurrency", check: momoBalance},
	{method: http.MethodPost, pattern: []string{"v1_0", "apiuser"}, name: "provisioning CreateApiUser", body: true, bodyRequired: true, check: momoCreateAPIUser},
}

// MoMoRequest checks an outgoing MoMo request of a generated client before it is sent. It
// finds the operation from the method and the end of the path, then checks its headers
// (X-Reference-Id a version 4 UUID, X-Callback-Url an absolute URL when present), its path
// parameters and its JSON body (amounts, currencies, parties, texts), naming each field as
// the API does. The body is read without being consumed. All problems are returned
// together, joined, each an *Error matching ErrInvalid; a request of another operation, or
// one that passes, gives nil. Credentials (Authorization, Ocp-Apim-Subscription-Key) are
// never read.
//
// The currency must be EUR when the request's X-Target-Environment is "sandbox", so run it
// after whatever sets that header.
func MoMoRequest(req *http.Request) error {
	r, params := momoRoutes.match(req)
	if r == nil {
		return nil
	}
	if err := r.run(req, params, momoCommon); err != nil {
		return fmt.Errorf("validate: MoMo %s: %w", momoOperation(req, r), err)
	}
	return nil
}

// momoOperation names the operation with its product when the path shows it, e.g.
// "collection RequestToPay".
func momoOperation(req *http.Request, r *route) string {
	segs := pathSegments(req.URL)
	if i := len(segs) - len(r.pattern) - 1; i >= 0 {
		switch p := segs[i]; p {
		case "collection", "disbursement", "remittance":
			return p + " " + r.name
		}
	}
	return r.name
}

// momoCommon checks the headers every checked MoMo operation may carry.
func momoCommon(c *checker, req *http.Request) {
	c.header(req, callbackURLHeader, CallbackURL)
}

// environment is the request's target environment, "" when not (yet) set.
func environment(req *http.Request) string {
	return strings.TrimSpace(req.Header.Get(targetEnvironmentHeader))
}

// momoMoney checks an amount and its currency at the given body paths.
func momoMoney(c *checker, req *http.Request, amountPath, currencyPath string) {
	currency, ok := c.str(currencyPath)
	if ok {
		c.add(MoMoCurrency(currencyPath, currency, environment(req)))
	}
	c.required(amountPath, func(field, v string) error { return MoMoAmount(field, v, currency) })
}

// momoParty checks the party at path.
func momoParty(c *checker, path string) {
	idType, ok1 := c.strIn(path, "partyIdType")
	id, ok2 := c.strIn(path, "partyId")
	if ok1 && ok2 {
		c.add(Party(path, idType, id))
	}
}

// momoTexts checks payerMessage and payeeNote, which production refuses empty.
func momoTexts(c *checker) {
	c.required("payerMessage", MoMoText)
	c.required("payeeNote", MoMoText)
}

func momoReference(c *checker, req *http.Request) {
	c.requiredHeader(req, referenceIDHeader, ReferenceID)
}

// momoDebit: request to pay and request to withdraw take money from the payer.
func momoDebit(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "amount", "currency")
	momoParty(c, "payer")
	momoTexts(c)
}

// momoCredit: transfer and deposit pay the payee.
func momoCredit(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "amount", "currency")
	momoParty(c, "payee")
	momoTexts(c)
}

func momoRefund(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "amount", "currency")
	c.required("referenceIdToRefund", UUID)
	momoTexts(c)
}

func momoInvoice(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "amount", "currency")
	momoParty(c, "intendedPayer")
	momoParty(c, "payee")
	c.required("validityDuration", seconds)
	c.optional("description", MoMoText)
}

func momoCancelInvoice(c *checker, req *http.Request, params []string) {
	momoReference(c, req)
	c.add(UUID("referenceId", params[0]))
}

func momoPayments(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "money.amount", "money.currency")
	c.optional("receiverMessage", MoMoText)
	c.optional("senderNote", MoMoText)
	c.optionalInt("maxNumberOfRetries", func(field string, v int64) error {
		if v < 0 {
			return fail(field, RuleRange, "0 or more", fmt.Sprint(v))
		}
		return nil
	})
}

func momoPreApproval(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoParty(c, "payer")
	c.required("payerCurrency", func(field, v string) error { return MoMoCurrency(field, v, environment(req)) })
	c.required("payerMessage", MoMoText)
	c.optionalInt("validityTime", ValidityTime)
}

func momoCashTransfer(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	momoMoney(c, req, "amount", "currency")
	momoParty(c, "payee")
	momoTexts(c)
	if c.has("originalAmount") || c.has("originalCurrency") {
		original, ok := c.str("originalCurrency")
		if ok {
			c.add(Currency("originalCurrency", original))
		}
		c.required("originalAmount", func(field, v string) error { return MoMoAmount(field, v, original) })
	}
	c.optional("originatingCountry", countryCode)
	c.optional("payerMsisdn", MSISDN)
	c.optional("payerLanguageCode", Language)
}

func momoDeliveryNotification(c *checker, req *http.Request, params []string) {
	c.add(UUID("referenceId", params[0]))
	_, inHeader := req.Header[http.CanonicalHeaderKey("notificationMessage")]
	if !inHeader && !c.badBody && !c.has("notificationMessage") {
		c.add(fail("notificationMessage", RuleRequired, "a text of 1 to 160 characters, in the header and the body", ""))
	}
	c.header(req, "notificationMessage", MoMoText)
	c.optional("notificationMessage", MoMoText)
	c.header(req, "Language", Language)
}

func momoBalance(c *checker, _ *http.Request, params []string) {
	c.add(Currency("currency", params[0]))
}

// momoCreateAPIUser: the X-Reference-Id becomes the API user's id, and the callback host is
// fixed for the user's lifetime, so a mistake in either costs a new user.
func momoCreateAPIUser(c *checker, req *http.Request, _ []string) {
	momoReference(c, req)
	c.required("providerCallbackHost", hostName)
}

// hostName checks a bare host name, as providerCallbackHost wants it: no scheme, port or
// path.
func hostName(field, v string) error {
	switch {
	case v == "":
		return fail(field, RuleRequired, "a host name, e.g. shop.example", "")
	case strings.ContainsAny(v, ":/?#@ ") || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fail(field, RuleFormat, "a bare host name: no scheme, port or path", v)
	}
	return nil
}

// seconds checks a duration sent as a string of digits, e.g. validityDuration "360".
func seconds(field, v string) error {
	switch {
	case v == "":
		return fail(field, RuleRequired, "a number of seconds as a string, e.g. \"3600\"", "")
	case !allDigits(v):
		return fail(field, RuleFormat, "digits only: a number of seconds", v)
	}
	return nil
}

// countryCode checks an ISO 3166-1 alpha-2 code: two upper-case letters.
func countryCode(field, v string) error {
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		return fail(field, RuleFormat, "an ISO 3166-1 alpha-2 code: two upper-case letters", v)
	}
	return nil
}
