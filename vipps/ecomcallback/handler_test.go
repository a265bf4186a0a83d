package ecomcallback_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/ecomcallback"
)

const (
	token    = "s3cr3t-callback-token-0f9e8d"
	orderID  = "acme-shop-123-order123abc"
	prefix   = "https://shop.example.com/vipps/callback"
	callback = prefix + "/v2/payments/" + orderID
)

// regularBody is the documented regular callback, merchantSerialNumber as a number.
const regularBody = `{"merchantSerialNumber":123456,"orderId":"acme-shop-123-order123abc",` +
	`"transactionInfo":{"amount":20000,"status":"RESERVED","timeStamp":"2018-12-12T11:18:38.246Z","transactionId":"5001420062"}}`

// expressBody is an Express callback: MSN as a string, status RESERVE, zipCode, country NO.
const expressBody = `{"merchantSerialNumber":"123456","orderId":"acme-shop-123-order123abc",` +
	`"shippingDetails":{"address":{"addressLine1":"Robert Levins gate 5","addressLine2":"","city":"Oslo","country":"NO","zipCode":"0154"},` +
	`"shippingCost":30.0,"shippingMethod":"Posten Servicepakke","shippingMethodId":"posten-1"},` +
	`"transactionInfo":{"amount":20000,"status":"RESERVE","timeStamp":"2018-12-12T11:18:38.246Z","transactionId":"5001420062"},` +
	`"userDetails":{"bankIdVerified":"Y","email":"user@example.com","firstName":"Ada","lastName":"Lovelace","mobileNumber":"91234567","userId":"uiJskNQ6qNN1iwN891uuob=="},` +
	`"someFutureField":{"x":1}}`

type recorder struct {
	mu  sync.Mutex
	cbs []ecomcallback.Callback
	err error
}

func (r *recorder) handle(_ context.Context, cb ecomcallback.Callback) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cbs = append(r.cbs, cb)
	return r.err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.cbs)
}

// countingBody records how often it is read.
type countingBody struct {
	r     io.Reader
	reads int
}

func (b *countingBody) Read(p []byte) (int, error) { b.reads++; return b.r.Read(p) }
func (b *countingBody) Close() error               { return nil }

func post(url, body, authz string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerDecodes(t *testing.T) {
	tests := []struct {
		name, body string
		express    bool
	}{
		{"regular, MSN as a number, RESERVED", regularBody, false},
		{"regular, MSN as a string", strings.Replace(regularBody, `123456`, `"123456"`, 1), false},
		{"Express, MSN as a string, RESERVE", expressBody, true},
		{"Express, MSN as a number", strings.Replace(expressBody, `"123456"`, `123456`, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			w := serve(ecomcallback.Handler(token, rec.handle), post(callback, tt.body, token))
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, 1, rec.calls())
			cb := rec.cbs[0]
			assert.Equal(t, orderID, cb.OrderID)
			assert.Equal(t, orderID, cb.Body.OrderId)
			assert.Equal(t, "123456", cb.Body.MerchantSerialNumber.String())
			assert.Equal(t, int64(20000), cb.Body.TransactionInfo.Amount)
			assert.Equal(t, "5001420062", cb.Body.TransactionInfo.TransactionId)
			assert.True(t, cb.Reserved(), "RESERVED and RESERVE both mean reserved")
			assert.False(t, cb.Failed())
			assert.Equal(t, tt.express, cb.Express())
			assert.Equal(t, tt.body, string(cb.Raw))
			if tt.express {
				assert.Equal(t, "0154", cb.Body.ShippingDetails.Address.ZipCode)
				assert.Equal(t, "NO", cb.Body.ShippingDetails.Address.Country)
				assert.InDelta(t, 30.0, cb.Body.ShippingDetails.ShippingCost, 0)
				assert.Equal(t, "uiJskNQ6qNN1iwN891uuob==", cb.Body.UserDetails.UserId)
			}
			t.Logf("%s: order %s status %s msn %s reserved=%v express=%v", tt.name, cb.OrderID, cb.Status(), cb.Body.MerchantSerialNumber, cb.Reserved(), cb.Express())
		})
	}
}

