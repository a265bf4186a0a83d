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
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/management"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the management tests send and the fake Management API expects.
const (
	managementDoc             = "vipps/management.yaml"
	managementClassicToken    = "classic-token"    // from /accesstoken/get, goes with the key
	managementMiamiToken      = "management-token" // from /miami/v1/token, goes alone
	managementSubscriptionKey = "0f14ebcab0ec4b29ae0cb90d91b4a84a"
	managementMSN             = "123456"
	managementOrderID         = "81b83246-5c19-7b94-875b-ea6d1114f099"
	managementScheme          = "business:NO:ORG"
	managementOrgNo           = "987654321"
)

var managementIdempotencyKey = regexp.MustCompile(`^[a-zA-Z0-9-]{1,50}$`)

// managementRoute is one operation of the document: its id and a matcher for its method and path.
type managementRoute struct {
	id     string
	method string
	path   *regexp.Regexp
}

// managementRoutes loads the document with kin-openapi (common.yaml resolved from the
// embedded files) and lists its operations.
func managementRoutes(t *testing.T) []managementRoute {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return fs.ReadFile(api.FS(), strings.TrimPrefix(path.Clean(u.Path), "/"))
	}
	doc, err := loader.LoadFromURI(&url.URL{Path: managementDoc})
	require.NoError(t, err)
	var routes []managementRoute
	for tmpl, item := range doc.Paths.Map() {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^/]+?\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), "[^/]+") + "$")
		for method, op := range item.Operations() {
			routes = append(routes, managementRoute{id: op.OperationID, method: method, path: re})
		}
	}
	require.NotEmpty(t, routes)
	return routes
}

// managementFake plays the Management API: it tells the two ways of authenticating apart,
// checks the headers the facts require, and answers from the facts or as a test forced.
type managementFake struct {
	routes []managementRoute
	mux    *http.ServeMux

	mu       sync.Mutex
	called   map[string]map[string]int // auth kind ("classic", "management") -> operationId -> calls
	problems []string
	forced   func(http.ResponseWriter)
}

func newManagementFake(t *testing.T) *managementFake {
	f := &managementFake{routes: managementRoutes(t), mux: http.NewServeMux(), called: map[string]map[string]int{}}
	f.mux.HandleFunc("GET /management/v1/partners/price-packages", f.pricePackages)
	f.mux.HandleFunc("POST /management/v1/product-orders", f.orderProduct)
	f.mux.HandleFunc("DELETE /management/v1/product-orders/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	f.mux.HandleFunc("GET /management/v2/product-orders", func(w http.ResponseWriter, _ *http.Request) {
		managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", []any{
			managementOrder(managementOrderID, "MERCHANT_VIEWED", false),
			managementOrder("8a11afb7-c223-48ed-8ca6-4722b97261aa", "COMPLETED", true),
		})
	})
	f.mux.HandleFunc("GET /management/v2/product-orders/{id}/details", func(w http.ResponseWriter, r *http.Request) {
		managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", managementOrder(r.PathValue("id"), "COMPLETED", true))
	})
	f.mux.HandleFunc("GET /management/v1/merchants/{scheme}/{id}", f.merchant)
	f.mux.HandleFunc("GET /management/v1/merchants/{scheme}/{id}/sales-units", func(w http.ResponseWriter, _ *http.Request) {
		managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", []map[string]string{
			{"msn": managementMSN, "name": "ACME Fantastic Fitness"},
		})
	})
	f.mux.HandleFunc("GET /management/v1/sales-units", func(w http.ResponseWriter, _ *http.Request) {
		managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", []map[string]string{
			{"msn": managementMSN, "name": "ACME Fantastic Fitness"},
			{"msn": "1234567890", "name": "ACME Café"},
		})
	})
	f.mux.HandleFunc("GET /management/v1/sales-units/{msn}", f.salesUnit)
	return f
}

