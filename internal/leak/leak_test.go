// Package leak_test runs everything that could print a secret — the demo, the wired
// clients, their errors, tokens and configurations through fmt and slog — with known,
// distinctive secrets, and fails if any of them, or any token the sandbox issued, shows up
// in what was printed.
package leak_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/vipps/epayment"
	"github.com/paykit-go/paykit/internal/demo"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/sandbox"
	"github.com/paykit-go/paykit/vipps"
)

// knownCredentials are the sandbox's credentials with every secret replaced by a distinctive
// value; client ids and MSNs, which are not secret, keep the defaults.
func knownCredentials() sandbox.Credentials {
	c := sandbox.DefaultCredentials()
	c.MoMo.SubscriptionKeys = momoauth.SubscriptionKeys{
		Collection:   "LEAK-momo-collection-key-5c1e",
		Disbursement: "LEAK-momo-disbursement-key-8d2f",
		Remittance:   "LEAK-momo-remittance-key-3a9b",
	}
	c.MoMo.APIUser.Key = "LEAK-momo-api-key-e7f04c21"
	c.Vipps.Merchant.ClientSecret = "LEAK-vipps-merchant-secret-1b6d"
	c.Vipps.Merchant.SubscriptionKey = "LEAK-vipps-merchant-subkey-4e8a"
	c.Vipps.Partner.ClientSecret = "LEAK-vipps-partner-secret-9c3f"
	c.Vipps.Partner.SubscriptionKey = "LEAK-vipps-partner-subkey-2d7e"
	c.Vipps.ManagementClientSecret = "LEAK-vipps-management-secret-6f0a"
	return c
}

// Wrong secrets for the failing runs: refused by the sandbox, and no more printable than the
// right ones.
const (
	wrongMoMoKey     = "LEAK-wrong-momo-subkey-0f4d"
	wrongAPIKey      = "LEAK-wrong-momo-api-key-a1c8"
	wrongVippsSecret = "LEAK-wrong-vipps-secret-77b2"
	wrongVippsSubKey = "LEAK-wrong-vipps-subkey-c5e9"
	minSecretLength  = 8
	demoWait         = 15 * time.Second
	sandboxMoMoDelay = 200 * time.Millisecond
)

// secrets is the set of values that must never be printed, with where each came from.
type secrets struct {
	mu   sync.Mutex
	from map[string]string
}

func (s *secrets) add(origin, value string) {
	value = strings.TrimSpace(value)
	if len(value) < minSecretLength {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.from == nil {
		s.from = map[string]string{}
	}
	if _, ok := s.from[value]; !ok {
		s.from[value] = origin
	}
}

func (s *secrets) all() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.from))
	for k, v := range s.from {
		out[k] = v
	}
	return out
}

func (s *secrets) count(originPrefix string) int {
	n := 0
	for _, origin := range s.all() {
		if strings.HasPrefix(origin, originPrefix) {
			n++
		}
	}
	return n
}

// recorder is a transport that notes every secret crossing it: credentials the clients send
// (Authorization values, client_secret, an eCom authToken) and secrets the sandbox issues
// (access tokens, API keys, webhook secrets).
type recorder struct {
	next    http.RoundTripper
	secrets *secrets
}

// issued are the JSON keys under which the APIs hand out secrets.
var issued = map[string]bool{"access_token": true, "apiKey": true, "secret": true, "refresh_token": true}

// sent are the JSON keys under which requests carry secrets.
var sent = map[string]bool{"authToken": true, "callbackAuthorizationToken": true, "customerToken": true}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if a := req.Header.Get("Authorization"); a != "" {
		r.secrets.add("sent Authorization", a)
		if _, cred, ok := strings.Cut(a, " "); ok {
			r.secrets.add("sent Authorization credential", cred)
		}
	}
	for _, h := range []string{"client_secret", "Ocp-Apim-Subscription-Key"} {
		r.secrets.add("sent "+h, req.Header.Get(h))
	}
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			raw, _ := io.ReadAll(rc)
			_ = rc.Close()
			r.collect("sent body", raw, sent)
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	raw, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if readErr != nil {
		return resp, nil
	}
	r.collect("issued by "+req.URL.Path, raw, issued)
	return resp, nil
}

