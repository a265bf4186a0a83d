package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ExtMayBeEmpty marks a Response object whose body the service sometimes omits.
const ExtMayBeEmpty = "x-may-be-empty"

// Error lists every problem found in one request or response.
type Error struct {
	Operation string   // operationId, empty when no operation matched
	Problems  []string // short "where: rule" descriptions, in the order found
	err       error    // kin-openapi's own error, kept for errors.As
}

// Error joins the problems after the operation name.
func (e *Error) Error() string {
	msg := strings.Join(e.Problems, "; ")
	if e.Operation == "" {
		return msg
	}
	return e.Operation + ": " + msg
}

// Unwrap returns kin-openapi's error, if any.
func (e *Error) Unwrap() error { return e.err }

// ValidateRequest checks one request (reads and restores the body); the error lists every problem found, nothing is recorded.
func (v *Validator) ValidateRequest(req *http.Request) error {
	body, err := drainBody(req)
	if err != nil {
		return fmt.Errorf("contract: reading request body: %w", err)
	}
	m, err := v.find(req)
	if err != nil {
		return err
	}
	return m.checkRequest(req, body)
}

// ValidateResponse checks one response to req (routed only, its body unread); the error lists every problem found, nothing is recorded.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	m, err := v.find(req)
	if err != nil {
		return err
	}
	return m.checkResponse(req, status, header, body)
}

// checkRequest validates a copy of req carrying body, so that nothing
// kin-openapi does to the request reaches the caller's traffic.
func (m *match) checkRequest(req *http.Request, body []byte) error {
	// A shallow copy that reads the buffered body: kin-openapi reads the request, never
	// writes to it, so the deep copy of URL and headers req.Clone makes is not needed; this
	// runs on every request the sandbox serves.
	r := new(http.Request)
	*r = *req
	r.GetBody = nil
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		r.Body = http.NoBody
	} else {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	// A request cancelled by now still deserves a verdict.
	err := openapi3filter.ValidateRequest(context.WithoutCancel(req.Context()), &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: m.params,
		Route:      m.route,
		Options:    m.doc.options,
	})
	return m.wrap(nil, err)
}

// checkResponse validates one response; the empty-body rules are applied
// here because kin-openapi cannot express "JSON or nothing".
func (m *match) checkResponse(req *http.Request, status int, header http.Header, body []byte) error {
	ref := lookupResponse(m.route.Operation, status)
	if ref == nil {
		// Checked here rather than by kin-openapi to name the status.
		return &Error{Operation: m.operation(), Problems: []string{fmt.Sprintf("status %d not declared", status)}}
	}
	opts := *m.doc.options
	var problems []string
	if ref.Value != nil && len(body) == 0 && len(ref.Value.Content) > 0 {
		// kin-openapi would report a decoding error instead; status and
		// headers must still be checked.
		opts.ExcludeResponseBody = true
		if !mayBeEmpty(ref.Value) {
			problems = append(problems, fmt.Sprintf("response body: empty, want %s", strings.Join(mediaTypes(ref.Value.Content), " or ")))
		}
	}
	if header == nil {
		header = http.Header{}
	}
	err := openapi3filter.ValidateResponse(context.WithoutCancel(req.Context()), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: m.params,
			Route:      m.route,
			Options:    &opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &opts,
	})
	return m.wrap(problems, err)
}

// wrap turns kin-openapi's error plus own problems into an *Error, or nil.
func (m *match) wrap(problems []string, err error) error {
	problems = append(problems, describe(err)...)
	if len(problems) == 0 {
		return nil
	}
	return &Error{Operation: m.operation(), Problems: problems, err: err}
}

func lookupResponse(op *openapi3.Operation, status int) *openapi3.ResponseRef {
	if op == nil || op.Responses == nil {
		return nil
	}
	if ref := op.Responses.Status(status); ref != nil {
		return ref
	}
	return op.Responses.Default()
}

func mayBeEmpty(r *openapi3.Response) bool {
	b, ok := r.Extensions[ExtMayBeEmpty].(bool)
	return ok && b
}

func mediaTypes(c openapi3.Content) []string {
	types := make([]string, 0, len(c))
	for t := range c {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// newOptions returns the kin-openapi options for the traffic of doc.
func newOptions(doc *openapi3.T) *openapi3filter.Options {
	schemaOpts := []openapi3.SchemaValidationOption{
		// Per-validation validators rather than openapi3.DefineStringFormatValidator:
		// no process-global state, which other packages' tests might rely on.
		// One option per format, because WithStringFormatValidators would
		// share (and let later options write to) a single map across goroutines.
		openapi3.WithStringFormatValidator("uuid", openapi3.NewCallbackValidator(checkUUID)),
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(checkURI)),
	}
	if !doc.IsOpenAPI31OrLater() {
		// Keeps schema and value dumps out of messages; kin-openapi refuses
		// this option with its JSON Schema 2020-12 validator (OpenAPI 3.1).
		schemaOpts = append(schemaOpts, openapi3.DisableSchemaErrorDetails())
	}
	return &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		// A request body on an operation that declares none is a bug too.
		RejectWhenRequestBodyNotSpecified: true,
		// Defaults would otherwise be written into the validated request.
		SkipSettingDefaults:     true,
		AuthenticationFunc:      authenticate,
		SchemaValidationOptions: schemaOpts,
	}
}

