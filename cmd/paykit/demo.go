package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/paykit-go/paykit/internal/demo"
	"github.com/paykit-go/paykit/sandbox"
)

// demoFlags are the settings of `paykit demo`.
type demoFlags struct {
	baseURL   string
	families  string
	wait      time.Duration
	timeout   time.Duration
	momoDelay time.Duration
}

func demoCommand(c *cli) (*flag.FlagSet, usage, func(context.Context) int) {
	var f demoFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.StringVar(&f.baseURL, "base-url", "", "`URL` of a server with both APIs (e.g. a 'paykit sandbox'); empty runs an in-process sandbox")
	fs.StringVar(&f.families, "family", demo.FamilyMoMo+","+demo.FamilyVipps, "`flows` to run: momo, vipps or both, comma-separated")
	fs.DurationVar(&f.wait, "wait", demo.DefaultWaitTimeout, "longest wait for each asynchronous result (callback, webhook, final status)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Minute, "longest the whole demo may take")
	fs.DurationVar(&f.momoDelay, "momo-delay", 200*time.Millisecond, "in-process sandbox only: how long MoMo transactions stay PENDING")
	u := usage{
		synopsis: "[--base-url URL] [flags]",
		about: `
Runs both API families end to end through the wired clients and prints a table of steps
(step, operation, time, result) and the final states. Every step states what it expects;
the command exits 1 when any step got something else, naming expected and got.

MoMo: provision an API user (its callback host is a local receiver) and key, fetch a token,
request to pay from 56733123453 (succeeds) and 46733123451 (rejects) with X-Callback-Url,
wait for both callbacks and read both statuses, then a disbursement transfer and its status.
Vipps, with partner keys bound to one merchant: token, webhook registration (deliveries
verified with the returned secret), ePayment create → approve (test endpoint) → capture →
refund with the captured and refunded webhooks, eCom initiate → approve → RESERVED callback
→ capture, Recurring draft → accept → agreement ACTIVE → charge → fetch the charge.

Without --base-url the demo starts a sandbox in this process and needs nothing else. With
--base-url it calls that server with credentials from the environment, and the server must
reach this machine's localhost for callbacks and webhooks (a 'paykit sandbox' on the same
machine does; it prints these variables ready to export).`,
		notes: `
Environment (with --base-url; the names of the live tests):
  ` + envMoMoSubscriptionKey + `   MoMo Collection subscription key (provisioning, request to pay)
  ` + envMoMoDisbursementKey + `   MoMo Disbursement subscription key (transfer)
  ` + envVippsClientID + `         Vipps client_id (partner keys or a sales unit's own)
  ` + envVippsClientSecret + `     Vipps client_secret
  ` + envVippsSubscriptionKey + `  Vipps Ocp-Apim-Subscription-Key
  ` + envVippsMSN + `               merchant serial number the Vipps flows act for`,
	}
	return fs, u, func(ctx context.Context) int { return c.demo(ctx, f) }
}

func (c *cli) demo(ctx context.Context, f demoFlags) int {
	var families []string
	for _, fam := range strings.Split(f.families, ",") {
		switch fam = strings.TrimSpace(fam); fam {
		case "":
		case demo.FamilyMoMo, demo.FamilyVipps:
			families = append(families, fam)
		default:
			fmt.Fprintf(c.stderr, "paykit demo: --family %q: want %s, %s or both\n", fam, demo.FamilyMoMo, demo.FamilyVipps)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	var cfg demo.Config
	if f.baseURL == "" {
		sb, err := sandbox.New(sandbox.WithMoMoDelay(f.momoDelay))
		if err != nil {
			fmt.Fprintf(c.stderr, "paykit demo: %v\n", err)
			return exitUsage
		}
		defer sb.Close()
		srv := httptest.NewServer(sb)
		defer srv.Close()
		fmt.Fprintf(c.stdout, "paykit demo: in-process sandbox at %s\n\n", srv.URL)
		cfg = sandboxDemoConfig(srv.URL, sb.Credentials())
	} else {
		var err error
		if cfg, err = envDemoConfig(f.baseURL, families); err != nil {
			fmt.Fprintf(c.stderr, "paykit demo: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(c.stdout, "paykit demo: against %s\n\n", f.baseURL)
	}
	cfg.Families = families
	cfg.WaitTimeout = f.wait

	if _, err := demo.Run(ctx, cfg, c.stdout); err != nil {
		fmt.Fprintf(c.stderr, "paykit demo: %v\n", err)
		return exitFail
	}
	return exitOK
}

// sandboxDemoConfig points the demo at a sandbox served at url: the MoMo subscription keys
// and the Vipps partner keys with their merchants.
func sandboxDemoConfig(url string, creds sandbox.Credentials) demo.Config {
	return demo.Config{
		MoMo:  demo.MoMoConfig{BaseURL: url, SubscriptionKeys: creds.MoMo.SubscriptionKeys},
		Vipps: demo.VippsConfig{BaseURL: url, Partner: creds.Vipps.Partner, MSNs: creds.Vipps.PartnerMSNs},
	}
}

// envDemoConfig points the demo at baseURL with credentials from the environment, and says
// which variables are missing for the families asked for.
func envDemoConfig(baseURL string, families []string) (demo.Config, error) {
	cfg := demo.Config{
		MoMo:  demo.MoMoConfig{BaseURL: baseURL, SubscriptionKeys: momoKeysFromEnv()},
		Vipps: demo.VippsConfig{BaseURL: baseURL},
	}
	var missing []string
	for _, fam := range families {
		switch fam {
		case demo.FamilyMoMo:
			if cfg.MoMo.SubscriptionKeys.Collection == "" {
				missing = append(missing, envMoMoSubscriptionKey)
			}
			if cfg.MoMo.SubscriptionKeys.Disbursement == "" {
				missing = append(missing, envMoMoDisbursementKey)
			}
		case demo.FamilyVipps:
			keys, err := vippsKeysFromEnv()
			if err != nil {
				return cfg, fmt.Errorf("Vipps credentials: %w", err)
			}
			if keys.MSN == "" {
				missing = append(missing, envVippsMSN)
			}
			cfg.Vipps.Partner, cfg.Vipps.MSNs = keys.Credentials, []string{keys.MSN}
		}
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("with --base-url, set %s (see paykit demo --help)", strings.Join(missing, ", "))
	}
	return cfg, nil
}
