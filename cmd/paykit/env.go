package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// Environment variables with credentials: the same names as the live tests in
// momo/live_test.go and vipps/live_test.go.
const (
	envMoMoSubscriptionKey = "PAYKIT_MOMO_SUBSCRIPTION_KEY" // the Collection subscription key
	envMoMoDisbursementKey = "PAYKIT_MOMO_DISBURSEMENT_KEY"
	envMoMoRemittanceKey   = "PAYKIT_MOMO_REMITTANCE_KEY"
	envMoMoAPIUser         = "PAYKIT_MOMO_API_USER"
	envMoMoAPIKey          = "PAYKIT_MOMO_API_KEY"
	envMoMoBaseURL         = "PAYKIT_MOMO_BASE_URL"

	envVippsClientID        = "PAYKIT_VIPPS_CLIENT_ID"
	envVippsClientSecret    = "PAYKIT_VIPPS_CLIENT_SECRET"
	envVippsSubscriptionKey = "PAYKIT_VIPPS_SUBSCRIPTION_KEY"
	envVippsMSN             = "PAYKIT_VIPPS_MSN"
	envVippsBaseURL         = "PAYKIT_VIPPS_BASE_URL"
)

// momoKeysFromEnv reads the MoMo subscription keys from the environment.
func momoKeysFromEnv() momoauth.SubscriptionKeys {
	return momoauth.SubscriptionKeys{
		Collection:   auth.Secret(os.Getenv(envMoMoSubscriptionKey)),
		Disbursement: auth.Secret(os.Getenv(envMoMoDisbursementKey)),
		Remittance:   auth.Secret(os.Getenv(envMoMoRemittanceKey)),
	}
}

// readKeyFile reads a secret kept alone in a file, without surrounding white space.
func readKeyFile(path string) (auth.Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	return auth.Secret(key), nil
}

// vippsKeys are Vipps credentials with the merchant they act for.
type vippsKeys struct {
	Credentials vippsauth.Credentials
	MSN         string
}

// vippsKeysFromEnv reads Vipps credentials from the environment; the MSN is optional.
func vippsKeysFromEnv() (vippsKeys, error) {
	k := vippsKeys{
		Credentials: vippsauth.Credentials{
			ClientID:        os.Getenv(envVippsClientID),
			ClientSecret:    auth.Secret(os.Getenv(envVippsClientSecret)),
			SubscriptionKey: auth.Secret(os.Getenv(envVippsSubscriptionKey)),
		},
		MSN: os.Getenv(envVippsMSN),
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{envVippsClientID, k.Credentials.ClientID},
		{envVippsClientSecret, k.Credentials.ClientSecret.Reveal()},
		{envVippsSubscriptionKey, k.Credentials.SubscriptionKey.Reveal()},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return k, fmt.Errorf("set %s", strings.Join(missing, ", "))
	}
	return k, nil
}

// vippsCredentialsFile is the JSON a --credentials-file holds.
type vippsCredentialsFile struct {
	ClientID        string `json:"clientId"`
	ClientSecret    string `json:"clientSecret"`
	SubscriptionKey string `json:"subscriptionKey"`
	MSN             string `json:"msn"`
}

// readVippsCredentialsFile reads Vipps credentials from a JSON file. Errors name the file and
// the missing fields, never a value.
func readVippsCredentialsFile(path string) (vippsKeys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return vippsKeys{}, err
	}
	var f vippsCredentialsFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return vippsKeys{}, fmt.Errorf("%s: not valid JSON (at byte %d)", path, syntax.Offset)
		}
		return vippsKeys{}, fmt.Errorf("%s: want {\"clientId\", \"clientSecret\", \"subscriptionKey\", \"msn\"}: %w", path, err)
	}
	k := vippsKeys{
		Credentials: vippsauth.Credentials{ClientID: f.ClientID, ClientSecret: auth.Secret(f.ClientSecret), SubscriptionKey: auth.Secret(f.SubscriptionKey)},
		MSN:         f.MSN,
	}
	if err := k.Credentials.Validate(); err != nil {
		return vippsKeys{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
