package contract

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const minimalDoc = `
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.test/base"}]
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "204": {description: pong}
`

func TestNewResolvesSiblingReferences(t *testing.T) {
	v := newValidator(t)
	require.Len(t, v.docs, 2)

	// Party comes from common.yaml: an invalid enum proves it was resolved.
	r := withBody(paymentRequest, `{"amount":"1","currency":"EUR","externalId":"e","payer":{"partyIdType":"FAX","partyId":"1"}}`)(t, "")
	assert.Equal(t, []string{`request body: payer/partyIdType: value is not one of the allowed values ["MSISDN","EMAIL","PARTY_CODE"]`},
		problems(t, v.ValidateRequest(r)))
}

func TestNewFailures(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		docs    []string
		wantErr string
	}{
		{
			name:    "no documents",
			fsys:    fstest.MapFS{},
			wantErr: "no documents given",
		},
		{
			name:    "missing document",
			fsys:    fstest.MapFS{"api/ok.yaml": {Data: []byte(minimalDoc)}},
			docs:    []string{"api/ok.yaml", "api/missing.yaml"},
			wantErr: "contract: api/missing.yaml: loading",
		},
		{
			name: "invalid document",
			fsys: fstest.MapFS{"api/bad.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{id}:
    get:
      responses:
        "200": {description: ok}
`)}},
			docs:    []string{"api/bad.yaml"},
			wantErr: "contract: api/bad.yaml: invalid document",
		},
		{
			name: "missing sibling",
			fsys: fstest.MapFS{"api/a.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {$ref: 'common.yaml#/components/responses/Ok'}
`)}},
			docs:    []string{"api/a.yaml"},
			wantErr: "contract: api/a.yaml: loading",
		},
		{
			name: "reference outside the file system",
			fsys: fstest.MapFS{"api/a.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {$ref: '../../outside.yaml#/components/responses/Ok'}
`)}},
			docs:    []string{"api/a.yaml"},
			wantErr: "leaves the document file system",
		},
		{
			name: "remote reference",
			fsys: fstest.MapFS{"api/a.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {$ref: 'https://example.test/common.yaml#/components/responses/Ok'}
`)}},
			docs:    []string{"api/a.yaml"},
			wantErr: "leaves the document file system",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := New(tt.fsys, tt.docs...)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestServerPath(t *testing.T) {
	tests := map[string]string{
		"https://sandbox.momodeveloper.mtn.com/collection": "/collection",
		"https://proxy.momoapi.mtn.com/collection/":        "/collection",
		"https://sandbox.momodeveloper.mtn.com":            "/",
		"https://sandbox.momodeveloper.mtn.com/":           "/",
		"http://127.0.0.1:8080/a/b":                        "/a/b",
		"https://{region}.example.test/{version}/payments": "/{version}/payments",
		"//api.example.test/v2":                            "/v2",
		"/collection":                                      "/collection",
		"collection":                                       "/collection",
		"/":                                                "/",
		"https://api.example.test/collection?debug=1#frag": "/collection",
		// Variables before the path give way to their defaults.
		"{callbackUrl}":         "/momo/callback",
		"{host}":                "/",
		"{host}/{version}/x":    "/{version}/x",
		"{base}":                "/collection",
		"https://{region}.test": "/",
	}
	vars := openapi3.ServerVariables{
		"region":      {Default: "eu"},
		"version":     {Default: "v1"},
		"callbackUrl": {Default: "https://provider.example.test/momo/callback"},
		"host":        {Default: "https://provider.example.test"},
		"base":        {Default: "/collection"},
	}
	for in, want := range tests {
		assert.Equal(t, want, serverPath(in, vars), in)
	}
}

func TestPathOnlyServers(t *testing.T) {
	in := openapi3.Servers{
		{URL: "https://sandbox.example.test/collection"},
		{URL: "https://proxy.example.test/collection/"},
		{URL: "https://{host}/{base}", Variables: map[string]*openapi3.ServerVariable{
			"host": {Default: "api.example.test"},
			"base": {Default: "collection"},
		}},
	}
	out := pathOnlyServers(in)
	require.Len(t, out, 2)
	assert.Equal(t, "/collection", out[0].URL)
	assert.Equal(t, "/{base}", out[1].URL)
	// The host variable no longer appears in the URL and must go.
	assert.Len(t, out[1].Variables, 1)
	assert.Contains(t, out[1].Variables, "base")
	assert.Nil(t, pathOnlyServers(nil))
}

