package sandbox

import (
	"context"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/gen/vipps/common"
	"github.com/paykit-go/paykit/gen/vipps/management"
	"github.com/paykit-go/paykit/gen/vipps/partner"
)

// vpayPartnerOrderPath is the partner API's product order operation, whose errors are
// Problems; the read operations answer Error bodies.
const vpayPartnerOrderPath = "/partner-api/v1/products/orders"

// vpayPartnerProducts maps the partner API's product names to the management API's.
var vpayPartnerProducts = map[partner.ProductType]string{
	partner.VIPPSPANETT:   "PAYMENT_INTEGRATION",
	partner.VIPPSLOGGINN:  "LOGIN",
	partner.VIPPSCHECKOUT: "CHECKOUT",
	partner.VIPPSIKASSA:   "CASHIER",
}

// vpayPartner implements the deprecated partner API on the same sales units and product
// orders as the management API.
type vpayPartner struct{ f *vippsPayments }

func (f *vippsPayments) mountPartner(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayPartnerBadRequest)
	si := partner.NewStrictHandlerWithOptions(vpayPartner{f}, nil, partner.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	partner.HandlerWithOptions(si, partner.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []partner.MiddlewareFunc{
			partner.MiddlewareFunc(f.s.checked(checked, vpayUnauthorized)),
			partner.MiddlewareFunc(f.gate(func(r *http.Request) (vippsCaller, *vippsRefusal) { return f.authorize(r, true) }, vpayPartnerRefuse)),
		},
	})
}

func vpayPartnerError(status int, title, detail, instance string) partner.Error {
	return partner.Error{Type: "https://developer.vippsmobilepay.com/docs/APIs/partner-api", Title: title, Status: status, Detail: detail, Instance: instance}
}

// vpayPartnerRefuse answers refused credentials: the gateway's body, except a 403 on the
// read operations, whose document wants an Error body.
func vpayPartnerRefuse(w http.ResponseWriter, r *http.Request, refusal *vippsRefusal) {
	if refusal.Status == http.StatusForbidden && !strings.HasPrefix(r.URL.Path, vpayPartnerOrderPath) {
		writeJSON(w, http.StatusForbidden, vpayPartnerError(http.StatusForbidden, "Forbidden", refusal.Message, r.URL.Path))
		return
	}
	writeGatewayError(w, refusal)
}

// vpayPartnerBadRequest answers a malformed request: a Problem with the fields as
// extraDetails on the product order, an Error naming them in detail on the reads.
func vpayPartnerBadRequest(w http.ResponseWriter, r *http.Request, fields []vpayField) {
	if !strings.HasPrefix(r.URL.Path, vpayPartnerOrderPath) {
		writeJSON(w, http.StatusBadRequest, vpayPartnerError(http.StatusBadRequest, "Bad Request", vpayDetail(fields), r.URL.Path))
		return
	}
	_ = partner.OrderProduct400ApplicationProblemPlusJSONResponse{ProblemBadRequestApplicationProblemPlusJSONResponse: partner.ProblemBadRequestApplicationProblemPlusJSONResponse(
		vpayPartnerProblem(http.StatusBadRequest, vpayDetail(fields), r.URL.Path, fields))}.VisitOrderProductResponse(w)
}

func vpayPartnerProblem(status int, detail, instance string, fields []vpayField) partner.Problem {
	p := partner.Problem{Type: "https://developer.vippsmobilepay.com/docs/APIs/partner-api", Title: http.StatusText(status),
		Status: status, Detail: detail, Instance: instance, TraceId: traceID()}
	for _, fl := range fields {
		p.ExtraDetails = append(p.ExtraDetails, partner.ExtraDetail{Key: fl.Name, Value: fl.Reason})
	}
	return p
}

