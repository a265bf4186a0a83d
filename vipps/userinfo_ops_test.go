package vipps_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/gen/vipps/userinfo"
	"github.com/paykit-go/paykit/internal/contract"
)

// Credentials and values the Userinfo tests send; the fake API checks them.
const (
	userinfoDocument   = "vipps/userinfo.yaml"
	userinfoToken      = "test-token"
	userinfoLoginToken = "login-access-token"
	userinfoSubKey     = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
	userinfoSub        = "c06c4afe-d9e1-4c5d-939a-177d752a0944"
)

// userinfoOperationIDs loads the document with kin-openapi and lists its operationIds, sorted.
func userinfoOperationIDs(t *testing.T) []string {
	t.Helper()
	v, err := contract.New(api.FS(), userinfoDocument)
	require.NoError(t, err)
	return v.OperationIDs()
}

// userinfoProfile is a full userinfo answer as the API sends it (phone number of 10 digits,
// deprecated accounts still present, a claim the document does not know).
const userinfoProfile = `{
  "sub": "c06c4afe-d9e1-4c5d-939a-177d752a0944",
  "sid": "7d78a726-af92-499e-b857-de263ef9a969",
  "name": "Ada Lovelace",
  "given_name": "Ada",
  "family_name": "Lovelace",
  "email": "user@example.com",
  "email_verified": true,
  "birthdate": "1815-12-10",
  "nin": "10121550047",
  "phone_number": "4791234567",
  "address": {
    "address_type": "home",
    "country": "NO",
    "default": true,
    "formatted": "Robert Levins gate 5\n0154 Oslo\nNO",
    "postal_code": "0154",
    "region": "Oslo",
    "street_address": "Robert Levins gate 5"
  },
  "other_addresses": [
    {"address_type": "work", "country": "NO", "default": false, "formatted": "Dronning Eufemias gate 42\n0191 Oslo\nNO",
     "postal_code": "0191", "region": "Oslo", "street_address": "Dronning Eufemias gate 42"},
    {"address_type": "cabin", "country": "NO", "postal_code": "3580", "region": "Geilo", "street_address": "Fjellveien 1"}
  ],
  "accounts": [{"account_name": "Brukskonto", "account_number": "12064590675", "bank_name": "My Bank"}],
  "delegated_consents": {"language": "nb"}
}`

// userinfoAnswer is a canned answer the fake API gives instead of its normal one.
type userinfoAnswer struct {
	status      int
	contentType string // empty: no Content-Type and no body
	header      map[string]string
	body        string
}

// userinfoFake is a small Userinfo API written from the facts sheet. GetUserinfo needs the
// merchant token and the subscription key; the Login-flow variant needs the Login token and
// answers 401 when a subscription key is sent.
type userinfoFake struct {
	mu       sync.Mutex
	calls    map[string]int
	problems []string
	force    *userinfoAnswer
}

func (f *userinfoFake) problemf(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *userinfoFake) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /vipps-userinfo-api/userinfo/{sub}", f.wrap("GetUserinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("sub") != userinfoSub {
			userinfoWrite(w, userinfoAnswer{status: 404, contentType: "application/json",
				body: `{"type":"about:blank","title":"Not Found","status":"404","detail":"Unknown sub"}`})
			return
		}
		userinfoWrite(w, userinfoAnswer{status: 200, contentType: "application/json;charset=UTF-8", body: userinfoProfile})
	}))
	mux.HandleFunc("GET /vipps-userinfo-api/userinfo/{$}", f.wrap("GetUserinfoWithLoginToken", func(w http.ResponseWriter, r *http.Request) {
		if _, sent := r.Header["Ocp-Apim-Subscription-Key"]; sent {
			userinfoWrite(w, userinfoAnswer{status: 401, contentType: "application/json",
				body: `{"statusCode":401,"message":"Unauthorized"}`})
			return
		}
		userinfoWrite(w, userinfoAnswer{status: 200, contentType: "application/json;charset=UTF-8", body: userinfoProfile})
	}))
	return mux
}

