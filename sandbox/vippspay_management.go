package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/management"
)

// The merchants (organisations) the sandbox knows: the merchant keys' own, and the one the
// partner's sales units belong to.
const (
	vpayOrgScheme   = "business:NO:ORG"
	vpayMerchantOrg = "987654321"
	vpayPartnerOrg  = "912345678"
)

// vpayOrgNames names the organisations.
var vpayOrgNames = map[string]string{vpayMerchantOrg: "Sandbox Merchant AS", vpayPartnerOrg: "Sandbox Partner Client AS"}

// vpayOrgSince is when the sandbox's merchants were registered.
var vpayOrgSince = time.Date(2021, time.March, 1, 9, 0, 0, 0, time.UTC)

// vpayUnit is a sales unit of the sandbox: the credentials' MSNs with names.
type vpayUnit struct {
	msn, name, org string
}

// units lists every sales unit of the credentials: the merchant keys' MSN, then the
// partner's.
func (f *vippsPayments) units() []vpayUnit {
	c := f.s.opts.creds.Vipps
	var out []vpayUnit
	if c.MerchantMSN != "" {
		out = append(out, vpayUnit{msn: c.MerchantMSN, name: "Sandbox Merchant", org: vpayMerchantOrg})
	}
	for i, msn := range c.PartnerMSNs {
		out = append(out, vpayUnit{msn: msn, name: fmt.Sprintf("Sandbox Partner Shop %d", i+1), org: vpayPartnerOrg})
	}
	return out
}

// visible lists the sales units the caller may see: its own for merchant keys, the
// partner's for partner and management keys.
func (f *vippsPayments) visible(c vippsCaller) []vpayUnit {
	kind := c.Kind
	if kind == vippsManagementKeys {
		kind = vippsPartnerKeys
	}
	var out []vpayUnit
	for _, u := range f.units() {
		if f.s.vipps.msnAllowed(kind, u.msn) {
			out = append(out, u)
		}
	}
	return out
}

// unit finds a sales unit: the one visible to the caller, or whether it exists at all.
func (f *vippsPayments) unit(c vippsCaller, msn string) (u vpayUnit, visible, exists bool) {
	for _, x := range f.units() {
		if x.msn == msn {
			u, exists = x, true
		}
	}
	for _, x := range f.visible(c) {
		if x.msn == msn {
			return x, true, true
		}
	}
	return u, false, exists
}

// vpayOrder is a pre-filled product order, from the management or the partner API.
type vpayOrder struct {
	id          uuid.UUID
	owner       string
	business    management.BusinessIdentifier
	productType string
	url         string
	status      string
}

// orderOwner says whose product orders a caller sees: a partner's keys and its management
// keys share them; merchant keys may not order.
func orderOwner(c vippsCaller) (string, bool) {
	switch c.Kind {
	case vippsPartnerKeys, vippsManagementKeys:
		return "partner", true
	}
	return "", false
}

// vpayPricePackages are the partner's price packages.
var vpayPricePackages = []management.PricePackage{
	{PricePackageId: uuid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Name: "Sandbox Standard", Description: "2.99%",
		VisibleInSignupForm: true, ProductType: "PAYMENT_INTEGRATION", Market: "NO", Commission: "30 %"},
	{PricePackageId: uuid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3302"), Name: "Sandbox Login", Description: "0%",
		ProductType: "LOGIN", Market: "NO"},
}

// newOrderLocked records a pre-filled order and returns it.
func (f *vippsPayments) newOrderLocked(owner string, business management.BusinessIdentifier, productType string) *vpayOrder {
	id := uuid.New()
	o := &vpayOrder{id: id, owner: owner, business: business, productType: productType,
		url: "https://portal.vippsmobilepay.com/register/prefilled/" + id.String(), status: "RECEIVED"}
	f.orders = append(f.orders, o)
	return o
}

func (f *vippsPayments) findOrderLocked(owner string, id uuid.UUID) (int, *vpayOrder) {
	for i, o := range f.orders {
		if o.id == id && o.owner == owner {
			return i, o
		}
	}
	return -1, nil
}

// vpayManagement implements the management API.
type vpayManagement struct{ f *vippsPayments }

