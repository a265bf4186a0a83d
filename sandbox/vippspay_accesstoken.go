package sandbox

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/paykit-go/paykit/gen/vipps/accesstoken"
	"github.com/paykit-go/paykit/gen/vipps/common"
	"github.com/paykit-go/paykit/wire"
)

// vpayTokens implements the access token API: /accesstoken/get for merchant and partner
// keys, /miami/v1/token for management keys.
type vpayTokens struct{ f *vippsPayments }

// vpayTokenResource is the resource id the real endpoint answers with.
const vpayTokenResource = "00000002-0000-0000-c000-000000000000"

func (f *vippsPayments) mountAccessToken(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayTokenBadRequest)
	si := accesstoken.NewStrictHandlerWithOptions(vpayTokens{f}, nil, accesstoken.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	accesstoken.HandlerWithOptions(si, accesstoken.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []accesstoken.MiddlewareFunc{
			accesstoken.MiddlewareFunc(f.s.checked(checked, vpayTokenUnauthorized)),
			// The keys are the token endpoints' own business: the handlers check them,
			// reading the headers this hands on.
			func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(w, withRequest(r)) })
			},
		},
	})
}

// vpayTokenBadRequest answers a malformed token request: the gateway shape on
// /accesstoken/get, an OAuth error on /miami/v1/token.
func vpayTokenBadRequest(w http.ResponseWriter, r *http.Request, fields []vpayField) {
	if r.URL.Path == "/miami/v1/token" {
		writeJSON(w, http.StatusBadRequest, accesstoken.OAuthError{Error: "invalid_request", ErrorDescription: vpayDetail(fields)})
		return
	}
	writeJSON(w, http.StatusBadRequest, common.GatewayError{StatusCode: http.StatusBadRequest, Message: vpayDetail(fields)})
}

// vpayTokenUnauthorized answers a token request without its credentials.
func vpayTokenUnauthorized(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/miami/v1/token" {
		writeJSON(w, http.StatusUnauthorized, accesstoken.OAuthError{Error: "invalid_client", ErrorDescription: "Basic client credentials are required"})
		return
	}
	writeGatewayError(w, &vippsRefusal{Status: http.StatusUnauthorized, Message: "client_id, client_secret and Ocp-Apim-Subscription-Key are required"})
}

// FetchAuthorizationToken issues a token for merchant or partner keys. Every number is
// answered as a string, as the real endpoint does.
func (t vpayTokens) FetchAuthorizationToken(ctx context.Context, req accesstoken.FetchAuthorizationTokenRequestObject) (accesstoken.FetchAuthorizationTokenResponseObject, error) {
	g := t.f.s.vipps
	h := requestOf(ctx).Header
	id, secret, key := h.Get("client_id"), h.Get("client_secret"), h.Get("Ocp-Apim-Subscription-Key")
	kind, ok := g.keysFor(id, secret, key)
	if !ok {
		c := t.f.s.opts.creds.Vipps
		msg := "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
		if key == c.Merchant.SubscriptionKey.Reveal() || key == c.Partner.SubscriptionKey.Reveal() {
			msg = "Invalid client_id or client_secret."
		}
		return accesstoken.FetchAuthorizationToken401JSONResponse{GatewayUnauthorizedJSONResponse: common.GatewayUnauthorizedJSONResponse{StatusCode: http.StatusUnauthorized, Message: msg}}, nil
	}
	var msn string
	if req.Params.MerchantSerialNumber != nil {
		msn = *req.Params.MerchantSerialNumber
		if !g.msnAllowed(kind, msn) {
			return accesstoken.FetchAuthorizationToken403JSONResponse{GatewayForbiddenJSONResponse: common.GatewayForbiddenJSONResponse{
				StatusCode: http.StatusForbidden,
				Message:    "Invalid MSN: " + msn + ". This MSN is not valid for the provided supermerchant ID.",
			}}, nil
		}
	}
	now := t.f.s.now()
	tok, ttl := g.issue(vippsToken{kind: kind, clientID: id, subscriptionKey: key, msn: msn})
	return accesstoken.FetchAuthorizationToken200JSONResponse{
		TokenType:    "Bearer",
		ExpiresIn:    wire.IntString(ttl / time.Second),
		ExtExpiresIn: 0,
		ExpiresOn:    wire.IntString(now.Add(ttl).Unix()),
		NotBefore:    wire.IntString(now.Unix()),
		Resource:     vpayTokenResource,
		AccessToken:  tok,
	}, nil
}

// FetchToken issues a client-credentials token for the management keys: Basic
// authentication, no subscription key, expires_in a number.
func (t vpayTokens) FetchToken(ctx context.Context, _ accesstoken.FetchTokenRequestObject) (accesstoken.FetchTokenResponseObject, error) {
	h := requestOf(ctx).Header
	if h.Get("Ocp-Apim-Subscription-Key") != "" {
		return accesstoken.FetchToken401JSONResponse{Error: "invalid_request", ErrorDescription: "this endpoint takes no Ocp-Apim-Subscription-Key"}, nil
	}
	id, secret, ok := vpayBasic(h.Get("Authorization"))
	c := t.f.s.opts.creds.Vipps
	if !ok || c.ManagementClientID == "" || id != c.ManagementClientID || secret != c.ManagementClientSecret {
		return accesstoken.FetchToken401JSONResponse{Error: "invalid_client", ErrorDescription: "the client credentials were refused"}, nil
	}
	tok, ttl := t.f.s.vipps.issue(vippsToken{kind: vippsManagementKeys, clientID: id})
	return accesstoken.FetchToken200JSONResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: wire.Int(ttl / time.Second)}, nil
}

// vpayBasic decodes "Basic base64(id:secret)"; the scheme is case-insensitive (RFC 7617).
func vpayBasic(h string) (id, secret string, ok bool) {
	scheme, enc, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}