func (f *userinfoFake) wrap(opID string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[opID]++
		switch opID {
		case "GetUserinfo":
			if got := r.Header.Get("Authorization"); got != "Bearer "+userinfoToken {
				f.problemf("%s: Authorization %q", opID, got)
			}
			if got := r.Header.Get("Ocp-Apim-Subscription-Key"); got != userinfoSubKey {
				f.problemf("%s: subscription key %q", opID, got)
			}
		case "GetUserinfoWithLoginToken":
			if got := r.Header.Get("Authorization"); got != "Bearer "+userinfoLoginToken {
				f.problemf("%s: Authorization %q", opID, got)
			}
			if _, sent := r.Header["Ocp-Apim-Subscription-Key"]; sent {
				f.problemf("%s: subscription key sent (the API answers 401)", opID)
			}
		}
		for name, values := range r.Header {
			for _, v := range values {
				if v == "" {
					f.problemf("%s: empty header %s", opID, name)
				}
			}
		}
		if f.force != nil {
			userinfoWrite(w, *f.force)
			return
		}
		next(w, r)
	}
}

func userinfoWrite(w http.ResponseWriter, a userinfoAnswer) {
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
}

// userinfoSetup starts the fake behind the validator's middleware and returns a generated
// client, validated on its side too, that sends the merchant token and the subscription key.
func userinfoSetup(t *testing.T) (*userinfo.ClientWithResponses, *userinfoFake, *contract.Validator) {
	t.Helper()
	v, err := contract.New(api.FS(), userinfoDocument)
	require.NoError(t, err)
	fake := &userinfoFake{calls: map[string]int{}}
	srv := httptest.NewServer(v.Middleware(fake.handler()))
	t.Cleanup(srv.Close)
	c, err := userinfo.NewClientWithResponses(srv.URL,
		userinfo.WithHTTPClient(&http.Client{Transport: v.Transport(http.DefaultTransport), Timeout: 10 * time.Second}),
		userinfo.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+userinfoToken)
			req.Header.Set("Ocp-Apim-Subscription-Key", userinfoSubKey)
			return nil
		}))
	require.NoError(t, err)
	return c, fake, v
}

// userinfoLoginEditor turns a call into a Login-flow call: the user's Login token, no key.
func userinfoLoginEditor(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+userinfoLoginToken)
	req.Header.Del("Ocp-Apim-Subscription-Key")
	return nil
}

func userinfoRequireNoViolations(t *testing.T, v *contract.Validator) {
	t.Helper()
	require.Empty(t, v.Violations(), "contract violations:\n%s", v.Report())
}

func userinfoCheckProfile(t *testing.T, u *userinfo.Userinfo) {
	t.Helper()
	require.NotNil(t, u)
	assert.Equal(t, userinfoSub, u.Sub)
	assert.Equal(t, "Ada", u.GivenName)
	assert.True(t, u.EmailVerified)
	assert.Equal(t, "4791234567", u.PhoneNumber)
	assert.Equal(t, "10121550047", u.Nin)
	assert.Equal(t, "home", u.Address.AddressType)
	assert.True(t, u.Address.Default)
	require.Len(t, u.OtherAddresses, 2)
	assert.Equal(t, "cabin", u.OtherAddresses[1].AddressType, "address types are an open set")
	require.Len(t, u.Accounts, 1)
	assert.Equal(t, "12064590675", u.Accounts[0].AccountNumber)
}

