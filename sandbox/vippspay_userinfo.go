package sandbox

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit/gen/vipps/userinfo"
)

// vpayLoginPath is the Login-flow userinfo endpoint, which takes the user's own token and
// refuses a subscription key.
const vpayLoginPath = "/vipps-userinfo-api/userinfo/"

// vpayUserinfo implements the userinfo API for the sandbox's test user.
type vpayUserinfo struct{ f *vippsPayments }

func (f *vippsPayments) mountUserinfo(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayUserinfoBadRequest)
	si := userinfo.NewStrictHandlerWithOptions(vpayUserinfo{f}, nil, userinfo.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	userinfo.HandlerWithOptions(si, userinfo.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []userinfo.MiddlewareFunc{
			userinfo.MiddlewareFunc(f.s.checked(checked, vpayUnauthorized)),
			userinfo.MiddlewareFunc(f.gate(f.authorizeUserinfo,
				func(w http.ResponseWriter, _ *http.Request, refusal *vippsRefusal) { writeGatewayError(w, refusal) })),
		},
	})
}

// authorizeUserinfo checks the merchant's token and key on GetUserinfo. The Login variant
// takes any Bearer token (the user's, which the sandbox does not issue) and, as the real
// API, refuses a subscription key with 401.
func (f *vippsPayments) authorizeUserinfo(r *http.Request) (vippsCaller, *vippsRefusal) {
	if r.URL.Path != vpayLoginPath {
		return f.authorize(r, true)
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok || strings.TrimSpace(raw) == "":
		return vippsCaller{}, &vippsRefusal{Status: http.StatusUnauthorized, Message: "Authorization: a Bearer token is required"}
	case r.Header.Get("Ocp-Apim-Subscription-Key") != "":
		return vippsCaller{}, &vippsRefusal{Status: http.StatusUnauthorized, Message: "The Login userinfo endpoint takes no Ocp-Apim-Subscription-Key"}
	}
	return vippsCaller{}, nil
}

func vpayUserinfoError(status int, title, detail string, extra any) userinfo.UserinfoError {
	return userinfo.UserinfoError{Type: "https://developer.vippsmobilepay.com/docs/APIs/userinfo-api", Title: title,
		Status: strconv.Itoa(status), Detail: detail, Instance: traceID(), ExtraInfo: extra}
}

// vpayUserinfoBadRequest answers a malformed userinfo request; extraInfo names the fields.
func vpayUserinfoBadRequest(w http.ResponseWriter, _ *http.Request, fields []vpayField) {
	extra := make([]map[string]string, 0, len(fields))
	for _, fl := range fields {
		extra = append(extra, map[string]string{"name": fl.Name, "reason": fl.Reason})
	}
	writeJSON(w, http.StatusBadRequest, vpayUserinfoError(http.StatusBadRequest, "Bad Request", vpayDetail(fields), extra))
}

// vpayTestUser is the sandbox's test user, with the phone number that approved.
func vpayTestUser(phone string) userinfo.Userinfo {
	if phone == "" {
		phone = vpayTestPhone
	}
	addr := userinfo.Address{
		AddressType: "home", Country: "NO", Default: true, Formatted: "Robert Levins gate 5\n0154 Oslo\nNO",
		PostalCode: "0154", Region: "Oslo", StreetAddress: "Robert Levins gate 5",
	}
	return userinfo.Userinfo{
		Name: "Kari Nordmann", GivenName: "Kari", FamilyName: "Nordmann",
		Email: "kari.nordmann@example.com", EmailVerified: true,
		Birthdate: "1990-12-31", Nin: "31129012345", PhoneNumber: phone,
		Address: addr, OtherAddresses: []userinfo.Address{addr},
	}
}

// vpayClaims keeps the claims of u that scope (ePayment's profile scope names) shares.
func vpayClaims(u userinfo.Userinfo, scope, sub string) userinfo.Userinfo {
	has := func(s string) bool { return slices.Contains(strings.Fields(scope), s) }
	out := userinfo.Userinfo{Sub: sub}
	if has("name") {
		out.Name, out.GivenName, out.FamilyName = u.Name, u.GivenName, u.FamilyName
	}
	if has("email") {
		out.Email, out.EmailVerified = u.Email, u.EmailVerified
	}
	if has("phoneNumber") {
		out.PhoneNumber = u.PhoneNumber
	}
	if has("address") {
		out.Address, out.OtherAddresses = u.Address, u.OtherAddresses
	}
	if has("birthDate") {
		out.Birthdate = u.Birthdate
	}
	if has("nin") {
		out.Nin = u.Nin
	}
	return out
}

// GetUserinfo answers the claims the user shared with the caller's merchant: sub must come
// from an AUTHORIZED payment of that merchant that asked for a profile scope.
func (u vpayUserinfo) GetUserinfo(ctx context.Context, req userinfo.GetUserinfoRequestObject) (userinfo.GetUserinfoResponseObject, error) {
	f := u.f
	msn := callerOf(ctx).MSN
	f.mu.Lock()
	var emissions []vpayEmission
	var found *vpayPayment
	for _, p := range f.created {
		if p.msn != msn || p.sub != req.Sub {
			continue
		}
		emissions = append(emissions, f.refreshLocked(p)...)
		if p.state == vpayAuthorized {
			found = p
		}
	}
	var claims userinfo.Userinfo
	if found != nil {
		claims = vpayClaims(vpayTestUser(found.phone), found.scope, found.sub)
	}
	f.mu.Unlock()
	f.emit(emissions)
	if found == nil {
		return userinfo.GetUserinfo404JSONResponse{NotFoundJSONResponse: userinfo.NotFoundJSONResponse(
			vpayUserinfoError(http.StatusNotFound, "Not Found", "No user with sub "+req.Sub+" for this merchant", nil))}, nil
	}
	return userinfo.GetUserinfo200JSONResponse(claims), nil
}

// GetUserinfoWithLoginToken answers the test user's claims for any Login token.
func (u vpayUserinfo) GetUserinfoWithLoginToken(context.Context, userinfo.GetUserinfoWithLoginTokenRequestObject) (userinfo.GetUserinfoWithLoginTokenResponseObject, error) {
	claims := vpayTestUser("")
	claims.Sub = vpaySub("login", vpayTestPhone)
	claims.Sid = "sandbox-session"
	return userinfo.GetUserinfoWithLoginToken200JSONResponse(claims), nil
}