func (f *managementFake) force(answer func(http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forced = answer
}

func (f *managementFake) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *managementFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := ""
	for _, rt := range f.routes {
		if rt.method == r.Method && rt.path.MatchString(r.URL.Path) {
			id = rt.id
		}
	}
	if id == "" {
		f.problem("%s %s: no operation in %s", r.Method, r.URL.Path, managementDoc)
		http.NotFound(w, r)
		return
	}
	key := r.Header.Get("Ocp-Apim-Subscription-Key")
	kind := ""
	switch r.Header.Get("Authorization") {
	case "Bearer " + managementClassicToken:
		kind = "classic"
		if key != managementSubscriptionKey {
			f.problem("%s: classic token with subscription key %q", id, key)
		}
	case "Bearer " + managementMiamiToken:
		kind = "management"
		if key != "" {
			f.problem("%s: management token sent with a subscription key", id)
		}
	default:
		// What the gateway answers when neither way of authenticating is used.
		managementJSON(w, http.StatusUnauthorized, "application/json", map[string]any{
			"statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
		})
		return
	}
	if msn := r.Header.Get("Merchant-Serial-Number"); msn != "" && msn != managementMSN {
		f.problem("%s: Merchant-Serial-Number %q", id, msn)
	}
	if got := r.Header.Get("Vipps-System-Name"); got != "acme" {
		f.problem("%s: Vipps-System-Name %q", id, got)
	}
	f.mu.Lock()
	if f.called[kind] == nil {
		f.called[kind] = map[string]int{}
	}
	f.called[kind][id]++
	forced := f.forced
	f.forced = nil
	f.mu.Unlock()
	if forced != nil {
		forced(w)
		return
	}
	f.mux.ServeHTTP(w, r)
}

// calledOps lists the operations called with one way of authenticating.
func (f *managementFake) calledOps(kind string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.called[kind] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (f *managementFake) pricePackages(w http.ResponseWriter, _ *http.Request) {
	managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", []map[string]any{
		{
			"pricePackageId": "8a11afb7-c223-48ed-8ca6-4722b97261aa", "name": "POS standard", "description": "2.99%",
			"visibleInSignupForm": true, "productType": "PAYMENT_INTEGRATION", "market": "NO", "commission": "30 %",
		},
		{
			"pricePackageId": "3c7e2a24-6f0b-4b8e-9a53-1d3f5e8c0a11", "name": "Online", "description": "1.99%",
			"visibleInSignupForm": false, "productType": "ePayment", "commission": nil,
		},
	})
}

func (f *managementFake) orderProduct(w http.ResponseWriter, r *http.Request) {
	if key := r.Header.Get("Idempotency-Key"); !managementIdempotencyKey.MatchString(key) {
		f.problem("OrderProduct: Idempotency-Key %q", key)
	}
	var body management.ProductOrderRequest
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.BusinessIdentifier.Id != managementOrgNo {
		f.problem("OrderProduct: body %+v (%v)", body, err)
	}
	managementJSON(w, http.StatusCreated, "application/json", map[string]any{
		"prefilledOrderId": managementOrderID,
		"prefillUrl":       "https://portal.vippsmobilepay.com/register/prefilled/" + managementOrderID,
	})
}

func (f *managementFake) merchant(w http.ResponseWriter, r *http.Request) {
	managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", map[string]any{
		"businessIdentifier":  map[string]string{"scheme": r.PathValue("scheme"), "id": r.PathValue("id")},
		"name":                "ACME Fantastic Fitness AS",
		"status":              "ACTIVE",
		"createdAt":           "2023-12-31T06:45:25.921251Z",
		"updatedAt":           "2024-03-01T10:00:00Z",
		"countryCode":         "NO",
		"businessAddress":     map[string]any{"lines": []string{"Robert Levins gate 5"}, "postCode": "0154", "city": "Oslo", "countryCode": "NO"},
		"businessPostAddress": nil,
	})
}

