package momo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
	"github.com/paykit-go/paykit/apierror"
	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/gen/momo/remittance"
	"github.com/paykit-go/paykit/internal/contract"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/retry"
)

// Credentials and values the operations tests send; the fake gateway checks them.
const (
	opsAPIUserID    = "783a8f21-3fc6-4e39-aa76-da8e562fba7e"
	opsAPIKey       = "f1db798c98df4bcf83b538175893bbf0"
	opsCallbackHost = "merchant.example.com"
	opsCallbackURL  = "https://" + opsCallbackHost + "/momo/callback"
)

var (
	opsKeys = momoauth.SubscriptionKeys{
		Collection:   "collection-subscription-key",
		Disbursement: "disbursement-subscription-key",
		Remittance:   "remittance-subscription-key",
	}
	opsUser = momoauth.APIUser{ID: opsAPIUserID, Key: opsAPIKey}

	opsHex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// opsRoute is one MoMo operation as a document declares it, with what the fake gateway must
// see on its requests.
type opsRoute struct {
	key     string // "<product>/<operationId>", e.g. "collection/RequestToPay"
	product string // provisioning, collection, disbursement or remittance
	opID    string
	method  string
	pattern *regexp.Regexp  // base path + path template, anchored
	headers map[string]bool // declared header parameters, canonical names
	body    bool            // the operation declares a request body
	auth    string          // "basic", "consent", "bearer" or "" (subscription key only)
}

// opsCalledDocuments are the documents of the APIs a client calls; callback.yaml describes
// what MoMo sends to the provider and has no operation to call.
func opsCalledDocuments() []string {
	var names []string
	for _, name := range api.MoMo {
		if name != "momo/callback.yaml" {
			names = append(names, name)
		}
	}
	return names
}

// opsLoadRoutes loads the called MoMo documents with kin-openapi and lists their operations.
var opsLoadRoutes = sync.OnceValues(func() ([]opsRoute, error) {
	var routes []opsRoute
	for _, name := range opsCalledDocuments() {
		doc, err := opsLoadDocument(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		product := strings.TrimSuffix(path.Base(name), ".yaml")
		base := ""
		if len(doc.Servers) > 0 {
			u, err := url.Parse(doc.Servers[0].URL)
			if err != nil {
				return nil, fmt.Errorf("%s: server URL: %w", name, err)
			}
			base = strings.TrimRight(u.Path, "/")
		}
		for tmpl, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				r := opsRoute{
					key:     product + "/" + op.OperationID,
					product: product,
					opID:    op.OperationID,
					method:  method,
					pattern: opsPathPattern(base + tmpl),
					headers: map[string]bool{},
					body:    op.RequestBody != nil,
					auth:    opsAuthKind(doc, op),
				}
				for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
					if p.Value != nil && p.Value.In == openapi3.ParameterInHeader {
						r.headers[http.CanonicalHeaderKey(p.Value.Name)] = true
					}
				}
				routes = append(routes, r)
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].key < routes[j].key })
	return routes, nil
})

// opsLoadDocument loads one document from the embedded file system, resolving its
// references to common.yaml there.
func opsLoadDocument(name string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("reference %q leaves the embedded documents", u)
		}
		return fs.ReadFile(api.FS(), strings.TrimPrefix(path.Clean(u.Path), "/"))
	}
	return loader.LoadFromURI(&url.URL{Path: name})
}

