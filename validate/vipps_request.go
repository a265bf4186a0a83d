package validate

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Vipps headers the checks read.
const (
	idempotencyKeyHeader = "Idempotency-Key"
	requestIDHeader      = "X-Request-Id"
	msnHeader            = "Merchant-Serial-Number"
)

// systemHeaders are the Vipps-System-* headers.
var systemHeaders = []string{"Vipps-System-Name", "Vipps-System-Version", "Vipps-System-Plugin-Name", "Vipps-System-Plugin-Version"}

// vippsRoutes are the Vipps MobilePay operations that move money or create something under
// an idempotency key. Everything else gets only the common header checks.
var vippsRoutes = routes{
	{method: http.MethodPost, pattern: []string{"epayment", "v1", "payments"}, name: "ePayment createPayment", body: true, bodyRequired: true, check: ePaymentCreate},
	{method: http.MethodPost, pattern: []string{"epayment", "v1", "payments", "*", "capture"}, name: "ePayment capturePayment", body: true, bodyRequired: true, check: ePaymentModify},
	{method: http.MethodPost, pattern: []string{"epayment", "v1", "payments", "*", "refund"}, name: "ePayment refundPayment", body: true, bodyRequired: true, check: ePaymentModify},
	{method: http.MethodPost, pattern: []string{"epayment", "v1", "payments", "*", "cancel"}, name: "ePayment cancelPayment", body: true, check: ePaymentCancel},
	{method: http.MethodPost, pattern: []string{"epayment", "v1", "test", "payments", "*", "approve"}, name: "ePayment forceApprove", body: true, check: ePaymentApprove},

	{method: http.MethodPost, pattern: []string{"ecomm", "v2", "payments"}, name: "eCom initiatePayment", body: true, bodyRequired: true, check: ecomInitiate},
	{method: http.MethodPost, pattern: []string{"ecomm", "v2", "payments", "*", "capture"}, name: "eCom capturePayment", body: true, bodyRequired: true, check: ecomAction},
	{method: http.MethodPost, pattern: []string{"ecomm", "v2", "payments", "*", "refund"}, name: "eCom refundPayment", body: true, bodyRequired: true, check: ecomAction},
	{method: http.MethodPut, pattern: []string{"ecomm", "v2", "payments", "*", "cancel"}, name: "eCom cancelPayment", body: true, bodyRequired: true, check: ecomCancel},
	{method: http.MethodPost, pattern: []string{"ecomm", "v2", "integration-test", "payments", "*", "approve"}, name: "eCom integrationTestApprovePayment", body: true, check: ecomApprove},

	{method: http.MethodPost, pattern: []string{"recurring", "v3", "agreements"}, name: "Recurring DraftAgreementV3", body: true, bodyRequired: true, check: recurringDraft},
	{method: http.MethodPost, pattern: []string{"recurring", "v3", "agreements", "charges"}, name: "Recurring CreateChargeAsyncV3", check: recurringKeyOnly},
	{method: http.MethodPatch, pattern: []string{"recurring", "v3", "agreements", "*"}, name: "Recurring UpdateAgreementPatchV3", body: true, bodyRequired: true, check: recurringPatch},
	{method: http.MethodPatch, pattern: []string{"recurring", "v3", "agreements", "*", "accept"}, name: "Recurring acceptUsingPATCHV3", body: true, bodyRequired: true, check: recurringAccept},
	{method: http.MethodPost, pattern: []string{"recurring", "v3", "agreements", "*", "charges"}, name: "Recurring CreateChargeV3", body: true, bodyRequired: true, check: recurringCharge},
	{method: http.MethodDelete, pattern: []string{"recurring", "v3", "agreements", "*", "charges", "*"}, name: "Recurring CancelChargeV3", check: recurringKeyOnly},
	{method: http.MethodPost, pattern: []string{"recurring", "v3", "agreements", "*", "charges", "*", "capture"}, name: "Recurring CaptureChargeV3", body: true, bodyRequired: true, check: recurringCapture},
	{method: http.MethodPost, pattern: []string{"recurring", "v3", "agreements", "*", "charges", "*", "refund"}, name: "Recurring RefundChargeV3", body: true, bodyRequired: true, check: recurringRefund},

	{method: http.MethodPost, pattern: []string{"management", "v1", "product-orders"}, name: "Management orderProduct", body: true, bodyRequired: true, check: managementOrder},
	{method: http.MethodPost, pattern: []string{"partner-api", "v1", "products", "orders"}, name: "Partner orderProduct", body: true, bodyRequired: true, check: partnerOrder},
}

// anyVipps is the route of every other Vipps request: the common header checks only.
var anyVipps = route{name: "request", check: func(*checker, *http.Request, []string) {}}