func (f *managementFake) salesUnit(w http.ResponseWriter, r *http.Request) {
	managementJSON(w, http.StatusOK, "application/json;charset=UTF-8", map[string]any{
		"msn":                r.PathValue("msn"),
		"name":               "ACME Fantastic Fitness",
		"businessIdentifier": map[string]string{"scheme": managementScheme, "id": managementOrgNo},
		"configuration": map[string]any{
			"paymentAllowed": true, "captureType": "ReserveCapture", "skipLandingPageAllowed": false,
			"recurringAllowed": true, "partialCaptureAllowed": true, "lateCaptureAllowed": false,
			"landingPagePhoneNumberLocked": false, "longLivingPaymentAllowed": false, "creditCardPaymentAllowed": true,
		},
	})
}

// managementOrder is a product order as the API shows it; salesUnit is null until COMPLETED.
func managementOrder(id, status string, completed bool) map[string]any {
	o := map[string]any{
		"productOrderType":   "PREFILL",
		"productOrderId":     id,
		"productType":        "PAYMENT_INTEGRATION",
		"status":             status,
		"businessIdentifier": map[string]string{"scheme": managementScheme, "id": managementOrgNo},
		"productOrderUrl":    "https://portal.vippsmobilepay.com/register/prefilled/" + id,
		"salesUnit":          nil,
	}
	if completed {
		o["productOrderType"] = "TEMPLATE"
		o["productOrderUrl"] = nil
		o["salesUnit"] = map[string]string{"msn": managementMSN, "name": "ACME Fantastic Fitness"}
	}
	return o
}

func managementJSON(w http.ResponseWriter, status int, contentType string, body any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// managementClient returns a generated client whose traffic the validator checks, with the
// given request editors.
func managementClient(t *testing.T, v *contract.Validator, server string, editors ...management.RequestEditorFn) *management.ClientWithResponses {
	t.Helper()
	opts := []management.ClientOption{management.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport)})}
	for _, e := range editors {
		opts = append(opts, management.WithRequestEditorFn(e))
	}
	c, err := management.NewClientWithResponses(server, opts...)
	require.NoError(t, err)
	return c
}

// managementCase is one call of an operation and the checks on its answer.
type managementCase struct {
	name string
	call func(t *testing.T, c *management.ClientWithResponses)
}