// OrderProduct pre-fills a product order; it shows in the management API's product orders.
func (p vpayPartner) OrderProduct(ctx context.Context, req partner.OrderProductRequestObject) (partner.OrderProductResponseObject, error) {
	f, path := p.f, requestOf(ctx).Path
	owner, ok := orderOwner(callerOf(ctx))
	if !ok {
		return partner.OrderProduct403JSONResponse{GatewayForbiddenJSONResponse: common.GatewayForbiddenJSONResponse{
			StatusCode: http.StatusForbidden, Message: "Product orders are made with partner keys"}}, nil
	}
	key, b := req.Params.IdempotencyKey, *req.Body
	hash := vpayHash(b)
	ik := vpayIdemKey(owner, "partner-order", "", key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, ok := f.idem[ik]; ok {
		if st.hash == hash {
			return st.result.(partner.OrderProductResponseObject), nil
		}
		fields := []vpayField{{Name: "Idempotency-Key", Reason: "already used with a different order"}}
		return partner.OrderProduct400ApplicationProblemPlusJSONResponse{ProblemBadRequestApplicationProblemPlusJSONResponse: partner.ProblemBadRequestApplicationProblemPlusJSONResponse(
			vpayPartnerProblem(http.StatusBadRequest, vpayDetail(fields), path, fields))}, nil
	}
	var res partner.OrderProductResponseObject
	if !vpayKnownPackage(b.PricePackageId) {
		fields := []vpayField{{Name: "pricePackageId", Reason: "not one of the partner's price packages"}}
		res = partner.OrderProduct422ApplicationProblemPlusJSONResponse(vpayPartnerProblem(http.StatusUnprocessableEntity, vpayDetail(fields), path, fields))
	} else {
		o := f.newOrderLocked(owner, management.BusinessIdentifier{Scheme: vpayOrgScheme, Id: b.Orgno}, vpayPartnerProducts[b.ProductType])
		res = partner.OrderProduct200JSONResponse{PrefilledOrderId: o.id, ReturnUrl: o.url}
	}
	f.idem[ik] = vpayStored{hash: hash, result: res}
	return res, nil
}

// GetMerchant lists the MSNs of the caller's sales units of a merchant.
func (p vpayPartner) GetMerchant(ctx context.Context, req partner.GetMerchantRequestObject) (partner.GetMerchantResponseObject, error) {
	units, ok := p.f.orgUnits(callerOf(ctx), vpayOrgScheme, req.Orgno)
	if !ok {
		return partner.GetMerchant404JSONResponse{ErrorNotFoundJSONResponse: partner.ErrorNotFoundJSONResponse(
			vpayPartnerError(http.StatusNotFound, "Not Found", "No merchant "+req.Orgno+" for these keys", requestOf(ctx).Path))}, nil
	}
	out := partner.GetMerchant200JSONResponse{Msn: []string{}}
	for _, u := range units {
		out.Msn = append(out.Msn, u.msn)
	}
	return out, nil
}

// GetSalesUnit answers one of the caller's sales units.
func (p vpayPartner) GetSalesUnit(ctx context.Context, req partner.GetSalesUnitRequestObject) (partner.GetSalesUnitResponseObject, error) {
	path := requestOf(ctx).Path
	u, visible, exists := p.f.unit(callerOf(ctx), req.Msn)
	switch {
	case !exists:
		return partner.GetSalesUnit404JSONResponse{ErrorNotFoundJSONResponse: partner.ErrorNotFoundJSONResponse(
			vpayPartnerError(http.StatusNotFound, "Not Found", "No sales unit "+req.Msn, path))}, nil
	case !visible:
		return partner.GetSalesUnit403JSONResponse{ErrorForbiddenJSONResponse: partner.ErrorForbiddenJSONResponse(
			vpayPartnerError(http.StatusForbidden, "Forbidden", "Sales unit "+req.Msn+" is not the partner's", path))}, nil
	}
	return partner.GetSalesUnit200JSONResponse{
		Msn: u.msn, Name: u.name, Orgno: u.org,
		AdditionalDetails: partner.SalesUnitDetails{CaptureType: "ReserveCapture", Recurring: true},
	}, nil
}
