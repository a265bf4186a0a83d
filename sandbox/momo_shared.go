package sandbox

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/common"
)

// The operations every product has: access token, consent (CIBA), balance and account
// holder checks. Each product's adapter calls these with its own request values.

// momoAuthReq is a consent request started by bc-authorize.
type momoAuthReq struct {
	user, product string
	msisdn        string
	scope         string
	outcome       string // from the consent test values
	expires       time.Time
	used          bool
}

// momoConsent is a consent access token (and the refresh token issued with it).
type momoConsent struct {
	user, product string
	msisdn        string
	scope         string
	outcome       string
	expires       time.Time
	refreshEnds   time.Time
	revoked       bool
}

// How long a consent request waits for the holder, and how often the wallet asks to poll.
const (
	momoAuthReqLifetime = 2 * time.Minute
	momoAuthReqInterval = 5
	momoRefreshLifetime = 24 * time.Hour
)

// accessToken issues a product token to the API user the credential check accepted.
func (f *momoFamily) accessToken(ctx context.Context) momoReply {
	c := momoCallerOf(ctx)
	tok, ttl := f.issueToken(c.user, c.product)
	return momoReply{
		status: http.StatusOK,
		body:   common.AccessToken{AccessToken: tok, TokenType: "access_token", ExpiresIn: momoSeconds(ttl)},
		header: http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
	}
}

// bcAuthorize starts a consent request for the holder named by login_hint
// ("ID:<msisdn>/MSISDN"). The holder decides at once, as the consent test values say;
// the answer is fetched with the ciba grant.
func (f *momoFamily) bcAuthorize(ctx context.Context, env string, callback *string, body *common.BcAuthorizeRequest) momoReply {
	c := momoCallerOf(ctx)
	return f.locked(func() momoReply {
		if env != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		if callback != nil && !f.callbackHostOK(c.user, *callback) {
			return momoError(http.StatusInternalServerError, momoCodeCallbackHost)
		}
		msisdn, ok := momoLoginHint(body.LoginHint)
		if !ok {
			return momoValidation("request body: login_hint: want ID:<msisdn>/MSISDN")
		}
		outcome := momoConsentValues[msisdn]
		if outcome == momoConsentUnknownUser {
			return momoErrorMessage(http.StatusBadRequest, "unknown_user_id", "The account holder was not found.")
		}
		id := uuid.NewString()
		f.authReqs[id] = &momoAuthReq{user: c.user, product: c.product, msisdn: msisdn, scope: body.Scope,
			outcome: outcome, expires: f.now().Add(momoAuthReqLifetime)}
		return momoOK(common.BcAuthorizeResponse{AuthReqId: id, Interval: momoAuthReqInterval, ExpiresIn: float32(momoAuthReqLifetime / time.Second)})
	})
}

// momoLoginHint reads the MSISDN of "ID:46733123450/MSISDN".
func momoLoginHint(hint string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(hint), "ID:")
	if !ok {
		return "", false
	}
	id, kind, _ := strings.Cut(rest, "/")
	if id == "" || (kind != "" && !strings.EqualFold(kind, "MSISDN")) {
		return "", false
	}
	return id, true
}

// The OAuth 2.0 and CIBA error codes the consent token answers with (as ErrorReason codes).
const (
	momoOAuthPending      = "authorization_pending"
	momoOAuthDenied       = "access_denied"
	momoOAuthExpired      = "expired_token"
	momoOAuthInvalidGrant = "invalid_grant"
	momoOAuthBadRequest   = "invalid_request"
	momoOAuthGrantType    = "unsupported_grant_type"
	momoGrantCIBA         = "urn:openid:params:grant-type:ciba"
	momoGrantRefresh      = "refresh_token"
)