// TestUserinfoOperations calls both Userinfo operations through the generated client: by sub
// with the merchant's credentials, and the Login-flow variant with the Login token and no key.
func TestUserinfoOperations(t *testing.T) {
	c, fake, v := userinfoSetup(t)
	ctx := context.Background()
	msn, sysName := "123456", "acme"

	bySub, err := c.GetUserinfoWithResponse(ctx, userinfoSub, &userinfo.GetUserinfoParams{
		MerchantSerialNumber: &msn, VippsSystemName: &sysName,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, bySub.StatusCode(), string(bySub.Body))
	userinfoCheckProfile(t, bySub.JSON200)

	login, err := c.GetUserinfoWithLoginTokenWithResponse(ctx, &userinfo.GetUserinfoWithLoginTokenParams{}, userinfoLoginEditor)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, login.StatusCode(), string(login.Body))
	userinfoCheckProfile(t, login.JSON200)

	unknown, err := c.GetUserinfoWithResponse(ctx, "00000000-0000-4000-8000-000000000000", &userinfo.GetUserinfoParams{})
	require.NoError(t, err)
	require.NotNil(t, unknown.JSON404, string(unknown.Body))
	assert.Equal(t, "404", unknown.JSON404.Status)

	fake.mu.Lock()
	defer fake.mu.Unlock()
	assert.Empty(t, fake.problems, "headers the fake API found wrong")
	var called []string
	total := 0
	for op, n := range fake.calls {
		called = append(called, op)
		total += n
	}
	sort.Strings(called)
	assert.Equal(t, userinfoOperationIDs(t), called, "operations exercised")
	stats := v.Stats()
	assert.Equal(t, 2*total, stats.Requests, "every request validated on both sides")
	assert.Equal(t, 2*total, stats.Responses, "every response validated on both sides")
	userinfoRequireNoViolations(t, v)
	t.Logf("userinfo: %d operations called, %d violations", len(called), len(v.Violations()))
}

// TestUserinfoErrorShapes answers calls with one error per shape the Userinfo API and its
// gateway send, and checks the generated client's typed fields.
func TestUserinfoErrorShapes(t *testing.T) {
	bySub := func(ctx context.Context, c *userinfo.ClientWithResponses) (*userinfo.GetUserinfoResponse, error) {
		return c.GetUserinfoWithResponse(ctx, userinfoSub, &userinfo.GetUserinfoParams{})
	}
	byLogin := func(ctx context.Context, c *userinfo.ClientWithResponses) (*userinfo.GetUserinfoWithLoginTokenResponse, error) {
		return c.GetUserinfoWithLoginTokenWithResponse(ctx, &userinfo.GetUserinfoWithLoginTokenParams{}, userinfoLoginEditor)
	}
	cases := []struct {
		name   string
		answer userinfoAnswer
		check  func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses)
	}{{
		name: "400 error with status as a string",
		answer: userinfoAnswer{status: 400, contentType: "application/json",
			body: `{"type":"about:blank","title":"Bad Request","status":"400","detail":"Malformed sub","instance":"/vipps-userinfo-api/userinfo/x","extraInfo":{"field":"sub"}}`},
		check: func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses) {
			r, err := bySub(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON400)
			assert.Equal(t, "400", r.JSON400.Status)
			assert.Equal(t, map[string]any{"field": "sub"}, r.JSON400.ExtraInfo)
		},
	}, {
		name: "403 error: consent withdrawn",
		answer: userinfoAnswer{status: 403, contentType: "application/json",
			body: `{"title":"Forbidden","status":"403","detail":"The user has not consented"}`},
		check: func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses) {
			r, err := byLogin(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON403)
			assert.Equal(t, "403", r.JSON403.Status)
		},
	}, {
		name: "401 gateway statusCode and message",
		answer: userinfoAnswer{status: 401, contentType: "application/json",
			body: `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`},
		check: func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses) {
			r, err := bySub(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON401)
			assert.Equal(t, 401, r.JSON401.StatusCode)
		},
	}, {
		name: "429 with Retry-After",
		answer: userinfoAnswer{status: 429, contentType: "application/json", header: map[string]string{"Retry-After": "3"},
			body: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3 seconds."}`},
		check: func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses) {
			r, err := byLogin(ctx, c)
			require.NoError(t, err)
			require.NotNil(t, r.JSON429)
			require.NotNil(t, r.Headers429)
			assert.Equal(t, "3", r.Headers429.RetryAfter)
		},
	}, {
		name:   "500 without body",
		answer: userinfoAnswer{status: 500},
		check: func(t *testing.T, ctx context.Context, c *userinfo.ClientWithResponses) {
			r, err := bySub(ctx, c)
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, r.StatusCode())
			assert.Nil(t, r.JSON500)
			assert.Empty(t, r.Body)
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, fake, v := userinfoSetup(t)
			fake.force = &tc.answer
			tc.check(t, context.Background(), c)
			fake.mu.Lock()
			assert.Empty(t, fake.problems, "headers the fake API found wrong")
			fake.mu.Unlock()
			userinfoRequireNoViolations(t, v)
		})
	}
}
