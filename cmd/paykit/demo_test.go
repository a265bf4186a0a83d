package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `paykit demo` runs the whole demo against its own in-process sandbox.
func TestDemoCommand(t *testing.T) {
	code, stdout, stderr := runPaykit(t, "demo", "--wait", "15s")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "in-process sandbox")
	assert.Contains(t, stdout, "steps OK")
	assert.Empty(t, stderr)
	t.Log("\n" + stdout)
}

// With --base-url the demo runs against another server with credentials from the
// environment: here a sandbox served as `paykit sandbox` would, with the variables it prints.
func TestDemoCommandBaseURL(t *testing.T) {
	srv, sb, tokens := newSandboxServer(t)
	creds := sb.Credentials()
	t.Setenv(envMoMoSubscriptionKey, creds.MoMo.SubscriptionKeys.Collection.Reveal())
	t.Setenv(envMoMoDisbursementKey, creds.MoMo.SubscriptionKeys.Disbursement.Reveal())
	t.Setenv(envVippsClientID, creds.Vipps.Partner.ClientID)
	t.Setenv(envVippsClientSecret, creds.Vipps.Partner.ClientSecret.Reveal())
	t.Setenv(envVippsSubscriptionKey, creds.Vipps.Partner.SubscriptionKey.Reveal())
	t.Setenv(envVippsMSN, creds.Vipps.PartnerMSNs[1])

	code, stdout, stderr := runPaykit(t, "demo", "--base-url", srv.URL, "--wait", "15s")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "against "+srv.URL)
	assert.Contains(t, stdout, "MSN "+creds.Vipps.PartnerMSNs[1])
	assertNoSecrets(t, stdout+stderr, append(tokens.all(),
		creds.MoMo.SubscriptionKeys.Collection.Reveal(), creds.Vipps.Partner.ClientSecret.Reveal(), creds.Vipps.Partner.SubscriptionKey.Reveal())...)
}

// A demo step that gets something other than it expects makes the command fail, naming
// expected and got.
func TestDemoCommandMismatch(t *testing.T) {
	srv, sb, _ := newSandboxServer(t)
	t.Setenv(envMoMoSubscriptionKey, "not-a-subscribed-key")
	t.Setenv(envMoMoDisbursementKey, sb.Credentials().MoMo.SubscriptionKeys.Disbursement.Reveal())
	code, stdout, stderr := runPaykit(t, "demo", "--base-url", srv.URL, "--family", "momo")
	assert.Equal(t, exitFail, code)
	assert.Contains(t, stdout, "FAIL")
	assert.Contains(t, stderr, "expected 201")
	assert.Contains(t, stderr, "got HTTP 401")
}
