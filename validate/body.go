package validate

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// readBody returns the body req will send, leaving it to be sent. A body that can be had
// again (GetBody, which http.NewRequest sets for the generated clients' buffers) is read from
// a fresh copy; any other body is read once, and put back as a buffer with a GetBody, so
// that nothing downstream sees it consumed. The body comes back as a string, the one copy
// the checks make: the values they read are substrings of it.
func readBody(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return "", nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return "", fmt.Errorf("copy request body: %w", err)
		}
		defer func() { _ = rc.Close() }()
		var body strings.Builder
		if n := req.ContentLength; n > 0 && n <= 1<<20 {
			body.Grow(int(n)) // the size announced, where reading would start small and grow
		}
		if _, err := io.Copy(&body, rc); err != nil {
			return "", fmt.Errorf("read request body: %w", err)
		}
		return body.String(), nil
	}
	raw, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	// Put back what was read even on an error, so the request fails where it is sent with
	// the same error rather than with a body silently shortened here.
	req.Body = io.NopCloser(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("read request body: %w", err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	// A length known now spares a chunked upload, which the MoMo gateway refuses.
	req.ContentLength = int64(len(raw))
	return string(raw), nil
}

// checker collects the problems of one request.
type checker struct {
	errs []error
	// members are the members of the request's JSON object, checked valid; the fields are
	// found in its text. spare holds them for the usual body, without an allocation.
	members []member
	spare   [16]member
	// badBody is set when the body is missing or not a JSON object; that is reported once,
	// and the checks of its fields stand down rather than report each field missing.
	badBody bool
}

// add keeps the problems among errs.
func (c *checker) add(errs ...error) {
	for _, err := range errs {
		if err != nil {
			c.errs = append(c.errs, err)
		}
	}
}

// err returns the problems joined, or nil.
func (c *checker) err() error { return join(c.errs...) }

// parseBody takes raw as the body when it is one valid JSON object. With required, an empty
// body is a problem of its own. The body is never repeated in an error: it may hold a secret.
func (c *checker) parseBody(raw string, required bool) {
	body := strings.TrimSpace(raw)
	if body == "" {
		if required {
			c.add(failSecret("body", RuleRequired, "a JSON object"))
			c.badBody = true
		}
		return
	}
	members, ok := checkJSON(body, c.spare[:0])
	if body[0] != '{' || !ok {
		c.add(failSecret("body", RuleFormat, "a JSON object"))
		c.badBody = true
		return
	}
	c.members = members
}

// lookup returns the value at the dotted path, and whether it is there (null counts as
// absent, as the APIs read it).
func (c *checker) lookup(path string) (jsonValue, bool) {
	v, ok := lookupIn(c.members, path)
	return v, ok && !v.isNull()
}

// strIn is str for the member key of the object at path, naming the field path.key; it
// builds that name only for an error, since most requests have none.
func (c *checker) strIn(path, key string) (string, bool) {
	if c.badBody {
		return "", false
	}
	obj, ok := c.lookup(path)
	if !ok {
		return "", true
	}
	v, ok := obj.field(key)
	switch {
	case !ok || v.isNull():
		return "", true
	case !v.isString():
		c.add(fail(path+"."+key, RuleType, "a JSON string", v.brief()))
		return "", false
	}
	return v.text(), true
}

// has reports whether the body holds a non-null value at path.
func (c *checker) has(path string) bool {
	_, ok := c.lookup(path)
	return ok
}

// str returns the string at path ("" when absent) and true, or records a type problem and
// returns false when the value is not a string.
func (c *checker) str(path string) (string, bool) {
	if c.badBody {
		return "", false
	}
	v, ok := c.lookup(path)
	if !ok {
		return "", true
	}
	if !v.isString() {
		c.add(fail(path, RuleType, "a JSON string", v.brief()))
		return "", false
	}
	return v.text(), true
}

// required checks the string at path, absent counting as empty.
func (c *checker) required(path string, check func(field, value string) error) {
	if v, ok := c.str(path); ok {
		c.add(check(path, v))
	}
}

// optional checks the string at path when it is there.
func (c *checker) optional(path string, check func(field, value string) error) {
	if c.has(path) {
		c.required(path, check)
	}
}

// integer returns the integer at path and true when it is there and an integer; a value of
// another type is recorded as a problem.
func (c *checker) integer(path string) (int64, bool) {
	v, ok := c.lookup(path)
	if !ok {
		return 0, false
	}
	if !v.isNumber() {
		c.add(fail(path, RuleType, "a JSON integer", v.brief()))
		return 0, false
	}
	n := string(v)
	i, err := strconv.ParseInt(n, 10, 64)
	if err == nil {
		return i, true
	}
	if !strings.ContainsAny(n, ".eE") {
		c.add(fail(path, RuleRange, "an integer that fits in 64 bits", n))
		return 0, false
	}
	c.add(fail(path, RuleType, "a JSON integer: no fraction or exponent", n))
	return 0, false
}

// requiredInt checks the integer at path, recording a problem when it is absent.
func (c *checker) requiredInt(path string, check func(field string, value int64) error) {
	if c.badBody {
		return
	}
	if !c.has(path) {
		c.add(fail(path, RuleRequired, "an integer", ""))
		return
	}
	c.optionalInt(path, check)
}

// optionalInt checks the integer at path when it is there.
func (c *checker) optionalInt(path string, check func(field string, value int64) error) {
	if v, ok := c.integer(path); ok {
		c.add(check(path, v))
	}
}

// header checks the header name when it is present, even empty: an empty header is sent as
// such, and several APIs refuse that where they accept no header at all.
func (c *checker) header(req *http.Request, name string, check func(field, value string) error) {
	if values, ok := req.Header[http.CanonicalHeaderKey(name)]; ok {
		v := ""
		if len(values) > 0 {
			v = values[0]
		}
		c.add(check(name, v))
	}
}

// requiredHeader checks the header name, absent counting as empty.
func (c *checker) requiredHeader(req *http.Request, name string, check func(field, value string) error) {
	c.add(check(name, req.Header.Get(name)))
}