// opsPathPattern turns "/collection/v1_0/requesttopay/{referenceId}" into an anchored
// regular expression; the trailing slash of /token/ stays significant, as on the gateway.
func opsPathPattern(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for rest := tmpl; rest != ""; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		j := strings.IndexByte(rest, '}')
		b.WriteString("[^/]+")
		rest = rest[j+1:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// opsAuthKind names the Authorization an operation requires, from its security schemes.
func opsAuthKind(doc *openapi3.T, op *openapi3.Operation) string {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	kind := ""
	for _, req := range reqs {
		for scheme := range req {
			ref := doc.Components.SecuritySchemes[scheme]
			if ref == nil || ref.Value == nil || ref.Value.Type != "http" {
				continue
			}
			switch {
			case strings.EqualFold(ref.Value.Scheme, "basic"):
				kind = "basic"
			case scheme == "ConsentToken":
				kind = "consent"
			default:
				kind = "bearer"
			}
		}
	}
	return kind
}

// opsConsentToken is the consent (oauth2) token the fake gateway issues for product p.
func opsConsentToken(p string) string { return "consent-token-" + p }

// opsFake is a small MoMo gateway written from the facts sheet: it routes by the documents,
// checks the credentials and headers of every request, and answers each operation with a
// realistic canned answer (or a forced one).
type opsFake struct {
	routes []opsRoute

	mu       sync.Mutex
	seen     map[string]int         // requests per route key
	last     map[string]http.Header // headers of the last request per route key
	problems []string               // header and credential problems found
	issued   map[string]string      // bearer token -> product
	tokens   map[string]int         // token requests per product
	current  map[string]string      // current bearer token per product
	revoked  map[string]bool        // bearer tokens the gateway now rejects
	unauth   int                    // 401 answers to revoked tokens
	forced   map[string]opsAnswer   // route key -> answer replacing the canned one
}

// opsAnswer is a status with an optional JSON body.
type opsAnswer struct {
	status int
	body   string
}

func newOpsFake(routes []opsRoute) *opsFake {
	return &opsFake{
		routes:  routes,
		seen:    map[string]int{},
		last:    map[string]http.Header{},
		issued:  map[string]string{},
		tokens:  map[string]int{},
		current: map[string]string{},
		revoked: map[string]bool{},
		forced:  map[string]opsAnswer{},
	}
}

func (f *opsFake) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *opsFake) route(r *http.Request) *opsRoute {
	for i := range f.routes {
		if f.routes[i].method == r.Method && f.routes[i].pattern.MatchString(r.URL.Path) {
			return &f.routes[i]
		}
	}
	return nil
}

func (f *opsFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	rt := f.route(r)
	if rt == nil {
		f.problem("%s %s: no MoMo operation", r.Method, r.URL.Path)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
		return
	}
	f.seen[rt.key]++
	f.last[rt.key] = r.Header.Clone()
	f.check(rt, r)
	if rt.auth == "bearer" && f.revoked[opsBearer(r)] {
		// An expired or revoked token: the gateway answers 401 with no body.
		f.unauth++
		f.mu.Unlock()
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ans, forced := f.forced[rt.key]
	if !forced {
		ans = f.canned(rt, r, body)
	}
	f.mu.Unlock()
	if ans.body != "" {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
	}
	if rt.opID == "CreateAccessToken" {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
	}
	w.WriteHeader(ans.status)
	_, _ = io.WriteString(w, ans.body)
}

func opsBearer(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return tok
}

// check records every way r differs from what the facts sheet requires of a request to rt.
func (f *opsFake) check(rt *opsRoute, r *http.Request) {
	at := rt.key
	// Subscription key of the right product; provisioning takes the first configured key.
	wantKey := opsKeys.Any()
	if rt.product != "provisioning" {
		wantKey = opsKeys.For(momoauth.Product(rt.product))
	}
	if got := r.Header.Get(momoauth.SubscriptionKeyHeader); got != wantKey.Reveal() {
		f.problem("%s: %s = %q, want the %s key", at, momoauth.SubscriptionKeyHeader, got, rt.product)
	}
	// Authorization as the operation's security requires.
	authz := r.Header.Get("Authorization")
	switch rt.auth {
	case "basic":
		user, pass, ok := r.BasicAuth()
		if !ok || user != opsAPIUserID || pass != opsAPIKey {
			f.problem("%s: Authorization %q, want Basic with the API user and key", at, authz)
		}
	case "consent":
		if authz != "Bearer "+opsConsentToken(rt.product) {
			f.problem("%s: Authorization %q, want the %s consent token", at, authz, rt.product)
		}
	case "bearer":
		tok := opsBearer(r)
		if p, ok := f.issued[tok]; !ok || p != rt.product {
			f.problem("%s: Authorization %q, want Bearer with a %s token issued by CreateAccessToken (issued for %q)", at, authz, rt.product, p)
		}
	default:
		if authz != "" {
			f.problem("%s: Authorization %q, want none", at, authz)
		}
	}
	// X-Target-Environment on every operation that declares it (all but the token and
	// provisioning ones), absent elsewhere.
	env, hasEnv := r.Header[momoauth.TargetEnvironmentHeader]
	switch {
	case rt.headers[momoauth.TargetEnvironmentHeader] && (len(env) != 1 || env[0] != momo.SandboxEnvironment):
		f.problem("%s: X-Target-Environment %q, want [sandbox]", at, env)
	case !rt.headers[momoauth.TargetEnvironmentHeader] && hasEnv:
		f.problem("%s: X-Target-Environment %q sent, the operation takes none", at, env)
	}
	// X-Reference-Id: a UUID v4 on creates.
	if rt.headers[momoauth.ReferenceIDHeader] {
		ref, err := uuid.Parse(r.Header.Get(momoauth.ReferenceIDHeader))
		if err != nil || ref.Version() != 4 || ref.String() != r.Header.Get(momoauth.ReferenceIDHeader) {
			f.problem("%s: X-Reference-Id %q, want a lowercase UUID v4", at, r.Header.Get(momoauth.ReferenceIDHeader))
		}
	} else if _, ok := r.Header[momoauth.ReferenceIDHeader]; ok {
		f.problem("%s: X-Reference-Id sent, the operation takes none", at)
	}
	// Bodyless POSTs must say Content-Length: 0 (else 411) and must not be chunked.
	if rt.method == http.MethodPost && !rt.body {
		if r.Header.Get("Content-Length") != "0" || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
			f.problem("%s: bodyless POST with Content-Length %q, Transfer-Encoding %q; want Content-Length: 0",
				at, r.Header.Get("Content-Length"), r.TransferEncoding)
		}
	}
	// X-Callback-Url: never empty; whether it was sent is checked per call.
	if v, ok := r.Header["X-Callback-Url"]; ok {
		if !rt.headers["X-Callback-Url"] {
			f.problem("%s: X-Callback-Url sent, the operation takes none", at)
		} else if len(v) != 1 || v[0] == "" {
			f.problem("%s: X-Callback-Url %q, want one non-empty URL", at, v)
		}
	}
}

// opsLastSegment is the last path segment: the reference of a status request.
func opsLastSegment(r *http.Request) string { return path.Base(r.URL.Path) }

// canned returns the answer the real gateway gives to a successful call of rt. Called
// with f.mu held.
func (f *opsFake) canned(rt *opsRoute, r *http.Request, body []byte) opsAnswer {
	ok := func(v any) opsAnswer {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return opsAnswer{status: http.StatusOK, body: string(b)}
	}
	ref := opsLastSegment(r)
	switch rt.opID {
	// Provisioning.
	case "CreateApiUser":
		return opsAnswer{status: http.StatusCreated}
	case "GetApiUser":
		return ok(map[string]any{"providerCallbackHost": opsCallbackHost, "targetEnvironment": "sandbox"})
	case "CreateApiKey":
		return opsAnswer{status: http.StatusCreated, body: `{"apiKey":"` + strings.ReplaceAll(uuid.NewString(), "-", "") + `"}`}

	// Shared by the three products.
	case "CreateAccessToken":
		f.tokens[rt.product]++
		tok := fmt.Sprintf("%s-token-%d", rt.product, f.tokens[rt.product])
		f.issued[tok] = rt.product
		f.current[rt.product] = tok
		return ok(map[string]any{"access_token": tok, "token_type": "access_token", "expires_in": 3600})
	case "CreateOauth2Token":
		return ok(map[string]any{"access_token": opsConsentToken(rt.product), "token_type": "Bearer", "expires_in": 3600,
			"scope": "all_info", "refresh_token": uuid.NewString(), "refresh_token_expired_in": 86400})
	case "BcAuthorize":
		return ok(map[string]any{"auth_req_id": uuid.NewString(), "interval": 5, "expires_in": 600})
	case "GetUserInfoWithConsent":
		// Recorded in the sandbox [NB]: address is an object, credit_score a number.
		return opsAnswer{status: http.StatusOK, body: `{"sub":"0","name":"Sand Box","given_name":"Sand","family_name":"Box",` +
			`"birthdate":"1976-08-13","locale":"sv_SE","status":"ACTIVE","gender":"MALE","email":"email@domain.test",` +
			`"email_verified":true,"phone_number":"46123456789","phone_number_verified":true,` +
			`"address":{"formatted":"Street 17\n123 45 Karlskrona\nBlekinge\nSweden","street_address":"Street 17",` +
			`"postal_code":"123 45","locality":"Karlskrona","region":"Blekinge","country":"Sweden"},` +
			`"updated_at":1731242938,"credit_score":123,"active":true,"country_of_birth":"Sweden",` +
			`"region_of_birth":"Blekinge","city_of_birth":"Karlskrona","occupation":"Manager","employer_name":"Ericsson",` +
			`"identification_type":"PASS","identification_value":"S1234567"}`}
	case "GetAccountBalance":
		return ok(map[string]any{"availableBalance": "1000", "currency": "EUR"})
	case "GetAccountBalanceInSpecificCurrency":
		return ok(map[string]any{"availableBalance": "250.50", "currency": ref})
	case "ValidateAccountHolderStatus":
		// The sandbox's NotActive test value answers false.
		return ok(map[string]any{"result": !strings.Contains(r.URL.Path, "notactive@")})
	case "GetBasicUserinfo":
		info := map[string]any{"sub": "0", "name": "Sand Box", "given_name": "Sand", "family_name": "Box",
			"birthdate": "1976-08-13", "locale": "sv_SE", "gender": "MALE", "status": "ACTIVE", "updated_at": 0}
		if rt.product == "remittance" {
			info["updated_at"] = "1676978048" // the string form seen in an SDK mock
		}
		return ok(info)

	// Creates: 202, no body.
	case "RequestToPay", "RequestToWithdrawV1", "RequestToWithdrawV2", "CreateInvoice", "CreatePayments", "PreApproval",
		"Transfer", "DepositV1", "DepositV2", "RefundV1", "RefundV2", "CashTransfer":
		return opsAnswer{status: http.StatusAccepted}

	// Collection.
	case "GetRequestToPayStatus":
		return ok(map[string]any{"externalId": "order-17", "amount": "100", "currency": "EUR",
			"payer":        map[string]string{"partyIdType": "MSISDN", "partyId": "46733123451"},
			"payerMessage": "Order 17", "payeeNote": "Order 17", "status": "FAILED", "reason": "APPROVAL_REJECTED"})
	case "RequestToPayDeliveryNotification":
		var n common.DeliveryNotification
		if err := json.Unmarshal(body, &n); err != nil || n.NotificationMessage != r.Header.Get("notificationMessage") {
			f.problem("%s: notification body %q and header %q differ", rt.key, body, r.Header.Get("notificationMessage"))
		}
		return opsAnswer{status: http.StatusOK}
	case "GetRequestToWithdrawStatus":
		return ok(map[string]any{"financialTransactionId": "1324065705", "externalId": "cash-out-9", "amount": "5000",
			"currency": "EUR", "payer": map[string]string{"partyIdType": "MSISDN", "partyId": "56733123453"},
			"payerMessage": "Cash out", "payeeNote": "Cash out", "status": "SUCCESSFUL"})
	case "GetInvoiceStatus":
		return ok(map[string]any{"referenceId": ref, "externalId": "invoice-3", "amount": "700", "currency": "EUR",
			"status": "FAILED", "invoiceId": "1308629355", "expiryDateTime": "2024-11-10T17:36:25.698",
			"intendedPayer": map[string]string{"partyIdType": "MSISDN", "partyId": "46733123455"},
			"description":   "Invoice 3",
			"errorReason":   map[string]string{"code": "PAYER_NOT_FOUND", "message": "Payee does not exist"}})
	case "CancelInvoice":
		var in collection.CancelInvoice
		_ = json.Unmarshal(body, &in)
		return ok(map[string]any{"externalId": in.ExternalId})
	case "GetPaymentStatus":
		return ok(map[string]any{"referenceId": ref, "status": "SUCCESSFUL", "financialTransactionId": "600198217"})
	case "GetPreApprovalStatus":
		return ok(map[string]any{"payer": map[string]string{"partyIdType": "MSISDN", "partyId": "56733123453"},
			"payerCurrency": "EUR", "payerMessage": "Monthly plan", "status": "SUCCESSFUL",
			"expirationDateTime": "2026-10-03T10:00:00.000"})
	case "GetApprovedPreApprovals":
		return ok([]map[string]string{{"preApprovalId": "4e4b7a5c-0d5c-4e0f-9a56-5f1c2a2c1d0e",
			"toFri": "FRI:merchant/USER", "fromFri": "FRI:56733123453/MSISDN", "fromCurrency": "EUR",
			"createdTime": "2026-09-03T10:00:00Z", "approvedTime": "2026-09-03T10:01:00Z", "expiryTime": "2026-10-03T10:00:00Z",
			"status": "APPROVED", "message": "Monthly plan", "frequency": "MONTHLY", "maxDebitAmount": "50"}})
	case "CancelPreApproval":
		return opsAnswer{status: http.StatusOK}

	// Disbursement and remittance.
	case "GetTransferStatus":
		if rt.product == "remittance" {
			return ok(map[string]any{"amount": "500", "currency": "EUR", "externalId": "payout-5",
				"payee":        map[string]string{"partyIdType": "MSISDN", "partyId": "46733123453"},
				"payerMessage": "Payout", "payeeNote": "Payout", "status": "PENDING"})
		}
		return ok(map[string]any{"amount": "500", "currency": "EUR", "financialTransactionId": "1573250710",
			"externalId": "payout-4", "payee": map[string]string{"partyIdType": "MSISDN", "partyId": "56733123453"},
			"payerMessage": "Payout", "payeeNote": "Payout", "status": "SUCCESSFUL"})
	case "GetDepositStatus":
		// Recorded in the sandbox [NB]: SUCCESSFUL without financialTransactionId.
		return ok(map[string]any{"externalId": "deposit-1", "amount": "50089", "currency": "EUR",
			"payee":        map[string]string{"partyIdType": "MSISDN", "partyId": "56733123453"},
			"payerMessage": "Cash in", "payeeNote": "Cash in", "status": "SUCCESSFUL"})
	case "GetRefundStatus":
		return ok(map[string]any{"externalId": "refund-2", "amount": "200", "currency": "EUR",
			"payee":        map[string]string{"partyIdType": "MSISDN", "partyId": "56733123452"},
			"payerMessage": "Refund", "payeeNote": "Refund", "status": "FAILED", "reason": "INTERNAL_PROCESSING_ERROR"})
	case "GetCashTransferStatus":
		return ok(map[string]any{"financialTransactionId": "1796364887", "externalId": "remit-8",
			"payee":  map[string]string{"partyIdType": "MSISDN", "partyId": "56733123453"},
			"amount": "100", "currency": "EUR", "originalAmount": "110", "originalCurrency": "USD",
			"payerMessage": "Family support", "payeeNote": "Family support", "status": "SUCCESSFUL",
			"payerIdentificationType": "PASS", "payerIdentificationNumber": "S1234567",
			"payerIdentity": "ID:256701081899/MSISDN", "payerFirstName": "Amina", "payerSurName": "Nakato",
			"payerLanguageCode": "en", "payerEmail": "amina@example.com", "payerMsisdn": "256701081899", "payerGender": "FEMALE"})
	}
	f.problem("%s: the fake has no canned answer", rt.key)
	return opsAnswer{status: http.StatusNotImplemented}
}

// Accessors for tests, all under the lock.

func (f *opsFake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[key]
}

func (f *opsFake) lastHeader(key string) http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last[key].Clone()
}