// collect adds the string values under keys anywhere in a JSON document.
func (r *recorder) collect(origin string, raw []byte, keys map[string]bool) {
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, inner := range v {
				if s, ok := inner.(string); ok && keys[k] {
					r.secrets.add(origin+" "+k, s)
				}
				walk(inner)
			}
		case []any:
			for _, inner := range v {
				walk(inner)
			}
		}
	}
	walk(doc)
}

// capture is everything printed during the test.
type capture struct {
	mu      sync.Mutex
	buffers map[string]*bytes.Buffer
	order   []string
}

func (c *capture) buffer(name string) *bytes.Buffer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buffers == nil {
		c.buffers = map[string]*bytes.Buffer{}
	}
	b, ok := c.buffers[name]
	if !ok {
		b = &bytes.Buffer{}
		c.buffers[name] = b
		c.order = append(c.order, name)
	}
	return b
}

// syncWriter serialises writes, since slog handlers and fmt share buffers here.
type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// printer sends values to every sink a service might use: slog with a JSON and a text
// handler, and fmt with %v, %+v, %#v, %s and %q.
type printer struct {
	mu        sync.Mutex
	jsonLog   *slog.Logger
	textLog   *slog.Logger
	fmtOut    io.Writer
	printed   int
	jsonBytes *bytes.Buffer
}

