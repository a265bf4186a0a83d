package sandbox

import (
	"context"
	"net/http"

	"github.com/paykit-go/paykit/gen/momo/provisioning"
)

// momoProvisioningAPI simulates sandbox provisioning: API users (the X-Reference-Id is the
// id) and their API keys.
type momoProvisioningAPI struct{ f *momoFamily }

var _ provisioning.StrictServerInterface = momoProvisioningAPI{}

// CreateApiUser creates an API user with its callback host; a repeated id answers 409.
func (a momoProvisioningAPI) CreateApiUser(_ context.Context, req provisioning.CreateApiUserRequestObject) (provisioning.CreateApiUserResponseObject, error) {
	id := req.Params.XReferenceId.String()
	return a.f.locked(func() momoReply {
		if _, taken := a.f.users[id]; taken {
			return momoError(http.StatusConflict, momoCodeAlreadyExists)
		}
		a.f.users[id] = &momoUser{id: id, callbackHost: req.Body.ProviderCallbackHost}
		return momoReply{status: http.StatusCreated}
	}), nil
}

// GetApiUser shows an API user's callback host and target environment.
func (a momoProvisioningAPI) GetApiUser(_ context.Context, req provisioning.GetApiUserRequestObject) (provisioning.GetApiUserResponseObject, error) {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	u, ok := a.f.users[req.ApiUserId.String()]
	if !ok {
		return momoError(http.StatusNotFound, momoCodeNotFound), nil
	}
	return provisioning.GetApiUser200JSONResponse{ProviderCallbackHost: u.callbackHost, TargetEnvironment: momoSandboxEnvironment}, nil
}

// CreateApiKey issues a new API key; the previous one stops working at once.
func (a momoProvisioningAPI) CreateApiKey(_ context.Context, req provisioning.CreateApiKeyRequestObject) (provisioning.CreateApiKeyResponseObject, error) {
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	u, ok := a.f.users[req.ApiUserId.String()]
	if !ok {
		return momoError(http.StatusNotFound, momoCodeNotFound), nil
	}
	u.key = momoHex32()
	return provisioning.CreateApiKey201JSONResponse{ApiKey: u.key}, nil
}
