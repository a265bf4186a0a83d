package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/vipps/webhooks"
)

// vpayMaxPerEvent is how many registrations one set of keys may have per event name.
const vpayMaxPerEvent = 25

// vpayWebhooks implements the webhooks API on the gateway's registrations, which every
// Vipps API of the sandbox emits its events to.
type vpayWebhooks struct{ f *vippsPayments }

func (f *vippsPayments) mountWebhooks(mux *http.ServeMux) {
	checked, params, body := badRequestHandlers(vpayWebhooksBadRequest)
	si := webhooks.NewStrictHandlerWithOptions(vpayWebhooks{f}, nil, webhooks.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  body,
		ResponseErrorHandlerFunc: vpayServerError,
	})
	webhooks.HandlerWithOptions(si, webhooks.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: params,
		Middlewares: []webhooks.MiddlewareFunc{
			webhooks.MiddlewareFunc(f.s.checked(checked, vpayUnauthorized)),
			// The subscription key is optional on this API.
			webhooks.MiddlewareFunc(f.gate(func(r *http.Request) (vippsCaller, *vippsRefusal) { return f.authorize(r, false) },
				func(w http.ResponseWriter, _ *http.Request, refusal *vippsRefusal) { writeGatewayError(w, refusal) })),
		},
	})
}

func vpayWebhookProblem(status int, title, detail string, fields []vpayField) webhooks.ProblemDetails {
	trace := traceID()
	p := webhooks.ProblemDetails{Type: trace, Title: title, Status: status, Detail: detail, TraceId: trace}
	for _, fl := range fields {
		p.ExtraDetails = append(p.ExtraDetails, webhooks.ProblemDetail{Name: fl.Name, Reason: fl.Reason})
	}
	return p
}

// vpayWebhooksBadRequest answers a malformed webhooks request with ProblemDetails naming
// each field.
func vpayWebhooksBadRequest(w http.ResponseWriter, r *http.Request, fields []vpayField) {
	p := vpayWebhookProblem(http.StatusBadRequest, "Bad Request", vpayDetail(fields), fields)
	p.Instance = r.URL.Path
	_ = webhooks.ListWebhooks400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: webhooks.BadRequestApplicationProblemPlusJSONResponse(p)}.VisitListWebhooksResponse(w)
}

// ListWebhooks lists the registrations of the caller's keys for the caller's merchant.
func (h vpayWebhooks) ListWebhooks(ctx context.Context, _ webhooks.ListWebhooksRequestObject) (webhooks.ListWebhooksResponseObject, error) {
	c := callerOf(ctx)
	out := webhooks.WebhookList{Webhooks: []webhooks.Webhook{}}
	for _, reg := range h.f.s.vipps.registrations(c.Owner) {
		if reg.MSN != "" && c.MSN != "" && reg.MSN != c.MSN {
			continue
		}
		id, err := uuid.Parse(reg.ID)
		if err != nil {
			continue
		}
		out.Webhooks = append(out.Webhooks, webhooks.Webhook{Id: id, Url: reg.URL, Events: slices.Clone(reg.Events)})
	}
	return webhooks.ListWebhooks200JSONResponse(out), nil
}

// RegisterWebhook registers a URL for event names and answers its secret, once.
func (h vpayWebhooks) RegisterWebhook(ctx context.Context, req webhooks.RegisterWebhookRequestObject) (webhooks.RegisterWebhookResponseObject, error) {
	c := callerOf(ctx)
	bad := func(name, reason string) webhooks.RegisterWebhookResponseObject {
		fields := []vpayField{{Name: name, Reason: reason}}
		return webhooks.RegisterWebhook400ApplicationProblemPlusJSONResponse{BadRequestApplicationProblemPlusJSONResponse: webhooks.BadRequestApplicationProblemPlusJSONResponse(
			vpayWebhookProblem(http.StatusBadRequest, "Bad Request", vpayDetail(fields), fields))}
	}
	// Plain http is accepted (unlike Vipps, which wants https) so that local receivers work.
	u, err := url.Parse(req.Body.Url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("url", "must be an absolute https URL"), nil
	}
	existing := h.f.s.vipps.registrations(c.Owner)
	for _, ev := range req.Body.Events {
		n := 0
		for _, reg := range existing {
			if slices.Contains(reg.Events, ev) {
				n++
			}
		}
		if n >= vpayMaxPerEvent {
			return bad("events", "at most 25 registrations per event name; "+ev+" has them"), nil
		}
	}
	reg := h.f.s.vipps.register(c.Owner, c.MSN, req.Body.Url, slices.Compact(slices.Sorted(slices.Values(req.Body.Events))))
	id, err := uuid.Parse(reg.ID)
	if err != nil {
		return nil, err
	}
	return webhooks.RegisterWebhook201JSONResponse{Id: id, Secret: reg.Secret}, nil
}

// DeleteWebhook deletes one of the caller's registrations.
func (h vpayWebhooks) DeleteWebhook(ctx context.Context, req webhooks.DeleteWebhookRequestObject) (webhooks.DeleteWebhookResponseObject, error) {
	if !h.f.s.vipps.unregister(callerOf(ctx).Owner, req.Id.String()) {
		p := vpayWebhookProblem(http.StatusNotFound, "Not Found", "No webhook "+req.Id.String()+" for these keys", nil)
		return webhooks.DeleteWebhook404ApplicationProblemPlusJSONResponse(p), nil
	}
	return webhooks.DeleteWebhook204Response{}, nil
}
