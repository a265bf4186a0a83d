package momoauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/remittance"
)

// Errors a token fetch can match with errors.Is.
var (
	// ErrBadCredentials: the wallet refused the API user or API key (401 {"error":...} as
	// documented, 500 {"error":"login_failed"} as the gateways answer).
	ErrBadCredentials = errors.New("momo: API user or API key refused")
	// ErrSubscriptionKeyRefused: the gateway refused the product's subscription key.
	ErrSubscriptionKeyRefused = errors.New("momo: subscription key refused")
)

// TokenError is a token request that did not return a token.
type TokenError struct {
	Product    Product
	StatusCode int
	// Code is the error code from the body ("login_failed", "SERVICE_UNAVAILABLE"), if any.
	Code string
	// Message is the body's message, if any.
	Message string
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("momo: %s token: HTTP %d", e.Product, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches ErrBadCredentials and ErrSubscriptionKeyRefused.
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrBadCredentials:
		return e.Code == "login_failed" || (e.StatusCode == http.StatusUnauthorized && e.Code != "" && !e.gateway())
	case ErrSubscriptionKeyRefused:
		return e.StatusCode == http.StatusUnauthorized && e.gateway()
	}
	return false
}

// gateway reports whether the gateway, not the wallet, refused the call: its refusals carry
// no code, only statusCode and message.
func (e *TokenError) gateway() bool { return e.Code == "" && e.Message != "" }

// SourceConfig says where tokens are fetched and with which credentials.
type SourceConfig struct {
	// BaseURL is the gateway, e.g. SandboxURL; the product path is appended.
	BaseURL string
	// Product is the product the tokens are for; a token works for that product only.
	Product Product
	// SubscriptionKey is the product's gateway key.
	SubscriptionKey auth.Secret
	// APIUser is the wallet credential exchanged for the token.
	APIUser APIUser
	// HTTPClient sends the token requests; nil means a client with a 30 s timeout that
	// follows no redirects.
	HTTPClient auth.Doer
}

func (c SourceConfig) validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil || u.Scheme == "" || u.Host == "":
		return fmt.Errorf("momo: base URL %q: want an absolute http(s) URL", c.BaseURL)
	case !c.Product.Valid():
		return fmt.Errorf("momo: product %q: want collection, disbursement or remittance", c.Product)
	case c.SubscriptionKey == "":
		return fmt.Errorf("momo: %s subscription key: required", c.Product)
	case c.APIUser.ID == "":
		return errors.New("momo: API user id: required")
	case strings.Contains(c.APIUser.ID, ":"):
		return errors.New("momo: API user id: must not contain ':'")
	case c.APIUser.Key == "":
		return errors.New("momo: API key: required")
	}
	return nil
}

// tokenAnswer is what every product's generated CreateAccessToken response offers.
type tokenAnswer interface {
	StatusCode() int
	GetBody() []byte
	GetJSON200() *common.AccessToken
}

type tokenCall func(ctx context.Context, editors ...auth.Editor) (tokenAnswer, error)

// callVia adapts one product's generated CreateAccessTokenWithResponse, whose editor and
// response types are that package's own, to tokenCall.
func callVia[E ~func(context.Context, *http.Request) error, R tokenAnswer](do func(context.Context, ...E) (R, error)) tokenCall {
	return func(ctx context.Context, editors ...auth.Editor) (tokenAnswer, error) {
		converted := make([]E, len(editors))
		for i, e := range editors {
			converted[i] = E(e)
		}
		answer, err := do(ctx, converted...)
		if err != nil {
			return nil, err
		}
		return answer, nil
	}
}

// fetcher gets a new token on every call.
type fetcher struct {
	product Product
	call    tokenCall
	editors []auth.Editor
	now     func() time.Time
}

// NewTokenSource returns a source that fetches a new token from POST /{product}/token/ on
// every call, through the generated client of the product. Wrap it in an auth.Cache, or get
// a cached one from a Registry.
func NewTokenSource(cfg SourceConfig) (auth.TokenSource, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	doer := cfg.HTTPClient
	if doer == nil {
		doer = DefaultHTTPClient()
	}
	base := strings.TrimRight(cfg.BaseURL, "/") + "/" + string(cfg.Product)
	var (
		call tokenCall
		err  error
	)
	switch cfg.Product {
	case Collection:
		var c *collection.ClientWithResponses
		if c, err = collection.NewClientWithResponses(base, collection.WithHTTPClient(doer)); err == nil {
			call = callVia(c.CreateAccessTokenWithResponse)
		}
	case Disbursement:
		var c *disbursement.ClientWithResponses
		if c, err = disbursement.NewClientWithResponses(base, disbursement.WithHTTPClient(doer)); err == nil {
			call = callVia(c.CreateAccessTokenWithResponse)
		}
	case Remittance:
		var c *remittance.ClientWithResponses
		if c, err = remittance.NewClientWithResponses(base, remittance.WithHTTPClient(doer)); err == nil {
			call = callVia(c.CreateAccessTokenWithResponse)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("momo: %s token client: %w", cfg.Product, err)
	}
	return &fetcher{
		product: cfg.Product,
		call:    call,
		editors: []auth.Editor{SubscriptionKey(cfg.SubscriptionKey), auth.Basic(cfg.APIUser.ID, cfg.APIUser.Key)},
		now:     time.Now,
	}, nil
}

// Token fetches a new token.
func (f *fetcher) Token(ctx context.Context) (auth.Token, error) {
	start := f.now()
	answer, err := f.call(ctx, f.editors...)
	if err != nil {
		return auth.Token{}, fmt.Errorf("momo: %s token: %w", f.product, err)
	}
	if answer.StatusCode() != http.StatusOK {
		return auth.Token{}, tokenError(f.product, answer.StatusCode(), answer.GetBody())
	}
	tok := answer.GetJSON200()
	switch {
	case tok == nil:
		return auth.Token{}, fmt.Errorf("momo: %s token: HTTP 200 without a JSON token body", f.product)
	case tok.AccessToken == "":
		return auth.Token{}, fmt.Errorf("momo: %s token: answer has no access_token", f.product)
	case tok.ExpiresIn <= 0:
		return auth.Token{}, fmt.Errorf("momo: %s token: answer has expires_in %d, want a positive number of seconds", f.product, tok.ExpiresIn)
	}
	// The lifetime counts from when the request was sent, not from when the answer was
	// read, so a slow answer cannot make the token look fresher than it is.
	return auth.Token{
		AccessToken: auth.Secret(tok.AccessToken),
		TokenType:   tok.TokenType,
		Expiry:      start.Add(time.Duration(tok.ExpiresIn) * time.Second),
	}, nil
}

// tokenError decodes whichever error body came back: {"error":...} from the wallet,
// {"code","message"} from the gateway's wallet layer, {"statusCode","message"} from the
// gateway itself, or nothing.
func tokenError(p Product, status int, body []byte) *TokenError {
	var shape struct {
		Error   string `json:"error"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &shape) // an empty or non-JSON body leaves the fields empty
	e := &TokenError{Product: p, StatusCode: status, Code: shape.Code, Message: shape.Message}
	if shape.Error != "" {
		e.Code = shape.Error
	}
	const maxMessage = 200
	if len(e.Message) > maxMessage {
		e.Message = e.Message[:maxMessage] + "…"
	}
	return e
}
