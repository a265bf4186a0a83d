package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/webhooks"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the Webhooks tests send; the fake API checks them.
const (
	webhooksDocument = "vipps/webhooks.yaml"
	webhooksToken    = "test-token"
	webhooksSubKey   = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	webhooksMSN      = "123456"
	webhooksURL      = "https://merchant.example.com/vipps/webhooks?source=epayment"
)

// webhooksOperationIDs loads the document with kin-openapi and lists its operationIds, sorted.
func webhooksOperationIDs(t *testing.T) []string {
	t.Helper()
	v, err := contract.New(api.FS(), webhooksDocument)
	require.NoError(t, err)
	return v.OperationIDs()
}

// webhooksAnswer is a canned answer the fake API gives instead of its normal one.
type webhooksAnswer struct {
	status      int
	contentType string // empty: no Content-Type and no body
	header      map[string]string
	body        string
}

// webhooksFake is a small Webhooks API written from the facts sheet: registrations in memory,
// a fresh secret per registration shown only in the 201 answer, the subscription key
// optional but checked when sent.
type webhooksFake struct {
	mu       sync.Mutex
	calls    map[string]int
	withKey  map[string]int // calls that carried the subscription key, per operationId
	problems []string
	hooks    []map[string]any
	force    *webhooksAnswer
}

func newWebhooksFake() *webhooksFake {
	return &webhooksFake{calls: map[string]int{}, withKey: map[string]int{}}
}

func (f *webhooksFake) problemf(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *webhooksFake) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhooks/v1/webhooks", f.wrap("ListWebhooks", f.list))
	mux.HandleFunc("POST /webhooks/v1/webhooks", f.wrap("RegisterWebhook", f.register))
	mux.HandleFunc("DELETE /webhooks/v1/webhooks/{id}", f.wrap("DeleteWebhook", f.delete))
	return mux
}

func (f *webhooksFake) wrap(opID string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[opID]++
		if got := r.Header.Get("Authorization"); got != "Bearer "+webhooksToken {
			f.problemf("%s: Authorization %q", opID, got)
		}
		if _, sent := r.Header["Ocp-Apim-Subscription-Key"]; sent {
			f.withKey[opID]++
			if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != webhooksSubKey {
				f.problemf("%s: subscription key %q", opID, got)
			}
		}
		if got := r.Header.Get("Merchant-Serial-Number"); got != "" && got != webhooksMSN {
			f.problemf("%s: Merchant-Serial-Number %q", opID, got)
		}
		for name, values := range r.Header {
			for _, v := range values {
				if v == "" {
					f.problemf("%s: empty header %s", opID, name)
				}
			}
		}
		if f.force != nil {
			a := *f.force
			for k, v := range a.header {
				w.Header().Set(k, v)
			}
			if a.contentType != "" {
				w.Header().Set("Content-Type", a.contentType)
			}
			w.WriteHeader(a.status)
			if a.body != "" {
				_, _ = w.Write([]byte(a.body))
			}
			return
		}
		next(w, r)
	}
}

func webhooksWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// webhooksProblem is the API's ProblemDetails: type holds a trace id, and unused fields are null.
func webhooksProblem(status int, title string) string {
	b, _ := json.Marshal(map[string]any{
		"type":         "00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00",
		"title":        title,
		"status":       status,
		"detail":       nil,
		"instance":     nil,
		"traceId":      "bb841c551513e233de8a01472013fa9f",
		"extraDetails": []map[string]string{{"name": "url", "reason": "The URL must use https"}},
	})
	return string(b)
}

func (f *webhooksFake) list(w http.ResponseWriter, _ *http.Request) {
	hooks := f.hooks
	if hooks == nil {
		hooks = []map[string]any{}
	}
	webhooksWriteJSON(w, http.StatusOK, map[string]any{"webhooks": hooks})
}

func (f *webhooksFake) register(w http.ResponseWriter, r *http.Request) {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !strings.HasPrefix(req.URL, "https://") || len(req.Events) == 0 {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(webhooksProblem(http.StatusBadRequest, "Invalid registration")))
		return
	}
	id := uuid.NewString()
	f.hooks = append(f.hooks, map[string]any{"id": id, "url": req.URL, "events": req.Events})
	webhooksWriteJSON(w, http.StatusCreated, map[string]any{"id": id, "secret": uuid.NewString()})
}

