package apierror

// The codes below are the ones the APIs document or are known to send, as plain strings to
// compare with Error.Code (and, for MoMo, with a failed transaction's reason). The set is
// open: the APIs add codes without notice, so every switch on a code needs a default branch,
// and a code missing here is still reported in Error.Code as it came.

// MoMo error reasons: the 17 of the documented ErrorReason enum.
const (
	MoMoPayeeNotFound               = "PAYEE_NOT_FOUND"
	MoMoPayerNotFound               = "PAYER_NOT_FOUND" // often an MSISDN without country code
	MoMoNotAllowed                  = "NOT_ALLOWED"     // the account is restricted
	MoMoNotAllowedTargetEnvironment = "NOT_ALLOWED_TARGET_ENVIRONMENT"
	MoMoInvalidCallbackURLHost      = "INVALID_CALLBACK_URL_HOST"
	MoMoInvalidCurrency             = "INVALID_CURRENCY"
	MoMoServiceUnavailable          = "SERVICE_UNAVAILABLE"       // on a create-POST: outcome unknown, query it
	MoMoInternalProcessingError     = "INTERNAL_PROCESSING_ERROR" // generic; on a create-POST: outcome unknown
	MoMoNotEnoughFunds              = "NOT_ENOUGH_FUNDS"
	MoMoPayerLimitReached           = "PAYER_LIMIT_REACHED"
	MoMoPayeeNotAllowedToReceive    = "PAYEE_NOT_ALLOWED_TO_RECEIVE"
	MoMoPaymentNotApproved          = "PAYMENT_NOT_APPROVED"
	MoMoResourceNotFound            = "RESOURCE_NOT_FOUND" // just after a 202 it may mean "not visible yet"
	MoMoApprovalRejected            = "APPROVAL_REJECTED"
	MoMoExpired                     = "EXPIRED"
	MoMoTransactionCanceled         = "TRANSACTION_CANCELED"
	MoMoResourceAlreadyExist        = "RESOURCE_ALREADY_EXIST" // the reference id was used: the first attempt arrived
)

// MoMo reasons seen outside the documented enum, and the token endpoint's error.
const (
	MoMoCouldNotPerformTransaction = "COULD_NOT_PERFORM_TRANSACTION" // not approved within about 5 minutes
	MoMoSenderAccountNotActive     = "SENDER_ACCOUNT_NOT_ACTIVE"
	MoMoTransactionNotFound        = "TRANSACTION_NOT_FOUND"
	MoMoPayeeLimitReached          = "PAYEE_LIMIT_REACHED"
	MoMoValidationError            = "VALIDATION_ERROR"
	MoMoPreapprovalExistPending    = "PREAPPROVAL_EXIST_PENDING"
	MoMoLoginFailed                = "login_failed" // HTTP 500 from a token endpoint: the API user or key was refused
)

// Vipps ePayment error codes, sent as the ErrorCode item of a problem's extraDetails. Read
// them together with the HTTP status.
const (
	EPaymentInternalError              = "3010"
	EPaymentCaptureIdempotencyConflict = "4010" // the key was used for a different capture
	EPaymentIdempotencyKeyExists       = "4020" // the key was used for a different request
	EPaymentInvalidAmount              = "4040"
	EPaymentInvalidPhoneNumber         = "4070"
	EPaymentMissingParameter           = "4140"
	EPaymentReferenceExists            = "4150" // the reference is taken, or a refund key conflict
	EPaymentCurrencyNotSupported       = "5040"
	EPaymentReferenceNotFound          = "5090"
	EPaymentRefundNotPossible          = "5100"
	EPaymentAmountTooSmall             = "6010"
	EPaymentCancelCaptured             = "6040"
	EPaymentCancelAuthorized           = "6060" // cancelTransactionOnly on an authorized payment
	EPaymentCaptureCancelled           = "6070"
	EPaymentCaptureBeforeReservation   = "6080"
	EPaymentCaptureTooHigh             = "6090"
	EPaymentCapturePeriodOver          = "6100"
	EPaymentNotEnoughRefundable        = "6150"
	EPaymentProcessing                 = "6160"
	EPaymentAlreadyCaptured            = "6170"
	EPaymentAlreadyRefunded            = "6180"
	EPaymentRefundPeriodOver           = "6220"
	EPaymentCustomerNotFound           = "7010"
)

// Vipps eCom error groups, the errorGroup of each error.
const (
	EcomGroupAuthentication = "Authentication"
	EcomGroupPayment        = "Payment"
	EcomGroupInvalidRequest = "InvalidRequest" // errorCode is then a field path
	EcomGroupVippsError     = "VippsError"
	EcomGroupUser           = "User"
	EcomGroupMerchant       = "Merchant"
)

// Vipps eCom error codes. A number can mean different things in different groups (51, 98),
// so read the code together with its errorGroup.
const (
	EcomMerchantBlocked           = "31" // Merchant
	EcomDuplicateOrderID          = "34" // Merchant
	EcomOrderIDNotFound           = "35" // Merchant: unknown orderId for this MSN
	EcomIssuerRefused             = "42" // Payment
	EcomInvalidAmount             = "43" // Payment
	EcomReserveFailed             = "45" // Payment
	EcomCancelCaptured            = "51" // Payment (in Merchant: the NIN scope is missing)
	EcomCaptureTooHigh            = "61" // Payment
	EcomNotReserved               = "62" // Payment
	EcomRefundTooHigh             = "71" // Payment
	EcomPhoneNumberUnusable       = "81" // User
	EcomNotAllowed                = "91" // VippsError
	EcomAlreadyProcessed          = "92" // VippsError
	EcomRetryNotIdentical         = "93" // the X-Request-Id was used for a different request
	EcomLocked                    = "94" // VippsError: retry later with the same X-Request-Id
	EcomRefundPeriodOver          = "95" // Payment: more than 365 days
	EcomMerchantPaymentsForbidden = "97" // Merchant
	EcomTooManyConcurrent         = "98" // VippsError (in Payment: capture more than 180 days late)
	EcomInternalError             = "99" // VippsError; usually a bad request
	EcomTestUserNotBankIDVerified = "1082"
)

// Vipps Recurring problem kinds: the fragment of the problem type, which Error.Code holds.
const (
	RecurringValidationError      = "validation-error"
	RecurringIdempotencyConflict  = "idempotency-conflict"
	RecurringConflict             = "conflict"
	RecurringResourceNotFound     = "resource-not-found"
	RecurringChargeAmountTooHigh  = "charge-amount-too-high"
	RecurringIllegalAgreementEdit = "illegal-agreement-update"
	RecurringNotAuthorized        = "not-authorized"
)
