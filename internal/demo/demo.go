package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// The flows Config.Families can name.
const (
	FamilyMoMo  = "momo"
	FamilyVipps = "vipps"
)

// DefaultWaitTimeout bounds each wait for an asynchronous result unless Config says otherwise.
const DefaultWaitTimeout = 30 * time.Second

// Config says where the demo sends its requests and with which credentials.
type Config struct {
	// MoMo is the MoMo server and keys.
	MoMo MoMoConfig
	// Vipps is the Vipps MobilePay server and partner keys.
	Vipps VippsConfig
	// Families lists the flows to run (FamilyMoMo, FamilyVipps); empty means both.
	Families []string
	// WaitTimeout bounds every wait for an asynchronous result (a callback, a webhook, a
	// final status); 0 means DefaultWaitTimeout.
	WaitTimeout time.Duration
	// CallbackHost is the host name the local receiver's URLs use, and the MoMo API user's
	// providerCallbackHost; empty means "localhost". It must resolve to this machine.
	CallbackHost string
	// HTTPClient sends the API requests; nil means each family's default client.
	HTTPClient *http.Client
}

// MoMoConfig is the MoMo part of Config.
type MoMoConfig struct {
	// BaseURL is the gateway, e.g. a sandbox's address.
	BaseURL string
	// TargetEnvironment is sent as X-Target-Environment; empty means "sandbox".
	TargetEnvironment string
	// SubscriptionKeys needs Collection (provisioning, request to pay) and Disbursement
	// (transfer). The demo provisions its own API user with them.
	SubscriptionKeys momoauth.SubscriptionKeys
}

// VippsConfig is the Vipps part of Config.
type VippsConfig struct {
	// BaseURL is the host, e.g. a sandbox's address.
	BaseURL string
	// Partner are partner keys (or a sales unit's own keys): the demo derives a client for
	// the first of MSNs from them.
	Partner vippsauth.Credentials
	// MSNs are the merchants the keys may act for; the demo uses the first.
	MSNs []string
}

// Step is one step of the demo and what came of it.
type Step struct {
	// Family is "momo" or "vipps".
	Family string
	// Name says what the step does, e.g. "request to pay 56733123453".
	Name string
	// API is the operation called, e.g. "POST /collection/v1_0/requesttopay".
	API string
	// Expect is what the step expects to get.
	Expect string
	// Got is what it got: the result, or what came instead of the expected one.
	Got string
	// OK reports whether Got met Expect.
	OK bool
	// Duration is how long the step took.
	Duration time.Duration
}

// Final is the final state of one object the demo created.
type Final struct {
	// What names the object, e.g. "momo request to pay 56733123453".
	What string
	// ID is its reference, order id or agreement id.
	ID string
	// State is its last known state.
	State string
}

// Report is the outcome of a run.
type Report struct {
	// Steps lists the steps in the order they ran; a flow stops at its first failed step.
	Steps []Step
	// Final lists the final states of what the demo created.
	Final []Final
	// Duration is the time the whole run took.
	Duration time.Duration
}

// OK reports whether every step ran and met its expectation.
func (r Report) OK() bool {
	if len(r.Steps) == 0 {
		return false
	}
	for _, s := range r.Steps {
		if !s.OK {
			return false
		}
	}
	return true
}

// Failed returns the steps that did not meet their expectation.
func (r Report) Failed() []Step {
	var failed []Step
	for _, s := range r.Steps {
		if !s.OK {
			failed = append(failed, s)
		}
	}
	return failed
}

// Run runs the flows cfg names, printing a table of steps to out as they complete and the
// final states at the end. It returns an error when any step got something other than it
// expected (naming expected and got), or when the demo could not start; the Report is
// complete either way.
func Run(ctx context.Context, cfg Config, out io.Writer) (Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{}, err
	}
	started := time.Now()
	rcv, err := newReceiver(cfg.CallbackHost)
	if err != nil {
		return Report{}, err
	}
	defer rcv.close()

	r := &runner{cfg: cfg, out: out, rcv: rcv}
	r.printHeader()
	if cfg.runs(FamilyMoMo) {
		r.momo(ctx)
	}
	if cfg.runs(FamilyVipps) {
		r.vipps(ctx)
	}
	r.report.Duration = time.Since(started)
	r.printFinal()

	if failed := r.report.Failed(); len(failed) > 0 {
		var msgs []string
		for _, s := range failed {
			msgs = append(msgs, fmt.Sprintf("%s %s: expected %s, got %s", s.Family, s.Name, s.Expect, s.Got))
		}
		return r.report, fmt.Errorf("demo: %d of %d steps failed: %s", len(failed), len(r.report.Steps), strings.Join(msgs, "; "))
	}
	return r.report, nil
}

// withDefaults fills in the defaults and checks what is left.
func (c Config) withDefaults() (Config, error) {
	if len(c.Families) == 0 {
		c.Families = []string{FamilyMoMo, FamilyVipps}
	}
	for _, f := range c.Families {
		if f != FamilyMoMo && f != FamilyVipps {
			return c, fmt.Errorf("demo: family %q: want %s or %s", f, FamilyMoMo, FamilyVipps)
		}
	}
	if c.WaitTimeout <= 0 {
		c.WaitTimeout = DefaultWaitTimeout
	}
	if c.CallbackHost == "" {
		c.CallbackHost = "localhost"
	}
	if c.MoMo.TargetEnvironment == "" {
		c.MoMo.TargetEnvironment = "sandbox"
	}
	var problems []error
	if c.runs(FamilyMoMo) {
		if c.MoMo.BaseURL == "" {
			problems = append(problems, errors.New("MoMo base URL: required"))
		}
		if c.MoMo.SubscriptionKeys.Collection == "" {
			problems = append(problems, errors.New("MoMo collection subscription key: required"))
		}
	}
	if c.runs(FamilyVipps) {
		if c.Vipps.BaseURL == "" {
			problems = append(problems, errors.New("Vipps base URL: required"))
		}
		if err := c.Vipps.Partner.Validate(); err != nil {
			problems = append(problems, err)
		}
		if len(c.Vipps.MSNs) == 0 {
			problems = append(problems, errors.New("Vipps merchant serial number: required"))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return c, fmt.Errorf("demo: configuration: %w", err)
	}
	return c, nil
}

func (c Config) runs(family string) bool { return slices.Contains(c.Families, family) }
