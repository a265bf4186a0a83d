package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// vippsGateway is what every simulated Vipps API shares: the keys, the tokens issued by
// the access token API, and the webhook registrations that events are delivered to.
type vippsGateway struct {
	s *Sandbox

	mu       sync.Mutex
	tokens   map[string]vippsToken
	webhooks map[string]*webhookRegistration
}

// vippsKeyKind says which kind of keys a caller used.
type vippsKeyKind string

const (
	vippsMerchantKeys   vippsKeyKind = "merchant"
	vippsPartnerKeys    vippsKeyKind = "partner"
	vippsManagementKeys vippsKeyKind = "management"
)

// vippsToken is an issued access token and what it may do.
type vippsToken struct {
	kind            vippsKeyKind
	clientID        string
	subscriptionKey string // the key the token was issued with; calls must use the same
	msn             string // set when the token call named a merchant
	expires         time.Time
}

// vippsCaller is who made an API call, once its credentials are checked.
type vippsCaller struct {
	Kind vippsKeyKind
	// MSN is the merchant the call acts for: the header's value (checked against the keys).
	MSN string
	// Owner identifies the keys (client id), for webhook registrations.
	Owner string
}

// webhookRegistration is one registered webhook URL.
type webhookRegistration struct {
	ID     string
	URL    string
	Events []string
	Secret string
	Owner  string // client id of the keys that registered it
	MSN    string // the merchant it is for; empty for a partner registration covering all
}

// vippsRefusal is a credential check that failed: the status and the gateway's message.
// Each API writes it in its own error shape (see writeGatewayError for the default).
type vippsRefusal struct {
	Status  int
	Message string
}

func newVippsGateway(s *Sandbox) *vippsGateway {
	return &vippsGateway{s: s, tokens: map[string]vippsToken{}, webhooks: map[string]*webhookRegistration{}}
}

// keysFor finds the key set that client id, secret and subscription key belong to.
func (g *vippsGateway) keysFor(clientID, secret, subscriptionKey string) (vippsKeyKind, bool) {
	c := g.s.opts.creds.Vipps
	switch {
	case clientID == c.Merchant.ClientID && secret == c.Merchant.ClientSecret.Reveal() && subscriptionKey == c.Merchant.SubscriptionKey.Reveal():
		return vippsMerchantKeys, true
	case clientID == c.Partner.ClientID && secret == c.Partner.ClientSecret.Reveal() && subscriptionKey == c.Partner.SubscriptionKey.Reveal():
		return vippsPartnerKeys, true
	}
	return "", false
}

// msnAllowed reports whether keys of kind may act for msn.
func (g *vippsGateway) msnAllowed(kind vippsKeyKind, msn string) bool {
	c := g.s.opts.creds.Vipps
	switch kind {
	case vippsMerchantKeys:
		return msn == c.MerchantMSN
	case vippsPartnerKeys:
		return slices.Contains(c.PartnerMSNs, msn)
	}
	return false
}

// issue records a new token and returns it with its lifetime.
func (g *vippsGateway) issue(t vippsToken) (string, time.Duration) {
	ttl := g.s.opts.tokenTTL
	t.expires = g.s.now().Add(ttl)
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "sbx." + string(t.kind) + "." + hex.EncodeToString(b)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens[tok] = t
	return tok, ttl
}

