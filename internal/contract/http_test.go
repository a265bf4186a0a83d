package contract

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reply is what a test server answers.
type reply struct {
	status int
	header http.Header
	body   string
}

func (rp reply) write(w http.ResponseWriter) {
	for k, vs := range rp.header {
		w.Header()[k] = vs
	}
	if _, ok := rp.header["Content-Type"]; !ok {
		// Stop net/http from sniffing a Content-Type the reply did not set.
		w.Header()["Content-Type"] = nil
	}
	w.WriteHeader(rp.status)
	_, _ = io.WriteString(w, rp.body)
}

// validReplies answers each fixture operation as its document says.
var validReplies = map[string]reply{
	"requestPayment":    {status: http.StatusAccepted},
	"createAccessToken": {status: http.StatusOK, header: jsonHeader(), body: `{"access_token":"a","token_type":"access_token","expires_in":3600}`},
	"getPaymentStatus":  {status: http.StatusOK, header: jsonHeader("X-Request-Cost", "1"), body: resultBody},
	"authorizeConsent":  {status: http.StatusOK, header: jsonHeader(), body: `{"auth_req_id":"r"}`},
	"createApiUser":     {status: http.StatusCreated},
}

// seen is a request as a test server received it.
type seen struct {
	method, path string
	header       http.Header
	body         string
}

// server answers every request with rp and remembers what it received.
func server(t *testing.T, wrap func(http.Handler) http.Handler, rp reply) (*httptest.Server, *[]seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Clone(), string(b)})
		mu.Unlock()
		rp.write(w)
	})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &got
}

// want is one expected violation.
type want struct {
	side      string
	status    int
	operation string
	problems  []string
}

func checkViolations(t *testing.T, v *Validator, method, path string, expected []want) {
	t.Helper()
	got := v.Violations()
	require.Len(t, got, len(expected), "%v", got)
	for i, w := range expected {
		assert.Equal(t, w.side, got[i].Side)
		assert.Equal(t, method, got[i].Method)
		assert.Equal(t, path, got[i].Path)
		assert.Equal(t, w.status, got[i].Status)
		assert.Equal(t, w.operation, got[i].Operation)
		assert.Equal(t, w.problems, problems(t, got[i].Err))
	}
	assert.Equal(t, len(expected), v.Stats().Violations)
}