// VippsRequest checks an outgoing Vipps MobilePay request of a generated client before it
// is sent. Every request gets the common header checks (Merchant-Serial-Number digits only
// when set, Vipps-System-* 1 to 30 characters when present); the operations that move
// money or order something also get their idempotency key checked against the API's limits
// and their path and JSON body (amounts, currencies, references, order ids, texts, phone
// numbers) checked, each field named as the API names it. The body is read without being
// consumed. All problems are returned together, joined, each an *Error matching
// ErrInvalid. Credentials (Authorization, Ocp-Apim-Subscription-Key, client_secret, an eCom
// authToken's value) are never repeated.
//
// An empty Merchant-Serial-Number is let through: a partner's merchant binding fills it in
// after the editors have run.
func VippsRequest(req *http.Request) error {
	r, params := vippsRoutes.match(req)
	if r == nil {
		r = &anyVipps
	}
	if err := r.run(req, params, vippsCommon); err != nil {
		return fmt.Errorf("validate: Vipps %s: %w", r.name, err)
	}
	return nil
}

// vippsCommon checks the headers any Vipps request may carry.
func vippsCommon(c *checker, req *http.Request) {
	if msn := req.Header.Get(msnHeader); msn != "" {
		c.add(MSN(msnHeader, msn))
	}
	for _, h := range systemHeaders {
		c.header(req, h, SystemHeader)
	}
}

// keyHeader names the idempotency header of api.
func keyHeader(api VippsAPI) string {
	if api == Ecom {
		return requestIDHeader
	}
	return idempotencyKeyHeader
}

// key checks the idempotency key of api, which must be there.
func key(c *checker, req *http.Request, api VippsAPI) {
	c.add(IdempotencyKey(api, req.Header.Get(keyHeader(api))))
}

// optionalKey checks the idempotency key of api when it is sent.
func optionalKey(c *checker, req *http.Request, api VippsAPI) {
	c.header(req, keyHeader(api), func(_, v string) error { return IdempotencyKey(api, v) })
}

// lengthCheck returns a check of min to max characters.
func lengthCheck(minLen, maxLen int) func(field, value string) error {
	return func(field, value string) error { return length(field, value, minLen, maxLen) }
}

// oneOf returns a check that the value is one of allowed.
func oneOf(allowed ...string) func(field, value string) error {
	return func(field, value string) error {
		switch {
		case value == "":
			return fail(field, RuleRequired, "one of "+strings.Join(allowed, ", "), "")
		case !slices.Contains(allowed, value):
			return fail(field, RuleEnum, "one of "+strings.Join(allowed, ", "), value)
		}
		return nil
	}
}

// intRange returns a check that an integer is within lo to hi.
func intRange(lo, hi int64) func(field string, v int64) error {
	return func(field string, v int64) error {
		if v < lo || v > hi {
			return fail(field, RuleRange, rangeWant(lo, hi), strconv.FormatInt(v, 10))
		}
		return nil
	}
}

func vippsAmount(api VippsAPI) func(field string, v int64) error {
	return func(field string, v int64) error { return VippsAmount(api, field, v) }
}

func vippsCurrency(api VippsAPI) func(field, v string) error {
	return func(field, v string) error { return VippsCurrency(api, field, v) }
}

func vippsPhone(api VippsAPI) func(field, v string) error {
	return func(field, v string) error { return VippsPhone(api, field, v) }
}

// ePaymentAmount checks an Amount object at path, and returns its currency and value (0
// when absent or not an integer).
func ePaymentAmount(c *checker, path string) (currency string, value int64) {
	currency, _ = c.str(path + ".currency")
	c.required(path+".currency", vippsCurrency(EPayment))
	c.requiredInt(path+".value", func(field string, v int64) error {
		value = v
		return VippsAmount(EPayment, field, v)
	})
	return currency, value
}

func ePaymentPathReference(c *checker, params []string) {
	c.add(EPaymentReference("Reference", params[0]))
}