func (f *opsFake) tokenRequests(p momoauth.Product) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens[string(p)]
}

func (f *opsFake) force(key string, a opsAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forced[key] = a
}

// revoke makes the gateway reject product p's current token, as when it expires early.
func (f *opsFake) revoke(p momoauth.Product) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked[f.current[string(p)]] = true
}

func (f *opsFake) seenKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys := make([]string, 0, len(f.seen))
	for k := range f.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// problemList returns the header and credential problems the fake found.
func (f *opsFake) problemList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

// opsEnv is one fake gateway behind contract validation and wired clients calling it
// through the same validator.
type opsEnv struct {
	fake    *opsFake
	v       *contract.Validator
	clients *momo.Clients
	routes  []opsRoute
}

func newOpsEnv(t *testing.T) *opsEnv {
	t.Helper()
	routes, err := opsLoadRoutes()
	require.NoError(t, err)
	v, err := contract.New(api.FS(), api.MoMo...)
	require.NoError(t, err)
	fake := newOpsFake(routes)
	srv := httptest.NewServer(v.Middleware(fake))
	t.Cleanup(srv.Close)
	hc := &http.Client{
		Transport:     v.Transport(http.DefaultTransport),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	c, err := momo.New(momo.Config{
		BaseURL:           srv.URL,
		TargetEnvironment: momo.SandboxEnvironment,
		SubscriptionKeys:  opsKeys,
		APIUser:           opsUser,
		HTTPClient:        hc,
		// The default retries stay on, so every operation goes through the whole wiring;
		// short waits keep the error answers that are retried quick.
		Retry: retry.Policy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	})
	require.NoError(t, err)
	return &opsEnv{fake: fake, v: v, clients: c, routes: routes}
}

// requireClean fails with every problem the fake gateway found and every contract
// violation recorded on either side, all listed.
func (e *opsEnv) requireClean(t *testing.T) {
	t.Helper()
	problems := e.fake.problemList()
	for _, p := range problems {
		t.Errorf("gateway saw: %s", p)
	}
	viols := e.v.Violations()
	for _, viol := range viols {
		t.Errorf("contract violation: %s", viol)
	}
	if len(problems)+len(viols) > 0 {
		t.FailNow()
	}
}

func opsParty(msisdn string) common.Party {
	return common.Party{PartyIdType: "MSISDN", PartyId: msisdn}
}

func opsCallback() *string { s := opsCallbackURL; return &s }

// opsCall is one operation called through the wired clients.
type opsCall struct {
	key      string // route key "<product>/<operationId>"
	callback bool   // the call passes X-Callback-Url
	// do makes the call and checks the typed answer; ref is a new momo.NewReferenceID()
	// for this call, to be sent as X-Reference-Id by the creates.
	do func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID)
}