func (f *webhooksFake) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for i, h := range f.hooks {
		if h["id"] == id {
			f.hooks = append(f.hooks[:i], f.hooks[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(webhooksProblem(http.StatusNotFound, "Webhook not found")))
}

// webhooksSetup starts the fake behind the validator's middleware and returns a generated
// client, validated on its side too, that sends the Bearer token and the subscription key.
func webhooksSetup(t *testing.T) (*webhooks.ClientWithResponses, *webhooksFake, *contract.Validator) {
	t.Helper()
	v, err := contract.New(api.FS(), webhooksDocument)
	require.NoError(t, err)
	fake := newWebhooksFake()
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c, err := webhooks.NewClientWithResponses(srv.URL,
		webhooks.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport), Timeout: 10 * time.Second}),
		webhooks.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+webhooksToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", webhooksSubKey)
			return nil
		}))
	require.NoError(t, err)
	return c, fake, v
}

func webhooksRequireNoViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	require.Empty(t, v.Violations(), "contract violations:\n%s", v.Report())
}

// webhooksWithoutKey drops the subscription key for one call (merchant-level keys have none).
func webhooksWithoutKey(_ context.Context, req *http.Request) error {
	req.Header.Del("Ocp-Apim-Subscription-Key")
	return nil
}

// TestWebhooksOperations registers a webhook, lists it, deletes it and lists again, through the
// generated client; one call goes without the subscription key, which this API allows.
func TestWebhooksOperations(t *testing.T) {
	c, fake, v := webhooksSetup(t)
	ctx := context.Background()
	msn := webhooksMSN
	sysName := "acme"

	empty, err := c.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{}, webhooksWithoutKey)
	require.NoError(t, err)
	require.NotNil(t, empty.JSON200, string(empty.Body))
	assert.Empty(t, empty.JSON200.Webhooks)

	events := []webhooks.EventName{
		"epayments.payment.authorized.v1", "epayments.payment.captured.v1",
		"recurring.charge-canceled.v1", "some.future-event.v2",
	}
	reg, err := c.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{
		MerchantSerialNumber: &msn, VippsSystemName: &sysName,
	}, webhooks.RegisterWebhookRequest{Url: webhooksURL, Events: events})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, reg.StatusCode(), string(reg.Body))
	require.NotNil(t, reg.JSON201)
	assert.NotEqual(t, uuid.Nil, uuid.UUID(reg.JSON201.Id))
	assert.NotEmpty(t, reg.JSON201.Secret, "the secret is shown once, here")

	listed, err := c.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{MerchantSerialNumber: &msn})
	require.NoError(t, err)
	require.NotNil(t, listed.JSON200, string(listed.Body))
	require.Len(t, listed.JSON200.Webhooks, 1)
	assert.Equal(t, reg.JSON201.Id, listed.JSON200.Webhooks[0].Id)
	assert.Equal(t, webhooksURL, listed.JSON200.Webhooks[0].Url)
	assert.Equal(t, events, listed.JSON200.Webhooks[0].Events)
	assert.NotContains(t, string(listed.Body), reg.JSON201.Secret, "the list never shows the secret")

	del, err := c.DeleteWebhookWithResponse(ctx, reg.JSON201.Id, &webhooks.DeleteWebhookParams{MerchantSerialNumber: &msn})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, del.StatusCode(), string(del.Body))
	assert.Empty(t, del.Body)

	again, err := c.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{})
	require.NoError(t, err)
	require.NotNil(t, again.JSON200)
	assert.Empty(t, again.JSON200.Webhooks)

	fake.mu.Lock()
	defer fake.mu.Unlock()
	assert.Empty(t, fake.problems, "headers the fake API found wrong")
	assert.Equal(t, fake.calls["ListWebhooks"]-1, fake.withKey["ListWebhooks"], "one list call went without the key")
	var called []string
	total := 0
	for op, n := range fake.calls {
		called = append(called, op)
		total += n
	}
	sort.Strings(called)
	assert.Equal(t, webhooksOperationIDs(t), called, "operations exercised")
	stats := v.Stats()
	assert.Equal(t, 2*total, stats.Requests, "every request validated on both sides")
	assert.Equal(t, 2*total, stats.Responses, "every response validated on both sides")
	webhooksRequireNoViolations(t, v)
	t.Logf("webhooks: %d operations called, %d violations", len(called), len(v.Violations()))
}