func ePaymentCreate(c *checker, req *http.Request, _ []string) {
	key(c, req, EPayment)
	currency, value := ePaymentAmount(c, "amount")
	if minimum, ok := ePaymentMinimum[currency]; ok && value > 0 && value < minimum {
		c.add(fail("amount.value", RuleRange, "at least "+strconv.FormatInt(minimum, 10)+" for "+currency+" (minor units)", strconv.FormatInt(value, 10)))
	}
	method, _ := c.str("paymentMethod.type")
	c.required("paymentMethod.type", lengthCheck(1, 64))
	if slices.Contains(cardPassthroughOnly, currency) && method != "CARD_PASSTHROUGH" {
		c.add(fail("amount.currency", RuleCurrency, currency+" only with paymentMethod.type CARD_PASSTHROUGH", currency))
	}
	c.required("reference", EPaymentReference)

	flow, _ := c.str("userFlow")
	c.required("userFlow", oneOf("PUSH_MESSAGE", "NATIVE_REDIRECT", "WEB_REDIRECT", "QR"))
	if flow == "WEB_REDIRECT" && !c.has("returnUrl") {
		c.add(fail("returnUrl", RuleRequired, "a return URL when userFlow is WEB_REDIRECT", ""))
	}
	if flow == "PUSH_MESSAGE" && !c.has("customer") {
		c.add(fail("customer", RuleRequired, "a customer when userFlow is PUSH_MESSAGE", ""))
	}
	ePaymentCustomer(c)
	c.optional("returnUrl", lengthCheck(1, 2500))
	c.optional("paymentDescription", lengthCheck(3, 100))
	c.optionalInt("minimumUserAge", intRange(0, 100))
	ePaymentMetadata(c)
	if v, ok := c.lookup("shipping.dynamicOptions.callbackAuthorizationToken"); ok {
		const field = "shipping.dynamicOptions.callbackAuthorizationToken"
		if !v.isString() || !callbackTokenPattern.MatchString(v.text()) {
			c.add(failSecret(field, RulePattern, "1 to 50 of a-z, A-Z, 0-9 and -"))
		}
	}
}

// ePaymentCustomer checks the customer: exactly one of phoneNumber, personalQr and
// customerToken. The token is never repeated.
func ePaymentCustomer(c *checker) {
	if !c.has("customer") {
		return
	}
	n := 0
	for _, k := range []string{"phoneNumber", "personalQr", "customerToken"} {
		if c.has("customer." + k) {
			n++
		}
	}
	if n != 1 {
		c.add(fail("customer", RuleRequired, "exactly one of phoneNumber, personalQr and customerToken", ""))
	}
	c.optional("customer.phoneNumber", vippsPhone(EPayment))
	c.optional("customer.personalQr", lengthCheck(5, 255))
}

// ePaymentMetadata checks metadata: at most 5 entries, keys up to 100 and values up to 500
// characters.
func ePaymentMetadata(c *checker) {
	v, ok := c.lookup("metadata")
	if !ok {
		return
	}
	if !v.isObject() {
		c.add(fail("metadata", RuleType, "a JSON object of strings", v.brief()))
		return
	}
	m := map[string]jsonValue{} // a key given twice counts once, its last value
	v.eachField(func(k, val jsonValue) { m[k.text()] = val })
	if len(m) > 5 {
		c.add(fail("metadata", RuleLength, "at most 5 entries ("+strconv.Itoa(len(m))+" given)", ""))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		field := "metadata." + k
		c.add(length(field+" (key)", k, 1, 100))
		switch val := m[k]; {
		case val.isString():
			c.add(length(field, val.text(), 0, 500))
		case val.isNull():
		default:
			c.add(fail(field, RuleType, "a JSON string", val.brief()))
		}
	}
}

func ePaymentModify(c *checker, req *http.Request, params []string) {
	key(c, req, EPayment)
	ePaymentPathReference(c, params)
	ePaymentAmount(c, "modificationAmount")
}

func ePaymentCancel(c *checker, req *http.Request, params []string) {
	optionalKey(c, req, EPayment)
	ePaymentPathReference(c, params)
}

func ePaymentApprove(c *checker, _ *http.Request, params []string) {
	ePaymentPathReference(c, params)
	c.optional("customer.phoneNumber", vippsPhone(EPayment))
}

func ecomPathOrderID(c *checker, params []string) {
	c.add(EcomOrderID("orderId", params[0]))
}

func ecomInitiate(c *checker, _ *http.Request, _ []string) {
	c.required("merchantInfo.merchantSerialNumber", MSN)
	c.required("merchantInfo.callbackPrefix", lengthCheck(1, 255))
	c.required("merchantInfo.fallBack", lengthCheck(1, 255))
	c.optional("merchantInfo.consentRemovalPrefix", lengthCheck(1, 255))
	c.optional("merchantInfo.shippingDetailsPrefix", lengthCheck(1, 255))
	if v, ok := c.lookup("merchantInfo.authToken"); ok {
		// The token the callbacks will bring back: checked, never repeated.
		if v.isString() {
			c.add(secretLength("merchantInfo.authToken", v.text(), 1, 255))
		} else {
			c.add(failSecret("merchantInfo.authToken", RuleType, "a JSON string"))
		}
	}
	c.optional("customerInfo.mobileNumber", vippsPhone(Ecom))
	c.requiredInt("transaction.amount", vippsAmount(Ecom))
	c.required("transaction.orderId", EcomOrderID)
	c.required("transaction.transactionText", lengthCheck(1, 100))
}

