package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

const (
	clientSecret = "cs-Zq81-client-secret"
	accessToken  = "at-eyJhbGciOi-access-token"
)

// verbs are the formatting verbs a log line or error message might use on a value.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10v", "%-30s", "%T"}

// requireNoSecret fails if out shows any secret, plainly or in the encodings fmt can produce.
func requireNoSecret(t *testing.T, out string, msgAndArgs ...any) {
	t.Helper()
	for _, s := range []string{clientSecret, accessToken} {
		for _, form := range []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s))),
			base64.StdEncoding.EncodeToString([]byte(s)), s[:8]} {
			require.NotContains(t, out, form, msgAndArgs...)
		}
	}
}

// creds is a struct with exported Secret fields, which fmt formats through Secret's methods.
type creds struct {
	ClientID     string
	ClientSecret auth.Secret
	Token        auth.Token
}

// sealed keeps its secret in an unexported field and therefore formats itself: fmt never
// calls methods of unexported fields, so without these methods it would print the secret.
type sealed struct {
	clientID string
	secret   auth.Secret
}

func (s sealed) String() string { return fmt.Sprintf("{clientID:%s secret:%v}", s.clientID, s.secret) }
func (s sealed) GoString() string {
	return fmt.Sprintf("sealed{clientID:%q, secret:%#v}", s.clientID, s.secret)
}
func (s sealed) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// leaky is what sealed would be without its methods.
type leaky struct {
	clientID string
	secret   auth.Secret
}

func secretValues() map[string]any {
	s := auth.Secret(clientSecret)
	tok := auth.Token{AccessToken: accessToken, TokenType: "Bearer", Expiry: time.Unix(1700000000, 0).UTC()}
	c := creds{ClientID: "client-id", ClientSecret: s, Token: tok}
	return map[string]any{
		"Secret":                            s,
		"*Secret":                           &s,
		"Token":                             tok,
		"*Token":                            &tok,
		"struct":                            c,
		"*struct":                           &c,
		"anonymous struct":                  struct{ Key auth.Secret }{s},
		"slice":                             []auth.Secret{s, accessToken},
		"map":                               map[string]auth.Secret{"key": s},
		"unexported field with own methods": sealed{clientID: "client-id", secret: s},
		"error":                             fmt.Errorf("login as %s with %v failed", "client-id", s),
		"wrapped error":                     fmt.Errorf("charge: %w", fmt.Errorf("token %v: %w", tok, errors.New("rejected"))),
		"error with struct":                 fmt.Errorf("config %+v invalid", c),
	}
}

func TestSecretNeverFormatted(t *testing.T) {
	values := secretValues()
	t.Logf("%d values x %d verbs: no secret shown", len(values), len(verbs))
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			requireNoSecret(t, out, "%s formatted with %s: %s", name, verb, out)
		}
		requireNoSecret(t, fmt.Sprint(v), name)
		requireNoSecret(t, fmt.Sprintln(v), name)
	}
}

func TestSecretRedactionText(t *testing.T) {
	s := auth.Secret(clientSecret)
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "[redacted]"},
		{"%s", "[redacted]"},
		{"%q", `"[redacted]"`},
		{"%x", "[redacted]"},
		{"%#v", `auth.Secret("[redacted]")`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, fmt.Sprintf(tt.format, s), tt.format)
	}
	assert.Equal(t, "[redacted]", s.String())
	assert.Equal(t, clientSecret, s.Reveal())
	assert.Equal(t, `auth.Token{AccessToken:auth.Secret("[redacted]"), TokenType:"Bearer", Expiry:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)}`,
		fmt.Sprintf("%#v", auth.Token{AccessToken: accessToken, TokenType: "Bearer"}))
}

func TestUnexportedSecretFieldIsPrintedByFmt(t *testing.T) {
	// This pins the reason for the rule on Secret's documentation: fmt formats an unexported
	// field by reflection, never through its methods, so the value comes out.
	out := fmt.Sprintf("%v", leaky{clientID: "client-id", secret: clientSecret})
	assert.Contains(t, out, clientSecret)
}

func TestSecretMarshalling(t *testing.T) {
	for name, v := range secretValues() {
		if _, isErr := v.(error); isErr {
			continue
		}
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		requireNoSecret(t, string(b), name)
	}
	b, err := json.Marshal(creds{ClientSecret: clientSecret})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"ClientSecret":"[redacted]"`)

	// Secrets still load from configuration.
	var c creds
	require.NoError(t, json.Unmarshal([]byte(`{"ClientSecret":"from-config"}`), &c))
	assert.Equal(t, "from-config", c.ClientSecret.Reveal())
}

func TestSecretNeverLogged(t *testing.T) {
	handlers := map[string]func(io.Writer) slog.Handler{
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
	}
	for name, newHandler := range handlers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(newHandler(&buf))
			for what, v := range secretValues() {
				log.Info("value", "what", what, "v", v)
			}
			s := auth.Secret(clientSecret)
			log.Info("attrs", slog.Any("secret", s), slog.String("revealed-by-String", s.String()),
				slog.Group("creds", "id", "client-id", "secret", s))
			log.With("secret", s).Error("failed", "err", fmt.Errorf("with %v", s))

			requireNoSecret(t, buf.String(), buf.String())
			assert.Contains(t, buf.String(), "[redacted]")
		})
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	// The client secret goes to a failing token endpoint; the token goes to a failing API.
	tokenEndpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer tokenEndpoint.Close()
	failing := auth.NewCache(endpointSource(tokenEndpoint.Client(), tokenEndpoint.URL, "client-id", clientSecret))
	_, fetchErr := failing.Token(context.Background())
	require.Error(t, fetchErr)

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer api.Close()
	static := fixedSource{auth.StaticTokenSource(auth.Token{AccessToken: accessToken})}
	req := bearerRequest(t, context.Background(), http.MethodGet, api.URL, "", static)
	resp, unauthorizedErr := auth.RetryUnauthorized(api.Client(), static).Do(req)
	require.Nil(t, resp)
	require.Error(t, unauthorizedErr)

	req = httptest.NewRequest(http.MethodGet, "/", nil)
	errs := map[string]error{
		"fetch":        fetchErr,
		"bearer":       auth.Bearer(failing)(context.Background(), req),
		"secretHeader": auth.SecretHeader("X-Api-Key", "")(context.Background(), req),
		"basic":        auth.Basic("client:id", clientSecret)(context.Background(), req),
		"unauthorized": unauthorizedErr,
	}
	for name, err := range errs {
		require.Error(t, err, name)
		for _, verb := range verbs {
			requireNoSecret(t, fmt.Sprintf(verb, err), "%s error with %s", name, verb)
		}
		t.Logf("%s error: %v", name, err)
	}
}
