package momo_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/momo"
)

// Environment of the live contract mode.
const (
	liveCollectionKeyEnv   = "PAYKIT_MOMO_SUBSCRIPTION_KEY" // required: a Collection subscription key
	liveDisbursementKeyEnv = "PAYKIT_MOMO_DISBURSEMENT_KEY" // optional
	liveRemittanceKeyEnv   = "PAYKIT_MOMO_REMITTANCE_KEY"   // optional
	liveAPIUserEnv         = "PAYKIT_MOMO_API_USER"         // optional, with PAYKIT_MOMO_API_KEY; else one is provisioned
	liveAPIKeyEnv          = "PAYKIT_MOMO_API_KEY"
	liveBaseURLEnv         = "PAYKIT_MOMO_BASE_URL" // optional, default the sandbox
	liveCallbackHostEnv    = "PAYKIT_MOMO_CALLBACK_HOST"
)

// Live contract mode: a short flow against the real MoMo sandbox through the wired clients,
// with every request and response checked against the documents. It runs only when a
// Collection subscription key is given.
func TestMoMoLiveContract(t *testing.T) {
	key := os.Getenv(liveCollectionKeyEnv)
	if key == "" {
		t.Skip("live MoMo contract mode: set " + liveCollectionKeyEnv + " (a Collection subscription key) to run it against " +
			"the MoMo sandbox; optionally " + liveDisbursementKeyEnv + ", " + liveRemittanceKeyEnv + ", " + liveAPIUserEnv +
			" with " + liveAPIKeyEnv + " (else an API user is provisioned), " + liveBaseURLEnv + " (default " + momo.SandboxURL + ")")
	}
	baseURL := os.Getenv(liveBaseURLEnv)
	if baseURL == "" {
		baseURL = momo.SandboxURL
	}
	keys := momoauth.SubscriptionKeys{
		Collection:   auth.Secret(key),
		Disbursement: auth.Secret(os.Getenv(liveDisbursementKeyEnv)),
		Remittance:   auth.Secret(os.Getenv(liveRemittanceKeyEnv)),
	}

	v, err := contract.New(api.FS(), api.MoMo...)
	require.NoError(t, err)
	hc := &http.Client{
		Transport:     v.Transport(momoauth.NewTransport()),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	defer liveReportViolations(t, v)

	user := momoauth.APIUser{ID: os.Getenv(liveAPIUserEnv), Key: auth.Secret(os.Getenv(liveAPIKeyEnv))}
	if user.ID == "" || user.Key == "" {
		user = liveProvision(ctx, t, baseURL, keys, hc)
	}

	c, err := momo.New(momo.Config{
		BaseURL:           baseURL,
		TargetEnvironment: momo.SandboxEnvironment,
		SubscriptionKeys:  keys,
		APIUser:           user,
		HTTPClient:        hc,
	})
	require.NoError(t, err)

	_, err = c.Token(ctx, momoauth.Collection)
	require.NoError(t, err, "collection token")

	bal, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	t.Logf("collection balance: HTTP %d %s", bal.StatusCode(), bal.Body)

	act, err := c.Collection.ValidateAccountHolderStatusWithResponse(ctx, "msisdn", "56733123453", &collection.ValidateAccountHolderStatusParams{})
	require.NoError(t, err)
	t.Logf("account holder 56733123453 active: HTTP %d %s", act.StatusCode(), act.Body)

	for _, tc := range []struct {
		payer, want string
	}{
		{"56733123453", "SUCCESSFUL"},
		{"46733123450", "FAILED"},
	} {
		ref := liveRequestToPay(ctx, t, c, tc.payer)
		status := livePollRequestToPay(ctx, t, c, ref)
		assert.Equal(t, tc.want, status, "request to pay from %s (%s)", tc.payer, ref)
	}

	if keys.Disbursement != "" {
		_, err := c.Token(ctx, momoauth.Disbursement)
		require.NoError(t, err, "disbursement token")
		res, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
		require.NoError(t, err)
		t.Logf("disbursement balance: HTTP %d %s", res.StatusCode(), res.Body)
	}
	if keys.Remittance != "" {
		_, err := c.Token(ctx, momoauth.Remittance)
		require.NoError(t, err, "remittance token")
		res, err := c.Remittance.GetAccountBalanceWithResponse(ctx, &remittance.GetAccountBalanceParams{})
		require.NoError(t, err)
		t.Logf("remittance balance: HTTP %d %s", res.StatusCode(), res.Body)
	}
}

// liveProvision creates a sandbox API user and key, as the sandbox provisioning API allows.
func liveProvision(ctx context.Context, t *testing.T, baseURL string, keys momoauth.SubscriptionKeys, hc *http.Client) momoauth.APIUser {
	t.Helper()
	host := os.Getenv(liveCallbackHostEnv)
	if host == "" {
		host = "paykit.example.com"
	}
	p, err := momo.New(momo.Config{BaseURL: baseURL, SubscriptionKeys: keys, HTTPClient: hc})
	require.NoError(t, err)

	id := momo.NewReferenceID()
	created, err := p.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: id},
		provisioning.ApiUser{ProviderCallbackHost: host})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "create API user: %s", created.Body)

	got, err := p.Provisioning.GetApiUserWithResponse(ctx, id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), "get API user: %s", got.Body)
	require.NotNil(t, got.JSON200)
	assert.Equal(t, host, got.JSON200.ProviderCallbackHost)
	assert.Equal(t, "sandbox", got.JSON200.TargetEnvironment)

	k, err := p.Provisioning.CreateApiKeyWithResponse(ctx, id)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, k.StatusCode(), "create API key: %s", k.Body)
	require.NotNil(t, k.JSON201)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), k.JSON201.ApiKey)
	t.Logf("provisioned sandbox API user %s (callback host %s)", id, host)
	return momoauth.APIUser{ID: id.String(), Key: auth.Secret(k.JSON201.ApiKey)}
}

