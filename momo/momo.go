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
	// Tokens shares token caches between several Clients with the same credentials; nil
	// means a registry of this Clients' own.
	Tokens *momoauth.Registry
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

	c := &Clients{tokens: make(map[momoauth.Product]auth.TokenSource)}
	doers := make(map[momoauth.Product]auth.Doer)
	for _, p := range momoauth.Products {
		src, err := productTokens(cfg, p)
		if err != nil {
			return nil, err
		}
		c.tokens[p] = src
		doers[p] = productDoer(cfg, p, src)
	}

	var err error
	if c.Provisioning, err = provisioning.NewClientWithResponses(cfg.BaseURL,
		provisioning.WithHTTPClient(cfg.HTTPClient),
		provisioning.WithRequestEditorFn(keyEditor(cfg.SubscriptionKeys.Any(), "provisioning"))); err != nil {
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

func productEditor(cfg Config, p momoauth.Product) auth.Editor {
	return auth.Chain(keyEditor(cfg.SubscriptionKeys.For(p), string(p)), momoauth.TargetEnvironment(cfg.TargetEnvironment))
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

// productTokens returns the cached token source of product p, or, when the credentials to
// fetch tokens are missing, a source that explains which one.
func productTokens(cfg Config, p momoauth.Product) (auth.InvalidatingSource, error) {
	src, err := cfg.Tokens.Source(momoauth.SourceConfig{
		BaseURL:         cfg.BaseURL,
		Product:         p,
		SubscriptionKey: cfg.SubscriptionKeys.For(p),
		APIUser:         cfg.APIUser,
		HTTPClient:      cfg.HTTPClient,
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
