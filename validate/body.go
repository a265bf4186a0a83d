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
// that nothing downstream sees it consumed.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("copy request body: %w", err)
		}
		defer func() { _ = rc.Close() }()
		raw, err := readAllSized(rc, req.ContentLength)
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		return raw, nil
	}
	raw, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	// Put back what was read even on an error, so the request fails where it is sent with
	// the same error rather than with a body silently shortened here.
	req.Body = io.NopCloser(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	// A length known now spares a chunked upload, which the MoMo gateway refuses.
	req.ContentLength = int64(len(raw))
	return raw, nil
}

// readAllSized reads r to its end into a buffer of the size the request announced, where
// io.ReadAll would start at 512 bytes and grow; a wrong size only costs a reallocation.
func readAllSized(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > 1<<20 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1) // +1: room to see the end without growing
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
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
func (c *checker) parseBody(raw []byte, required bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		if required {
			c.add(failSecret("body", RuleRequired, "a JSON object"))
			c.badBody = true
		}
		return
	}
	body := string(raw) // one copy of the body; the values the checks read are its substrings
	if body[0] != '{' || !validJSON(body) {
		c.add(failSecret("body", RuleFormat, "a JSON object"))
		c.badBody = true
		return
	}
	c.members = jsonValue(body).index(c.spare[:0])
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
