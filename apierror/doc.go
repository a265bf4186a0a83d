// Package apierror turns every non-2xx answer of the MoMo and Vipps MobilePay APIs into one
// typed error, *Error, that keeps the truth: the HTTP status, a few useful headers, the API's
// own code and message decoded from whichever error shape came back, the decoded shape itself,
// and the start of the raw body.
//
// The APIs answer errors in many shapes, and the media type does not say which: MoMo's
// {code, message}, the API gateways' {statusCode, message}, {errorCode, errorMessage,
// contextId} and {responseInfo, result}, {"error": "login_failed"}, Vipps problem+json in
// four dialects (status as a number or a string; extraDetails items {name, reason},
// {field, text} or {key, value}), eCom's error arrays, empty bodies and HTML pages. Decode
// reads the shape from the body itself and never fails.
//
// Wrap a generated call with Check to get the response and an error in one step:
//
//	res, err := apierror.Check(c.Collection.RequestToPayWithResponse(ctx, params, body))
//	var apiErr *apierror.Error
//	switch {
//	case errors.Is(err, apierror.ErrConflict):
//		// the reference id was seen before: the first attempt arrived, poll its status
//	case errors.As(err, &apiErr) && apiErr.Temporary():
//		// retry with the same reference id
//	case err != nil:
//		return fmt.Errorf("momo: request to pay: %w", err)
//	}
//	_ = res
//
// Branch on StatusCode and Code (see the reason constants), never on Message: messages are
// for people and change without notice. Codes form an open set as well, so keep a default
// branch.
//
// One gap remains: when a JSON error body does not fit the model its operation declares (an
// eCom errorCode sent as a number where the document says string, say), the generated client
// returns its own decode error and no response, so Check passes that error on and the body
// never reaches this package.
package apierror