// opsCalls returns one call per MoMo operation. Every call leaves X-Target-Environment
// empty in its parameters: the wired clients fill in the configured one.
func opsCalls() []opsCall {
	basic := auth.Basic(opsAPIUserID, opsAPIKey)
	consent := func(p string) auth.Editor { return auth.Header("Authorization", "Bearer "+opsConsentToken(p)) }
	pay := func(msisdn string) common.RequestToPay {
		return common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17", Payer: opsParty(msisdn),
			PayerMessage: "Order 17", PayeeNote: "Order 17"}
	}
	transfer := func(msisdn string) common.Transfer {
		return common.Transfer{Amount: "500", Currency: "EUR", ExternalId: "payout-4", Payee: opsParty(msisdn),
			PayerMessage: "Payout", PayeeNote: "Payout"}
	}
	refund := func() common.Refund {
		return common.Refund{Amount: "200", Currency: "EUR", ExternalId: "refund-2", PayerMessage: "Refund",
			PayeeNote: "Refund", ReferenceIdToRefund: momo.NewReferenceID()}
	}
	bcAuthorize := common.BcAuthorizeRequest{Scope: "all_info", LoginHint: "ID:56733123453/MSISDN", AccessType: common.Offline}
	ciba := common.Oauth2TokenRequest{GrantType: "urn:openid:params:grant-type:ciba", AuthReqId: "0e8bcb3b-4e0b-4f38-8e07-2a4f1b5e7c11"}
	accessToken := func(t *testing.T, status int, tok *common.AccessToken) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, tok)
		assert.NotEmpty(t, tok.AccessToken)
		assert.Equal(t, "access_token", tok.TokenType)
		assert.Equal(t, 3600, tok.ExpiresIn)
	}
	consentToken := func(t *testing.T, p string, status int, tok *common.Oauth2TokenResponse) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, tok)
		assert.Equal(t, opsConsentToken(p), tok.AccessToken)
		assert.Equal(t, "Bearer", tok.TokenType)
		assert.NotEmpty(t, tok.RefreshToken)
	}
	started := func(t *testing.T, status int, res *common.BcAuthorizeResponse) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, res)
		_, err := uuid.Parse(res.AuthReqId)
		assert.NoError(t, err, "auth_req_id")
		assert.EqualValues(t, 5, res.Interval)
	}
	kyc := func(t *testing.T, status int, info *common.ConsentKycResponse) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, info)
		assert.Equal(t, "Sand Box", info.Name)
		assert.Equal(t, "1976-08-13", info.Birthdate)
		assert.True(t, info.EmailVerified)
		addr, err := info.Address.AsAddress()
		require.NoError(t, err, "address is an object on the wire")
		assert.Equal(t, "Karlskrona", addr.Locality)
		assert.Equal(t, "123", info.CreditScore.String(), "credit_score is a number on the wire")
		assert.Equal(t, "1731242938", info.UpdatedAt.String())
	}
	balance := func(t *testing.T, status int, b *common.Balance, amount, currency string) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, b)
		assert.Equal(t, amount, b.AvailableBalance.String())
		assert.Equal(t, currency, b.Currency)
	}
	active := func(t *testing.T, status int, b *common.BooleanResult, want bool) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, b)
		assert.Equal(t, want, b.Result)
	}
	basicInfo := func(t *testing.T, status int, info *common.BasicUserInfo, updated string) {
		t.Helper()
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, info)
		assert.Equal(t, "Sand", info.GivenName)
		assert.Equal(t, "Box", info.FamilyName)
		assert.Equal(t, updated, info.UpdatedAt.String())
	}
	accepted := func(t *testing.T, status int, body []byte) {
		t.Helper()
		assert.Equal(t, http.StatusAccepted, status)
		assert.Empty(t, body)
	}
	return []opsCall{
		// Provisioning.
		{key: "provisioning/CreateApiUser", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Provisioning.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: ref},
				provisioning.ApiUser{ProviderCallbackHost: opsCallbackHost})
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, res.StatusCode())
		}},
		{key: "provisioning/GetApiUser", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Provisioning.GetApiUserWithResponse(ctx, uuid.MustParse(opsAPIUserID))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, opsCallbackHost, res.JSON200.ProviderCallbackHost)
			assert.Equal(t, "sandbox", res.JSON200.TargetEnvironment)
		}},
		{key: "provisioning/CreateApiKey", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Provisioning.CreateApiKeyWithResponse(ctx, uuid.MustParse(opsAPIUserID))
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, res.StatusCode())
			require.NotNil(t, res.JSON201)
			assert.Regexp(t, opsHex32, res.JSON201.ApiKey)
		}},

		// Collection.
		{key: "collection/CreateAccessToken", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.CreateAccessTokenWithResponse(ctx, collection.RequestEditorFn(basic))
			require.NoError(t, err)
			accessToken(t, res.StatusCode(), res.JSON200)
		}},
		{key: "collection/BcAuthorize", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.BcAuthorizeWithFormdataBodyWithResponse(ctx, &collection.BcAuthorizeParams{}, bcAuthorize)
			require.NoError(t, err)
			started(t, res.StatusCode(), res.JSON200)
		}},
		{key: "collection/CreateOauth2Token", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &collection.CreateOauth2TokenParams{}, ciba,
				collection.RequestEditorFn(basic))
			require.NoError(t, err)
			consentToken(t, "collection", res.StatusCode(), res.JSON200)
		}},
		{key: "collection/GetUserInfoWithConsent", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.GetUserInfoWithConsentWithResponse(ctx, &collection.GetUserInfoWithConsentParams{},
				collection.RequestEditorFn(consent("collection")))
			require.NoError(t, err)
			kyc(t, res.StatusCode(), res.JSON200)
		}},
		{key: "collection/GetAccountBalance", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "1000", "EUR")
		}},
		{key: "collection/GetAccountBalanceInSpecificCurrency", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &collection.GetAccountBalanceInSpecificCurrencyParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "250.50", "EUR")
		}},
		{key: "collection/ValidateAccountHolderStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.ValidateAccountHolderStatusWithResponse(ctx, "msisdn", "56733123453", &collection.ValidateAccountHolderStatusParams{})
			require.NoError(t, err)
			active(t, res.StatusCode(), res.JSON200, true)
		}},
		{key: "collection/GetBasicUserinfo", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.GetBasicUserinfoWithResponse(ctx, "msisdn", "56733123453", &collection.GetBasicUserinfoParams{})
			require.NoError(t, err)
			basicInfo(t, res.StatusCode(), res.JSON200, "0")
		}},
		{key: "collection/RequestToPay", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.RequestToPayWithResponse(ctx,
				&collection.RequestToPayParams{XReferenceId: ref, XCallbackUrl: opsCallback()}, pay("46733123451"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/GetRequestToPayStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode(), "a FAILED request to pay still answers 200")
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "FAILED", res.JSON200.Status)
			assert.Equal(t, "APPROVAL_REJECTED", res.JSON200.Reason.Code, "reason arrives as a bare string")
			assert.Empty(t, res.JSON200.FinancialTransactionId)
			assert.Equal(t, "100", res.JSON200.Amount.String())
		}},
		{key: "collection/RequestToPayDeliveryNotification", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			msg, lang := "Your order 17 ships today", "en"
			res, err := c.Collection.RequestToPayDeliveryNotificationWithResponse(ctx, ref,
				&collection.RequestToPayDeliveryNotificationParams{NotificationMessage: &msg, Language: &lang},
				common.DeliveryNotification{NotificationMessage: msg})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode())
			assert.Empty(t, res.Body)
		}},
		{key: "collection/RequestToWithdrawV1", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.RequestToWithdrawV1WithResponse(ctx, &collection.RequestToWithdrawV1Params{XReferenceId: ref}, pay("56733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/RequestToWithdrawV2", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.RequestToWithdrawV2WithResponse(ctx,
				&collection.RequestToWithdrawV2Params{XReferenceId: ref, XCallbackUrl: opsCallback()}, pay("56733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/GetRequestToWithdrawStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.GetRequestToWithdrawStatusWithResponse(ctx, ref, &collection.GetRequestToWithdrawStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Equal(t, "1324065705", res.JSON200.FinancialTransactionId)
			assert.Empty(t, res.JSON200.Reason.Code)
		}},
		{key: "collection/CreateInvoice", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.CreateInvoiceWithResponse(ctx, &collection.CreateInvoiceParams{XReferenceId: ref, XCallbackUrl: opsCallback()},
				collection.CreateInvoice{ExternalId: "invoice-3", Amount: "700", Currency: "EUR", ValidityDuration: "360",
					IntendedPayer: opsParty("46733123455"), Payee: opsParty("56733123453"), Description: "Invoice 3"})
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/GetInvoiceStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.GetInvoiceStatusWithResponse(ctx, ref, &collection.GetInvoiceStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, ref.String(), res.JSON200.ReferenceId)
			assert.Equal(t, "FAILED", res.JSON200.Status)
			assert.Equal(t, "PAYER_NOT_FOUND", res.JSON200.ErrorReason.Code, "invoices name it errorReason")
			assert.Equal(t, "Payee does not exist", res.JSON200.ErrorReason.Message)
		}},
		{key: "collection/CancelInvoice", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			invoice := momo.NewReferenceID() // the path names the invoice, X-Reference-Id is new
			res, err := c.Collection.CancelInvoiceWithResponse(ctx, invoice, &collection.CancelInvoiceParams{XReferenceId: ref},
				collection.CancelInvoice{ExternalId: "invoice-3"})
			require.NoError(t, err)
			require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "invoice-3", res.JSON200.ExternalId)
		}},
		{key: "collection/CreatePayments", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.CreatePaymentsWithResponse(ctx, &collection.CreatePaymentsParams{XReferenceId: ref},
				collection.CreatePayments{ExternalTransactionId: "bill-12", Money: common.Money{Amount: "35", Currency: "EUR"},
					CustomerReference: "46733123454", ServiceProviderUserName: "utility-co", ReceiverMessage: "Water bill",
					SenderNote: "Water bill", MaxNumberOfRetries: 2, IncludeSenderCharges: true})
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/GetPaymentStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.GetPaymentStatusWithResponse(ctx, ref, &collection.GetPaymentStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Equal(t, "600198217", res.JSON200.FinancialTransactionId)
		}},
		{key: "collection/PreApproval", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.PreApprovalWithResponse(ctx, &collection.PreApprovalParams{XReferenceId: ref, XCallbackUrl: opsCallback()},
				collection.PreApproval{Payer: opsParty("56733123453"), PayerCurrency: "EUR", PayerMessage: "Monthly plan", ValidityTime: 3600})
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "collection/GetPreApprovalStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Collection.GetPreApprovalStatusWithResponse(ctx, ref, &collection.GetPreApprovalStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Equal(t, "2026-10-03T10:00:00.000", res.JSON200.ExpirationDateTime.String())
		}},
		{key: "collection/GetApprovedPreApprovals", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.GetApprovedPreApprovalsWithResponse(ctx, "msisdn", "56733123453", &collection.GetApprovedPreApprovalsParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			require.Len(t, *res.JSON200, 1)
			assert.Equal(t, "APPROVED", (*res.JSON200)[0].Status)
			assert.Equal(t, "FRI:56733123453/MSISDN", (*res.JSON200)[0].FromFri)
		}},
		{key: "collection/CancelPreApproval", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Collection.CancelPreApprovalWithResponse(ctx, uuid.MustParse("4e4b7a5c-0d5c-4e0f-9a56-5f1c2a2c1d0e"),
				&collection.CancelPreApprovalParams{})
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode())
		}},

		// Disbursement.
		{key: "disbursement/CreateAccessToken", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.CreateAccessTokenWithResponse(ctx, disbursement.RequestEditorFn(basic))
			require.NoError(t, err)
			accessToken(t, res.StatusCode(), res.JSON200)
		}},
		{key: "disbursement/BcAuthorize", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.BcAuthorizeWithFormdataBodyWithResponse(ctx,
				&disbursement.BcAuthorizeParams{XCallbackUrl: opsCallback()}, bcAuthorize)
			require.NoError(t, err)
			started(t, res.StatusCode(), res.JSON200)
		}},
		{key: "disbursement/CreateOauth2Token", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &disbursement.CreateOauth2TokenParams{}, ciba,
				disbursement.RequestEditorFn(basic))
			require.NoError(t, err)
			consentToken(t, "disbursement", res.StatusCode(), res.JSON200)
		}},
		{key: "disbursement/GetUserInfoWithConsent", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.GetUserInfoWithConsentWithResponse(ctx, &disbursement.GetUserInfoWithConsentParams{},
				disbursement.RequestEditorFn(consent("disbursement")))
			require.NoError(t, err)
			kyc(t, res.StatusCode(), res.JSON200)
		}},
		{key: "disbursement/GetAccountBalance", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "1000", "EUR")
		}},
		{key: "disbursement/GetAccountBalanceInSpecificCurrency", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &disbursement.GetAccountBalanceInSpecificCurrencyParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "250.50", "EUR")
		}},
		{key: "disbursement/ValidateAccountHolderStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.ValidateAccountHolderStatusWithResponse(ctx, "email", "notactive@email.com", &disbursement.ValidateAccountHolderStatusParams{})
			require.NoError(t, err)
			active(t, res.StatusCode(), res.JSON200, false)
		}},
		{key: "disbursement/GetBasicUserinfo", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Disbursement.GetBasicUserinfoWithResponse(ctx, "msisdn", "56733123453", &disbursement.GetBasicUserinfoParams{})
			require.NoError(t, err)
			basicInfo(t, res.StatusCode(), res.JSON200, "0")
		}},
		{key: "disbursement/Transfer", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.TransferWithResponse(ctx, &disbursement.TransferParams{XReferenceId: ref, XCallbackUrl: opsCallback()},
				transfer("56733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "disbursement/GetTransferStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.GetTransferStatusWithResponse(ctx, ref, &disbursement.GetTransferStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Equal(t, "1573250710", res.JSON200.FinancialTransactionId)
			assert.Equal(t, "56733123453", res.JSON200.Payee.PartyId)
		}},
		{key: "disbursement/DepositV1", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.DepositV1WithResponse(ctx, &disbursement.DepositV1Params{XReferenceId: ref}, transfer("56733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "disbursement/DepositV2", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.DepositV2WithResponse(ctx, &disbursement.DepositV2Params{XReferenceId: ref, XCallbackUrl: opsCallback()},
				transfer("56733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "disbursement/GetDepositStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.GetDepositStatusWithResponse(ctx, ref, &disbursement.GetDepositStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Empty(t, res.JSON200.FinancialTransactionId, "a sandbox deposit ended SUCCESSFUL without one")
		}},
		{key: "disbursement/RefundV1", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.RefundV1WithResponse(ctx, &disbursement.RefundV1Params{XReferenceId: ref}, refund())
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "disbursement/RefundV2", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.RefundV2WithResponse(ctx, &disbursement.RefundV2Params{XReferenceId: ref, XCallbackUrl: opsCallback()}, refund())
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "disbursement/GetRefundStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Disbursement.GetRefundStatusWithResponse(ctx, ref, &disbursement.GetRefundStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "FAILED", res.JSON200.Status)
			assert.Equal(t, "INTERNAL_PROCESSING_ERROR", res.JSON200.Reason.Code)
		}},

		// Remittance.
		{key: "remittance/CreateAccessToken", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.CreateAccessTokenWithResponse(ctx, remittance.RequestEditorFn(basic))
			require.NoError(t, err)
			accessToken(t, res.StatusCode(), res.JSON200)
		}},
		{key: "remittance/BcAuthorize", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.BcAuthorizeWithFormdataBodyWithResponse(ctx, &remittance.BcAuthorizeParams{}, bcAuthorize)
			require.NoError(t, err)
			started(t, res.StatusCode(), res.JSON200)
		}},
		{key: "remittance/CreateOauth2Token", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			refresh := common.Oauth2TokenRequest{GrantType: "refresh_token", RefreshToken: uuid.NewString()}
			res, err := c.Remittance.CreateOauth2TokenWithFormdataBodyWithResponse(ctx, &remittance.CreateOauth2TokenParams{}, refresh,
				remittance.RequestEditorFn(basic))
			require.NoError(t, err)
			consentToken(t, "remittance", res.StatusCode(), res.JSON200)
		}},
		{key: "remittance/GetUserInfoWithConsent", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.GetUserInfoWithConsentWithResponse(ctx, &remittance.GetUserInfoWithConsentParams{},
				remittance.RequestEditorFn(consent("remittance")))
			require.NoError(t, err)
			kyc(t, res.StatusCode(), res.JSON200)
		}},
		{key: "remittance/GetAccountBalance", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.GetAccountBalanceWithResponse(ctx, &remittance.GetAccountBalanceParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "1000", "EUR")
		}},
		{key: "remittance/GetAccountBalanceInSpecificCurrency", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.GetAccountBalanceInSpecificCurrencyWithResponse(ctx, "EUR", &remittance.GetAccountBalanceInSpecificCurrencyParams{})
			require.NoError(t, err)
			balance(t, res.StatusCode(), res.JSON200, "250.50", "EUR")
		}},
		{key: "remittance/ValidateAccountHolderStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.ValidateAccountHolderStatusWithResponse(ctx, "party_code", "5cecb5a7-8bd0-4f49-87b1-8eb9ecc7b7bc",
				&remittance.ValidateAccountHolderStatusParams{})
			require.NoError(t, err)
			active(t, res.StatusCode(), res.JSON200, true)
		}},
		{key: "remittance/GetBasicUserinfo", do: func(t *testing.T, ctx context.Context, c *momo.Clients, _ uuid.UUID) {
			res, err := c.Remittance.GetBasicUserinfoWithResponse(ctx, "56733123453", &remittance.GetBasicUserinfoParams{})
			require.NoError(t, err)
			basicInfo(t, res.StatusCode(), res.JSON200, "1676978048")
		}},
		{key: "remittance/Transfer", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Remittance.TransferWithResponse(ctx, &remittance.TransferParams{XReferenceId: ref}, transfer("46733123453"))
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "remittance/GetTransferStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Remittance.GetTransferStatusWithResponse(ctx, ref, &remittance.GetTransferStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "PENDING", res.JSON200.Status)
			assert.Empty(t, res.JSON200.FinancialTransactionId)
			assert.Empty(t, res.JSON200.Reason.Code)
		}},
		{key: "remittance/CashTransfer", callback: true, do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Remittance.CashTransferWithResponse(ctx, &remittance.CashTransferParams{XReferenceId: ref, XCallbackUrl: opsCallback()},
				remittance.CashTransfer{Amount: "100", Currency: "EUR", Payee: opsParty("56733123453"), ExternalId: "remit-8",
					OriginatingCountry: "US", OriginalAmount: "110", OriginalCurrency: "USD", PayerMessage: "Family support",
					PayeeNote: "Family support", PayerIdentificationType: "PASS", PayerIdentificationNumber: "S1234567",
					PayerIdentity: "ID:256701081899/MSISDN", PayerFirstName: "Amina", PayerSurName: "Nakato",
					PayerLanguageCode: "en", PayerEmail: "amina@example.com", PayerMsisdn: "256701081899", PayerGender: "FEMALE"})
			require.NoError(t, err)
			accepted(t, res.StatusCode(), res.Body)
		}},
		{key: "remittance/GetCashTransferStatus", do: func(t *testing.T, ctx context.Context, c *momo.Clients, ref uuid.UUID) {
			res, err := c.Remittance.GetCashTransferStatusWithResponse(ctx, ref, &remittance.GetCashTransferStatusParams{})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode())
			require.NotNil(t, res.JSON200)
			assert.Equal(t, "SUCCESSFUL", res.JSON200.Status)
			assert.Equal(t, "1796364887", res.JSON200.FinancialTransactionId)
			assert.Equal(t, "110", res.JSON200.OriginalAmount.String())
		}},
	}
}