func TestCallbackStatus(t *testing.T) {
	tests := []struct {
		status                 string
		reserved, sale, failed bool
	}{
		{"RESERVED", true, false, false},
		{"RESERVE", true, false, false},
		{"reserved", true, false, false},
		{"SALE", false, true, false},
		{"RESERVE_FAILED", false, false, true},
		{"SALE_FAILED", false, false, true},
		{"CAPTURE_FAILED", false, false, true},
		{"REJECTED", false, false, true},
		{"CANCELLED", false, false, true},
		{"INITIATE", false, false, false},
		{"", false, false, false},
		{"SOMETHING_NEW", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			body := strings.Replace(regularBody, `"RESERVED"`, fmt.Sprintf("%q", tt.status), 1)
			rec := &recorder{}
			w := serve(ecomcallback.Handler(token, rec.handle), post(callback, body, token))
			require.Equal(t, http.StatusOK, w.Code, "the status is an open set")
			cb := rec.cbs[0]
			assert.Equal(t, tt.status, cb.Status())
			assert.Equal(t, tt.reserved, cb.Reserved(), "Reserved")
			assert.Equal(t, tt.sale, cb.Sale(), "Sale")
			assert.Equal(t, tt.failed, cb.Failed(), "Failed")
		})
	}
}

func TestHandlerRejectsToken(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *http.Request)
	}{
		{"missing", func(r *http.Request) { r.Header.Del("Authorization") }},
		{"empty", func(r *http.Request) { r.Header.Set("Authorization", "") }},
		{"wrong", func(r *http.Request) { r.Header.Set("Authorization", "not-the-token") }},
		{"Bearer prefix", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }},
		{"prefix of the token", func(r *http.Request) { r.Header.Set("Authorization", token[:len(token)-1]) }},
		{"token plus a byte", func(r *http.Request) { r.Header.Set("Authorization", token+"0") }},
		{"different case", func(r *http.Request) { r.Header.Set("Authorization", strings.ToUpper(token)) }},
		{"surrounding space", func(r *http.Request) { r.Header["Authorization"] = []string{" " + token} }},
		{"twice", func(r *http.Request) { r.Header.Add("Authorization", token) }},
		{"in another header", func(r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("X-Auth-Token", token)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			var logs bytes.Buffer
			h := ecomcallback.Handler(token, rec.handle, ecomcallback.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			r := post(callback, regularBody, token)
			body := &countingBody{r: strings.NewReader(regularBody)}
			r.Body = body
			tt.setup(r)

			require.ErrorIs(t, ecomcallback.CheckToken(r, token), ecomcallback.ErrToken)
			w := serve(h, r)
			require.Equal(t, http.StatusUnauthorized, w.Code)
			assert.Zero(t, rec.calls(), "handle is not called")
			assert.Zero(t, body.reads, "the body of an unauthenticated request is not read")
			assert.NotContains(t, logs.String(), token)
			assert.NotContains(t, w.Body.String(), token)
			t.Logf("%s: %d; logged %s", tt.name, w.Code, strings.TrimSpace(logs.String()))
		})
	}
}

func TestHandlerWithoutToken(t *testing.T) {
	rec := &recorder{}
	h := ecomcallback.Handler("", rec.handle)

	require.Equal(t, http.StatusOK, serve(h, post(callback, regularBody, "")).Code, "no token set, none sent")
	for _, authz := range []string{"anything", "Bearer x"} {
		require.Equal(t, http.StatusUnauthorized, serve(h, post(callback, regularBody, authz)).Code, authz)
	}
	r := post(callback, regularBody, "")
	r.Header["Authorization"] = []string{""}
	require.Equal(t, http.StatusUnauthorized, serve(h, r).Code, "an empty header is still a header")
	assert.Equal(t, 1, rec.calls())
}