// ecomAction checks capture and refund. An amount of 0 (or none) captures the rest.
func ecomAction(c *checker, req *http.Request, params []string) {
	key(c, req, Ecom)
	ecomPathOrderID(c, params)
	c.optional("merchantInfo.merchantSerialNumber", MSN)
	c.optionalInt("transaction.amount", func(field string, v int64) error {
		if v == 0 {
			return nil
		}
		return VippsAmount(Ecom, field, v)
	})
	c.required("transaction.transactionText", lengthCheck(1, 100))
}

func ecomCancel(c *checker, _ *http.Request, params []string) {
	ecomPathOrderID(c, params)
	c.required("merchantInfo.merchantSerialNumber", MSN)
	c.required("transaction.transactionText", lengthCheck(1, 100))
}

func ecomApprove(c *checker, req *http.Request, params []string) {
	optionalKey(c, req, Ecom)
	ecomPathOrderID(c, params)
	c.optional("customerPhoneNumber", vippsPhone(Ecom))
}

func recurringKeyOnly(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
}

func recurringDraft(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.required("pricing.currency", vippsCurrency(Recurring))
	c.optionalInt("pricing.amount", vippsAmount(Recurring))
	c.optionalInt("pricing.suggestedMaxAmount", vippsAmount(Recurring))
	c.required("productName", lengthCheck(1, 45))
	c.required("merchantRedirectUrl", lengthCheck(1, 2048))
	c.optional("merchantAgreementUrl", lengthCheck(1, 1024))
	c.optional("productDescription", lengthCheck(1, 100))
	c.optional("phoneNumber", vippsPhone(Recurring))
	c.optional("externalId", lengthCheck(1, 64))
	c.optionalInt("interval.count", intRange(1, 31))
	if c.has("initialCharge") {
		c.requiredInt("initialCharge.amount", vippsAmount(Recurring))
		c.required("initialCharge.description", lengthCheck(1, 100))
		c.required("initialCharge.transactionType", oneOf("RESERVE_CAPTURE", "DIRECT_CAPTURE"))
		c.optional("initialCharge.orderId", recurringOrderID)
	}
}

func recurringPatch(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.optional("productName", lengthCheck(1, 45))
	c.optional("productDescription", lengthCheck(1, 100))
	c.optional("merchantAgreementUrl", lengthCheck(1, 1024))
	c.optional("externalId", lengthCheck(1, 64))
	c.optionalInt("pricing.amount", vippsAmount(Recurring))
	c.optionalInt("pricing.suggestedMaxAmount", vippsAmount(Recurring))
	c.optional("status", oneOf("STOPPED"))
}

func recurringAccept(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.required("phoneNumber", vippsPhone(Recurring))
}

func recurringCharge(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.requiredInt("amount", vippsAmount(Recurring))
	c.required("description", lengthCheck(1, 100))
	c.required("transactionType", oneOf("RESERVE_CAPTURE", "DIRECT_CAPTURE"))
	c.optional("due", func(field, v string) error {
		if !datePattern.MatchString(v) {
			return fail(field, RuleFormat, "a date, YYYY-MM-DD", v)
		}
		return nil
	})
	c.optionalInt("retryDays", intRange(0, 14))
	c.optional("orderId", recurringOrderID)
	c.optional("externalId", lengthCheck(1, 64))
}

func recurringCapture(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.requiredInt("amount", vippsAmount(Recurring))
	c.optional("description", lengthCheck(1, 100))
}

func recurringRefund(c *checker, req *http.Request, _ []string) {
	key(c, req, Recurring)
	c.requiredInt("amount", vippsAmount(Recurring))
	c.required("description", lengthCheck(1, 100))
}

func recurringOrderID(field, v string) error {
	return matchPattern(field, v, recurringOrderIDPattern, "1 to 64 of a-z, A-Z, 0-9 and -")
}

func managementOrder(c *checker, req *http.Request, _ []string) {
	key(c, req, Management)
	c.required("businessIdentifier.scheme", lengthCheck(10, 30))
	c.required("businessIdentifier.id", func(field, v string) error {
		return matchPattern(field, v, businessIDPattern, "4 to 50 digits and hyphens")
	})
	c.required("productType", lengthCheck(1, 64))
	c.optional("salesUnitName", lengthCheck(1, 40))
	c.optional("pricePackageId", UUID)
	c.optional("merchantCategoryCode", func(field, v string) error {
		if len(v) != 4 || !allDigits(v) {
			return fail(field, RuleFormat, "4 digits", v)
		}
		return nil
	})
}

func partnerOrder(c *checker, req *http.Request, _ []string) {
	key(c, req, Partner)
	c.required("orgno", func(field, v string) error {
		if len(v) != 9 || !allDigits(v) {
			return fail(field, RuleFormat, "9 digits", v)
		}
		return nil
	})
	c.required("productType", lengthCheck(1, 64))
}
