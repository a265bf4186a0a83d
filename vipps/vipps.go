package vipps

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/vipps/ecom"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/gen/vipps/management"
	"github.com/paykit-go/paykit/gen/vipps/partner"
	"github.com/paykit-go/paykit/gen/vipps/recurring"
	"github.com/paykit-go/paykit/gen/vipps/userinfo"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/validate"
)

// Hosts of the two Vipps MobilePay environments; nothing carries over between them.
const (
	TestURL       = vippsauth.TestURL
	ProductionURL = vippsauth.ProductionURL
)

// Config says which environment to call and with which keys.
type Config struct {
	// BaseURL is TestURL (the default) or ProductionURL: the host only, no path.
	BaseURL string
	// Credentials are the sales unit's (or, through NewPartner, the partner's) keys.
	Credentials vippsauth.Credentials
	// MSN is the merchant serial number to send on every call; optional with a merchant's
	// own keys, set by ForMerchant for partners.
	MSN string
	// System fills the Vipps-System-* headers; partners and plugins are expected to set it.
	System vippsauth.System
	// HTTPClient sends every request; nil means vippsauth.DefaultHTTPClient().
	HTTPClient *http.Client
	// Tokens shares token caches between Clients; nil means a registry of their own.
	Tokens *vippsauth.Registry
	// SkipValidation sends requests without checking them first (amounts, references,
	// idempotency keys, headers); for tests of how a service handles the API's own refusals.
	SkipValidation bool
	// Retry says how calls that failed on the way (network errors, 500, 502, 503, 504, 429)
	// are sent again: reads and token calls always, writes only with their Idempotency-Key
	// or X-Request-Id, which every attempt resends. The zero value means the retry
	// package's defaults; retry.Policy{Disabled: true} switches retries off.
	Retry retry.Policy

	// msnOnTokenCall sends MSN on the token call too, which makes the token the merchant's.
	msnOnTokenCall bool
}

// Clients are the wired Vipps MobilePay clients. Safe for concurrent use.
type Clients struct {
	// MSN is the merchant the clients act for, or "" when they are not bound to one.
	MSN string

	EPayment   *epayment.ClientWithResponses
	Ecom       *ecom.ClientWithResponses
	Recurring  *recurring.ClientWithResponses
	Management *management.ClientWithResponses
	Partner    *partner.ClientWithResponses
	Userinfo   *userinfo.ClientWithResponses
	Webhooks   *webhooks.ClientWithResponses
}

