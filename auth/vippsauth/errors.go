package vippsauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrCredentialsRefused is matched by errors.Is for a token request answered with HTTP 401:
// the client id, client secret or subscription key (or, on the management token, the Basic
// credentials) were not accepted. Retrying with the same credentials will not help.
var ErrCredentialsRefused = errors.New("vipps: token credentials refused")

// maxMessage bounds the message kept from an error body, so that an error page cannot bloat
// logs.
const maxMessage = 200

// TokenError is a token request that was answered without a token.
type TokenError struct {
	// Endpoint is the path that answered, e.g. "/accesstoken/get".
	Endpoint string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the error code of the body ("Unauthorized", "invalid_client"), if it had one.
	// The gateway's {statusCode, message} shape has none: its statusCode is the HTTP status.
	Code string
	// Message is the body's explanation, at most 200 bytes, if it had one.
	Message string
}

// Error describes the answer with the status, code and message.
func (e *TokenError) Error() string {
	s := fmt.Sprintf("vipps: token from %s: HTTP %d", e.Endpoint, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches ErrCredentialsRefused on HTTP 401.
func (e *TokenError) Is(target error) bool {
	return target == ErrCredentialsRefused && e.StatusCode == http.StatusUnauthorized
}

// tokenError decodes whichever shape the error body has: the gateway's {statusCode, message}
// or {errorCode, errorMessage, contextId}, the modelled {responseInfo, result}, or OAuth2's
// {error, error_description}. The shape is chosen by the fields present, not by the status
// or media type, because the gateway and the token service answer the same statuses.
func tokenError(endpoint string, status int, body []byte) *TokenError {
	var shape struct {
		// statusCode is left out: it repeats the HTTP status, and leaving it undecoded means a
		// string where a number belongs cannot cost the message.
		Message      string `json:"message"`
		ErrorCode    string `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
		ResponseInfo struct {
			ResponseMessage string `json:"responseMessage"`
		} `json:"responseInfo"`
		Result struct {
			Message string `json:"message"`
		} `json:"result"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	// A field of an unexpected type is skipped and the rest still decoded; an empty or
	// non-JSON body leaves every field empty.
	_ = json.Unmarshal(body, &shape)
	e := &TokenError{Endpoint: endpoint, StatusCode: status}
	e.Code = firstOf(shape.ErrorCode, shape.Error)
	e.Message = firstOf(shape.Message, shape.ErrorMessage, shape.ErrorDescription,
		shape.Result.Message, shape.ResponseInfo.ResponseMessage)
	e.Message = strings.ToValidUTF8(e.Message, "\uFFFD")
	if len(e.Message) > maxMessage {
		e.Message = strings.ToValidUTF8(e.Message[:maxMessage], "") + "…"
	}
	return e
}

// firstOf returns the first non-empty value.
func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