func newPrinter(c *capture) *printer {
	p := &printer{}
	p.jsonLog = slog.New(slog.NewJSONHandler(syncWriter{&p.mu, c.buffer("slog JSON")}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p.textLog = slog.New(slog.NewTextHandler(syncWriter{&p.mu, c.buffer("slog text")}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p.fmtOut = syncWriter{&p.mu, c.buffer("fmt")}
	p.jsonBytes = c.buffer("encoding/json")
	return p
}

// print shows v under name every way.
func (p *printer) print(name string, v any) {
	p.jsonLog.Info(name, "value", v)
	p.textLog.Info(name, "value", v)
	if err, ok := v.(error); ok {
		p.jsonLog.Error(name, "err", err)
		p.textLog.Error(name, "err", err)
	}
	_, _ = fmt.Fprintf(p.fmtOut, "%s: %v | %+v | %#v | %s | %q\n", name, v, v, v, v, v)
	p.mu.Lock()
	if raw, err := json.Marshal(v); err == nil {
		p.jsonBytes.Write(append(raw, '\n'))
	}
	p.printed++
	p.mu.Unlock()
}

// env is one sandbox with the known credentials, a recording client and the sinks.
type env struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	url     string
	creds   sandbox.Credentials
	client  *http.Client
	secrets *secrets
	out     *capture
	p       *printer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	creds := knownCredentials()
	sb, err := sandbox.New(sandbox.WithCredentials(creds), sandbox.WithMoMoDelay(sandboxMoMoDelay))
	require.NoError(t, err)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	e := &env{t: t, sb: sb, url: srv.URL, creds: creds, secrets: &secrets{}, out: &capture{}}
	e.p = newPrinter(e.out)
	e.client = &http.Client{
		Transport:     &recorder{next: http.DefaultTransport.(*http.Transport).Clone(), secrets: e.secrets},
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for origin, s := range map[string]auth.Secret{
		"configured MoMo collection key":   creds.MoMo.SubscriptionKeys.Collection,
		"configured MoMo disbursement key": creds.MoMo.SubscriptionKeys.Disbursement,
		"configured MoMo remittance key":   creds.MoMo.SubscriptionKeys.Remittance,
		"configured MoMo API key":          creds.MoMo.APIUser.Key,
		"configured Vipps merchant secret": creds.Vipps.Merchant.ClientSecret,
		"configured Vipps merchant subkey": creds.Vipps.Merchant.SubscriptionKey,
		"configured Vipps partner secret":  creds.Vipps.Partner.ClientSecret,
		"configured Vipps partner subkey":  creds.Vipps.Partner.SubscriptionKey,
		"configured wrong MoMo key":        wrongMoMoKey,
		"configured wrong MoMo API key":    wrongAPIKey,
		"configured wrong Vipps secret":    wrongVippsSecret,
		"configured wrong Vipps subkey":    wrongVippsSubKey,
	} {
		e.secrets.add(origin, s.Reveal())
	}
	e.secrets.add("configured Vipps management secret", creds.Vipps.ManagementClientSecret)
	return e
}

// demoConfig points the demo at the sandbox through the recording client.
func (e *env) demoConfig() demo.Config {
	return demo.Config{
		MoMo:        demo.MoMoConfig{BaseURL: e.url, SubscriptionKeys: e.creds.MoMo.SubscriptionKeys},
		Vipps:       demo.VippsConfig{BaseURL: e.url, Partner: e.creds.Vipps.Partner, MSNs: e.creds.Vipps.PartnerMSNs},
		WaitTimeout: demoWait,
		HTTPClient:  e.client,
	}
}

// runDemo runs the demo with cfg, its output going to a buffer of its own, and prints
// everything it returns.
func (e *env) runDemo(ctx context.Context, name string, cfg demo.Config) (demo.Report, error) {
	report, err := demo.Run(ctx, cfg, e.out.buffer("demo output: "+name))
	e.p.print(name+" config", cfg)
	e.p.print(name+" report", report)
	for i, s := range report.Steps {
		e.p.print(fmt.Sprintf("%s step %d", name, i+1), s)
	}
	if err != nil {
		e.p.print(name+" error", err)
	}
	return report, err
}

// TestNoSecretLeaks is the secret-leak test: the demo (working and with refused
// credentials) and the wired clients of both families, with everything they return printed
// through slog and fmt; no configured secret and no secret the sandbox issued may appear.
func TestNoSecretLeaks(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	// 1. The demo, working: it provisions an API user, so the sandbox issues an API key,
	// tokens of both families and a webhook secret, all recorded.
	report, err := e.runDemo(ctx, "demo", e.demoConfig())
	require.NoError(t, err, "the demo must work for its tokens to be issued")
	require.True(t, report.OK())

	// 2. The demo with refused credentials: every flow fails at its first call.
	bad := e.demoConfig()
	bad.MoMo.SubscriptionKeys = momoauth.SubscriptionKeys{Collection: wrongMoMoKey, Disbursement: wrongMoMoKey}
	bad.Vipps.Partner.ClientSecret = wrongVippsSecret
	bad.Vipps.Partner.SubscriptionKey = wrongVippsSubKey
	report, err = e.runDemo(ctx, "failing demo", bad)
	require.Error(t, err)
	assert.False(t, report.OK())

	// 3. The wired clients, working and refused.
	e.momoClients(ctx)
	e.vippsClients(ctx)

	// 4. Everything printed, scanned for every secret and its common encodings.
	all := e.secrets.all()
	require.GreaterOrEqual(t, e.secrets.count("issued"), 5, "the API key, tokens and webhook secret were recorded: %v", origins(all))
	var scanned int
	var sinks []string
	for _, name := range e.out.order {
		text := e.out.buffers[name].String()
		scanned += len(text)
		sinks = append(sinks, fmt.Sprintf("%s %d", name, len(text)))
		for secret, origin := range all {
			for form, encoded := range encodings(secret) {
				if strings.Contains(text, encoded) {
					t.Errorf("%s (%s) appears %s in %s: …%s…", origin, mask(secret), form, name, around(text, encoded, all))
				}
			}
		}
	}
	assert.Greater(t, scanned, 10_000, "the demo and the prints produced output to scan")
	t.Logf("scanned %d bytes of output in %d sinks (%d values printed) for %d secrets (%d configured, %d recorded on the wire, %d issued by the sandbox)",
		scanned, len(e.out.order), e.p.printed, len(all), e.secrets.count("configured"), e.secrets.count("sent"), e.secrets.count("issued"))
	t.Logf("bytes per sink: %s", strings.Join(sinks, ", "))
}

// momoClients uses momo.New with the known keys and the sandbox's ready API user, then
// with a wrong API key and a wrong subscription key.
func (e *env) momoClients(ctx context.Context) {
	t := e.t
	cfg := momo.Config{BaseURL: e.url, SubscriptionKeys: e.creds.MoMo.SubscriptionKeys, APIUser: e.creds.MoMo.APIUser, HTTPClient: e.client}
	e.p.print("momo config", cfg)
	c, err := momo.New(cfg)
	require.NoError(t, err)
	e.p.print("momo clients", c)

	tok, err := c.Token(ctx, momoauth.Collection)
	require.NoError(t, err)
	e.p.print("momo token", tok)
	e.p.print("momo access token", tok.AccessToken)

	ref := momo.NewReferenceID()
	pay, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: ref}, common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "leak-test",
		Payer: common.Party{PartyIdType: "MSISDN", PartyId: "56733123453"}, PayerMessage: "leak test", PayeeNote: "leak test"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, pay.StatusCode())
	e.printResponse("momo request to pay response", pay.Body, pay)
	status, err := c.Collection.GetRequestToPayStatusWithResponse(ctx, ref, &collection.GetRequestToPayStatusParams{})
	require.NoError(t, err)
	e.printResponse("momo status response", status.Body, status)
	if status.JSON200 != nil {
		e.p.print("momo status", *status.JSON200)
	}

	for name, wrong := range map[string]momo.Config{
		"wrong API key":          {BaseURL: e.url, SubscriptionKeys: e.creds.MoMo.SubscriptionKeys, APIUser: momoauth.APIUser{ID: e.creds.MoMo.APIUser.ID, Key: wrongAPIKey}, HTTPClient: e.client},
		"wrong subscription key": {BaseURL: e.url, SubscriptionKeys: momoauth.SubscriptionKeys{Collection: wrongMoMoKey}, APIUser: e.creds.MoMo.APIUser, HTTPClient: e.client},
	} {
		e.p.print("momo config, "+name, wrong)
		c, err := momo.New(wrong)
		require.NoError(t, err)
		_, err = c.Token(ctx, momoauth.Collection)
		require.Error(t, err, name)
		e.p.print("momo token error, "+name, err)
		res, err := c.Collection.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: uuid.New()}, common.RequestToPay{
			Amount: "100", Currency: "EUR", Payer: common.Party{PartyIdType: "MSISDN", PartyId: "56733123453"}, PayerMessage: "x", PayeeNote: "y"})
		if err != nil {
			e.p.print("momo request to pay error, "+name, err)
		} else {
			e.printResponse("momo request to pay response, "+name, res.Body, res)
		}
	}
}

