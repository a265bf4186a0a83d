package contract

import (
	"bytes"
	"io"
	"net/http"
)

// Transport wraps next so that each outgoing request and its response are validated; violations are recorded, the call is never blocked.
//
// A nil next means http.DefaultTransport.
func (v *Validator) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{v: v, next: next}
}

type transport struct {
	v    *Validator
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not modify the caller's request, so the body is
	// read once and replayed through a clone.
	out := req
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = data
		out = req.Clone(req.Context())
		setBody(out, body)
	}

	m := t.v.observeRequest(req, body)

	resp, err := t.next.RoundTrip(out)
	if err != nil || m == nil {
		return resp, err
	}
	data, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if readErr != nil {
		// Hand the caller the same bytes and the same failure it would
		// have met without the validator; a truncated body is not checked.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{readErr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	t.v.observeResponse(m, req, resp.StatusCode, resp.Header, data)
	return resp, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// Middleware wraps next so that each incoming request and the response next writes are validated; violations are recorded, nothing is blocked.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := drainBody(r)
		if err != nil {
			// The handler meets the same read error on its own; there is
			// nothing complete to validate.
			next.ServeHTTP(w, r)
			return
		}
		m := v.observeRequest(r, body)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if m == nil {
			return
		}
		status, header := rec.status, rec.header
		if status == 0 {
			// Nothing written: net/http answers 200 with the headers set so far.
			status, header = http.StatusOK, w.Header().Clone()
		}
		sent := rec.body.Bytes()
		if _, ok := header["Content-Type"]; !ok && len(sent) > 0 && header.Get("Content-Encoding") == "" {
			// net/http sniffs a Content-Type when the handler sets none (nor
			// a nil one); validate what the client will receive.
			header = header.Clone()
			header.Set("Content-Type", http.DetectContentType(sent))
		}
		v.observeResponse(m, r, status, header, sent)
	})
}

// observeRequest validates and counts one request of the traffic, recording
// a violation if needed; it returns the match to validate the response with,
// nil when no operation matched.
func (v *Validator) observeRequest(req *http.Request, body []byte) *match {
	v.countRequest()
	m, err := v.find(req)
	if err != nil {
		v.record(Violation{Side: SideRequest, Method: req.Method, Path: req.URL.Path, Err: err})
		return nil
	}
	v.see(m)
	if err := m.checkRequest(req, body); err != nil {
		v.record(Violation{Side: SideRequest, Method: req.Method, Path: req.URL.Path, Operation: m.operation(), Err: err})
	}
	return m
}

// observeResponse validates and counts one response of the traffic.
func (v *Validator) observeResponse(m *match, req *http.Request, status int, header http.Header, body []byte) {
	v.countResponse()
	if err := m.checkResponse(req, status, header, body); err != nil {
		v.record(Violation{Side: SideResponse, Method: req.Method, Path: req.URL.Path, Status: status, Operation: m.operation(), Err: err})
	}
}

// drainBody reads req's body and puts an identical, re-readable one back.
func drainBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
		return nil, err
	}
	setBody(req, data)
	return data, nil
}

// setBody gives req a body replaying data, keeping ContentLength as the
// sender set it so that the framing on the wire does not change.
func setBody(req *http.Request, data []byte) {
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}
}

// recorder passes everything through to the real ResponseWriter while
// keeping the status, the headers as sent and a copy of the body.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	// Informational 1xx headers precede the real response (101 ends it).
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(p)
	r.body.Write(p[:n])
	return n, err
}

// Flush keeps streaming handlers working through the wrapper.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