// liveRequestToPay asks payer for 100 EUR, resending with the same reference when the
// sandbox answers 5xx (a 409 then means the first attempt arrived), and returns the reference.
func liveRequestToPay(ctx context.Context, t *testing.T, c *momo.Clients, payer string) uuid.UUID {
	t.Helper()
	ref := momo.NewReferenceID()
	body := common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "paykit-live-" + payer,
		Payer: common.Party{PartyIdType: "MSISDN", PartyId: payer}, PayerMessage: "paykit contract test", PayeeNote: "paykit contract test"}
	for attempt := 1; ; attempt++ {
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, body)
		require.NoError(t, err)
		switch {
		case res.StatusCode() == http.StatusAccepted, res.StatusCode() == http.StatusConflict && attempt > 1:
			return ref
		case res.StatusCode() >= 500 && attempt < 3:
			t.Logf("request to pay from %s: HTTP %d %s; resending with the same reference", payer, res.StatusCode(), res.Body)
			liveSleep(ctx, 3*time.Second)
		default:
			require.Failf(t, "request to pay", "from %s: HTTP %d %s", payer, res.StatusCode(), res.Body)
		}
	}
}

// livePollRequestToPay polls the status a few times until it is final and returns it.
func livePollRequestToPay(ctx context.Context, t *testing.T, c *momo.Clients, ref uuid.UUID) string {
	t.Helper()
	status := ""
	for i := 0; i < 6; i++ {
		liveSleep(ctx, 5*time.Second)
		res, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
		require.NoError(t, err)
		t.Logf("status of %s: HTTP %d %s", ref, res.StatusCode(), res.Body)
		if res.StatusCode() != http.StatusOK || res.JSON200 == nil {
			continue // early 404 or a flaky 5xx: not visible yet
		}
		status = res.JSON200.Status
		if status == "SUCCESSFUL" || status == "FAILED" {
			return status
		}
	}
	return status
}

func liveSleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// liveReportViolations logs every contract violation of the run and fails when there is one.
func liveReportViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	viols := v.Violations()
	for _, viol := range viols {
		t.Logf("contract violation: %s", viol)
	}
	st := v.Stats()
	t.Logf("live MoMo: %d requests and %d responses validated, %d violations", st.Requests, st.Responses, st.Violations)
	assert.Empty(t, viols, "the live MoMo traffic must satisfy the documents")
}