// Every MoMo operation is called through the wired clients against one fake gateway, with
// contract validation of requests and responses on both the client and the server side.
func TestMoMoOperationsThroughWiredClients(t *testing.T) {
	e := newOpsEnv(t)
	routes := map[string]opsRoute{}
	for _, r := range e.routes {
		routes[r.key] = r
	}

	calls := opsCalls()
	called := map[string]bool{}
	for _, call := range calls {
		require.False(t, called[call.key], "operation %s listed twice", call.key)
		called[call.key] = true
		rt, ok := routes[call.key]
		require.True(t, ok, "operation %s is not in the documents", call.key)

		t.Run(call.key, func(t *testing.T) {
			before := e.fake.count(call.key)
			ref := momo.NewReferenceID()
			call.do(t, t.Context(), e.clients, ref)
			require.Equal(t, before+1, e.fake.count(call.key), "the gateway must see exactly one %s request", call.key)

			h := e.fake.lastHeader(call.key)
			if rt.headers[momoauth.ReferenceIDHeader] {
				assert.Equal(t, ref.String(), h.Get(momoauth.ReferenceIDHeader), "X-Reference-Id must be the caller's reference")
			}
			if rt.headers["X-Callback-Url"] {
				if call.callback {
					assert.Equal(t, []string{opsCallbackURL}, h.Values("X-Callback-Url"))
				} else {
					_, sent := h["X-Callback-Url"]
					assert.False(t, sent, "no X-Callback-Url may be sent when none was given (an empty one earns 400)")
				}
			} else {
				assert.False(t, call.callback, "%s takes no X-Callback-Url", call.key)
			}
			if call.key == "collection/RequestToPayDeliveryNotification" {
				assert.Equal(t, "en", h.Get("Language"))
				assert.Equal(t, "Your order 17 ships today", h.Get("notificationMessage"))
			}
		})
	}

	e.requireClean(t)

	// The documents, not a hard-coded count, say which operations exist.
	want := make([]string, 0, len(e.routes))
	for _, r := range e.routes {
		want = append(want, r.key)
	}
	require.Equal(t, want, e.fake.seenKeys(), "the gateway must have seen every documented MoMo operation and nothing else")

	st := e.v.Stats()
	t.Logf("%d MoMo operations called, %d requests and %d responses validated, %d violations",
		len(want), st.Requests, st.Responses, st.Violations)
}

