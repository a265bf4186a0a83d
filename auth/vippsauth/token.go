package vippsauth

import (
	"context"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
	"github.com/paykit-go/paykit/wire"
)

// AccessTokenPath is the endpoint of merchant and partner tokens.
const AccessTokenPath = "/accesstoken/get"

// TokenConfig says where access tokens for merchant or partner keys are fetched
// (POST /accesstoken/get) and with which credentials.
type TokenConfig struct {
	// BaseURL is the host, TestURL or ProductionURL (or a simulator's address).
	BaseURL string
	// Credentials are the sales unit's or the partner's keys.
	Credentials Credentials
	// MSN is sent on the token call when non-empty; then the token is that merchant's.
	// Leave it empty to fetch one token that every merchant of a partner can use, and send
	// each merchant's MSN on its API calls instead (see MerchantSerialNumber).
	MSN string
	// System is sent in the Vipps-System-* headers of the token call; empty fields are not.
	System System
	// HTTPClient sends the token requests; nil means DefaultHTTPClient().
	HTTPClient auth.Doer
}

// validate checks the configuration before anything is sent and returns the base URL in
// canonical form.
func (c TokenConfig) validate() (string, error) {
	base, err := validBaseURL(c.BaseURL)
	if err != nil {
		return "", err
	}
	if err := c.Credentials.Validate(); err != nil {
		return "", err
	}
	if c.MSN != "" {
		if err := ValidMSN(c.MSN); err != nil {
			return "", err
		}
	}
	return base, c.System.Validate()
}

// accessTokenFields lists the fields of an /accesstoken/get answer with their Go types.
var accessTokenFields = []field{
	{"access_token", func() any { return new(string) }},
	{"token_type", func() any { return new(string) }},
	{"resource", func() any { return new(string) }},
	{"expires_in", func() any { return new(wire.IntString) }},
	{"ext_expires_in", func() any { return new(wire.IntString) }},
	{"expires_on", func() any { return new(wire.IntString) }},
	{"not_before", func() any { return new(wire.IntString) }},
}

// NewTokenSource returns a source that fetches a new token from POST /accesstoken/get on
// every call, through the generated accesstoken client, sending client_id, client_secret,
// the subscription key and, when configured, the MSN and the system headers. The lifetime is
// expires_in counted from when the request was sent, or expires_on when that is sooner.
//
// Wrap it in an auth.Cache, or get a cached one from a Registry. An answer other than 200 is a
// *TokenError; on 401 it matches ErrCredentialsRefused.
func NewTokenSource(cfg TokenConfig) (auth.TokenSource, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	editors := editorFns(
		auth.Header(ClientIDHeader, cfg.Credentials.ClientID),
		auth.SecretHeader(ClientSecretHeader, cfg.Credentials.ClientSecret),
		SubscriptionKey(cfg.Credentials.SubscriptionKey),
		optionalMSN(cfg.MSN),
		cfg.System.Editor(),
	)
	call := func(ctx context.Context, c *accesstoken.ClientWithResponses) (int, []byte, *tokenBody, error) {
		r, err := c.FetchAuthorizationTokenWithResponse(ctx, nil, editors...)
		if err != nil {
			return 0, nil, nil, err
		}
		var tok *tokenBody
		if t := r.JSON200; t != nil {
			tok = &tokenBody{
				accessToken: t.AccessToken,
				tokenType:   t.TokenType,
				expiresIn:   int64(t.ExpiresIn),
				expiresOn:   int64(t.ExpiresOn),
			}
		}
		return r.StatusCode(), r.Body, tok, nil
	}
	return &fetcher{
		endpoint: AccessTokenPath,
		baseURL:  base,
		doer:     orDefault(cfg.HTTPClient),
		call:     call,
		fields:   accessTokenFields,
		now:      time.Now,
	}, nil
}

// optionalMSN returns the MSN editor, or nil (skipped) when no MSN is configured.
func optionalMSN(msn string) auth.Editor {
	if msn == "" {
		return nil
	}
	return MerchantSerialNumber(msn)
}

// orDefault returns doer, or a new DefaultHTTPClient when it is nil.
func orDefault(doer auth.Doer) auth.Doer {
	if doer == nil {
		return DefaultHTTPClient()
	}
	return doer
}