// authorize checks an API call's credentials as the gateway does: a "Bearer" token (the
// word case-sensitive) that is known and unexpired; the subscription key the token was
// issued with, when keyRequired; and the Merchant-Serial-Number against the keys (partner
// keys need one on every call; "Invalid MSN" otherwise). A token issued for one MSN is
// good for that MSN only.
func (g *vippsGateway) authorize(r *http.Request, keyRequired bool) (vippsCaller, *vippsRefusal) {
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || raw == "" {
		return vippsCaller{}, &vippsRefusal{http.StatusUnauthorized, "Authorization: a Bearer token is required"}
	}
	g.mu.Lock()
	tok, known := g.tokens[raw]
	g.mu.Unlock()
	if !known || !g.s.now().Before(tok.expires) {
		return vippsCaller{}, &vippsRefusal{http.StatusUnauthorized, "Authorization: the token is invalid or expired"}
	}
	key := r.Header.Get("Ocp-Apim-Subscription-Key")
	if key != "" && key != tok.subscriptionKey || keyRequired && key == "" {
		return vippsCaller{}, &vippsRefusal{http.StatusUnauthorized, "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}
	}
	msn := r.Header.Get("Merchant-Serial-Number")
	switch {
	case tok.kind == vippsManagementKeys:
	case tok.msn != "" && msn != "" && msn != tok.msn:
		return vippsCaller{}, &vippsRefusal{http.StatusForbidden, "Invalid MSN: " + msn + ". The access token was issued for another MSN."}
	case msn == "" && tok.kind == vippsPartnerKeys && tok.msn == "":
		return vippsCaller{}, &vippsRefusal{http.StatusForbidden, "Invalid MSN: This MSN is not valid for the provided supermerchant ID."}
	case msn != "" && !g.msnAllowed(tok.kind, msn):
		return vippsCaller{}, &vippsRefusal{http.StatusForbidden, "Invalid MSN: " + msn + ". This MSN is not valid for the provided supermerchant ID."}
	}
	if msn == "" {
		msn = tok.msn
		if msn == "" && tok.kind == vippsMerchantKeys {
			msn = g.s.opts.creds.Vipps.MerchantMSN
		}
	}
	return vippsCaller{Kind: tok.kind, MSN: msn, Owner: tok.clientID}, nil
}

// writeGatewayError answers a refusal with the gateway's {statusCode,message} body, which
// every Vipps document accepts for 401 (and most for 403).
func writeGatewayError(w http.ResponseWriter, f *vippsRefusal) {
	writeJSON(w, f.Status, map[string]any{"statusCode": f.Status, "message": f.Message})
}

// register adds a webhook registration and returns it with its secret.
func (g *vippsGateway) register(owner, msn, url string, events []string) *webhookRegistration {
	reg := &webhookRegistration{ID: uuid.NewString(), URL: url, Events: events, Secret: uuid.NewString(), Owner: owner, MSN: msn}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.webhooks[reg.ID] = reg
	return reg
}

// registrations lists the registrations of owner (all of them for a partner's
// registrations without MSN).
func (g *vippsGateway) registrations(owner string) []*webhookRegistration {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*webhookRegistration
	for _, reg := range g.webhooks {
		if reg.Owner == owner {
			out = append(out, reg)
		}
	}
	slices.SortFunc(out, func(a, b *webhookRegistration) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// unregister deletes registration id of owner and reports whether it existed.
func (g *vippsGateway) unregister(owner, id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	reg, ok := g.webhooks[id]
	if !ok || reg.Owner != owner {
		return false
	}
	delete(g.webhooks, id)
	return true
}

// emit delivers event (e.g. "epayments.payment.captured.v1") for merchant msn to every
// registration that wants it, signed with the registration's secret and retried while the
// receiver fails.
func (g *vippsGateway) emit(event, msn string, payload any) {
	body, err := json.Marshal(payload)
	if err != nil {
		return
	}
	g.mu.Lock()
	var targets []webhookRegistration
	for _, reg := range g.webhooks {
		if (reg.MSN == "" || reg.MSN == msn) && slices.Contains(reg.Events, event) {
			targets = append(targets, *reg)
		}
	}
	g.mu.Unlock()
	for _, reg := range targets {
		g.s.deliver.send(Delivery{
			Method: http.MethodPost,
			URL:    reg.URL,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   body,
			Retry:  true,
			Sign: func(h http.Header, now time.Time) {
				signed, err := webhook.Sign(auth.Secret(reg.Secret), reg.URL, now, body)
				if err != nil {
					return
				}
				for k, v := range signed {
					h[k] = v
				}
			},
		})
	}
}

// reset forgets tokens and webhook registrations.
func (g *vippsGateway) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens = map[string]vippsToken{}
	g.webhooks = map[string]*webhookRegistration{}
}
