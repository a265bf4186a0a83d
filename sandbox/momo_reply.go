package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// momoReply is one answer of the simulated MoMo APIs. It implements the Visit method of
// every MoMo operation, so that a handler of any product can return it: the error shapes
// ({code,message}, the gateway's {statusCode,message}, {error}, an empty body) are the
// same in every document, and so are the shared bodies (common.*).
type momoReply struct {
	status int
	// body is encoded as JSON when set; otherwise the body is empty.
	body   any
	header http.Header
}

// write sends the reply; a reply without body has an empty one (Content-Length 0).
func (r momoReply) write(w http.ResponseWriter) error {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	var payload []byte
	if r.body != nil {
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(r.body); err != nil {
			return err
		}
		payload = buf.Bytes()
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(r.status)
	_, err := w.Write(payload)
	return err
}

// The wallet's error codes, with the messages the gateways send (where known).
const (
	momoCodeAlreadyExists     = "RESOURCE_ALREADY_EXIST"
	momoCodeNotFound          = "RESOURCE_NOT_FOUND"
	momoCodeNotAllowed        = "NOT_ALLOWED"
	momoCodeTargetEnvironment = "NOT_ALLOWED_TARGET_ENVIRONMENT"
	momoCodeCallbackHost      = "INVALID_CALLBACK_URL_HOST"
	momoCodeCurrency          = "INVALID_CURRENCY"
	momoCodeInternal          = "INTERNAL_PROCESSING_ERROR"
	momoCodeUnavailable       = "SERVICE_UNAVAILABLE"
	momoCodeValidation        = "VALIDATION_ERROR"
)

var momoMessages = map[string]string{
	momoCodeAlreadyExists:     "Duplicated reference id. Creation of resource failed.",
	momoCodeNotFound:          "Requested resource was not found.",
	momoCodeNotAllowed:        "Authorization failed. Insufficient permissions.",
	momoCodeTargetEnvironment: "Access to target environment is forbidden.",
	momoCodeCallbackHost:      "Callback URL with different host than the one configured for the API user.",
	momoCodeCurrency:          "Currency not supported.",
	momoCodeInternal:          "An internal error occurred while processing.",
	momoCodeUnavailable:       "Service temporarily unavailable, try again later.",
}

// momoError is the wallet's {code,message} answer.
func momoError(status int, code string) momoReply {
	return momoErrorMessage(status, code, momoMessages[code])
}

func momoErrorMessage(status int, code, message string) momoReply {
	return momoReply{status: status, body: momoErrorBody{Code: code, Message: message}}
}

// momoErrorBody is ErrorReason as the wallet writes it.
type momoErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// momoStatusError answers a create refused by a test value: 503 for SERVICE_UNAVAILABLE,
// 500 for the rest.
func momoStatusError(code string) momoReply {
	if code == momoCodeUnavailable {
		return momoError(http.StatusServiceUnavailable, code)
	}
	return momoError(http.StatusInternalServerError, code)
}

// momoOK answers 200 with body.
func momoOK(body any) momoReply { return momoReply{status: http.StatusOK, body: body} }

// momoAccepted is the empty 202 of every create.
var momoAccepted = momoReply{status: http.StatusAccepted}

// momoEmpty401 is the wallet's answer to an expired, unknown or foreign bearer token.
var momoEmpty401 = momoReply{status: http.StatusUnauthorized}

// momoKeyRefused is the API gateway's answer to a missing, unknown or other product's
// subscription key.
func momoKeyRefused(product string) momoReply {
	realm := "https://sandbox.momodeveloper.mtn.com"
	if product != "" {
		realm += "/" + product
	}
	return momoReply{
		status: http.StatusUnauthorized,
		body: map[string]any{
			"statusCode": http.StatusUnauthorized,
			"message":    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
		},
		header: http.Header{"Www-Authenticate": {`AzureApiManagementKey realm="` + realm + `",name="Ocp-Apim-Subscription-Key",type="header"`}},
	}
}

// momoLoginFailed is the wallet's answer to a wrong API user or key.
var momoLoginFailed = momoReply{status: http.StatusInternalServerError, body: map[string]string{"error": "login_failed"}}

// momoLengthRequired is the front server's answer to a bodyless POST without
// Content-Length. The gateway sends an HTML page; the simulator sends the same status and
// content type with no page, because the contract validators cannot read text/html bodies
// and the documents allow the body to be empty.
var momoLengthRequired = momoReply{status: http.StatusLengthRequired, header: http.Header{"Content-Type": {"text/html"}}}

// momoValidation is the 400 naming each field and rule that a request broke.
func momoValidation(problems ...string) momoReply {
	return momoErrorMessage(http.StatusBadRequest, momoCodeValidation, strings.Join(problems, "; "))
}

// momoBadRequest answers a request that breaks the documents: 400 with ErrorReason, the
// message naming each field and rule.
func momoBadRequest(w http.ResponseWriter, _ *http.Request, problems []string) {
	_ = momoValidation(problems...).write(w)
}

// The Visit methods make momoReply a response of every MoMo operation.

func (r momoReply) VisitBcAuthorizeResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r momoReply) VisitCancelInvoiceResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r momoReply) VisitCancelPreApprovalResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitCashTransferResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitCreateAccessTokenResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitCreateApiKeyResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitCreateApiUserResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r momoReply) VisitCreateInvoiceResponse(w http.ResponseWriter) error     { return r.write(w) }
func (r momoReply) VisitCreateOauth2TokenResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitCreatePaymentsResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r momoReply) VisitDepositV1Response(w http.ResponseWriter) error         { return r.write(w) }
func (r momoReply) VisitDepositV2Response(w http.ResponseWriter) error         { return r.write(w) }
func (r momoReply) VisitGetAccountBalanceResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitGetAccountBalanceInSpecificCurrencyResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r momoReply) VisitGetApiUserResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitGetApprovedPreApprovalsResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r momoReply) VisitGetBasicUserinfoResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitGetCashTransferStatusResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitGetDepositStatusResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitGetInvoiceStatusResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitGetPaymentStatusResponse(w http.ResponseWriter) error      { return r.write(w) }
func (r momoReply) VisitGetPreApprovalStatusResponse(w http.ResponseWriter) error  { return r.write(w) }
func (r momoReply) VisitGetRefundStatusResponse(w http.ResponseWriter) error       { return r.write(w) }
func (r momoReply) VisitGetRequestToPayStatusResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitGetRequestToWithdrawStatusResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r momoReply) VisitGetTransferStatusResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitGetUserInfoWithConsentResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r momoReply) VisitPreApprovalResponse(w http.ResponseWriter) error  { return r.write(w) }
func (r momoReply) VisitRefundV1Response(w http.ResponseWriter) error     { return r.write(w) }
func (r momoReply) VisitRefundV2Response(w http.ResponseWriter) error     { return r.write(w) }
func (r momoReply) VisitRequestToPayResponse(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitRequestToPayDeliveryNotificationResponse(w http.ResponseWriter) error {
	return r.write(w)
}
func (r momoReply) VisitRequestToWithdrawV1Response(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitRequestToWithdrawV2Response(w http.ResponseWriter) error { return r.write(w) }
func (r momoReply) VisitTransferResponse(w http.ResponseWriter) error            { return r.write(w) }
func (r momoReply) VisitValidateAccountHolderStatusResponse(w http.ResponseWriter) error {
	return r.write(w)
}
