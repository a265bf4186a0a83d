package sandbox

import "strings"

// momoOutcome is what the simulated wallet does with a new transaction, as the sandbox's
// test values decide it.
type momoOutcome struct {
	// refuse answers the create with this code instead (500; 503 for SERVICE_UNAVAILABLE),
	// and nothing is created.
	refuse string
	// status and reason are the final state (SUCCESSFUL, or FAILED with a reason).
	status string
	reason string
	// ongoing stays PENDING for 180 times the result delay (about three minutes by default,
	// as observed) before reaching status.
	ongoing bool
	// stuck stays CREATED until a test settles it through /_sandbox/.
	stuck bool
}

// Transaction statuses.
const (
	momoCreated    = "CREATED"
	momoPending    = "PENDING"
	momoSuccessful = "SUCCESSFUL"
	momoFailed     = "FAILED"
)

// Failure reasons of the test values.
const (
	momoReasonRejected         = "APPROVAL_REJECTED"
	momoReasonExpired          = "EXPIRED"
	momoReasonPayerNotFound    = "PAYER_NOT_FOUND"
	momoReasonPayeeNotFound    = "PAYEE_NOT_FOUND"
	momoReasonNotAllowedToRecv = "PAYEE_NOT_ALLOWED_TO_RECEIVE"
	momoReasonNotEnoughFunds   = "NOT_ENOUGH_FUNDS"
	momoReasonPayerLimit       = "PAYER_LIMIT_REACHED"
	momoReasonCouldNotPerform  = "COULD_NOT_PERFORM_TRANSACTION"
	momoReasonTxnNotFound      = "TRANSACTION_NOT_FOUND"
	momoReasonCancelled        = "TRANSACTION_CANCELED"
)

var (
	momoSuccess  = momoOutcome{status: momoSuccessful}
	momoOngoing  = momoOutcome{status: momoFailed, reason: momoReasonExpired, ongoing: true}
	momoDelayed  = momoOutcome{stuck: true}
	momoFailWith = func(reason string) momoOutcome { return momoOutcome{status: momoFailed, reason: reason} }
	momoRefused  = func(code string) momoOutcome { return momoOutcome{refuse: code} }
)

// momoDebitValues are the sandbox's numbers for request to pay and request to withdraw
// (the payer's MSISDN); the simulator uses them for invoices (the intended payer) and
// payments (the customer reference) too. Any other number succeeds.
var momoDebitValues = map[string]momoOutcome{
	"46733123450": momoFailWith(momoCodeInternal),
	"46733123451": momoFailWith(momoReasonRejected),
	"46733123452": momoFailWith(momoReasonExpired),
	"46733123453": momoOngoing,
	"46733123454": momoDelayed,
	"46733123455": momoFailWith(momoReasonPayerNotFound),
	"46733123456": momoFailWith(momoReasonNotAllowedToRecv),
	"46733123457": momoRefused(momoCodeNotAllowed),
	"46733123458": momoRefused(momoCodeTargetEnvironment),
	"46733123459": momoRefused(momoCodeCallbackHost),
	"46733123460": momoRefused(momoCodeCurrency),
	"46733123461": momoRefused(momoCodeInternal),
	"46733123462": momoRefused(momoCodeUnavailable),
	"46733123463": momoFailWith(momoReasonCouldNotPerform),
}

// momoDepositValues are the numbers for deposits (the payee's MSISDN): the request to pay
// table, the payee being the one not found.
var momoDepositValues = func() map[string]momoOutcome {
	m := map[string]momoOutcome{}
	for k, v := range momoDebitValues {
		m[k] = v
	}
	m["46733123455"] = momoFailWith(momoReasonPayeeNotFound)
	return m
}()

// momoPreApprovalValues are the numbers for pre-approvals (the payer's MSISDN).
var momoPreApprovalValues = map[string]momoOutcome{
	"46733123450": momoFailWith(momoCodeInternal),
	"46733123451": momoFailWith(momoReasonRejected),
	"46733123452": momoFailWith(momoReasonExpired),
	"46733123453": momoOngoing,
	"46733123454": momoDelayed,
	"46733123455": momoFailWith(momoReasonPayerNotFound),
	"46733123456": momoRefused(momoCodeNotAllowed),
	"46733123457": momoRefused(momoCodeTargetEnvironment),
	"46733123458": momoRefused(momoCodeCallbackHost),
	"46733123459": momoRefused(momoCodeCurrency),
	"46733123460": momoRefused(momoCodeInternal),
	"46733123461": momoRefused(momoCodeUnavailable),
}

// momoTransferValues are the numbers for transfers (the payee's MSISDN).
var momoTransferValues = map[string]momoOutcome{
	"46733123450": momoFailWith(momoCodeInternal),
	"46733123451": momoFailWith(momoReasonRejected),
	"46733123452": momoFailWith(momoReasonExpired),
	"46733123453": momoOngoing,
	"46733123454": momoDelayed,
	"46733123455": momoFailWith(momoReasonNotEnoughFunds),
	"46733123456": momoFailWith(momoReasonPayerLimit),
	"46733123457": momoFailWith(momoReasonPayeeNotFound),
	"46733123458": momoRefused(momoCodeNotAllowed),
	"46733123459": momoRefused(momoCodeTargetEnvironment),
	"46733123460": momoRefused(momoCodeCallbackHost),
	"46733123461": momoRefused(momoCodeCurrency),
	"46733123462": momoRefused(momoCodeInternal),
	"46733123463": momoRefused(momoCodeUnavailable),
}

