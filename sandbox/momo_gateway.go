package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/internal/contract"
)

// momoToken is an issued product access token.
type momoToken struct {
	user    string
	product string
	expires time.Time
}

// gateway returns the API gateway's checks for product ("" for provisioning, which takes
// any product's key): a bodyless POST must carry Content-Length (411 otherwise, before
// anything else), and the subscription key must be the product's (401 with the gateway's
// body otherwise).
func (f *momoFamily) gateway(product string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if reply, refused := f.gatewayCheck(product, r); refused {
				_ = reply.write(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (f *momoFamily) gatewayCheck(product string, r *http.Request) (momoReply, bool) {
	if momoBodyless(r) && (r.Header.Get("Content-Length") == "" || len(r.TransferEncoding) > 0) {
		return momoLengthRequired, true
	}
	key := r.Header.Get("Ocp-Apim-Subscription-Key")
	if !f.keyValid(product, key) {
		return momoKeyRefused(product), true
	}
	return momoReply{}, false
}

// momoBodyless reports whether r is one of the POSTs that carry no body: the access token
// and the API key.
func momoBodyless(r *http.Request) bool {
	return r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/token/") && !strings.HasSuffix(r.URL.Path, "/oauth2/token/") ||
		strings.HasSuffix(r.URL.Path, "/apikey"))
}

// keyValid reports whether key is the subscription key of product, or of any product for
// provisioning.
func (f *momoFamily) keyValid(product, key string) bool {
	if key == "" {
		return false
	}
	keys := f.s.opts.creds.MoMo.SubscriptionKeys
	if product != "" {
		return key == keys.For(momoauth.Product(product)).Reveal()
	}
	for _, p := range momoProducts {
		if k := keys.For(momoauth.Product(p)).Reveal(); k != "" && key == k {
			return true
		}
	}
	return false
}

// credentials returns the wallet's credential check of product: Basic authentication with
// an API user and its current key on the token operations (500 login_failed otherwise),
// the consent token on the consent userinfo, and the product's access token everywhere
// else (401 with an empty body when expired, unknown or another product's).
func (f *momoFamily) credentials(product string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, reply, ok := f.authenticate(product, r)
			if !ok {
				_ = reply.write(w)
				return
			}
			ctx := context.WithValue(r.Context(), momoCallerKey, caller)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func (f *momoFamily) authenticate(product string, r *http.Request) (momoCaller, momoReply, bool) {
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/token/"):
		user, key, ok := r.BasicAuth()
		if !ok {
			return momoCaller{}, momoLoginFailed, false
		}
		f.mu.Lock()
		u, known := f.users[user]
		good := known && u.key != "" && u.key == key
		f.mu.Unlock()
		if !good {
			return momoCaller{}, momoLoginFailed, false
		}
		return momoCaller{user: user, product: product}, momoReply{}, true
	case strings.HasSuffix(p, "/oauth2/v1_0/userinfo"):
		tok, ok := momoBearer(r)
		if !ok {
			return momoCaller{}, momoEmpty401, false
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		c, known := f.consents[tok]
		if !known || c.product != product || c.revoked || !f.now().Before(c.expires) || f.users[c.user] == nil {
			return momoCaller{}, momoEmpty401, false
		}
		return momoCaller{user: c.user, product: product, consent: c}, momoReply{}, true
	default:
		tok, ok := momoBearer(r)
		if !ok {
			return momoCaller{}, momoEmpty401, false
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		t, known := f.tokens[tok]
		if !known || t.product != product || !f.now().Before(t.expires) || f.users[t.user] == nil {
			return momoCaller{}, momoEmpty401, false
		}
		return momoCaller{user: t.user, product: product}, momoReply{}, true
	}
}

// momoBearer returns the token of an "Authorization: Bearer" header.
func momoBearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// unauthorized answers a request the documents refuse for missing credentials; the
// gateway and credential checks run first, so this is a last line: the gateway's body
// when the key is missing, the wallet's empty 401 otherwise.
func (f *momoFamily) unauthorized(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Ocp-Apim-Subscription-Key") == "" {
		_ = momoKeyRefused("").write(w)
		return
	}
	_ = momoEmpty401.write(w)
}

// paramError answers a request whose parameters the generated binding refused before any
// middleware ran (a missing or malformed X-Reference-Id, a path value that is no UUID):
// the gateway and credential checks still come first, then the 400 names every problem
// the documents find.
func (f *momoFamily) paramError(product string) func(w http.ResponseWriter, r *http.Request, err error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if reply, refused := f.gatewayCheck(product, r); refused {
			_ = reply.write(w)
			return
		}
		if product != "" {
			if _, reply, ok := f.authenticate(product, r); !ok {
				_ = reply.write(w)
				return
			}
		}
		problems := []string{err.Error()}
		var ce *contract.Error
		if verr := f.s.validator.ValidateRequest(r); errors.As(verr, &ce) && len(ce.Problems) > 0 {
			problems = ce.Problems
		}
		momoBadRequest(w, r, problems)
	}
}

// issueToken records a product access token for user. It looks like the gateways' tokens
// (a JWT with the non-standard alg R256 and the API user as clientId), though clients must
// treat it as opaque.
func (f *momoFamily) issueToken(user, product string) (string, time.Duration) {
	ttl := f.s.opts.tokenTTL
	now := f.now()
	head, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "R256"})
	body, _ := json.Marshal(map[string]string{
		"clientId":  user,
		"expires":   now.Add(ttl).UTC().Format(momoLocalTime),
		"sessionId": uuid.NewString(),
	})
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	enc := base64.RawURLEncoding
	tok := enc.EncodeToString(head) + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(sig)
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, t := range f.tokens {
		if !now.Before(t.expires) {
			delete(f.tokens, k)
		}
	}
	f.tokens[tok] = momoToken{user: user, product: product, expires: now.Add(ttl)}
	return tok, ttl
}

// momoLocalTime is how the wallet writes times: UTC, milliseconds, no zone.
const momoLocalTime = "2006-01-02T15:04:05.000"

// momoSeconds is a lifetime in whole seconds, at least one.
func momoSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// momoHex32 returns a new API key: 32 lowercase hex characters.
func momoHex32() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