func TestHandlerRejectsRequest(t *testing.T) {
	tests := []struct {
		name    string
		request func() *http.Request
		opts    []ecomcallback.Option
		want    int
		target  error
	}{
		{"GET", func() *http.Request {
			r := post(callback, regularBody, token)
			r.Method = http.MethodGet
			return r
		}, nil, http.StatusMethodNotAllowed, nil},
		{"order id mismatch", func() *http.Request {
			return post(prefix+"/v2/payments/another-order", regularBody, token)
		}, nil, http.StatusBadRequest, ecomcallback.ErrOrderID},
		{"order id differs in case", func() *http.Request {
			return post(prefix+"/v2/payments/"+strings.ToUpper(orderID), regularBody, token)
		}, nil, http.StatusBadRequest, ecomcallback.ErrOrderID},
		{"trailing slash", func() *http.Request {
			return post(callback+"/", regularBody, token)
		}, nil, http.StatusBadRequest, ecomcallback.ErrOrderID},
		{"no orderId in the body", func() *http.Request {
			return post(callback, strings.Replace(regularBody, `"orderId":"acme-shop-123-order123abc",`, "", 1), token)
		}, nil, http.StatusBadRequest, ecomcallback.ErrOrderID},
		{"not JSON", func() *http.Request { return post(callback, `{"orderId":`, token) }, nil, http.StatusBadRequest, ecomcallback.ErrBody},
		{"MSN neither string nor number", func() *http.Request {
			return post(callback, strings.Replace(regularBody, `123456`, `{"x":1}`, 1), token)
		}, nil, http.StatusBadRequest, ecomcallback.ErrBody},
		{"over the limit", func() *http.Request { return post(callback, regularBody, token) },
			[]ecomcallback.Option{ecomcallback.WithMaxBodyBytes(int64(len(regularBody) - 1))}, http.StatusRequestEntityTooLarge, nil},
		{"over the default limit", func() *http.Request {
			return post(callback, strings.Repeat(" ", ecomcallback.DefaultMaxBodyBytes)+regularBody, token)
		}, nil, http.StatusRequestEntityTooLarge, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			var logs bytes.Buffer
			opts := append([]ecomcallback.Option{ecomcallback.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}, tt.opts...)
			w := serve(ecomcallback.Handler(token, rec.handle, opts...), tt.request())
			require.Equal(t, tt.want, w.Code)
			assert.Zero(t, rec.calls())
			if tt.want == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
			if tt.target != nil {
				assert.Contains(t, logs.String(), tt.target.Error())
			}
			assert.NotContains(t, logs.String(), token)
			t.Logf("%s: %d; logged %s", tt.name, w.Code, strings.TrimSpace(logs.String()))
		})
	}
}

func TestHandlerError(t *testing.T) {
	rec := &recorder{err: errors.New("order store unavailable")}
	var logs bytes.Buffer
	h := ecomcallback.Handler(token, rec.handle, ecomcallback.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	w := serve(h, post(callback, regularBody, token))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Equal(t, 1, rec.calls())
	assert.NotContains(t, w.Body.String(), "order store unavailable")
	assert.Contains(t, logs.String(), "order store unavailable")
	assert.NotContains(t, logs.String(), token)
}

func TestHandlerOverHTTP(t *testing.T) {
	rec := &recorder{}
	mux := http.NewServeMux()
	mux.Handle("/vipps/callback/v2/payments/{orderId}", ecomcallback.Handler(token, rec.handle))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	send := func(order, body, authz string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/vipps/callback/v2/payments/"+order, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", authz)
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, send(orderID, regularBody, token))
	require.Equal(t, http.StatusUnauthorized, send(orderID, regularBody, "Bearer "+token))
	require.Equal(t, http.StatusBadRequest, send("other-order", regularBody, token))
	require.Equal(t, 1, rec.calls())
}

func TestErrorsHoldNoToken(t *testing.T) {
	r := post(callback, regularBody, "Bearer "+token)
	err := ecomcallback.CheckToken(r, token)
	require.ErrorIs(t, err, ecomcallback.ErrToken)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)} {
		assert.NotContains(t, s, token)
	}
	for _, s := range []string{fmt.Sprint(auth.Secret(token)), fmt.Sprintf("%+v", struct{ T auth.Secret }{token})} {
		assert.NotContains(t, s, token)
	}
	require.NoError(t, ecomcallback.CheckToken(post(callback, regularBody, token), token))
}