func (f *vippsPayments) mountManagement(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayManagementBadRequest)
	si := management.NewStrictHandlerWithOptions(vpayManagement{f}, nil, management.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	management.HandlerWithOptions(si, management.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []management.MiddlewareFunc{
			management.MiddlewareFunc(f.s.checked(checked, vpayUnauthorized)),
			management.MiddlewareFunc(f.gate(f.authorizeManagement, vpayManagementRefuse)),
		},
	})
}

// authorizeManagement accepts either a token from /accesstoken/get with its subscription key,
// or a /miami/v1/token token without one.
func (f *vippsPayments) authorizeManagement(r *http.Request) (vippsCaller, *vippsRefusal) {
	c, refusal := f.authorize(r, false)
	if refusal == nil && c.Kind != vippsManagementKeys && r.Header.Get("Ocp-Apim-Subscription-Key") == "" {
		return c, &vippsRefusal{Status: http.StatusUnauthorized, Message: "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."}
	}
	return c, refusal
}

func vpayManagementProblem(status int, title, detail, instance string, fields []vpayField) management.Problem {
	p := management.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/management-api/problems#" + fmt.Sprint(status),
		Title: title, Status: status, Detail: detail, Instance: instance}
	for _, fl := range fields {
		p.ExtraDetails = append(p.ExtraDetails, management.ExtraDetail{Key: fl.Name, Value: fl.Reason})
	}
	return p
}

// vpayManagementRefuse answers refused credentials: the gateway's body on 401, a Problem on
// 403 (the document's shape for it).
func vpayManagementRefuse(w http.ResponseWriter, r *http.Request, refusal *vippsRefusal) {
	if refusal.Status != http.StatusForbidden {
		writeGatewayError(w, refusal)
		return
	}
	p := vpayManagementProblem(http.StatusForbidden, "Forbidden", refusal.Message, r.URL.Path, nil)
	_ = management.GetAllSalesUnits403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: management.ForbiddenApplicationProblemPlusJSONResponse(p)}.VisitGetAllSalesUnitsResponse(w)
}

// vpayManagementBadRequest answers a malformed request with a Problem whose extraDetails
// name the fields (key) and rules (value).
func vpayManagementBadRequest(w http.ResponseWriter, r *http.Request, fields []vpayField) {
	p := vpayManagementProblem(http.StatusBadRequest, "Bad Request", vpayDetail(fields), r.URL.Path, fields)
	_ = management.GetAllSalesUnits400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: management.BadRequestApplicationProblemPlusJSONResponse(p)}.VisitGetAllSalesUnitsResponse(w)
}

func vpayManagementNotFound(detail, instance string) management.NotFoundJSONResponse {
	return management.NotFoundJSONResponse(vpayManagementProblem(http.StatusNotFound, "Not Found", detail, instance, nil))
}

func vpayManagementForbidden(detail, instance string) management.ForbiddenApplicationProblemPlusJSONResponse {
	return management.ForbiddenApplicationProblemPlusJSONResponse(vpayManagementProblem(http.StatusForbidden, "Forbidden", detail, instance, nil))
}

// GetPartnerPricePackages answers the partner's price packages.
func (m vpayManagement) GetPartnerPricePackages(ctx context.Context, _ management.GetPartnerPricePackagesRequestObject) (management.GetPartnerPricePackagesResponseObject, error) {
	if _, ok := orderOwner(callerOf(ctx)); !ok {
		return management.GetPartnerPricePackages403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Price packages belong to partners; these are a sales unit's keys", requestOf(ctx).Path)}, nil
	}
	return management.GetPartnerPricePackages200JSONResponse(slices.Clone(vpayPricePackages)), nil
}

// vpayKnownPackage reports whether id is one of the partner's price packages (or none).
func vpayKnownPackage(id uuid.UUID) bool {
	if id == uuid.Nil {
		return true
	}
	for _, p := range vpayPricePackages {
		if p.PricePackageId == id {
			return true
		}
	}
	return false
}