var uuidPattern = regexp.MustCompile(openapi3.FormatOfStringForUUIDOfRFC9562)

func checkUUID(s string) error {
	if !uuidPattern.MatchString(s) {
		// kin-openapi's regexp validator would quote the whole pattern.
		return errors.New("not an RFC 9562 UUID")
	}
	return nil
}

func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return errors.New("not an absolute URI")
	}
	return nil
}

// authenticate accepts a security scheme when its credential is present;
// whether the credential is right is the provider's business, not the
// contract's.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	s := in.SecurityScheme
	name := in.SecuritySchemeName
	switch s.Type {
	case "apiKey":
		switch s.In {
		case "header":
			if req.Header.Get(s.Name) == "" {
				return fmt.Errorf("%s: header %s missing", name, s.Name)
			}
		case "query":
			if req.URL.Query().Get(s.Name) == "" {
				return fmt.Errorf("%s: query parameter %s missing", name, s.Name)
			}
		case "cookie":
			if c, err := req.Cookie(s.Name); err != nil || c.Value == "" {
				return fmt.Errorf("%s: cookie %s missing", name, s.Name)
			}
		default:
			return fmt.Errorf("%s: apiKey in %q not supported", name, s.In)
		}
		return nil
	case "http":
		return authorization(req, name, s.Scheme)
	case "oauth2", "openIdConnect":
		// Tokens of both are presented as bearer tokens.
		return authorization(req, name, "bearer")
	default:
		return fmt.Errorf("%s: scheme type %q not supported", name, s.Type)
	}
}

// authorization requires an Authorization header "<scheme> <credentials>";
// the scheme compares case-insensitively, as in RFC 9110.
func authorization(req *http.Request, name, scheme string) error {
	prefix, rest, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(prefix, scheme) || strings.TrimSpace(rest) == "" {
		label := scheme
		if scheme != "" {
			label = strings.ToUpper(scheme[:1]) + strings.ToLower(scheme[1:])
		}
		return fmt.Errorf("%s: Authorization header %q credentials missing", name, label)
	}
	return nil
}

// describe flattens kin-openapi's error into short "where: rule" messages,
// because its own messages nest reasons and can run to pages.
func describe(err error) []string {
	switch e := err.(type) {
	case nil:
		return nil
	case openapi3.MultiError:
		var out []string
		for _, inner := range e {
			out = append(out, describe(inner)...)
		}
		return out
	case *openapi3filter.SecurityRequirementsError:
		// Each entry is one alternative requirement that failed.
		alts := make([]string, 0, len(e.Errors))
		for _, inner := range e.Errors {
			alts = append(alts, strings.Join(describe(inner), ", "))
		}
		return []string{"security: " + strings.Join(alts, " or ")}
	case *openapi3filter.RequestError:
		where := ""
		switch {
		case e.Parameter != nil:
			where = e.Parameter.In + " " + e.Parameter.Name
		case e.RequestBody != nil:
			where = "request body"
		}
		return prefixAll(where, causes(e.Reason, e.Err))
	case *openapi3filter.ResponseError:
		reason := e.Reason
		// `response header "X" doesn't match schema` only announces the
		// schema errors that follow; keep the header name alone.
		if strings.HasPrefix(reason, "response header ") && e.Err != nil {
			reason = strings.TrimSuffix(reason, " doesn't match schema")
		}
		if strings.HasPrefix(reason, "response body doesn't match schema") && e.Err != nil {
			return prefixAll("response body", describe(e.Err))
		}
		return causes(reason, e.Err)
	case *openapi3.SchemaError:
		reason := e.Reason
		if reason == "" {
			reason = fmt.Sprintf("doesn't match schema %q", e.SchemaField)
		}
		if field := strings.Join(e.JSONPointer(), "/"); field != "" {
			return []string{field + ": " + reason}
		}
		return []string{reason}
	default:
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return []string{msg}
	}
}

// causes describes a kin-openapi error by its reason and cause. A reason such
// as "doesn't match schema #/components/schemas/X" only restates that schema
// errors follow, so it is dropped when they do.
func causes(reason string, cause error) []string {
	inner := describe(cause)
	switch {
	case len(inner) == 0, len(inner) == 1 && inner[0] == reason:
		return []string{reason}
	case reason == "" || strings.Contains(reason, "doesn't match schema"):
		return inner
	default:
		return prefixAll(reason, inner)
	}
}

func prefixAll(prefix string, msgs []string) []string {
	if prefix == "" {
		return msgs
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = prefix + ": " + m
	}
	return out
}