// Error answers come back through the same wiring decoded into the typed error fields, and
// the gateway's error shapes (including empty bodies) satisfy the contract.
func TestMoMoOperationErrorAnswers(t *testing.T) {
	const (
		conflict      = `{"code":"RESOURCE_ALREADY_EXIST","message":"Duplicated reference id. Creation of resource failed."}`
		forbiddenEnv  = `{"message":"Access to target environment is forbidden.","code":"NOT_ALLOWED_TARGET_ENVIRONMENT"}`
		unavailable   = `{"message":"Service temporarily unavailable, try again later.","code":"SERVICE_UNAVAILABLE"}`
		notFound      = `{"code":"RESOURCE_NOT_FOUND","message":"Requested resource was not found."}`
		wantNoJSONFor = "an empty body decodes into no typed field"
	)
	e := newOpsEnv(t)
	cases := []struct {
		name   string
		key    string
		answer opsAnswer
		do     func(t *testing.T, ctx context.Context, c *momo.Clients)
	}{
		{"409 RESOURCE_ALREADY_EXIST on request to pay", "collection/RequestToPay", opsAnswer{http.StatusConflict, conflict},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: momo.NewReferenceID()},
					common.RequestToPay{Amount: "100", Currency: "EUR", ExternalId: "order-17", Payer: opsParty("56733123453"),
						PayerMessage: "Order 17", PayeeNote: "Order 17"})
				require.NoError(t, err)
				require.Equal(t, http.StatusConflict, res.StatusCode())
				require.NotNil(t, res.JSON409)
				assert.Equal(t, "RESOURCE_ALREADY_EXIST", res.JSON409.Code)
				assert.Equal(t, "Duplicated reference id. Creation of resource failed.", res.JSON409.Message)
			}},
		{"500 NOT_ALLOWED_TARGET_ENVIRONMENT on balance", "disbursement/GetAccountBalance", opsAnswer{http.StatusInternalServerError, forbiddenEnv},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
				require.NoError(t, err)
				require.Equal(t, http.StatusInternalServerError, res.StatusCode())
				require.NotNil(t, res.JSON500)
				assert.Equal(t, "NOT_ALLOWED_TARGET_ENVIRONMENT", res.JSON500.Code)
				assert.Nil(t, res.JSON200)
			}},
		{"503 SERVICE_UNAVAILABLE on balance", "collection/GetAccountBalance", opsAnswer{http.StatusServiceUnavailable, unavailable},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
				require.NoError(t, err)
				require.Equal(t, http.StatusServiceUnavailable, res.StatusCode())
				require.NotNil(t, res.JSON503)
				assert.Equal(t, "SERVICE_UNAVAILABLE", res.JSON503.Code)
			}},
		{"400 with empty body on status", "disbursement/GetTransferStatus", opsAnswer{status: http.StatusBadRequest},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Disbursement.GetTransferStatusWithResponse(ctx, momo.NewReferenceID(), &disbursement.GetTransferStatusParams{})
				require.NoError(t, err)
				require.Equal(t, http.StatusBadRequest, res.StatusCode())
				assert.Empty(t, res.Body)
				assert.Nil(t, res.JSON400, wantNoJSONFor)
			}},
		{"404 RESOURCE_NOT_FOUND on status", "collection/GetRequestToPayStatus", opsAnswer{http.StatusNotFound, notFound},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, momo.NewReferenceID(), &collection.GetRequestToPayStatusParams{})
				require.NoError(t, err)
				require.Equal(t, http.StatusNotFound, res.StatusCode())
				require.NotNil(t, res.JSON404)
				assert.Equal(t, "RESOURCE_NOT_FOUND", res.JSON404.Code)
				assert.Equal(t, "Requested resource was not found.", res.JSON404.Message)
			}},
		{"404 RESOURCE_NOT_FOUND on API key of unknown user", "provisioning/CreateApiKey", opsAnswer{http.StatusNotFound, notFound},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Provisioning.CreateApiKeyWithResponse(ctx, momo.NewReferenceID())
				require.NoError(t, err)
				require.Equal(t, http.StatusNotFound, res.StatusCode())
				require.NotNil(t, res.JSON404)
				assert.Equal(t, "RESOURCE_NOT_FOUND", res.JSON404.Code)
				assert.Nil(t, res.JSON201)
			}},
		{"500 with empty body on a create", "remittance/Transfer", opsAnswer{status: http.StatusInternalServerError},
			func(t *testing.T, ctx context.Context, c *momo.Clients) {
				res, err := c.Remittance.TransferWithResponse(ctx, &remittance.TransferParams{XReferenceId: momo.NewReferenceID()},
					common.Transfer{Amount: "500", Currency: "EUR", ExternalId: "payout-5", Payee: opsParty("56733123453"),
						PayerMessage: "Payout", PayeeNote: "Payout"})
				require.NoError(t, err)
				require.Equal(t, http.StatusInternalServerError, res.StatusCode())
				assert.Empty(t, res.Body)
				assert.Nil(t, res.JSON500, wantNoJSONFor)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.fake.force(tc.key, tc.answer)
			before := e.fake.count(tc.key)
			tc.do(t, t.Context(), e.clients)
			// 500 and 503 are retried until the attempts run out, and the last answer is the
			// one decoded; every other error answer is final at once, and so is a 500 whose
			// code says no retry can change it (e.g. NOT_ALLOWED_TARGET_ENVIRONMENT).
			want := 1
			temporary := apierror.Decode(tc.answer.status, nil, []byte(tc.answer.body)).Temporary()
			if (tc.answer.status == http.StatusInternalServerError || tc.answer.status == http.StatusServiceUnavailable) && temporary {
				want = retry.DefaultMaxAttempts
			}
			assert.Equal(t, before+want, e.fake.count(tc.key), "attempts of an error answer")
		})
	}
	e.requireClean(t)
}