// exchange sends req through client and checks that the traffic passed
// through unchanged in both directions.
func exchange(t *testing.T, client *http.Client, req *http.Request, got *[]seen, rp reply) {
	t.Helper()
	var sent string
	if req.Body != nil {
		b, err := req.GetBody()
		require.NoError(t, err)
		raw, _ := io.ReadAll(b)
		sent = string(raw)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	assert.Equal(t, rp.status, resp.StatusCode)
	assert.Equal(t, rp.body, string(body))
	for k := range rp.header {
		assert.Equal(t, rp.header.Get(k), resp.Header.Get(k), k)
	}
	require.Len(t, *got, 1, "an invalid request must still reach the server")
	assert.Equal(t, sent, (*got)[0].body)
	assert.Equal(t, req.Method, (*got)[0].method)
	assert.Equal(t, req.URL.Path, (*got)[0].path)
	for k := range req.Header {
		// net/http trims trailing blanks of header values on the wire.
		assert.Equal(t, strings.TrimSpace(req.Header.Get(k)), (*got)[0].header.Get(k), k)
	}
}

// sides runs f once with the validator on the client and once on the server.
func sides(t *testing.T, f func(t *testing.T, v *Validator, client *http.Client, wrap func(http.Handler) http.Handler)) {
	t.Run("transport", func(t *testing.T) {
		v := newValidator(t)
		f(t, v, &http.Client{Transport: v.Transport(http.DefaultTransport)}, nil)
	})
	t.Run("middleware", func(t *testing.T) {
		v := newValidator(t)
		f(t, v, http.DefaultClient, v.Middleware)
	})
}

func TestRequestsThroughTraffic(t *testing.T) {
	sides(t, func(t *testing.T, v *Validator, client *http.Client, wrap func(http.Handler) http.Handler) {
		for _, tc := range requestCases {
			t.Run(tc.name, func(t *testing.T) {
				v.Reset()
				rp := validReplies[tc.operation]
				srv, got := server(t, wrap, rp)
				req := tc.build(t, srv.URL)
				exchange(t, client, req, got, rp)

				var expected []want
				if tc.problems != nil {
					expected = []want{{side: SideRequest, operation: tc.operation, problems: tc.problems}}
				}
				checkViolations(t, v, req.Method, req.URL.Path, expected)
				assert.Equal(t, Stats{Requests: 1, Responses: 1, Violations: len(expected)}, v.Stats())
			})
		}
	})
}

func TestResponsesThroughTraffic(t *testing.T) {
	sides(t, func(t *testing.T, v *Validator, client *http.Client, wrap func(http.Handler) http.Handler) {
		for _, tc := range responseCases {
			t.Run(tc.name, func(t *testing.T) {
				v.Reset()
				rp := reply{status: tc.status, header: tc.header, body: tc.body}
				srv, got := server(t, wrap, rp)
				req := tc.build(t, srv.URL)
				exchange(t, client, req, got, rp)

				var expected []want
				if tc.problems != nil {
					var ce *Error
					require.NoError(t, v.ValidateRequest(tc.build(t, srv.URL)))
					err := v.ValidateResponse(req, tc.status, tc.header, []byte(tc.body))
					require.True(t, errors.As(err, &ce))
					expected = []want{{side: SideResponse, status: tc.status, operation: ce.Operation, problems: tc.problems}}
				}
				checkViolations(t, v, req.Method, req.URL.Path, expected)
				assert.Equal(t, Stats{Requests: 1, Responses: 1, Violations: len(expected)}, v.Stats())
			})
		}
	})
}

func TestNoOperationThroughTraffic(t *testing.T) {
	sides(t, func(t *testing.T, v *Validator, client *http.Client, wrap func(http.Handler) http.Handler) {
		rp := reply{status: http.StatusTeapot, body: "short and stout"}
		srv, got := server(t, wrap, rp)
		req := newRequest(t, http.MethodPost, srv.URL+"/x", "payload")
		exchange(t, client, req, got, rp)
		// The response of an unknown operation cannot be checked and is not counted.
		checkViolations(t, v, http.MethodPost, "/x", []want{{side: SideRequest, problems: []string{"no operation for POST /x"}}})
		assert.Equal(t, Stats{Requests: 1, Responses: 0, Violations: 1}, v.Stats())
	})
}

func TestMiddlewareImplicitStatus(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []want
	}{
		{
			name: "body without WriteHeader is 200",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"access_token":"a","token_type":"t","expires_in":1}`)
			},
		},
		{
			name:    "nothing written is 200 with no body",
			handler: func(http.ResponseWriter, *http.Request) {},
			want:    []want{{side: SideResponse, status: 200, operation: "createAccessToken", problems: []string{"response body: empty, want application/json"}}},
		},
		{
			name: "headers set after WriteHeader are not sent",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusOK)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"access_token":"a","token_type":"t","expires_in":1}`)
			},
			want: []want{{side: SideResponse, status: 200, operation: "createAccessToken", problems: []string{`response header Content-Type has unexpected value: "text/plain; charset=utf-8"`}}},
		},
		{
			name: "flushing handler",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"access_token":"a",`)
				assert.NoError(t, http.NewResponseController(w).Flush())
				_, _ = io.WriteString(w, `"token_type":"t","expires_in":1}`)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newValidator(t)
			srv := httptest.NewServer(v.Middleware(tt.handler))
			defer srv.Close()
			resp, err := http.DefaultClient.Do(tokenRequest(t, srv.URL))
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			checkViolations(t, v, http.MethodPost, "/product/token/", tt.want)
		})
	}
}

func TestMiddlewareHandlerSeesBody(t *testing.T) {
	v := newValidator(t)
	var got string
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		// Defaults must not be injected into the request the handler sees.
		assert.Empty(t, r.Header.Get("X-Callback-Url"))
		w.WriteHeader(http.StatusAccepted)
	})))
	defer srv.Close()
	req := with(paymentRequest, delHeader("X-Callback-Url"))(t, srv.URL)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, paymentBody, got)
	assert.Empty(t, v.Violations())
}

func TestTransportPassesErrorsThrough(t *testing.T) {
	v := newValidator(t)
	boom := errors.New("boom")
	rt := v.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))
	_, err := rt.RoundTrip(paymentRequest(t, "http://127.0.0.1:9"))
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, Stats{Requests: 1}, v.Stats())
	assert.Empty(t, v.Violations())
}

func TestTransportDoesNotModifyRequest(t *testing.T) {
	v := newValidator(t)
	var forwarded *http.Request
	rt := v.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		forwarded = r
		return &http.Response{StatusCode: http.StatusAccepted, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	}))
	req := with(paymentRequest, delHeader("X-Callback-Url"))(t, "http://127.0.0.1:9")
	before := req.Header.Clone()
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, before, req.Header)
	b, _ := io.ReadAll(forwarded.Body)
	assert.Equal(t, paymentBody, string(b))
	assert.Equal(t, int64(len(paymentBody)), forwarded.ContentLength)
	assert.Empty(t, v.Violations())
}

func TestTransportResponseReadError(t *testing.T) {
	v := newValidator(t)
	boom := errors.New("connection reset")
	rt := v.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body := io.NopCloser(io.MultiReader(strings.NewReader(`{"access`), errReader{boom}))
		return &http.Response{StatusCode: http.StatusOK, Header: jsonHeader(), Body: body, Request: r}, nil
	}))
	resp, err := rt.RoundTrip(tokenRequest(t, "http://127.0.0.1:9"))
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	// The caller meets the same bytes and the same error; nothing half-read is judged.
	assert.Equal(t, `{"access`, string(b))
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, v.Violations())
	assert.Equal(t, Stats{Requests: 1}, v.Stats())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestViolationString(t *testing.T) {
	v := newValidator(t)
	srv, _ := server(t, nil, reply{status: http.StatusInternalServerError})
	client := &http.Client{Transport: v.Transport(nil)}
	resp, err := client.Do(with(paymentRequest, setHeader("X-Reference-Id", "x"))(t, srv.URL))
	require.NoError(t, err)
	_ = resp.Body.Close()

	got := v.Violations()
	require.Len(t, got, 2)
	assert.Equal(t, `request POST /product/v1_0/payment: requestPayment: header X-Reference-Id: string doesn't match the format "uuid" (not an RFC 9562 UUID)`, got[0].String())
	assert.Equal(t, `response POST /product/v1_0/payment -> 500: requestPayment: response body: empty, want application/json`, got[1].String())
}

