package vippsauth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/vippsauth"
)

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// assertNoSecrets checks every formatting verb of v for every test secret.
func assertNoSecrets(t *testing.T, v any) {
	t.Helper()
	for _, verb := range verbs {
		out := fmt.Sprintf(verb, v)
		for _, s := range secrets {
			assert.NotContains(t, out, s, "%s of %T", verb, v)
			assert.NotContains(t, out, fmt.Sprintf("%x", s), "%s of %T in hex", verb, v)
		}
	}
}

// failures returns one error of every kind a fetch can produce.
func failures(t *testing.T) map[string]error {
	t.Helper()
	errs := map[string]error{}
	fetch := func(name string, status int, body string, mgmt bool) {
		ts := newTokenServer(t, status, body)
		var err error
		if mgmt {
			src, e := vippsauth.NewManagementTokenSource(mgmtConfig(ts.URL))
			require.NoError(t, e)
			_, err = src.Token(context.Background())
		} else {
			src, e := vippsauth.NewTokenSource(tokenConfig(ts.URL))
			require.NoError(t, e)
			_, err = src.Token(context.Background())
		}
		require.Error(t, err, name)
		errs[name] = err
	}
	fetch("401", 401, `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`, false)
	fetch("500", 500, `{"statusCode":500,"message":"Internal server error"}`, false)
	fetch("no lifetime", 200, `{"access_token":"`+testToken+`","expires_in":"0"}`, false)
	fetch("not JSON", 200, `{"access_token":"`+testToken+`",`, false)
	fetch("bad field", 200, `{"access_token":"`+testToken+`","expires_in":"x"}`, false)
	fetch("miami 401", 401, `{"error":"invalid_client"}`, true)
	fetch("miami no lifetime", 200, `{"access_token":"`+testMgmtToken+`","expires_in":0}`, true)

	closed := newTokenServer(t, 200, tokenAnswer)
	closed.Close()
	src, err := vippsauth.NewTokenSource(tokenConfig(closed.URL))
	require.NoError(t, err)
	_, errs["network"] = src.Token(context.Background())
	require.Error(t, errs["network"])

	cfg := tokenConfig("https://apitest.vipps.no")
	cfg.Credentials.SubscriptionKey = ""
	_, errs["config"] = vippsauth.NewTokenSource(cfg)
	require.Error(t, errs["config"])
	return errs
}

func TestSecretsNeverPrinted(t *testing.T) {
	tc := tokenConfig("https://apitest.vipps.no")
	tc.MSN = "123456"
	tc.HTTPClient = http.DefaultClient
	mc := mgmtConfig("https://api.vipps.no")
	values := map[string]any{
		"Credentials":            testCreds,
		"*Credentials":           &testCreds,
		"TokenConfig":            tc,
		"*TokenConfig":           &tc,
		"ManagementTokenConfig":  mc,
		"*ManagementTokenConfig": &mc,
		"in a slice":             []vippsauth.Credentials{testCreds},
		"in a map":               map[string]any{"creds": testCreds, "mgmt": mc},
	}
	for name, err := range failures(t) {
		values["error "+name] = err
		values["unwrapped error "+name] = errors.Unwrap(err)
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) { assertNoSecrets(t, v) })
	}
	assert.Contains(t, fmt.Sprint(testCreds), testClientID, "the client id is not secret and helps debugging")
	assert.Contains(t, fmt.Sprintf("%+v", tc), testClientID)
}

func TestSecretsNeverLogged(t *testing.T) {
	tc := tokenConfig("https://apitest.vipps.no")
	mc := mgmtConfig("https://api.vipps.no")
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	}
	errs := failures(t)
	for name, newHandler := range handlers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(newHandler(&buf))
			log.Info("configured", "creds", testCreds, "token_config", tc, "management_config", mc,
				slog.Group("nested", "creds", &testCreds, "config", &tc))
			for errName, err := range errs {
				log.Error("token fetch failed", "case", errName, "err", err)
			}
			out := buf.String()
			for _, s := range secrets {
				assert.NotContains(t, out, s)
			}
			assert.Contains(t, out, testClientID)
			assert.Contains(t, out, "HTTP 401")
		})
	}
}
