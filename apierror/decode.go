package apierror

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxBody is how much of the raw body an Error keeps.
const MaxBody = 4 << 10

const (
	// maxDecode is the largest body decoded as JSON. API error bodies are a few hundred
	// bytes; anything far larger is a proxy's page or a fault, and decoding it would only cost
	// time and memory.
	maxDecode = 64 << 10
	// maxItems bounds the eCom errors and extraDetails kept.
	maxItems = 32
	// maxField bounds every decoded text and kept header value.
	maxField = 1 << 10
)

// keptHeaders are the answer headers worth keeping: when to retry, what the body is, which
// credential the gateway refused, and the ids support asks for.
var keptHeaders = []string{
	"Retry-After",
	"Content-Type",
	"Www-Authenticate",
	"X-Request-Id",
	"Request-Id",
	"Request-Context",
	"Traceparent",
	"X-Correlation-Id",
}

// Decode builds the Error for an answer with the given status, headers and body. The body's
// shape, not its media type, picks the decoder, because the gateways label bodies loosely:
//
//   - an array is eCom's error list;
//   - an object with type or title is a problem;
//   - one with errorGroup is a single eCom error;
//   - one with statusCode, responseInfo or errorMessage is the API gateway's;
//   - one with code is MoMo's {code, message};
//   - one with error is an OAuth or MoMo token error ({"error": "login_failed"}).
//
// An empty, HTML, plain-text or broken body gives an Error with only the status, the headers,
// the body and (for HTML) the page title as message. Decode never fails, and its work is
// bounded whatever the body's size.
func Decode(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Header: keepHeaders(header)}
	if len(body) > 0 {
		e.Body = bytes.Clone(body[:min(len(body), MaxBody)])
	}
	b, huge := body, len(body) > maxDecode
	if huge {
		b = b[:MaxBody]
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	switch {
	case len(b) == 0:
		return e
	case huge:
		if b[0] == '<' {
			e.Message = htmlTitle(b)
		}
		return e
	}
	switch b[0] {
	case '[':
		decodeEcom(e, b)
	case '{':
		decodeObject(e, b)
	case '<':
		e.Message = htmlTitle(b)
	case '"':
		e.Message = text(b)
	default:
		e.Message = plainText(b)
	}
	return e
}

// object is a JSON object's members by lower-cased name, so that lookups ignore case as
// encoding/json does for structs.
type object map[string]json.RawMessage

// parseObject returns the members of a JSON object, or nil when b is not one.
func parseObject(b []byte) object {
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil || raw == nil {
		return nil
	}
	o := make(object, len(raw))
	for k, v := range raw {
		o[strings.ToLower(k)] = v
	}
	return o
}

func (o object) has(name string) bool { _, ok := o[name]; return ok }

// str returns the named member as text (see text).
func (o object) str(name string) string { return text(o[name]) }

// num returns the named member as a whole number, whether sent as a number or a string; 0
// when it is neither.
func (o object) num(name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(o.str(name)))
	if err != nil {
		return 0
	}
	return n
}

// decodeObject picks the decoder for a JSON object by the members it has.
func decodeObject(e *Error, b []byte) {
	o := parseObject(b)
	if o == nil {
		return
	}
	switch {
	case o.has("type") || o.has("title"):
		decodeProblem(e, o)
	case o.has("errorgroup"):
		item := ecomError(o)
		e.Ecom = []EcomError{item}
		e.Code, e.Message = item.ErrorCode, item.ErrorMessage
	case o.has("statuscode") || o.has("responseinfo") || o.has("errormessage"):
		decodeGateway(e, o)
	case o.has("code"):
		e.Code, e.Message = o.str("code"), o.str("message")
	case o.has("error"):
		e.Code = o.str("error")
		e.Message = firstOf(o.str("error_description"), o.str("message"))
	default:
		e.Message = firstOf(o.str("message"), o.str("detail"))
	}
}

// decodeProblem reads any of the Vipps problem dialects.
func decodeProblem(e *Error, o object) {
	p := &Problem{
		Type:      o.str("type"),
		Title:     o.str("title"),
		Detail:    o.str("detail"),
		Status:    o.num("status"),
		TraceID:   o.str("traceid"),
		ContextID: o.str("contextid"),
		Instance:  o.str("instance"),
	}
	p.ExtraDetails = extraDetails(o["extradetails"])
	if p.ExtraDetails == nil {
		p.ExtraDetails = extraDetails(firstRaw(o["invalidparams"], o["invalid-params"]))
	}
	e.Problem = p
	e.Code = problemCode(p)
	e.Message = firstOf(p.Detail, p.Title)
}

