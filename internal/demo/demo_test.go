package demo_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/internal/demo"
	"github.com/paykit-go/paykit/sandbox"
)

// sandboxConfig serves a new sandbox with a short MoMo delay and returns a demo
// configuration for it.
func sandboxConfig(t *testing.T, opts ...sandbox.Option) (demo.Config, *sandbox.Sandbox) {
	t.Helper()
	sb, err := sandbox.New(append([]sandbox.Option{sandbox.WithMoMoDelay(200 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	creds := sb.Credentials()
	return demo.Config{
		MoMo:        demo.MoMoConfig{BaseURL: srv.URL, SubscriptionKeys: creds.MoMo.SubscriptionKeys},
		Vipps:       demo.VippsConfig{BaseURL: srv.URL, Partner: creds.Vipps.Partner, MSNs: creds.Vipps.PartnerMSNs},
		WaitTimeout: 15 * time.Second,
	}, sb
}

// TestDemo is the demo run as a test: every step of both families against an in-process
// sandbox must meet its expectation.
func TestDemo(t *testing.T) {
	cfg, sb := sandboxConfig(t)
	var out bytes.Buffer
	report, err := demo.Run(t.Context(), cfg, &out)
	t.Log("\n" + out.String())
	require.NoError(t, err)
	require.True(t, report.OK())

	var names []string
	for _, s := range report.Steps {
		assert.True(t, s.OK, "%s %s: expected %s, got %s", s.Family, s.Name, s.Expect, s.Got)
		names = append(names, s.Family+" "+s.Name)
	}
	for _, want := range []string{
		"momo create API user", "momo create API key", "momo collection token",
		"momo request to pay from 56733123453", "momo request to pay from 46733123451",
		"momo callback for 56733123453", "momo status of 56733123453",
		"momo callback for 46733123451", "momo status of 46733123451",
		"momo transfer to 56733123453", "momo transfer status",
		"vipps access token (partner keys)", "vipps register webhook",
		"vipps ePayment create", "vipps ePayment approve (test user)", "vipps ePayment capture", "vipps ePayment refund",
		"vipps webhook CAPTURED", "vipps webhook REFUNDED",
		"vipps eCom initiate", "vipps eCom approve (test user)", "vipps eCom callback", "vipps eCom capture",
		"vipps Recurring draft agreement", "vipps Recurring accept (test user)", "vipps Recurring create charge", "vipps Recurring fetch charge",
	} {
		assert.Contains(t, names, want)
	}
	assert.NotEmpty(t, report.Final)

	// The sandbox saw what the demo did.
	kinds := map[string]int{}
	for _, e := range sb.Ledger() {
		kinds[e.Family+"/"+e.Kind]++
	}
	t.Logf("ledger: %v", kinds)
	var delivered int
	for _, d := range sb.Deliveries() {
		if d.Delivered {
			delivered++
		}
	}
	assert.GreaterOrEqual(t, delivered, 5, "2 MoMo callbacks, 2 webhooks and 1 eCom callback were delivered")
	t.Logf("demo: %d steps OK in %v, %d deliveries", len(report.Steps), report.Duration.Round(time.Millisecond), delivered)
}

// A step that gets something other than it expects is reported with both, the flow stops
// there, and Run returns an error.
func TestDemoReportsMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"code":"NOT_ALLOWED","message":"no"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	cfg := demo.Config{
		Families: []string{demo.FamilyMoMo},
		MoMo:     demo.MoMoConfig{BaseURL: srv.URL, SubscriptionKeys: sandbox.DefaultCredentials().MoMo.SubscriptionKeys},
	}
	var out bytes.Buffer
	report, err := demo.Run(t.Context(), cfg, &out)
	require.Error(t, err)
	assert.False(t, report.OK())
	require.Len(t, report.Steps, 1, "the flow stops at the first mismatch")
	s := report.Steps[0]
	assert.Equal(t, "create API user", s.Name)
	assert.Contains(t, s.Expect, "201")
	assert.Contains(t, s.Got, "HTTP 500")
	assert.Contains(t, err.Error(), "expected 201")
	assert.Contains(t, err.Error(), "got HTTP 500")
	assert.Contains(t, out.String(), "FAIL")
	t.Log("\n" + out.String())
}

// Run refuses a configuration that lacks what the chosen flows need, naming each gap.
func TestConfigChecked(t *testing.T) {
	_, err := demo.Run(t.Context(), demo.Config{}, &bytes.Buffer{})
	require.Error(t, err)
	for _, want := range []string{"MoMo base URL", "MoMo collection subscription key", "Vipps base URL", "ClientID", "merchant serial number"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = demo.Run(t.Context(), demo.Config{Families: []string{"paypal"}}, &bytes.Buffer{})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `"paypal"`), err.Error())
}
