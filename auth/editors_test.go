package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

// These mirror what oapi-codegen generates in every client package; the assignments below fail
// to compile if Editor or Doer stop fitting them.
type (
	RequestEditorFn func(ctx context.Context, req *http.Request) error
	HttpRequestDoer interface {
		Do(req *http.Request) (*http.Response, error)
	}
)

var (
	_ RequestEditorFn = auth.Header("X", "y")
	_ RequestEditorFn = auth.Chain()
	_ HttpRequestDoer = auth.RetryUnauthorized(http.DefaultClient, auth.NewCache(nil))
	_ auth.Doer       = http.DefaultClient

	_ auth.InvalidatingSource = (*auth.Cache)(nil)
)

func TestEditorsSetHeaders(t *testing.T) {
	tests := []struct {
		name   string
		edit   auth.Editor
		header string
		want   string
	}{
		{"header", auth.Header("X-Target-Environment", "sandbox"), "X-Target-Environment", "sandbox"},
		{"secret header", auth.SecretHeader("Ocp-Apim-Subscription-Key", "sub-key"), "Ocp-Apim-Subscription-Key", "sub-key"},
		{"basic", auth.Basic("user", "pass"), "Authorization", "Basic dXNlcjpwYXNz"},
		{"bearer", auth.Bearer(auth.StaticTokenSource(auth.Token{AccessToken: "tok"})), "Authorization", "Bearer tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set(tt.header, "old")
			require.NoError(t, tt.edit(req.Context(), req))
			assert.Equal(t, []string{tt.want}, req.Header.Values(tt.header))
		})
	}
}

func TestEditorsRejectMissingCredentials(t *testing.T) {
	errSource := errors.New("token endpoint down")
	tests := []struct {
		name string
		edit auth.Editor
		want string
	}{
		{"empty secret header", auth.SecretHeader("Ocp-Apim-Subscription-Key", ""), `auth: header "Ocp-Apim-Subscription-Key": empty secret`},
		{"basic without user", auth.Basic("", "pass"), "auth: basic authorization: empty user"},
		{"basic user with colon", auth.Basic("a:b", "pass"), "auth: basic authorization: user contains a colon"},
		{"basic without password", auth.Basic("user", ""), "auth: basic authorization: empty password"},
		{"bearer source fails", auth.Bearer(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
			return auth.Token{}, errSource
		})), "auth: bearer authorization: token endpoint down"},
		{"bearer empty token", auth.Bearer(auth.StaticTokenSource(auth.Token{})), "auth: bearer authorization: token source returned an empty token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			err := tt.edit(req.Context(), req)
			require.EqualError(t, err, tt.want)
			assert.Empty(t, req.Header, "a failed editor changed the request")
		})
	}
}

func TestBearerUsesRequestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	edit := auth.Bearer(auth.NewCache(auth.StaticTokenSource(auth.Token{AccessToken: "t"})))
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	err := edit(req.Context(), req)
	require.ErrorIs(t, err, context.Canceled)
}

func TestChain(t *testing.T) {
	var order []string
	step := func(name string, err error) auth.Editor {
		return func(context.Context, *http.Request) error {
			order = append(order, name)
			return err
		}
	}
	stop := errors.New("stop")

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	require.NoError(t, auth.Chain(step("a", nil), nil, step("b", nil))(req.Context(), req))
	assert.Equal(t, []string{"a", "b"}, order)

	order = nil
	err := auth.Chain(step("a", nil), step("b", stop), step("c", nil))(req.Context(), req)
	require.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"a", "b"}, order)

	require.NoError(t, auth.Chain()(req.Context(), req))
}