// problemCode is the ErrorCode extra detail (ePayment), or else the fragment of a type URI
// (Recurring's ...recurring-api-problems#idempotency-conflict).
func problemCode(p *Problem) string {
	for _, d := range p.ExtraDetails {
		switch {
		case strings.EqualFold(d.Name, "ErrorCode"):
			return d.Reason
		case strings.EqualFold(d.Key, "ErrorCode"):
			return d.Value
		case strings.EqualFold(d.Field, "ErrorCode"):
			return d.Text
		}
	}
	if i := strings.LastIndexByte(p.Type, '#'); i >= 0 && strings.Contains(p.Type, "://") {
		return p.Type[i+1:]
	}
	return ""
}

// extraDetails reads an array of detail items, skipping items that are not objects.
func extraDetails(raw json.RawMessage) []ExtraDetail {
	var items []ExtraDetail
	for _, o := range objects(raw) {
		items = append(items, ExtraDetail{
			Name: o.str("name"), Reason: o.str("reason"),
			Field: o.str("field"), Text: o.str("text"),
			Key: o.str("key"), Value: o.str("value"),
		})
	}
	return items
}

// decodeEcom reads eCom's error array.
func decodeEcom(e *Error, b []byte) {
	for _, o := range objects(b) {
		e.Ecom = append(e.Ecom, ecomError(o))
	}
	if len(e.Ecom) > 0 {
		e.Code, e.Message = e.Ecom[0].ErrorCode, e.Ecom[0].ErrorMessage
	}
}

func ecomError(o object) EcomError {
	return EcomError{
		ErrorGroup:   o.str("errorgroup"),
		ErrorCode:    o.str("errorcode"),
		ErrorMessage: o.str("errormessage"),
		ContextID:    o.str("contextid"),
	}
}

// decodeGateway reads the API gateway's shapes.
func decodeGateway(e *Error, o object) {
	g := &GatewayError{
		StatusCode:   o.num("statuscode"),
		Message:      o.str("message"),
		ErrorCode:    o.str("errorcode"),
		ErrorMessage: o.str("errormessage"),
		ContextID:    o.str("contextid"),
	}
	if info := parseObject(o["responseinfo"]); info != nil {
		g.ResponseCode = info.num("responsecode")
		g.ResponseMessage = info.str("responsemessage")
	}
	if result := parseObject(o["result"]); result != nil {
		g.ResultMessage = result.str("message")
	}
	e.Gateway = g
	e.Code = g.ErrorCode
	e.Message = firstOf(g.Message, g.ErrorMessage, g.ResultMessage, g.ResponseMessage)
}

// objects returns the object items of a JSON array, at most maxItems of them.
func objects(raw json.RawMessage) []object {
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []object
	for _, item := range items {
		if len(out) == maxItems {
			break
		}
		if o := parseObject(item); o != nil {
			out = append(out, o)
		}
	}
	return out
}

// text returns a JSON value as text: a string's content, a number's or a boolean's literal,
// an object's or array's compact JSON, and "" for null or a missing value. Wrong types are
// read rather than refused, so that one odd member cannot cost the rest. The result is valid
// UTF-8 and at most maxField bytes.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	switch raw[0] {
	case '"':
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
	case '{', '[':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil {
			return ""
		}
		s = buf.String()
	default:
		s = string(raw)
	}
	return cut(strings.ToValidUTF8(s, "\uFFFD"), maxField)
}

// htmlTitle returns the text of an HTML page's <title>, looked for in its first MaxBody bytes.
func htmlTitle(b []byte) string {
	b = b[:min(len(b), MaxBody)]
	lower := bytes.ToLower(b)
	start := bytes.Index(lower, []byte("<title"))
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(lower[start:], '>')
	if gt < 0 {
		return ""
	}
	start += gt + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	t := html.UnescapeString(string(b[start : start+end]))
	return cut(strings.Join(strings.Fields(strings.ToValidUTF8(t, "")), " "), maxField)
}

// plainText returns the first line of a short text body, or "" for anything that does not
// look like text meant for people.
func plainText(b []byte) string {
	b = b[:min(len(b), maxField)]
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if !utf8.Valid(b) {
		return ""
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\t' {
			return ""
		}
	}
	return strings.TrimSpace(string(b))
}

// cut shortens valid UTF-8 to at most n bytes without splitting a rune.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// keepHeaders copies the first value of each kept header, nil when there is none.
func keepHeaders(h http.Header) http.Header {
	var out http.Header
	for _, name := range keptHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		if out == nil {
			out = make(http.Header, len(keptHeaders))
		}
		out.Set(name, cut(strings.ToValidUTF8(v, ""), maxField))
	}
	return out
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstRaw(values ...json.RawMessage) json.RawMessage {
	for _, v := range values {
		if len(v) > 0 {
			return v
		}
	}
	return nil
}