// managementSuccessCases call every operation and check the decoded success answers.
func managementSuccessCases(ctx context.Context) []managementCase {
	sys := "acme"
	msn := managementMSN
	orderID := uuid.MustParse(managementOrderID)
	return []managementCase{
		{"GetPartnerPricePackages", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetPartnerPricePackagesWithResponse(ctx, &management.GetPartnerPricePackagesParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			require.Len(t, *res.JSON200, 2)
			assert.Equal(t, "2.99%", (*res.JSON200)[0].Description)
			assert.Equal(t, "30 %", (*res.JSON200)[0].Commission)
			assert.Equal(t, "ePayment", (*res.JSON200)[1].ProductType, "product types are an open set")
		}},
		{"OrderProduct", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.OrderProductWithResponse(ctx, &management.OrderProductParams{
				IdempotencyKey:       uuid.NewString(),
				MerchantSerialNumber: &msn,
				VippsSystemName:      &sys,
			}, management.ProductOrderRequest{
				BusinessIdentifier:    management.BusinessIdentifier{Scheme: managementScheme, Id: managementOrgNo},
				ProductType:           management.PAYMENTINTEGRATION,
				SalesUnitName:         "Ærlig Kaffe (Grünerløkka)",
				SettlementBankAccount: management.BankAccount{Scheme: "BBAN:NO", Id: "86011117947"},
				PricePackageId:        uuid.MustParse("8a11afb7-c223-48ed-8ca6-4722b97261aa"),
				ProductUseCase:        management.ProductUseCaseWebsite,
				AnnualTurnover:        100000,
				IntendedPurpose:       "Coffee beans sold in the web shop",
				Website:               management.Website{Url: "https://example.com", TermsUrl: "https://example.com/terms"},
				MerchantCategoryCode:  "5499",
			})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON201)
			assert.Equal(t, orderID, uuid.UUID(res.JSON201.PrefilledOrderId))
			assert.Contains(t, res.JSON201.PrefillUrl, managementOrderID)
		}},
		{"DeleteProductOrder", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.DeleteProductOrderWithResponse(ctx, orderID, &management.DeleteProductOrderParams{VippsSystemName: &sys})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		}},
		{"GetProductOrders", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetProductOrdersWithResponse(ctx, &management.GetProductOrdersParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			require.Len(t, *res.JSON200, 2)
			assert.Equal(t, "MERCHANT_VIEWED", (*res.JSON200)[0].Status)
			assert.Empty(t, (*res.JSON200)[0].SalesUnit.Msn, "salesUnit is null before completion")
			assert.Equal(t, managementMSN, (*res.JSON200)[1].SalesUnit.Msn)
		}},
		{"GetProductOrderDetails", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetProductOrderDetailsWithResponse(ctx, orderID, &management.GetProductOrderDetailsParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "COMPLETED", res.JSON200.Status)
			assert.Equal(t, managementOrgNo, res.JSON200.BusinessIdentifier.Id)
			assert.Equal(t, "ACME Fantastic Fitness", res.JSON200.SalesUnit.Name)
		}},
		{"GetMerchantByBusinessIdentifier", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetMerchantByBusinessIdentifierWithResponse(ctx, managementScheme, managementOrgNo,
				&management.GetMerchantByBusinessIdentifierParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "ACTIVE", res.JSON200.Status)
			assert.Equal(t, managementScheme, res.JSON200.BusinessIdentifier.Scheme)
			assert.Equal(t, time.Date(2023, 12, 31, 6, 45, 25, 921251000, time.UTC), res.JSON200.CreatedAt)
			assert.Equal(t, "Oslo", res.JSON200.BusinessAddress.City)
		}},
		{"GetSalesUnitsByBusinessIdentifier", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetSalesUnitsByBusinessIdentifierWithResponse(ctx, managementScheme, managementOrgNo,
				&management.GetSalesUnitsByBusinessIdentifierParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			require.Len(t, *res.JSON200, 1)
			assert.Equal(t, managementMSN, (*res.JSON200)[0].Msn)
		}},
		{"GetAllSalesUnits", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetAllSalesUnitsWithResponse(ctx, &management.GetAllSalesUnitsParams{VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			require.Len(t, *res.JSON200, 2)
			assert.Equal(t, "1234567890", (*res.JSON200)[1].Msn, "ten-digit MSNs are valid")
		}},
		{"GetMsn", func(t *testing.T, c *management.ClientWithResponses) {
			res, err := c.GetMsnWithResponse(ctx, managementMSN, &management.GetMsnParams{MerchantSerialNumber: &msn, VippsSystemName: &sys})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
			require.NotNil(t, res.JSON200)
			assert.Equal(t, managementMSN, res.JSON200.Msn)
			assert.Equal(t, "ReserveCapture", res.JSON200.Configuration.CaptureType)
			assert.True(t, res.JSON200.Configuration.RecurringAllowed)
		}},
	}
}

