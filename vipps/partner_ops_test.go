package vipps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/partner"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials the partner tests send and the fake Partner API expects.
const (
	partnerDoc             = "vipps/partner.yaml"
	partnerToken           = "test-token"
	partnerSubscriptionKey = "0f14ebcab0ec4b29ae0cb90d91b4a84a"
	partnerOrgNo           = "987654321"
	partnerMSN             = "123456"
)

// partnerRoute is one operation of the document: its id and a matcher for its method and path.
type partnerRoute struct {
	id     string
	method string
	path   *regexp.Regexp
}

// partnerRoutes loads the document with kin-openapi (common.yaml resolved from the embedded
// files) and lists its operations.
func partnerRoutes(t *testing.T) []partnerRoute {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return fs.ReadFile(api.FS(), strings.TrimPrefix(path.Clean(u.Path), "/"))
	}
	doc, err := loader.LoadFromURI(&url.URL{Path: partnerDoc})
	require.NoError(t, err)
	var routes []partnerRoute
	for tmpl, item := range doc.Paths.Map() {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^/]+?\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), "[^/]+") + "$")
		for method, op := range item.Operations() {
			routes = append(routes, partnerRoute{id: op.OperationID, method: method, path: re})
		}
	}
	require.NotEmpty(t, routes)
	return routes
}

// partnerFake plays the Partner API: it checks the credentials and headers the facts require,
// answers from the facts, or gives the answer a test forced.
type partnerFake struct {
	routes []partnerRoute
	mux    *http.ServeMux

	mu       sync.Mutex
	called   map[string]int
	problems []string
	forced   func(http.ResponseWriter)
}

func newPartnerFake(t *testing.T) *partnerFake {
	f := &partnerFake{routes: partnerRoutes(t), mux: http.NewServeMux(), called: map[string]int{}}
	f.mux.HandleFunc("POST /partner-api/v1/products/orders", f.orderProduct)
	f.mux.HandleFunc("GET /partner-api/v0/merchants/{orgno}", f.getMerchant)
	f.mux.HandleFunc("GET /partner-api/v0/salesunits/{msn}", f.getSalesUnit)
	return f
}

// force makes the next request get answer instead of the normal one.
func (f *partnerFake) force(answer func(http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forced = answer
}

func (f *partnerFake) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *partnerFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := ""
	for _, rt := range f.routes {
		if rt.method == r.Method && rt.path.MatchString(r.URL.Path) {
			id = rt.id
		}
	}
	if id == "" {
		f.problem("%s %s: no operation in %s", r.Method, r.URL.Path, partnerDoc)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+partnerToken {
		f.problem("%s: Authorization %q, want the Bearer token", id, got)
	}
	if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != partnerSubscriptionKey {
		f.problem("%s: subscription key %q", id, got)
	}
	if got := r.Header.Get("Vipps-System-Name"); got != "acme" {
		f.problem("%s: Vipps-System-Name %q", id, got)
	}
	f.mu.Lock()
	f.called[id]++
	forced := f.forced
	f.forced = nil
	f.mu.Unlock()
	if forced != nil {
		forced(w)
		return
	}
	f.mux.ServeHTTP(w, r)
}

func (f *partnerFake) orderProduct(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Idempotency-Key") == "" {
		f.problem("OrderProduct: no Idempotency-Key")
	}
	var body partner.ProductOrderRequest
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Orgno != partnerOrgNo {
		f.problem("OrderProduct: body %+v (%v)", body, err)
	}
	id := uuid.NewString()
	partnerJSON(w, http.StatusOK, "application/json", map[string]any{
		"prefilledOrderId": id,
		"returnUrl":        "https://portal.vipps.no/register/prefilled/" + id,
	})
}

func (f *partnerFake) getMerchant(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("orgno") != partnerOrgNo {
		partnerJSON(w, http.StatusNotFound, "application/json", map[string]any{
			"title": "Not Found", "status": 404, "detail": "No merchant with this organisation number", "instance": r.URL.Path,
		})
		return
	}
	partnerJSON(w, http.StatusOK, "application/json", map[string]any{"msn": []string{partnerMSN, "654321"}})
}

