package apierror

import (
	"net/http"
	"reflect"
)

// Response is what every generated ...Response type has: the status and the raw body. Both
// pointers and values of those types satisfy it.
type Response interface {
	// StatusCode is the HTTP status, 0 when there was no HTTP response.
	StatusCode() int
	// GetBody is the raw body the client read.
	GetBody() []byte
}

// headerer is a response that hands out its headers directly, for hand-written Response types.
type headerer interface {
	Header() http.Header
}

// contentTyper is the generated responses' ContentType method, the one header they expose.
type contentTyper interface {
	ContentType() string
}

// FromResponse returns nil when r is a 2xx answer, and an *Error for anything else, including
// a nil response.
func FromResponse(r Response) error {
	if isNil(r) {
		return &Error{}
	}
	status := r.StatusCode()
	if status >= 200 && status <= 299 {
		return nil
	}
	return Decode(status, header(r), r.GetBody())
}

// Check passes a generated call's result through, turning a non-2xx answer into an *Error:
//
//	res, err := apierror.Check(c.Collection.RequestToPayWithResponse(ctx, params, body))
//
// A transport or decode error is returned as it is.
func Check[R Response](r R, err error) (R, error) {
	if err != nil {
		return r, err
	}
	return r, FromResponse(r)
}

// header returns the answer's headers. The generated responses expose them only through their
// exported HTTPResponse field (and a ContentType method), so the field is read by reflection,
// with ContentType as the fallback.
func header(r Response) http.Header {
	if h, ok := r.(headerer); ok {
		return h.Header()
	}
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("HTTPResponse"); f.IsValid() && f.CanInterface() {
			if hr, ok := f.Interface().(*http.Response); ok && hr != nil {
				return hr.Header
			}
		}
	}
	if ct, ok := r.(contentTyper); ok && ct.ContentType() != "" {
		return http.Header{"Content-Type": {ct.ContentType()}}
	}
	return nil
}

// isNil reports whether r is nil or a nil pointer, on which the generated value-receiver
// methods would panic.
func isNil(r Response) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}
