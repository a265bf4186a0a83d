package vippsauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
	"github.com/paykit-go/paykit/wire"
)

// DefaultManagementTokenPath is today's path of the client-credentials token endpoint.
const DefaultManagementTokenPath = "/miami/v1/token"

// ManagementTokenConfig says where client-credentials tokens for management keys (Management
// API), accounting keys (Report API) and merchant-level Donations keys are fetched, and with
// which credentials. These keys have no subscription key: the endpoint refuses one.
type ManagementTokenConfig struct {
	// BaseURL is the host, usually ProductionURL: the specification lists only production for
	// this endpoint, though the test host is said to serve it too.
	BaseURL string
	// ClientID is the keys' client_id; it must not contain a colon (Basic authentication).
	ClientID string
	// ClientSecret is the keys' client_secret.
	ClientSecret auth.Secret
	// TokenPath is the endpoint's path, DefaultManagementTokenPath when empty. It is
	// configurable because the path is announced to become /authentication/v1/token.
	TokenPath string
	// HTTPClient sends the token requests; nil means DefaultHTTPClient().
	HTTPClient auth.Doer
}

// tokenPath returns the configured path or the default.
func (c ManagementTokenConfig) tokenPath() string {
	if c.TokenPath == "" {
		return DefaultManagementTokenPath
	}
	return c.TokenPath
}

// validate checks the configuration before anything is sent and returns the base URL in
// canonical form.
func (c ManagementTokenConfig) validate() (string, error) {
	base, err := validBaseURL(c.BaseURL)
	if err != nil {
		return "", err
	}
	switch p := c.tokenPath(); {
	case c.ClientID == "":
		return "", errors.New("vipps: management credentials: ClientID (client_id) is required")
	case strings.Contains(c.ClientID, ":"):
		// Basic authentication splits at the first colon, so such an id cannot log in.
		return "", errors.New("vipps: management credentials: ClientID must not contain ':'")
	case c.ClientSecret == "":
		return "", errors.New("vipps: management credentials: ClientSecret (client_secret) is required")
	case !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#"):
		return "", fmt.Errorf("vipps: management token path %q: want an absolute path such as %s", p, DefaultManagementTokenPath)
	}
	return base, nil
}

// managementTokenFields lists the fields of a client-credentials answer with their Go types.
var managementTokenFields = []field{
	{"access_token", func() any { return new(string) }},
	{"token_type", func() any { return new(string) }},
	{"expires_in", func() any { return new(wire.Int) }},
}

// NewManagementTokenSource returns a source that fetches a new token from the
// client-credentials endpoint (POST /miami/v1/token, or TokenPath) on every call, through the
// generated accesstoken client: Basic authentication with client_id and client_secret, the
// form body grant_type=client_credentials, and never a subscription key. expires_in is read
// as a number or a string.
//
// Wrap it in an auth.Cache, or get a cached one from a Registry. An answer other than 200 is a
// *TokenError; on 401 it matches ErrCredentialsRefused.
func NewManagementTokenSource(cfg ManagementTokenConfig) (auth.TokenSource, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("vipps: base URL: %w", err)
	}
	path := u.Path + cfg.tokenPath() // validBaseURL left no trailing slash to double
	editors := editorFns(
		auth.Basic(cfg.ClientID, cfg.ClientSecret),
		rewritePath(path),
	)
	body := accesstoken.ClientCredentialsRequest{GrantType: accesstoken.ClientCredentials}
	call := func(ctx context.Context, c *accesstoken.ClientWithResponses) (int, []byte, *tokenBody, error) {
		r, err := c.FetchTokenWithFormdataBodyWithResponse(ctx, nil, body, editors...)
		if err != nil {
			return 0, nil, nil, err
		}
		var tok *tokenBody
		if t := r.JSON200; t != nil {
			tok = &tokenBody{accessToken: t.AccessToken, tokenType: t.TokenType, expiresIn: int64(t.ExpiresIn)}
		}
		return r.StatusCode(), r.Body, tok, nil
	}
	return &fetcher{
		endpoint: cfg.tokenPath(),
		baseURL:  base,
		doer:     orDefault(cfg.HTTPClient),
		call:     call,
		fields:   managementTokenFields,
		now:      time.Now,
	}, nil
}

// rewritePath returns an editor that sends the request to path instead of the path the
// generated operation was written for, so a moved endpoint needs configuration, not a new
// release.
func rewritePath(path string) auth.Editor {
	return func(_ context.Context, req *http.Request) error {
		if req.URL.Path != path {
			req.URL.Path, req.URL.RawPath = path, ""
		}
		return nil
	}
}