func TestRoutingIgnoresSchemeAndHost(t *testing.T) {
	v := newValidator(t)
	for _, base := range []string{
		"", // server side: request URI only
		"https://api.example.test",
		"https://prod.example.test",
		"http://127.0.0.1:41234",
		"http://localhost",
	} {
		assert.NoError(t, v.ValidateRequest(paymentRequest(t, base)), "base %q", base)
		assert.NoError(t, v.ValidateRequest(apiUserRequest(t, base)), "base %q", base)
	}
}

func TestNoOperation(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		method, url string
	}{
		{http.MethodPost, "http://127.0.0.1:1/x"},
		{http.MethodDelete, "http://127.0.0.1:1/product/v1_0/payment"}, // known path, wrong method
		{http.MethodPost, "http://127.0.0.1:1/v1_0/payment"},           // missing base path
		{http.MethodPost, "http://127.0.0.1:1/product/v1_0/apiuser"},   // other document's path under this base path
		{http.MethodPost, "http://127.0.0.1:1/productx/v1_0/payment"},  // base path is a prefix only as a segment
	}
	for _, tt := range tests {
		r := newRequest(t, tt.method, tt.url, "")
		err := v.ValidateRequest(r)
		assert.Equal(t, []string{"no operation for " + tt.method + " " + r.URL.Path}, problems(t, err))
		var ce *Error
		require.True(t, errors.As(err, &ce))
		assert.Empty(t, ce.Operation)

		err = v.ValidateResponse(r, http.StatusOK, nil, nil)
		assert.Equal(t, []string{"no operation for " + tt.method + " " + r.URL.Path}, problems(t, err))
	}
}

func TestDocumentWithoutServers(t *testing.T) {
	fsys := fstest.MapFS{"a.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /ping:
    get:
      responses:
        "204": {description: pong}
`)}}
	v, err := New(fsys, "a.yaml")
	require.NoError(t, err)
	r := newRequest(t, http.MethodGet, "http://127.0.0.1:1/ping", "")
	assert.NoError(t, v.ValidateRequest(r))
	// Without an operationId the operation is named by method and path.
	assert.Equal(t, "GET /ping: status 200 not declared", v.ValidateResponse(r, http.StatusOK, nil, nil).Error())
}

func TestWholeURLServerVariable(t *testing.T) {
	// Callback documents name the server by a variable holding the whole URL.
	fsys := fstest.MapFS{"cb.yaml": {Data: []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
servers:
  - url: '{callbackUrl}'
    variables:
      callbackUrl: {default: "https://provider.example.test/momo/callback"}
paths:
  /:
    post:
      operationId: postCallback
      responses:
        "200": {description: ok}
`)}}
	v, err := New(fsys, "cb.yaml")
	require.NoError(t, err)
	assert.NoError(t, v.ValidateRequest(newRequest(t, http.MethodPost, "http://127.0.0.1:9/momo/callback", "")))
	assert.NoError(t, v.ValidateRequest(newRequest(t, http.MethodPost, "http://127.0.0.1:9/momo/callback/", "")))
	assert.Equal(t, []string{"no operation for POST /elsewhere"},
		problems(t, v.ValidateRequest(newRequest(t, http.MethodPost, "http://127.0.0.1:9/elsewhere", ""))))
}

func TestRealFileSystem(t *testing.T) {
	// os.DirFS and a nested document name: the form used by callers.
	_, err := New(os.DirFS("testdata/shop"), "product.yaml")
	require.NoError(t, err)
}

func TestTrailingSlashMatters(t *testing.T) {
	v := newValidator(t)
	for _, p := range []string{"/product/v1_0/payment/", "/product/token"} {
		err := v.ValidateRequest(newRequest(t, http.MethodPost, "http://127.0.0.1"+p, ""))
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), "no operation for POST "+p)
	}
}

func TestOperationsAndMissed(t *testing.T) {
	v := newValidator(t)
	ops := v.Operations()
	require.NotEmpty(t, ops)
	assert.Equal(t, ops, v.Missed(), "nothing seen yet")

	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})))
	defer srv.Close()
	resp, err := http.DefaultClient.Do(paymentRequest(t, srv.URL))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Len(t, v.Missed(), len(ops)-1, "one operation reached")
	assert.Equal(t, v.Report() == "", len(v.Violations()) == 0)
	v.Reset()
	assert.Equal(t, ops, v.Missed())
}