func TestReset(t *testing.T) {
	v := newValidator(t)
	srv, _ := server(t, nil, reply{status: http.StatusTeapot})
	client := &http.Client{Transport: v.Transport(nil)}
	resp, err := client.Do(paymentRequest(t, srv.URL))
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Len(t, v.Violations(), 1)
	require.Equal(t, Stats{Requests: 1, Responses: 1, Violations: 1}, v.Stats())

	v.Reset()
	assert.Empty(t, v.Violations())
	assert.Equal(t, Stats{}, v.Stats())
}

func TestConcurrentTraffic(t *testing.T) {
	const goroutines = 50
	client := newValidator(t)
	simulator := newValidator(t)

	// A small simulator: valid answers, except a 500 without body for tokens.
	mux := http.NewServeMux()
	mux.HandleFunc("POST /product/v1_0/payment", func(w http.ResponseWriter, _ *http.Request) { validReplies["requestPayment"].write(w) })
	mux.HandleFunc("GET /product/v1_0/payment/{id}", func(w http.ResponseWriter, _ *http.Request) { validReplies["getPaymentStatus"].write(w) })
	mux.HandleFunc("POST /product/v1_0/bc-authorize", func(w http.ResponseWriter, _ *http.Request) { validReplies["authorizeConsent"].write(w) })
	mux.HandleFunc("POST /product/token/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	srv := httptest.NewServer(simulator.Middleware(mux))
	defer srv.Close()
	httpClient := &http.Client{Transport: client.Transport(srv.Client().Transport)}

	batches := make([][]*http.Request, goroutines)
	for i := range batches {
		batches[i] = []*http.Request{
			paymentRequest(t, srv.URL),
			statusRequest(t, srv.URL),
			consentRequest(t, srv.URL),
			with(paymentRequest, setHeader("X-Reference-Id", fmt.Sprintf("bad-%d", i)))(t, srv.URL), // request violation
			tokenRequest(t, srv.URL), // response violation
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for _, batch := range batches {
		wg.Go(func() {
			for _, req := range batch {
				resp, err := httpClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	for _, v := range []*Validator{client, simulator} {
		assert.Equal(t, Stats{Requests: 5 * goroutines, Responses: 5 * goroutines, Violations: 2 * goroutines}, v.Stats())
		var requests, responses int
		for _, viol := range v.Violations() {
			switch viol.Side {
			case SideRequest:
				requests++
				assert.Equal(t, "requestPayment", viol.Operation)
			case SideResponse:
				responses++
				assert.Equal(t, "createAccessToken", viol.Operation)
				assert.Equal(t, http.StatusInternalServerError, viol.Status)
			}
		}
		assert.Equal(t, goroutines, requests)
		assert.Equal(t, goroutines, responses)
	}
}
