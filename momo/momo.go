package momo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/validate"
)

// Base URLs of the MoMo gateways; a country gateway is passed as a custom base URL.
const (
	SandboxURL    = momoauth.SandboxURL
	ProductionURL = momoauth.ProductionURL
)

// SandboxEnvironment is the X-Target-Environment of the sandbox, which accepts EUR only.
const SandboxEnvironment = "sandbox"

// Config says which gateway to call and with which credentials.
type Config struct {
	// BaseURL is the gateway: SandboxURL (the default), ProductionURL or a country gateway.
	BaseURL string
	// TargetEnvironment is sent as X-Target-Environment: "sandbox" (the default) or the
	// country's value, e.g. "mtnuganda".
	TargetEnvironment string
	// SubscriptionKeys holds a key per product; a product without one fails its calls
	// before sending. Provisioning uses the first key set.
	SubscriptionKeys momoauth.SubscriptionKeys
	// APIUser is the wallet credential exchanged for bearer tokens; provisioning alone works
	// without it.
	APIUser momoauth.APIUser
	// HTTPClient sends every request; nil means momoauth.DefaultHTTPClient(). Give it a
	// Timeout and no redirect following.
	HTTPClient *http.Client
	// SkipValidation sends requests without checking them first (amounts, currency,
	// MSISDNs, references, texts); for tests of how a service handles the API's own refusals.
	SkipValidation bool
	// Tokens shares token caches between several Clients with the same credentials; nil
	// means a registry of this Clients' own.
	Tokens *momoauth.Registry
	// Retry says how calls that failed on the way (network errors, 500, 502, 503, 504, 429)
	// are sent again: reads and token calls always, creates only with their X-Reference-Id,
	// which every attempt resends. The zero value means the retry package's defaults;
	// retry.Policy{Disabled: true} switches retries off.
	Retry retry.Policy
}

// Clients are the wired MoMo clients. Safe for concurrent use.
type Clients struct {
	Provisioning *provisioning.ClientWithResponses
	Collection   *collection.ClientWithResponses
	Disbursement *disbursement.ClientWithResponses
	Remittance   *remittance.ClientWithResponses

	tokens map[momoauth.Product]auth.TokenSource
}