// oauth2Token exchanges a consent request (ciba grant) or a refresh token for a consent
// token. A consent request is good for one token.
func (f *momoFamily) oauth2Token(ctx context.Context, env string, body *common.Oauth2TokenRequest) momoReply {
	c := momoCallerOf(ctx)
	oauthError := func(code, msg string) momoReply { return momoErrorMessage(http.StatusBadRequest, code, msg) }
	return f.locked(func() momoReply {
		if env != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		now := f.now()
		var base momoConsent
		switch body.GrantType {
		case momoGrantCIBA:
			if body.AuthReqId == "" {
				return momoValidation("request body: auth_req_id: required with the ciba grant")
			}
			req := f.authReqs[body.AuthReqId]
			switch {
			case req == nil || req.user != c.user || req.product != c.product:
				return oauthError(momoOAuthInvalidGrant, "Unknown auth_req_id.")
			case !now.Before(req.expires) || req.outcome == momoConsentExpired:
				return oauthError(momoOAuthExpired, "The consent request has expired.")
			case req.outcome == momoConsentRejected:
				return oauthError(momoOAuthDenied, "The account holder rejected the consent request.")
			case req.outcome == momoConsentPending:
				return oauthError(momoOAuthPending, "The account holder has not answered yet.")
			case req.used || req.outcome == momoConsentAlreadyUsed:
				return oauthError(momoOAuthInvalidGrant, "The consent has already been used.")
			}
			req.used = true
			base = momoConsent{user: c.user, product: c.product, msisdn: req.msisdn, scope: req.scope, outcome: req.outcome}
		case momoGrantRefresh:
			if body.RefreshToken == "" {
				return momoValidation("request body: refresh_token: required with the refresh_token grant")
			}
			old := f.refresh[body.RefreshToken]
			switch {
			case old == nil || old.user != c.user || old.product != c.product:
				return oauthError(momoOAuthInvalidGrant, "Unknown refresh_token.")
			case !now.Before(old.refreshEnds):
				return oauthError(momoOAuthInvalidGrant, "The refresh token has expired.")
			}
			delete(f.refresh, body.RefreshToken)
			base = *old
		default:
			return oauthError(momoOAuthGrantType, "grant_type: want "+momoGrantCIBA+" or "+momoGrantRefresh+".")
		}
		ttl := f.s.opts.tokenTTL
		tok := &base
		tok.expires = now.Add(ttl)
		tok.refreshEnds = now.Add(momoRefreshLifetime)
		if tok.outcome == momoConsentRefreshExpired {
			tok.refreshEnds = now
		}
		tok.revoked = tok.outcome == momoConsentRevoked
		access, refresh := uuid.NewString(), uuid.NewString()
		f.consents[access] = tok
		f.refresh[refresh] = tok
		return momoReply{
			status: http.StatusOK,
			body: common.Oauth2TokenResponse{
				AccessToken: access, TokenType: "Bearer", ExpiresIn: float32(momoSeconds(ttl)), Scope: tok.scope,
				RefreshToken: refresh, RefreshTokenExpiredIn: int(tok.refreshEnds.Sub(now) / time.Second),
			},
			header: http.Header{"Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
		}
	})
}

// userInfo answers what the holder consented to share: the sandbox's own identity, with
// the holder's number. A consent whose scope was deleted shares only the subject.
func (f *momoFamily) userInfo(ctx context.Context, env string) momoReply {
	c := momoCallerOf(ctx)
	if env != momoSandboxEnvironment {
		return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
	}
	if c.consent.outcome == momoConsentDeletedScope {
		return momoOK(common.ConsentKycResponse{Sub: "0"})
	}
	var addr common.AddressOrText
	_ = addr.FromAddress(common.Address{
		Formatted: "Sandvägen 1, 371 30 Karlskrona, Sweden", StreetAddress: "Sandvägen 1",
		PostalCode: "371 30", Locality: "Karlskrona", Region: "Blekinge", Country: "SE",
	})
	return momoOK(common.ConsentKycResponse{
		Sub: "0", Name: "Sand Box", GivenName: "Sand", FamilyName: "Box", Birthdate: "1976-08-13",
		Locale: "sv_SE", Gender: "MALE", Status: "ACTIVE", Active: true,
		PhoneNumber: c.consent.msisdn, PhoneNumberVerified: true,
		Email: "sand.box@example.com", EmailVerified: true, Address: addr,
		CreditScore: "123", UpdatedAt: common.TextOrNumber(momoUnix(f.now())),
		CountryOfBirth: "SE", CityOfBirth: "Karlskrona", Occupation: "Tester",
		IdentificationType: "PASS", IdentificationValue: "SB0000000",
	})
}

// MoMoBalanceScenario is what the simulated balance operations answer for an API user: the
// sandbox names these scenarios without saying how to reach them, so a test picks one with
// Sandbox.SetMoMoBalanceScenario (or PUT /_sandbox/momo/balance-scenario/{apiUser}).
type MoMoBalanceScenario string

// Balance scenarios.
const (
	// MoMoBalanceSuccess answers the account's real balance (the default).
	MoMoBalanceSuccess MoMoBalanceScenario = "Success"
	// MoMoBalanceAccountNotFound answers 500 RESOURCE_NOT_FOUND (the operation declares no 404).
	MoMoBalanceAccountNotFound MoMoBalanceScenario = "AccountNotFound"
	// MoMoBalanceZero answers a balance of 0.
	MoMoBalanceZero MoMoBalanceScenario = "ZeroBalance"
	// MoMoBalanceNegative answers a balance of -100.
	MoMoBalanceNegative MoMoBalanceScenario = "NegativeBalance"
	// MoMoBalanceNotAllowed answers 500 NOT_ALLOWED.
	MoMoBalanceNotAllowed MoMoBalanceScenario = "NotAllowed"
	// MoMoBalanceNotAllowedTargetEnvironment answers 500 NOT_ALLOWED_TARGET_ENVIRONMENT.
	MoMoBalanceNotAllowedTargetEnvironment MoMoBalanceScenario = "NotAllowedTargetEnvironment"
	// MoMoBalanceInternalError answers 500 INTERNAL_PROCESSING_ERROR.
	MoMoBalanceInternalError MoMoBalanceScenario = "InternalProcessingError"
	// MoMoBalanceServiceUnavailable answers 503 SERVICE_UNAVAILABLE.
	MoMoBalanceServiceUnavailable MoMoBalanceScenario = "ServiceUnavailable"
)

// valid reports whether sc is a known scenario.
func (sc MoMoBalanceScenario) valid() bool {
	switch sc {
	case MoMoBalanceSuccess, MoMoBalanceAccountNotFound, MoMoBalanceZero, MoMoBalanceNegative, MoMoBalanceNotAllowed,
		MoMoBalanceNotAllowedTargetEnvironment, MoMoBalanceInternalError, MoMoBalanceServiceUnavailable:
		return true
	}
	return false
}

// balance answers the caller's balance in its product; currency is "" for the account's
// own currency.
func (f *momoFamily) balance(ctx context.Context, env, currency string) momoReply {
	c := momoCallerOf(ctx)
	return f.locked(func() momoReply {
		if env != momoSandboxEnvironment {
			return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
		}
		if currency != "" && currency != momoSandboxCurrency {
			return momoError(http.StatusInternalServerError, momoCodeCurrency)
		}
		amount := momoDecimal(f.accountLocked(c.user, c.product))
		switch f.scenario[c.user] {
		case MoMoBalanceAccountNotFound:
			return momoError(http.StatusInternalServerError, momoCodeNotFound)
		case MoMoBalanceZero:
			amount = "0"
		case MoMoBalanceNegative:
			amount = "-100"
		case MoMoBalanceNotAllowed:
			return momoStatusError(momoCodeNotAllowed)
		case MoMoBalanceNotAllowedTargetEnvironment:
			return momoStatusError(momoCodeTargetEnvironment)
		case MoMoBalanceInternalError:
			return momoStatusError(momoCodeInternal)
		case MoMoBalanceServiceUnavailable:
			return momoStatusError(momoCodeUnavailable)
		}
		return momoOK(common.Balance{AvailableBalance: common.Decimal(amount), Currency: momoSandboxCurrency})
	})
}

// accountHolderActive answers whether the holder is active: false for the NotFound and
// NotActive test values, the test value's error for the others, true for everyone else.
func (f *momoFamily) accountHolderActive(env, idType, id string) momoReply {
	if env != momoSandboxEnvironment {
		return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
	}
	switch o := momoHolder(idType, id); o {
	case momoHolderActive:
		return momoOK(common.BooleanResult{Result: true})
	case momoHolderNotFound, momoHolderNotActive:
		return momoOK(common.BooleanResult{Result: false})
	default:
		return momoStatusError(o)
	}
}

// basicUserInfo answers the holder's name and basic details (the sandbox identity): 404
// for the NotFound test values, status NOT_ACTIVE for the NotActive ones.
func (f *momoFamily) basicUserInfo(env, idType, id string) momoReply {
	if env != momoSandboxEnvironment {
		return momoError(http.StatusInternalServerError, momoCodeTargetEnvironment)
	}
	info := common.BasicUserInfo{
		Sub: "0", Name: "Sand Box", GivenName: "Sand", FamilyName: "Box", Birthdate: "1976-08-13",
		Locale: "sv_SE", Gender: "MALE", Status: "ACTIVE", UpdatedAt: common.TextOrNumber(momoUnix(f.now())),
	}
	switch o := momoHolder(idType, id); o {
	case momoHolderActive:
	case momoHolderNotFound:
		return momoError(http.StatusNotFound, momoCodeNotFound)
	case momoHolderNotActive:
		info.Status = "NOT_ACTIVE"
	default:
		return momoStatusError(o)
	}
	return momoOK(info)
}

// momoUnix writes t as Unix seconds.
func momoUnix(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10)
}