// TestWebhooksErrorShapes answers calls with one error per shape the Webhooks API and its
// gateway send, and checks the generated client's typed fields.
func TestWebhooksErrorShapes(t *testing.T) {
	id := uuid.MustParse("2f5b8d4e-8c1a-4b7e-9f3d-6a1c0e2b4d68")
	register := func(ctx context.Context, c *webhooks.ClientWithResponses) (*webhooks.RegisterWebhookResponse, error) {
		return c.RegisterWebhookWithResponse(ctx, &webhooks.RegisterWebhookParams{},
			webhooks.RegisterWebhookRequest{Url: webhooksURL, Events: []webhooks.EventName{"epayments.payment.created.v1"}})
	}
	cases := []struct {
		name   string
		answer webhooksAnswer
		check  func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses)
	}{{
		name:   "400 problem details with nulls",
		answer: webhooksAnswer{status: 400, contentType: "application/problem+json", body: webhooksProblem(400, "Invalid registration")},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := register(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON400)
			assert.Equal(t, 400, r.ApplicationproblemJSON400.Status)
			assert.Equal(t, "00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00", r.ApplicationproblemJSON400.Type)
			assert.Empty(t, r.ApplicationproblemJSON400.Detail)
			assert.Equal(t, "url", r.ApplicationproblemJSON400.ExtraDetails[0].Name)
		},
	}, {
		name:   "404 problem details on delete",
		answer: webhooksAnswer{status: 404, contentType: "application/problem+json", body: webhooksProblem(404, "Webhook not found")},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := c.DeleteWebhookWithResponse(ctx, id, &webhooks.DeleteWebhookParams{})
			require.NoError(t, err)
			require.NotNil(t, r.ApplicationproblemJSON404)
			assert.Equal(t, "Webhook not found", r.ApplicationproblemJSON404.Title)
		},
	}, {
		name: "401 gateway statusCode and message",
		answer: webhooksAnswer{status: 401, contentType: "application/json",
			body: `{"statusCode":401,"message":"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."}`},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := c.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{})
			require.NoError(t, err)
			require.NotNil(t, r.JSON401)
			assert.Equal(t, 401, r.JSON401.StatusCode)
		},
	}, {
		name: "403 gateway errorCode and errorMessage",
		answer: webhooksAnswer{status: 403, contentType: "application/json",
			body: `{"errorCode":"Forbidden","errorMessage":"Invalid MSN","contextId":"3c4d5e6f-0000-4000-8000-000000000002"}`},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := register(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON403)
			assert.Equal(t, "Invalid MSN", r.JSON403.ErrorMessage)
		},
	}, {
		name: "429 with Retry-After",
		answer: webhooksAnswer{status: 429, contentType: "application/json", header: map[string]string{"Retry-After": "Wed, 12 Jun 2024 08:00:00 GMT"},
			body: `{"statusCode":429,"message":"Rate limit is exceeded."}`},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := c.DeleteWebhookWithResponse(ctx, id, &webhooks.DeleteWebhookParams{})
			require.NoError(t, err)
			require.NotNil(t, r.JSON429)
			require.NotNil(t, r.Headers429)
			assert.Equal(t, "Wed, 12 Jun 2024 08:00:00 GMT", r.Headers429.RetryAfter)
		},
	}, {
		name:   "500 without body",
		answer: webhooksAnswer{status: 500},
		check: func(t *testing.T, ctx context.Context, c *webhooks.ClientWithResponses) {
			r, err := c.ListWebhooksWithResponse(ctx, &webhooks.ListWebhooksParams{})
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, r.StatusCode())
			assert.Nil(t, r.JSON500)
			assert.Empty(t, r.Body)
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, v := webhooksSetup(t)
			fake.force = &tc.answer
			tc.check(t, context.Background(), c)
			fake.mu.Lock()
			assert.Empty(t, fake.problems, "headers the fake API found wrong")
			fake.mu.Unlock()
			webhooksRequireNoViolations(t, v)
		})
	}
}