// vippsClients uses vipps.New with the merchant's known keys and a partner's clients, then
// a wrong client secret.
func (e *env) vippsClients(ctx context.Context) {
	t := e.t
	v := e.creds.Vipps
	cfg := vipps.Config{BaseURL: e.url, Credentials: v.Merchant, MSN: v.MerchantMSN, HTTPClient: e.client}
	e.p.print("vipps config", cfg)
	e.p.print("vipps credentials", v.Merchant)
	c, err := vipps.New(cfg)
	require.NoError(t, err)
	e.p.print("vipps clients", c)

	src, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{BaseURL: e.url, Credentials: v.Merchant, HTTPClient: e.client})
	require.NoError(t, err)
	tok, err := src.Token(ctx)
	require.NoError(t, err)
	e.p.print("vipps token", tok)

	var customer epayment.Customer
	require.NoError(t, customer.FromCustomerPhoneNumber(epayment.CustomerPhoneNumber{PhoneNumber: demo.VippsTestPhone}))
	ref := "leak-" + uuid.NewString()[:8]
	created, err := c.EPayment.CreatePaymentWithResponse(ctx, &epayment.CreatePaymentParams{IdempotencyKey: uuid.NewString(), MerchantSerialNumber: v.MerchantMSN},
		epayment.CreatePaymentRequest{Amount: epayment.Amount{Currency: "NOK", Value: 1000}, Customer: customer,
			PaymentMethod: epayment.PaymentMethod{Type: "WALLET"}, Reference: ref, UserFlow: "WEB_REDIRECT", ReturnUrl: "https://shop.example/r"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	e.printResponse("vipps create payment response", created.Body, created)
	got, err := c.EPayment.GetPaymentWithResponse(ctx, ref, &epayment.GetPaymentParams{MerchantSerialNumber: v.MerchantMSN})
	require.NoError(t, err)
	e.printResponse("vipps get payment response", got.Body, got)

	partnerCfg := vipps.PartnerConfig{BaseURL: e.url, Credentials: v.Partner, HTTPClient: e.client}
	e.p.print("vipps partner config", partnerCfg)
	p, err := vipps.NewPartner(partnerCfg)
	require.NoError(t, err)
	e.p.print("vipps partner", p)
	pc, err := p.ForMerchant(v.PartnerMSNs[0])
	require.NoError(t, err)
	e.p.print("vipps partner clients", pc)

	wrong := cfg
	wrong.Credentials.ClientSecret = wrongVippsSecret
	e.p.print("vipps config, wrong secret", wrong)
	wc, err := vipps.New(wrong)
	require.NoError(t, err)
	res, err := wc.EPayment.GetPaymentWithResponse(ctx, ref, &epayment.GetPaymentParams{MerchantSerialNumber: v.MerchantMSN})
	require.Error(t, err, "a refused token fails the call")
	e.p.print("vipps error, wrong secret", err)
	if res != nil {
		e.printResponse("vipps response, wrong secret", res.Body, res)
	}
	wsrc, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{BaseURL: e.url, Credentials: wrong.Credentials, HTTPClient: e.client})
	require.NoError(t, err)
	_, err = wsrc.Token(ctx)
	require.Error(t, err)
	e.p.print("vipps token error, wrong secret", err)
}