// OrderProduct pre-fills a product order; the Idempotency-Key replays the first answer.
func (m vpayManagement) OrderProduct(ctx context.Context, req management.OrderProductRequestObject) (management.OrderProductResponseObject, error) {
	f, path := m.f, requestOf(ctx).Path
	owner, ok := orderOwner(callerOf(ctx))
	if !ok {
		return management.OrderProduct403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Product orders are made with partner or management keys", path)}, nil
	}
	key, b := req.Params.IdempotencyKey, *req.Body
	hash := vpayHash(b)
	ik := vpayIdemKey(owner, "management-order", "", key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, ok := f.idem[ik]; ok {
		if st.hash == hash {
			return st.result.(management.OrderProductResponseObject), nil
		}
		fields := []vpayField{{Name: "Idempotency-Key", Reason: "already used with a different order"}}
		return management.OrderProduct400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: management.BadRequestApplicationProblemPlusJSONResponse(
			vpayManagementProblem(http.StatusBadRequest, "Bad Request", vpayDetail(fields), path, fields))}, nil
	}
	var res management.OrderProductResponseObject
	if !vpayKnownPackage(b.PricePackageId) {
		fields := []vpayField{{Name: "pricePackageId", Reason: "not one of the partner's price packages"}}
		res = management.OrderProduct400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: management.BadRequestApplicationProblemPlusJSONResponse(
			vpayManagementProblem(http.StatusBadRequest, "Bad Request", vpayDetail(fields), path, fields))}
	} else {
		o := f.newOrderLocked(owner, b.BusinessIdentifier, string(b.ProductType))
		res = management.OrderProduct201JSONResponse{PrefilledOrderId: o.id, PrefillUrl: o.url}
	}
	f.idem[ik] = vpayStored{hash: hash, result: res}
	return res, nil
}