// New returns clients wired for cfg.
func New(cfg Config) (*Clients, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = TestURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("vipps: base URL %q: want the host only, e.g. %s", cfg.BaseURL, TestURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if err := cfg.Credentials.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.System.Validate(); err != nil {
		return nil, err
	}
	if cfg.MSN != "" {
		if err := vippsauth.ValidMSN(cfg.MSN); err != nil {
			return nil, err
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = vippsauth.DefaultHTTPClient()
	}
	if cfg.Tokens == nil {
		cfg.Tokens = vippsauth.NewRegistry()
	}
	// Token fetches carry no bearer token: they retry right around the HTTP client.
	plain := retry.New(cfg.HTTPClient, cfg.Retry)
	tokenCfg := vippsauth.TokenConfig{
		BaseURL:     cfg.BaseURL,
		Credentials: cfg.Credentials,
		System:      cfg.System,
		HTTPClient:  plain,
	}
	if cfg.msnOnTokenCall {
		tokenCfg.MSN = cfg.MSN
	}
	tokens, err := cfg.Tokens.Source(tokenCfg)
	if err != nil {
		return nil, err
	}

	// The retrier goes outside the authorization (and the merchant binding), not inside
	// around the HTTP client: each attempt takes the current token from the cache, so one
	// that expired or was revoked during a wait is replaced rather than resent, and gets
	// auth's own refresh and one resend on 401; the retrier sees every attempt of the call.
	// Errors made above the network (no token, 401 after the refresh, an eCom body naming
	// another merchant) are final and not retried.
	// Validation runs once per call, before the first attempt and after the binding has
	// set the merchant, so that a request the API would refuse never leaves.
	authorized := auth.Authorize(cfg.HTTPClient, tokens)
	if !cfg.SkipValidation {
		authorized = validate.VippsDoer(authorized)
	}
	doer := retry.New(bindMerchant(authorized, cfg.MSN), cfg.Retry)
	edit := auth.Chain(vippsauth.SubscriptionKey(cfg.Credentials.SubscriptionKey), cfg.System.Editor())
	c := &Clients{MSN: cfg.MSN}
	if c.EPayment, err = epayment.NewClientWithResponses(cfg.BaseURL, epayment.WithHTTPClient(doer), epayment.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Ecom, err = ecom.NewClientWithResponses(cfg.BaseURL, ecom.WithHTTPClient(doer), ecom.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Recurring, err = recurring.NewClientWithResponses(cfg.BaseURL, recurring.WithHTTPClient(doer), recurring.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Management, err = management.NewClientWithResponses(cfg.BaseURL, management.WithHTTPClient(doer), management.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Partner, err = partner.NewClientWithResponses(cfg.BaseURL, partner.WithHTTPClient(doer), partner.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Webhooks, err = webhooks.NewClientWithResponses(cfg.BaseURL, webhooks.WithHTTPClient(doer), webhooks.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	if c.Userinfo, err = userinfo.NewClientWithResponses(cfg.BaseURL,
		userinfo.WithHTTPClient(loginAware(doer, plain)), userinfo.WithRequestEditorFn(edit)); err != nil {
		return nil, err
	}
	return c, nil
}

// PartnerConfig holds a partner's keys, which serve every merchant (sales unit) linked to
// the partner.
type PartnerConfig struct {
	// BaseURL is ProductionURL for partner keys (the test environment has none) or TestURL.
	BaseURL string
	// Credentials are the partner keys. They never leave the Partner value.
	Credentials vippsauth.Credentials
	// System fills the Vipps-System-* headers.
	System vippsauth.System
	// HTTPClient sends every request; nil means vippsauth.DefaultHTTPClient().
	HTTPClient *http.Client
	// TokenPerMerchant sends the merchant's MSN on the token call, so each merchant gets a
	// token of its own. Off, one token serves all the partner's merchants, the MSN going
	// on each call instead.
	TokenPerMerchant bool
	// Retry is the retry policy of every merchant's clients; see Config.Retry.
	Retry retry.Policy
	// SkipValidation sends requests without checking them first; see Config.
	SkipValidation bool
}

// Partner derives merchant-bound clients from one set of partner keys. Safe for concurrent
// use.
type Partner struct {
	cfg Config
}

// NewPartner checks cfg and returns a Partner whose merchants share one token registry.
func NewPartner(cfg PartnerConfig) (*Partner, error) {
	c := Config{
		BaseURL:        cfg.BaseURL,
		Credentials:    cfg.Credentials,
		System:         cfg.System,
		HTTPClient:     cfg.HTTPClient,
		Tokens:         vippsauth.NewRegistry(),
		Retry:          cfg.Retry,
		msnOnTokenCall: cfg.TokenPerMerchant,
		SkipValidation: cfg.SkipValidation,
	}
	if err := c.Credentials.Validate(); err != nil {
		return nil, err
	}
	if err := c.System.Validate(); err != nil {
		return nil, err
	}
	return &Partner{cfg: c}, nil
}

// ForMerchant returns clients bound to the merchant msn: every call carries that MSN and no
// other. Take msn from the partner's own records, never from input a merchant controls.
func (p *Partner) ForMerchant(msn string) (*Clients, error) {
	if err := vippsauth.ValidMSN(msn); err != nil {
		return nil, err
	}
	cfg := p.cfg
	cfg.MSN = msn
	return New(cfg)
}

// String names the partner's client id and hides its keys.
func (p *Partner) String() string { return "vipps.Partner{" + p.cfg.Credentials.String() + "}" }

// GoString is String, so %#v hides the keys too.
func (p *Partner) GoString() string { return p.String() }

// Format prints String for every verb.
func (p *Partner) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, p.String()) }