func (f *partnerFake) getSalesUnit(w http.ResponseWriter, r *http.Request) {
	partnerJSON(w, http.StatusOK, "application/json", map[string]any{
		"msn":   r.PathValue("msn"),
		"name":  "ACME Fantastic Fitness",
		"orgno": partnerOrgNo,
		"additionalDetails": map[string]any{
			"skipLandingPage": false,
			"isPureLogin":     false,
			"captureType":     "ReserveCapture",
			"recurring":       true,
		},
	})
}

func partnerJSON(w http.ResponseWriter, status int, contentType string, body any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func partnerPtr[T any](v T) *T { return &v }

// TestPartnerOperations calls every operation of partner.yaml through the generated client,
// with the contract validator on both sides, first with success answers, then with one answer
// per error shape the API (and the gateway in front of it) uses.
func TestPartnerOperations(t *testing.T) {
	v, err := contract.New(api.FS(), partnerDoc)
	require.NoError(t, err)
	fake := newPartnerFake(t)
	srv := httptest.NewServer(v.Middleware(fake))
	defer srv.Close()

	client, err := partner.NewClientWithResponses(srv.URL,
		partner.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport)}),
		partner.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+partnerToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", partnerSubscriptionKey)
			return nil
		}))
	require.NoError(t, err)
	ctx := context.Background()
	sys := "acme"

	orderProduct := func(t *testing.T) *partner.OrderProductResponse {
		t.Helper()
		res, err := client.OrderProductWithResponse(ctx, &partner.OrderProductParams{
			IdempotencyKey:  uuid.NewString(),
			VippsSystemName: &sys,
		}, partner.ProductOrderRequest{
			Orgno:                   partnerOrgNo,
			ProductType:             partner.VIPPSPANETT,
			SalesUnitName:           "ACME Fantastic Fitness",
			SettlementAccountNumber: "86011117947",
			PricePackageId:          uuid.MustParse("8a11afb7-c223-48ed-8ca6-4722b97261aa"),
			ProductUseCase:          partner.ProductUseCaseWebsiteWithTest,
			AnnualTurnover:          100000,
			Website:                 partner.Website{Url: "https://example.com", TermsUrl: "https://example.com/terms"},
		})
		require.NoError(t, err)
		return res
	}
	getMerchant := func(t *testing.T) *partner.GetMerchantResponse {
		t.Helper()
		res, err := client.GetMerchantWithResponse(ctx, partnerOrgNo, &partner.GetMerchantParams{VippsSystemName: &sys})
		require.NoError(t, err)
		return res
	}
	getSalesUnit := func(t *testing.T) *partner.GetSalesUnitResponse {
		t.Helper()
		res, err := client.GetSalesUnitWithResponse(ctx, partnerMSN, &partner.GetSalesUnitParams{VippsSystemName: &sys})
		require.NoError(t, err)
		return res
	}

	t.Run("success", func(t *testing.T) {
		tests := []struct {
			name string
			call func(t *testing.T)
		}{
			{"OrderProduct", func(t *testing.T) {
				res := orderProduct(t)
				require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
				require.NotNil(t, res.JSON200)
				assert.NotEqual(t, uuid.Nil, uuid.UUID(res.JSON200.PrefilledOrderId))
				assert.True(t, strings.HasSuffix(res.JSON200.ReturnUrl, res.JSON200.PrefilledOrderId.String()))
			}},
			{"GetMerchant", func(t *testing.T) {
				res := getMerchant(t)
				require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
				require.NotNil(t, res.JSON200)
				assert.Equal(t, []string{partnerMSN, "654321"}, res.JSON200.Msn)
			}},
			{"GetSalesUnit", func(t *testing.T) {
				res := getSalesUnit(t)
				require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
				require.NotNil(t, res.JSON200)
				assert.Equal(t, partnerMSN, res.JSON200.Msn)
				assert.Equal(t, partnerOrgNo, res.JSON200.Orgno)
				assert.Equal(t, "ReserveCapture", res.JSON200.AdditionalDetails.CaptureType)
				assert.True(t, res.JSON200.AdditionalDetails.Recurring)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, tc.call)
		}
	})

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name   string
			answer func(http.ResponseWriter)
			call   func(t *testing.T)
		}{
			{"OrderProduct 400 problem with extraDetails", func(w http.ResponseWriter) {
				partnerJSON(w, http.StatusBadRequest, "application/problem+json", map[string]any{
					"type": "https://developer.vippsmobilepay.com/docs/APIs/partner-api", "title": "Bad Request", "status": 400,
					"detail": "Invalid settlement account number", "instance": "/partner-api/v1/products/orders",
					"traceId":      "00-bb841c551513e233de8a01472013fa9f-542c71e40916a6ce-00",
					"extraDetails": []map[string]string{{"key": "settlementAccountNumber", "value": "must be 11 digits"}},
				})
			}, func(t *testing.T) {
				res := orderProduct(t)
				require.Equal(t, http.StatusBadRequest, res.StatusCode())
				require.NotNil(t, res.ApplicationproblemJSON400)
				assert.Equal(t, 400, res.ApplicationproblemJSON400.Status)
				require.Len(t, res.ApplicationproblemJSON400.ExtraDetails, 1)
				assert.Equal(t, "settlementAccountNumber", res.ApplicationproblemJSON400.ExtraDetails[0].Key)
			}},
			{"OrderProduct 403 gateway body", func(w http.ResponseWriter) {
				partnerJSON(w, http.StatusForbidden, "application/json", map[string]any{
					"statusCode": 403, "message": "Invalid MSN: This MSN is not valid for the provided supermerchant ID.",
				})
			}, func(t *testing.T) {
				res := orderProduct(t)
				require.Equal(t, http.StatusForbidden, res.StatusCode())
				require.NotNil(t, res.JSON403)
				assert.Equal(t, 403, res.JSON403.StatusCode)
				assert.Contains(t, res.JSON403.Message, "Invalid MSN")
			}},
			{"GetMerchant 404 error", func(w http.ResponseWriter) {
				partnerJSON(w, http.StatusNotFound, "application/json", map[string]any{
					"title": "Not Found", "status": 404, "detail": "No merchant with organisation number " + partnerOrgNo,
					"instance": "/partner-api/v0/merchants/" + partnerOrgNo,
				})
			}, func(t *testing.T) {
				res := getMerchant(t)
				require.Equal(t, http.StatusNotFound, res.StatusCode())
				require.NotNil(t, res.JSON404)
				assert.Equal(t, "Not Found", res.JSON404.Title)
				assert.Equal(t, 404, res.JSON404.Status)
			}},
			{"GetSalesUnit 401 middleware error", func(w http.ResponseWriter) {
				partnerJSON(w, http.StatusUnauthorized, "application/json", map[string]any{"code": 401, "message": "Unauthorized"})
			}, func(t *testing.T) {
				res := getSalesUnit(t)
				require.Equal(t, http.StatusUnauthorized, res.StatusCode())
				require.NotNil(t, res.JSON401)
				assert.Equal(t, 401, res.JSON401.Code)
				assert.Equal(t, "Unauthorized", res.JSON401.Message)
			}},
			{"GetMerchant 429 with Retry-After", func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "30")
				partnerJSON(w, http.StatusTooManyRequests, "application/json", map[string]any{"code": 429, "message": "Too Many Requests"})
			}, func(t *testing.T) {
				res := getMerchant(t)
				require.Equal(t, http.StatusTooManyRequests, res.StatusCode())
				require.NotNil(t, res.JSON429)
				assert.Equal(t, 429, res.JSON429.Code)
				require.NotNil(t, res.Headers429)
				assert.Equal(t, "30", res.Headers429.RetryAfter)
			}},
			{"GetSalesUnit 500 without body", func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusInternalServerError)
			}, func(t *testing.T) {
				res := getSalesUnit(t)
				require.Equal(t, http.StatusInternalServerError, res.StatusCode())
				assert.Nil(t, res.JSON500)
				assert.Empty(t, res.Body)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				fake.force(tc.answer)
				tc.call(t)
			})
		}
	})

	var want []string
	for _, rt := range fake.routes {
		want = append(want, rt.id)
	}
	slices.Sort(want)
	fake.mu.Lock()
	var got []string
	for id := range fake.called {
		got = append(got, id)
	}
	problems := slices.Clone(fake.problems)
	fake.mu.Unlock()
	slices.Sort(got)

	assert.Equal(t, want, got, "operations called differ from those in %s", partnerDoc)
	assert.Empty(t, problems, "the fake Partner API found problems")
	viols := v.Violations()
	assert.Empty(t, viols, "contract violations:\n%v", viols)
	t.Logf("partner: %d operations called, %d violations", len(got), len(viols))
}