// DeleteProductOrder withdraws a pre-filled order.
func (m vpayManagement) DeleteProductOrder(ctx context.Context, req management.DeleteProductOrderRequestObject) (management.DeleteProductOrderResponseObject, error) {
	f, path := m.f, requestOf(ctx).Path
	owner, ok := orderOwner(callerOf(ctx))
	if !ok {
		return management.DeleteProductOrder403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Product orders are made with partner or management keys", path)}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i, o := f.findOrderLocked(owner, req.ProductOrderId)
	if o == nil {
		return management.DeleteProductOrder404JSONResponse{NotFoundJSONResponse: vpayManagementNotFound("No product order "+req.ProductOrderId.String(), path)}, nil
	}
	f.orders = slices.Delete(f.orders, i, i+1)
	return management.DeleteProductOrder200Response{}, nil
}

func (o *vpayOrder) details() management.ProductOrderDetailsResponseV2 {
	return management.ProductOrderDetailsResponseV2{
		ProductOrderType: "PREFILL", ProductOrderId: o.id, ProductType: o.productType, Status: o.status,
		BusinessIdentifier: o.business, ProductOrderUrl: o.url,
	}
}

// GetProductOrders lists the caller's product orders, oldest first.
func (m vpayManagement) GetProductOrders(ctx context.Context, _ management.GetProductOrdersRequestObject) (management.GetProductOrdersResponseObject, error) {
	f := m.f
	owner, ok := orderOwner(callerOf(ctx))
	if !ok {
		return management.GetProductOrders403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Product orders are made with partner or management keys", requestOf(ctx).Path)}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := management.GetProductOrders200JSONResponse{}
	for _, o := range f.orders {
		if o.owner == owner {
			out = append(out, o.details())
		}
	}
	return out, nil
}

// GetProductOrderDetails answers one of the caller's product orders.
func (m vpayManagement) GetProductOrderDetails(ctx context.Context, req management.GetProductOrderDetailsRequestObject) (management.GetProductOrderDetailsResponseObject, error) {
	f, path := m.f, requestOf(ctx).Path
	owner, ok := orderOwner(callerOf(ctx))
	if !ok {
		return management.GetProductOrderDetails403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Product orders are made with partner or management keys", path)}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, o := f.findOrderLocked(owner, req.ProductOrderId)
	if o == nil {
		return management.GetProductOrderDetails404JSONResponse{NotFoundJSONResponse: vpayManagementNotFound("No product order "+req.ProductOrderId.String(), path)}, nil
	}
	return management.GetProductOrderDetails200JSONResponse(o.details()), nil
}

// orgUnits lists the caller's sales units of the merchant scheme/id; ok is false when the
// caller sees no such merchant.
func (f *vippsPayments) orgUnits(c vippsCaller, scheme, id string) ([]vpayUnit, bool) {
	if scheme != vpayOrgScheme {
		return nil, false
	}
	var out []vpayUnit
	for _, u := range f.visible(c) {
		if u.org == id {
			out = append(out, u)
		}
	}
	return out, len(out) > 0
}

// GetMerchantByBusinessIdentifier answers a merchant the caller has sales units of.
func (m vpayManagement) GetMerchantByBusinessIdentifier(ctx context.Context, req management.GetMerchantByBusinessIdentifierRequestObject) (management.GetMerchantByBusinessIdentifierResponseObject, error) {
	if _, ok := m.f.orgUnits(callerOf(ctx), req.Scheme, req.Id); !ok {
		return management.GetMerchantByBusinessIdentifier404JSONResponse{NotFoundJSONResponse: vpayManagementNotFound("No merchant "+req.Scheme+" "+req.Id+" for these keys", requestOf(ctx).Path)}, nil
	}
	addr := management.Address{Lines: []string{"Robert Levins gate 5"}, PostCode: "0154", City: "Oslo", CountryCode: "NO"}
	return management.GetMerchantByBusinessIdentifier200JSONResponse{
		BusinessIdentifier: management.BusinessIdentifier{Scheme: req.Scheme, Id: req.Id},
		Name:               vpayOrgNames[req.Id], Status: "ACTIVE", CreatedAt: vpayOrgSince, UpdatedAt: vpayOrgSince,
		CountryCode: "NO", BusinessAddress: addr, BusinessPostAddress: addr,
	}, nil
}

func vpaySummaries(units []vpayUnit) []management.SalesUnitSummary {
	out := make([]management.SalesUnitSummary, 0, len(units))
	for _, u := range units {
		out = append(out, management.SalesUnitSummary{Msn: u.msn, Name: u.name})
	}
	return out
}

// GetSalesUnitsByBusinessIdentifier lists the caller's sales units of a merchant.
func (m vpayManagement) GetSalesUnitsByBusinessIdentifier(ctx context.Context, req management.GetSalesUnitsByBusinessIdentifierRequestObject) (management.GetSalesUnitsByBusinessIdentifierResponseObject, error) {
	units, ok := m.f.orgUnits(callerOf(ctx), req.Scheme, req.Id)
	if !ok {
		return management.GetSalesUnitsByBusinessIdentifier404JSONResponse{NotFoundJSONResponse: vpayManagementNotFound("No merchant "+req.Scheme+" "+req.Id+" for these keys", requestOf(ctx).Path)}, nil
	}
	return management.GetSalesUnitsByBusinessIdentifier200JSONResponse(vpaySummaries(units)), nil
}

// GetAllSalesUnits lists every sales unit the caller may manage.
func (m vpayManagement) GetAllSalesUnits(ctx context.Context, _ management.GetAllSalesUnitsRequestObject) (management.GetAllSalesUnitsResponseObject, error) {
	return management.GetAllSalesUnits200JSONResponse(vpaySummaries(m.f.visible(callerOf(ctx)))), nil
}

// GetMsn answers one sales unit with its settings.
func (m vpayManagement) GetMsn(ctx context.Context, req management.GetMsnRequestObject) (management.GetMsnResponseObject, error) {
	path := requestOf(ctx).Path
	u, visible, exists := m.f.unit(callerOf(ctx), req.Msn)
	switch {
	case !exists:
		return management.GetMsn404JSONResponse{NotFoundJSONResponse: vpayManagementNotFound("No sales unit "+req.Msn, path)}, nil
	case !visible:
		return management.GetMsn403ApplicationProblemPlusJSONResponse{ForbiddenApplicationProblemPlusJSONResponse: vpayManagementForbidden("Sales unit "+req.Msn+" is not managed by these keys", path)}, nil
	}
	return management.GetMsn200JSONResponse{
		Msn: u.msn, Name: u.name,
		BusinessIdentifier: management.BusinessIdentifier{Scheme: vpayOrgScheme, Id: u.org},
		Configuration: management.SalesUnitConfiguration{
			PaymentAllowed: true, CaptureType: "ReserveCapture", RecurringAllowed: true,
			PartialCaptureAllowed: true, LateCaptureAllowed: true,
		},
	}, nil
}