// TestManagementOperations calls every operation of management.yaml through the generated
// client with each way of authenticating, then once per error shape, with the contract
// validator on both sides.
func TestManagementOperations(t *testing.T) {
	v, err := contract.New(api.FS(), managementDoc)
	require.NoError(t, err)
	fake := newManagementFake(t)
	srv := httptest.NewServer(v.Middleware(fake))
	defer srv.Close()
	ctx := context.Background()

	classic := managementClient(t, v, srv.URL, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+managementClassicToken)
		req.Header.Set("Ocp-Apim-Subscription-Key", managementSubscriptionKey)
		return nil
	})
	miami := managementClient(t, v, srv.URL, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+managementMiamiToken)
		return nil
	})

	for _, auth := range []struct {
		name   string
		client *management.ClientWithResponses
	}{
		{"classic bearer and subscription key", classic},
		{"management bearer alone", miami},
	} {
		t.Run(auth.name, func(t *testing.T) {
			for _, tc := range managementSuccessCases(ctx) {
				t.Run(tc.name, func(t *testing.T) { tc.call(t, auth.client) })
			}
		})
	}

	sys := "acme"
	orderID := uuid.MustParse(managementOrderID)
	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name   string
			answer func(http.ResponseWriter)
			call   func(t *testing.T)
		}{
			{"OrderProduct 400 problem with extraDetails", func(w http.ResponseWriter) {
				managementJSON(w, http.StatusBadRequest, "application/problem+json", map[string]any{
					"type": "https://developer.vippsmobilepay.com/docs/APIs/management-api", "title": "Bad Request", "status": 400,
					"detail": "The request is invalid", "instance": "/management/v1/product-orders",
					"extraDetails": []map[string]string{{"key": "salesUnitName", "value": "contains characters that are not allowed"}},
				})
			}, func(t *testing.T) {
				res, err := classic.OrderProductWithResponse(ctx, &management.OrderProductParams{IdempotencyKey: "order-2024-0001", VippsSystemName: &sys},
					management.ProductOrderRequest{
						BusinessIdentifier: management.BusinessIdentifier{Scheme: managementScheme, Id: managementOrgNo},
						ProductType:        management.LOGIN,
					})
				require.NoError(t, err)
				require.Equal(t, http.StatusBadRequest, res.StatusCode())
				require.NotNil(t, res.ApplicationproblemJSON400)
				require.Len(t, res.ApplicationproblemJSON400.ExtraDetails, 1)
				assert.Equal(t, "salesUnitName", res.ApplicationproblemJSON400.ExtraDetails[0].Key)
			}},
			{"GetProductOrderDetails 404 problem as application/json", func(w http.ResponseWriter) {
				managementJSON(w, http.StatusNotFound, "application/json;charset=UTF-8", map[string]any{
					"type": "about:blank", "title": "Not Found", "status": 404,
					"detail": "No product order " + managementOrderID, "instance": "/management/v2/product-orders/" + managementOrderID + "/details",
				})
			}, func(t *testing.T) {
				res, err := classic.GetProductOrderDetailsWithResponse(ctx, orderID, &management.GetProductOrderDetailsParams{VippsSystemName: &sys})
				require.NoError(t, err)
				require.Equal(t, http.StatusNotFound, res.StatusCode())
				require.NotNil(t, res.JSON404)
				assert.Equal(t, 404, res.JSON404.Status)
			}},
			{"GetMerchantByBusinessIdentifier 403 problem", func(w http.ResponseWriter) {
				managementJSON(w, http.StatusForbidden, "application/problem+json", map[string]any{
					"type": "about:blank", "title": "Forbidden", "status": 403,
					"detail": "The partner has no access to this merchant", "instance": "/management/v1/merchants/" + managementScheme + "/" + managementOrgNo,
				})
			}, func(t *testing.T) {
				res, err := classic.GetMerchantByBusinessIdentifierWithResponse(ctx, managementScheme, managementOrgNo,
					&management.GetMerchantByBusinessIdentifierParams{VippsSystemName: &sys})
				require.NoError(t, err)
				require.Equal(t, http.StatusForbidden, res.StatusCode())
				require.NotNil(t, res.ApplicationproblemJSON403)
				assert.Equal(t, "Forbidden", res.ApplicationproblemJSON403.Title)
			}},
			{"GetMsn 401 gateway body", func(w http.ResponseWriter) {
				managementJSON(w, http.StatusUnauthorized, "application/json", map[string]any{
					"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
				})
			}, func(t *testing.T) {
				res, err := classic.GetMsnWithResponse(ctx, managementMSN, &management.GetMsnParams{VippsSystemName: &sys})
				require.NoError(t, err)
				require.Equal(t, http.StatusUnauthorized, res.StatusCode())
				require.NotNil(t, res.JSON401)
				assert.Equal(t, 401, res.JSON401.StatusCode)
			}},
			{"GetAllSalesUnits 429 with Retry-After", func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")
				managementJSON(w, http.StatusTooManyRequests, "application/json", map[string]any{
					"statusCode": 429, "message": "Rate limit is exceeded. Try again later.",
				})
			}, func(t *testing.T) {
				res, err := miami.GetAllSalesUnitsWithResponse(ctx, &management.GetAllSalesUnitsParams{VippsSystemName: &sys})
				require.NoError(t, err)
				require.Equal(t, http.StatusTooManyRequests, res.StatusCode())
				require.NotNil(t, res.JSON429)
				assert.Equal(t, 429, res.JSON429.StatusCode)
				require.NotNil(t, res.Headers429)
				assert.Equal(t, "Wed, 21 Oct 2026 07:28:00 GMT", res.Headers429.RetryAfter)
			}},
			{"DeleteProductOrder 500 without body", func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusInternalServerError)
			}, func(t *testing.T) {
				res, err := miami.DeleteProductOrderWithResponse(ctx, orderID, &management.DeleteProductOrderParams{VippsSystemName: &sys})
				require.NoError(t, err)
				require.Equal(t, http.StatusInternalServerError, res.StatusCode())
				assert.Nil(t, res.ApplicationproblemJSON500)
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

	// Neither way of authenticating: the validator reports the request on both sides, and
	// the gateway's 401 is a declared answer.
	t.Run("no credentials is a request violation", func(t *testing.T) {
		nv, err := contract.New(api.FS(), managementDoc)
		require.NoError(t, err)
		nsrv := httptest.NewServer(nv.Middleware(newManagementFake(t)))
		defer nsrv.Close()
		bare := managementClient(t, nv, nsrv.URL)
		res, err := bare.GetAllSalesUnitsWithResponse(ctx, &management.GetAllSalesUnitsParams{VippsSystemName: &sys})
		require.NoError(t, err)
		require.Equal(t, http.StatusUnauthorized, res.StatusCode())
		require.NotNil(t, res.JSON401)
		viols := nv.Violations()
		require.Len(t, viols, 2, "one violation from the client's transport, one from the server's middleware: %v", viols)
		for _, viol := range viols {
			assert.Equal(t, contract.SideRequest, viol.Side)
			assert.Equal(t, "GetAllSalesUnits", viol.Operation)
			assert.Contains(t, viol.Err.Error(), "security: ")
			assert.Contains(t, viol.Err.Error(), "ClassicAuthorization")
			assert.Contains(t, viol.Err.Error(), "ManagementAuthorization")
		}
		t.Logf("management without credentials: %v", viols[0])
	})

	var want []string
	for _, rt := range fake.routes {
		want = append(want, rt.id)
	}
	slices.Sort(want)
	classicOps, miamiOps := fake.calledOps("classic"), fake.calledOps("management")
	assert.Equal(t, want, classicOps, "operations called with the classic token differ from those in %s", managementDoc)
	assert.Equal(t, want, miamiOps, "operations called with the management token differ from those in %s", managementDoc)
	fake.mu.Lock()
	problems := slices.Clone(fake.problems)
	fake.mu.Unlock()
	assert.Empty(t, problems, "the fake Management API found problems")
	viols := v.Violations()
	assert.Empty(t, viols, "contract violations:\n%v", viols)
	t.Logf("management: %d operations called, %d violations", len(classicOps), len(viols))
}