// One token fetch per product serves many concurrent calls.
func TestMoMoOneTokenServesConcurrentCalls(t *testing.T) {
	e := newOpsEnv(t)
	const n = 200
	var wg sync.WaitGroup
	statuses := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			ctx := t.Context()
			switch momoauth.Products[i%len(momoauth.Products)] {
			case momoauth.Collection:
				res, err := e.clients.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
				if errs[i] = err; err == nil {
					statuses[i] = res.StatusCode()
				}
			case momoauth.Disbursement:
				res, err := e.clients.Disbursement.GetAccountBalanceWithResponse(ctx, &disbursement.GetAccountBalanceParams{})
				if errs[i] = err; err == nil {
					statuses[i] = res.StatusCode()
				}
			case momoauth.Remittance:
				res, err := e.clients.Remittance.GetAccountBalanceWithResponse(ctx, &remittance.GetAccountBalanceParams{})
				if errs[i] = err; err == nil {
					statuses[i] = res.StatusCode()
				}
			}
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "call %d", i)
		require.Equal(t, http.StatusOK, statuses[i], "call %d", i)
	}
	perProduct := map[momoauth.Product]int{}
	for i := range n {
		perProduct[momoauth.Products[i%len(momoauth.Products)]]++
	}
	for _, p := range momoauth.Products {
		assert.Equal(t, 1, e.fake.tokenRequests(p), "%d concurrent calls must share one %s token request", n, p)
		assert.Equal(t, perProduct[p], e.fake.count(string(p)+"/GetAccountBalance"), "%s calls reaching the gateway", p)
	}
	e.requireClean(t)
}

