package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `paykit vipps token` fetches a token with credentials from the environment or a file and
// prints its expiry, never the token, the client secret or the subscription key.
func TestVippsToken(t *testing.T) {
	srv, sb, tokens := newSandboxServer(t)
	creds := sb.Credentials().Vipps

	t.Run("partner keys from the environment", func(t *testing.T) {
		t.Setenv(envVippsClientID, creds.Partner.ClientID)
		t.Setenv(envVippsClientSecret, creds.Partner.ClientSecret.Reveal())
		t.Setenv(envVippsSubscriptionKey, creds.Partner.SubscriptionKey.Reveal())
		t.Setenv(envVippsMSN, creds.PartnerMSNs[0])
		code, stdout, stderr := runPaykit(t, "vipps", "token", "--base-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "Vipps credentials OK")
		assert.Contains(t, stdout, "expires")
		assert.Contains(t, stdout, "MSN "+creds.PartnerMSNs[0])
		assertNoSecrets(t, stdout+stderr, append(tokens.all(), creds.Partner.ClientSecret.Reveal(), creds.Partner.SubscriptionKey.Reveal())...)
		t.Log(stdout)
	})
	t.Run("merchant keys from a file", func(t *testing.T) {
		for _, env := range []string{envVippsClientID, envVippsClientSecret, envVippsSubscriptionKey, envVippsMSN} {
			t.Setenv(env, "")
		}
		file := filepath.Join(t.TempDir(), "vipps.json")
		b, err := json.Marshal(vippsCredentialsFile{
			ClientID:        creds.Merchant.ClientID,
			ClientSecret:    creds.Merchant.ClientSecret.Reveal(),
			SubscriptionKey: creds.Merchant.SubscriptionKey.Reveal(),
		})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, b, 0o600))
		code, stdout, stderr := runPaykit(t, "vipps", "token", "--base-url", srv.URL, "--credentials-file", file)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "expires")
		assertNoSecrets(t, stdout+stderr, append(tokens.all(), creds.Merchant.ClientSecret.Reveal(), creds.Merchant.SubscriptionKey.Reveal())...)
	})
	t.Run("refused secret", func(t *testing.T) {
		const wrong = "not-the-client-secret"
		t.Setenv(envVippsClientID, creds.Merchant.ClientID)
		t.Setenv(envVippsClientSecret, wrong)
		t.Setenv(envVippsSubscriptionKey, creds.Merchant.SubscriptionKey.Reveal())
		t.Setenv(envVippsMSN, "")
		code, stdout, stderr := runPaykit(t, "vipps", "token", "--base-url", srv.URL)
		assert.Equal(t, exitFail, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "HTTP 401")
		assertNoSecrets(t, stdout+stderr, wrong, creds.Merchant.SubscriptionKey.Reveal())
		t.Logf("refused: %s", stderr)
	})
	t.Run("malformed credentials file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "vipps.json")
		require.NoError(t, os.WriteFile(file, []byte(`{"clientId": "x", "clientSecret": "s3cr3t-value"`), 0o600))
		code, _, stderr := runPaykit(t, "vipps", "token", "--base-url", srv.URL, "--credentials-file", file)
		assert.Equal(t, exitUsage, code)
		assertNoSecrets(t, stderr, "s3cr3t-value")
	})

	require.NotEmpty(t, tokens.all(), "tokens were issued, and none was printed")
}
