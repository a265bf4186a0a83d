package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/momo"
)

// provisioned matches the two lines `paykit momo provision` prints for the new user.
var provisioned = regexp.MustCompile(`(?m)^  PAYKIT_MOMO_API_USER=(\S+)\n  PAYKIT_MOMO_API_KEY=(\S+)$`)

// `paykit momo provision` creates a user and key that work, prints them (the key was asked
// for) and prints nothing else secret: not the subscription key, not a token.
func TestMoMoProvision(t *testing.T) {
	srv, sb, _ := newSandboxServer(t)
	keys := sb.Credentials().MoMo.SubscriptionKeys

	check := func(t *testing.T, stdout, stderr string) {
		t.Helper()
		m := provisioned.FindStringSubmatch(stdout)
		require.Len(t, m, 3, "stdout: %s", stdout)
		userID, apiKey := m[1], m[2]
		assert.Regexp(t, `^[0-9a-f-]{36}$`, userID)
		assert.Regexp(t, `^[0-9a-f]{32}$`, apiKey)
		assert.Contains(t, stdout, "providerCallbackHost shop.example")
		assertNoSecrets(t, stdout+stderr, keys.Collection.Reveal())

		// The new user and key are good for a token.
		c, err := momo.New(momo.Config{BaseURL: srv.URL, SubscriptionKeys: keys,
			APIUser: momoauth.APIUser{ID: userID, Key: auth.Secret(apiKey)}})
		require.NoError(t, err)
		_, err = c.Token(t.Context(), momoauth.Collection)
		require.NoError(t, err, "the printed user and key get a token")
		t.Logf("provisioned %s", userID)
	}

	t.Run("key from the environment", func(t *testing.T) {
		t.Setenv(envMoMoSubscriptionKey, keys.Collection.Reveal())
		code, stdout, stderr := runPaykit(t, "momo", "provision", "--base-url", srv.URL, "--callback-host", "shop.example")
		require.Equal(t, exitOK, code, stderr)
		check(t, stdout, stderr)
	})
	t.Run("key from a file", func(t *testing.T) {
		t.Setenv(envMoMoSubscriptionKey, "")
		file := filepath.Join(t.TempDir(), "momo-key")
		require.NoError(t, os.WriteFile(file, []byte(keys.Disbursement.Reveal()+"\n"), 0o600))
		code, stdout, stderr := runPaykit(t, "momo", "provision", "--base-url", srv.URL, "--callback-host", "shop.example", "--key-file", file)
		require.Equal(t, exitOK, code, stderr)
		check(t, stdout, stderr)
		assertNoSecrets(t, stdout+stderr, keys.Disbursement.Reveal())
	})
	t.Run("refused key", func(t *testing.T) {
		t.Setenv(envMoMoSubscriptionKey, "not-a-subscribed-key-0123456789")
		code, stdout, stderr := runPaykit(t, "momo", "provision", "--base-url", srv.URL, "--callback-host", "shop.example")
		assert.Equal(t, exitFail, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "HTTP 401")
		assertNoSecrets(t, stdout+stderr, "not-a-subscribed-key-0123456789")
		t.Logf("refused: %s", stderr)
	})
}