// printResponse prints a generated response struct and its raw body, as a service logging
// what came back would.
func (e *env) printResponse(name string, body []byte, res any) {
	e.p.print(name, res)
	e.p.print(name+" body", string(body))
}

// encodings are the forms a leaked secret could take in output: as it is, base64 (how
// encoding/json writes []byte) and URL-escaped when that differs.
func encodings(secret string) map[string]string {
	forms := map[string]string{
		"verbatim":  secret,
		"as base64": base64.StdEncoding.EncodeToString([]byte(secret)),
	}
	if q := url.QueryEscape(secret); q != secret {
		forms["URL-escaped"] = q
	}
	return forms
}

// mask shows a secret's origin without printing it whole in the failure message.
func mask(s string) string {
	if len(s) <= 8 {
		return "****"
	}
	return s[:4] + "…" + fmt.Sprintf("(%d chars)", len(s))
}

// around shows the text next to a match with every known secret in it masked, so that a
// failure message does not itself leak.
func around(text, match string, all map[string]string) string {
	i := strings.Index(text, match)
	start, end := max(0, i-400), min(len(text), i+len(match)+400)
	window := text[start:end]
	for secret := range all {
		for _, encoded := range encodings(secret) {
			window = strings.ReplaceAll(window, encoded, "[SECRET]")
		}
	}
	j := strings.Index(window, "[SECRET]")
	return window[max(0, j-40):min(len(window), j+len("[SECRET]")+40)]
}

func origins(all map[string]string) []string {
	var out []string
	for _, o := range all {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}