// momoRefundValues are the transaction ids for refunds, matched in referenceIdToRefund and
// externalId. NotFound means the refunded transaction is unknown.
var momoRefundValues = map[string]momoOutcome{
	"1":  momoFailWith(momoReasonTxnNotFound),
	"2":  momoFailWith(momoCodeInternal),
	"3":  momoFailWith(momoReasonRejected),
	"4":  momoFailWith(momoReasonExpired),
	"5":  momoOngoing,
	"6":  momoDelayed,
	"7":  momoRefused(momoCodeNotAllowed),
	"8":  momoRefused(momoCodeTargetEnvironment),
	"9":  momoRefused(momoCodeCallbackHost),
	"10": momoRefused(momoCodeCurrency),
	"11": momoRefused(momoCodeInternal),
	"12": momoRefused(momoCodeUnavailable),
	"13": momoFailWith(momoReasonCouldNotPerform),
}

// momoCashTransferValues are the transaction ids for cash transfers, matched in externalId
// and payee.partyId.
var momoCashTransferValues = map[string]momoOutcome{
	"1":  momoFailWith(momoReasonTxnNotFound),
	"2":  momoFailWith(momoCodeInternal),
	"3":  momoFailWith(momoReasonRejected),
	"4":  momoFailWith(momoReasonExpired),
	"5":  momoFailWith(momoReasonPayeeNotFound),
	"6":  momoFailWith(momoReasonNotAllowedToRecv),
	"7":  momoRefused(momoCodeNotAllowed),
	"8":  momoRefused(momoCodeTargetEnvironment),
	"9":  momoRefused(momoCodeCallbackHost),
	"10": momoRefused(momoCodeCurrency),
	"11": momoRefused(momoCodeInternal),
	"12": momoRefused(momoCodeUnavailable),
	"13": momoFailWith(momoReasonCouldNotPerform),
}

// momoLookup returns the outcome of the first value found in table.
func momoLookup(table map[string]momoOutcome, values ...string) (momoOutcome, bool) {
	for _, v := range values {
		if o, ok := table[strings.TrimSpace(v)]; ok {
			return o, true
		}
	}
	return momoSuccess, false
}

// Account holder outcomes (ValidateAccountHolderStatus, and GetBasicUserinfo by MSISDN).
const (
	momoHolderActive    = ""
	momoHolderNotFound  = "NotFound"
	momoHolderNotActive = "NotActive"
)

// momoHolderValues maps the sandbox's MSISDNs, e-mail addresses and party codes to what the
// account holder checks answer: NotFound, NotActive, or a refusal code.
var momoHolderValues = map[string]string{
	"msisdn:46733123450": momoHolderNotFound,
	"msisdn:46733123451": momoHolderNotActive,
	"msisdn:46733123452": momoCodeNotAllowed,
	"msisdn:46733123453": momoCodeTargetEnvironment,
	"msisdn:46733123454": momoCodeInternal,
	"msisdn:46733123455": momoCodeUnavailable,

	"email:notfound@email.com":                    momoHolderNotFound,
	"email:notactive@email.com":                   momoHolderNotActive,
	"email:notallowed@email.com":                  momoCodeNotAllowed,
	"email:notallowedtargetenvironment@email.com": momoCodeTargetEnvironment,
	"email:internalprocessingerror@email.com":     momoCodeInternal,
	"email:serviceunavailable@email.com":          momoCodeUnavailable,

	"party_code:5cecb5a7-8bd0-4f49-87b1-8eb9ecc7b7bc": momoHolderNotFound,
	"party_code:b0040b3c-b426-4a90-af6e-673e65861cd7": momoHolderNotActive,
	"party_code:4d5f500f-c385-4901-9be5-25b6d36ad220": momoCodeNotAllowed,
	"party_code:d2265f9b-0c22-496d-908f-79a65ad66266": momoCodeTargetEnvironment,
	"party_code:8f548a78-ceb8-4d12-a243-5640b91e91a4": momoCodeInternal,
	"party_code:585c07a4-2c80-42f7-9e73-e586b36dee68": momoCodeUnavailable,
}

// momoHolder returns the account holder outcome of (idType, id); idType compares
// case-insensitively, as the wallet is lenient there.
func momoHolder(idType, id string) string {
	return momoHolderValues[strings.ToLower(idType)+":"+strings.ToLower(strings.TrimSpace(id))]
}

// Consent outcomes of the sandbox's MSISDNs (the login_hint of bc-authorize).
const (
	momoConsentUnknownUser    = "AccountHolderNotFound"
	momoConsentRejected       = "ConsentRejected"
	momoConsentPending        = "ConsentPending"
	momoConsentExpired        = "ConsentExpired"
	momoConsentRefreshExpired = "ConsentExpiredRefreshToken"
	momoConsentRevoked        = "ConsentRevoked"
	momoConsentDeletedScope   = "ConsentDeletedScope"
	momoConsentAlreadyUsed    = "ConsentAlreadyUsed"
)

// momoConsentValues are the consent test values; the Financial* ones concern payment
// consents, which the simulator does not model, so those numbers consent normally.
var momoConsentValues = map[string]string{
	"46733123450": momoConsentUnknownUser,
	"46733123451": momoConsentRejected,
	"46733123452": momoConsentPending,
	"46733123453": momoConsentExpired,
	"46733123454": momoConsentRefreshExpired,
	"46733123455": momoConsentRevoked,
	"46733123456": momoConsentDeletedScope,
	"46733123457": momoConsentAlreadyUsed,
}