// A 401 with no body on a product call (the token expired early) makes exactly one token
// refresh and one retry, which succeeds.
func TestMoMoUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	e := newOpsEnv(t)
	ctx := t.Context()
	const op = "collection/GetAccountBalance"

	res, err := e.clients.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode())
	require.Equal(t, 1, e.fake.tokenRequests(momoauth.Collection))
	require.Equal(t, 1, e.fake.count(op))
	first := e.fake.lastHeader(op).Get("Authorization")

	e.fake.revoke(momoauth.Collection)
	res, err = e.clients.Collection.GetAccountBalanceWithResponse(ctx, &collection.GetAccountBalanceParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), "the retry with a fresh token must succeed")
	require.NotNil(t, res.JSON200)

	assert.Equal(t, 2, e.fake.tokenRequests(momoauth.Collection), "exactly one token refresh after the 401")
	assert.Equal(t, 3, e.fake.count(op), "the first call, the rejected call and exactly one retry")
	e.fake.mu.Lock()
	unauth := e.fake.unauth
	e.fake.mu.Unlock()
	assert.Equal(t, 1, unauth, "exactly one 401")
	retried := e.fake.lastHeader(op).Get("Authorization")
	assert.NotEqual(t, first, retried, "the retry must carry the new token")
	assert.Equal(t, "Bearer collection-token-2", retried)
	for _, p := range []momoauth.Product{momoauth.Disbursement, momoauth.Remittance} {
		assert.Zero(t, e.fake.tokenRequests(p), "a collection 401 must not touch %s tokens", p)
	}

	e.requireClean(t)
}