// New returns wired clients for cfg.
func New(cfg Config) (*Clients, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = SandboxURL
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("momo: base URL %q: want an absolute http(s) URL", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.TargetEnvironment == "" {
		cfg.TargetEnvironment = SandboxEnvironment
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = momoauth.DefaultHTTPClient()
	}
	if cfg.Tokens == nil {
		cfg.Tokens = momoauth.NewRegistry()
	}
	// Token fetches and provisioning calls carry no bearer token: they retry right around
	// the HTTP client. (The provisioning API key call carries no key and is not retried,
	// rightly: a repeat would issue another key and invalidate the first.)
	plain := retry.New(cfg.HTTPClient, cfg.Retry)

	c := &Clients{tokens: make(map[momoauth.Product]auth.TokenSource)}
	doers := make(map[momoauth.Product]auth.Doer)
	for _, p := range momoauth.Products {
		src, err := productTokens(cfg, p, plain)
		if err != nil {
			return nil, err
		}
		c.tokens[p] = src
		// The retrier goes outside the authorization, not inside around the HTTP client.
		// Each attempt then takes the current token from the cache (one that expired or was
		// revoked during a wait is replaced, not resent) and gets auth's own refresh and one
		// resend on 401; and the retrier counts every attempt of the call, the resend after
		// a 401 included, so that a 409 RESOURCE_ALREADY_EXIST after a 503 is known for the
		// answer to a retry (an acceptance) rather than taken for a reused reference. Inside,
		// a 401 on a retry would restart the count and turn that acceptance into an error.
		// Errors auth makes of its own (no token, 401 after the refresh) are not retried.
		doers[p] = retry.New(productDoer(cfg, p, src), cfg.Retry)
	}

	var err error
	if c.Provisioning, err = provisioning.NewClientWithResponses(cfg.BaseURL,
		provisioning.WithHTTPClient(plain),
		provisioning.WithRequestEditorFn(auth.Chain(keyEditor(cfg.SubscriptionKeys.Any(), "provisioning"), validation(cfg)))); err != nil {
		return nil, err
	}
	if c.Collection, err = collection.NewClientWithResponses(productURL(cfg, momoauth.Collection),
		collection.WithHTTPClient(doers[momoauth.Collection]),
		collection.WithRequestEditorFn(productEditor(cfg, momoauth.Collection))); err != nil {
		return nil, err
	}
	if c.Disbursement, err = disbursement.NewClientWithResponses(productURL(cfg, momoauth.Disbursement),
		disbursement.WithHTTPClient(doers[momoauth.Disbursement]),
		disbursement.WithRequestEditorFn(productEditor(cfg, momoauth.Disbursement))); err != nil {
		return nil, err
	}
	if c.Remittance, err = remittance.NewClientWithResponses(productURL(cfg, momoauth.Remittance),
		remittance.WithHTTPClient(doers[momoauth.Remittance]),
		remittance.WithRequestEditorFn(productEditor(cfg, momoauth.Remittance))); err != nil {
		return nil, err
	}
	return c, nil
}

// Token returns the current bearer token of product p, fetching one if needed. Calls through
// the wired clients do this themselves; use it to check credentials at start-up.
func (c *Clients) Token(ctx context.Context, p momoauth.Product) (auth.Token, error) {
	src, ok := c.tokens[p]
	if !ok {
		return auth.Token{}, fmt.Errorf("momo: product %q: want collection, disbursement or remittance", p)
	}
	return src.Token(ctx)
}

// NewReferenceID returns a new UUID v4 for X-Reference-Id; see momoauth.NewReferenceID.
func NewReferenceID() uuid.UUID { return momoauth.NewReferenceID() }

func productURL(cfg Config, p momoauth.Product) string { return cfg.BaseURL + "/" + string(p) }

// productEditor puts the product's credentials and environment on a request and then, unless
// switched off, checks it, so that a request MoMo would refuse fails before it is sent.
func productEditor(cfg Config, p momoauth.Product) auth.Editor {
	return auth.Chain(keyEditor(cfg.SubscriptionKeys.For(p), string(p)), momoauth.TargetEnvironment(cfg.TargetEnvironment), validation(cfg))
}

// validation returns the request checks, or nil (skipped by auth.Chain) when switched off.
func validation(cfg Config) auth.Editor {
	if cfg.SkipValidation {
		return nil
	}
	return validate.MoMoEditor()
}

// keyEditor sets the subscription key, or fails the call before it is sent when none was
// configured, naming the product, instead of letting the gateway answer an opaque 401.
func keyEditor(key auth.Secret, product string) auth.Editor {
	if key == "" {
		return func(context.Context, *http.Request) error {
			return fmt.Errorf("momo: %s: no subscription key configured", product)
		}
	}
	return momoauth.SubscriptionKey(key)
}

// productTokens returns the cached token source of product p, fetching with send, or, when
// the credentials to fetch tokens are missing, a source that explains which one.
func productTokens(cfg Config, p momoauth.Product, send auth.Doer) (auth.InvalidatingSource, error) {
	src, err := cfg.Tokens.Source(momoauth.SourceConfig{
		BaseURL:         cfg.BaseURL,
		Product:         p,
		SubscriptionKey: cfg.SubscriptionKeys.For(p),
		APIUser:         cfg.APIUser,
		HTTPClient:      send,
	})
	if err == nil {
		return src, nil
	}
	if cfg.SubscriptionKeys.For(p) == "" || cfg.APIUser.ID == "" || cfg.APIUser.Key == "" {
		return missingCredentials{err}, nil
	}
	return nil, err
}

// productDoer authorizes a product request according to its operation, unless the caller
// already set Authorization: the access and consent token operations get Basic
// authentication with the API user, the consent userinfo operation must bring the consent
// token (sending the product token instead would be refused, so it fails before sending),
// and every other operation gets the cached product token with one retry on 401.
func productDoer(cfg Config, p momoauth.Product, src auth.InvalidatingSource) auth.Doer {
	bearer := auth.Authorize(cfg.HTTPClient, src)
	basic := auth.Basic(cfg.APIUser.ID, cfg.APIUser.Key)
	return auth.DoerFunc(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") == "" {
			switch path := req.URL.Path; {
			case strings.HasSuffix(path, "/token/"):
				if err := basic(req.Context(), req); err != nil {
					return nil, fmt.Errorf("momo: %s token: %w", p, err)
				}
				return cfg.HTTPClient.Do(req)
			case strings.HasSuffix(path, "/oauth2/v1_0/userinfo"):
				return nil, fmt.Errorf("momo: %s GetUserInfoWithConsent: pass the consent token from CreateOauth2Token as the Authorization of the call", p)
			}
		}
		return bearer.Do(req)
	})
}

// missingCredentials fails every token request with the configuration error, so that a
// Clients built for one product still works for it while the others explain themselves.
type missingCredentials struct{ err error }

func (m missingCredentials) Token(context.Context) (auth.Token, error) { return auth.Token{}, m.err }
func (m missingCredentials) Invalidate(auth.Secret)                    {}
