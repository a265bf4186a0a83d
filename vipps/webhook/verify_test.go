package webhook_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/vipps/webhook"
)

// decodedKeySignature is the official vector signed with the base64-DECODED secret as key:
// what a verifier that decodes the secret would expect. It must never verify.
const decodedKeySignature = "T3+NXHMmhNVEjW5PeJ4Gql70nf0MOXCAY9CoZDxuVQw="

func TestOfficialVectorFromContractData(t *testing.T) {
	raw, err := os.ReadFile(contractVectorPath(t))
	require.NoError(t, err)
	var off struct {
		Secret       string            `json:"secret"`
		URL          string            `json:"url"`
		PathAndQuery string            `json:"pathAndQuery"`
		Host         string            `json:"host"`
		Body         string            `json:"body"`
		Headers      map[string]string `json:"headers"`
		StringToSign string            `json:"stringToSign"`
		Hash         string            `json:"expectedContentSha256"`
		Signature    string            `json:"expectedSignature"`
	}
	require.NoError(t, json.Unmarshal(raw, &off))

	// The repository's own copy holds the same values, so the vector runs without the data.
	own := loadVectors(t)[0]
	assert.Equal(t, off.Secret, own.Secret)
	assert.Equal(t, off.URL, own.URL)
	assert.Equal(t, off.Body, own.Body)
	assert.Equal(t, off.Headers["x-ms-date"], own.Date)
	assert.Equal(t, off.Headers["Authorization"], own.Authorization)
	assert.Equal(t, off.Signature, own.Signature)

	date := off.Headers["x-ms-date"]
	assert.Equal(t, off.StringToSign, webhook.StringToSign(off.PathAndQuery, date, off.Host, off.Hash))
	assert.Equal(t, off.Hash, independentHash([]byte(off.Body)))
	assert.Equal(t, off.Signature, independentSignature([]byte(off.Secret), off.PathAndQuery, date, off.Host, off.Hash))

	r := httptest.NewRequest(http.MethodPost, off.URL, strings.NewReader(off.Body))
	for k, v := range off.Headers {
		r.Header.Set(k, v)
	}
	v := webhook.Verifier{Secret: auth.Secret(off.Secret), URL: off.URL}
	require.NoError(t, v.Verify(r, []byte(off.Body)))
	t.Logf("official vector verifies with the registered URL %s", off.URL)
}

func TestVectors(t *testing.T) {
	for _, vec := range loadVectors(t) {
		t.Run(vec.Name, func(t *testing.T) {
			body := []byte(vec.Body)
			// The stored values agree with a computation that does not use the package.
			wantHash := independentHash(body)
			wantSig := independentSignature([]byte(vec.Secret), vec.PathAndQuery, vec.Date, vec.Host, wantHash)
			require.Equal(t, wantHash, vec.ContentSHA256)
			require.Equal(t, wantSig, vec.Signature)
			require.Equal(t, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+wantSig, vec.Authorization)

			// Sign reproduces them.
			date, err := time.Parse(http.TimeFormat, vec.Date)
			require.NoError(t, err)
			h, err := webhook.Sign(auth.Secret(vec.Secret), vec.URL, date, body)
			require.NoError(t, err)
			assert.Equal(t, vec.Date, h.Get("x-ms-date"))
			assert.Equal(t, wantHash, h.Get("x-ms-content-sha256"))
			assert.Equal(t, vec.Authorization, h.Get("Authorization"))
			assert.Len(t, h, 3)

			// Verify accepts them with the registered URL, and with the request's own URL.
			v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
			require.NoError(t, v.Verify(signedRequest(vec), body))
			if !strings.Contains(vec.URL, ":443/") { // httptest keeps an explicit :443 in r.Host
				byRequest := webhook.Verifier{Secret: auth.Secret(vec.Secret), UseRequestURL: true}
				require.NoError(t, byRequest.Verify(signedRequest(vec), body))
			}
			t.Logf("%s: host %q, path and query %q, signature %s", vec.Name, vec.Host, vec.PathAndQuery, vec.Signature)
		})
	}
}

func TestDecodedKeyNeverVerifies(t *testing.T) {
	vec := loadVectors(t)[0]
	key, err := base64.StdEncoding.DecodeString(vec.Secret)
	require.NoError(t, err)
	// The facts' value is what a decoded key yields...
	require.Equal(t, decodedKeySignature, independentSignature(key, vec.PathAndQuery, vec.Date, vec.Host, vec.ContentSHA256))

	// ...and a delivery carrying it is rejected.
	r := signedRequest(vec)
	r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+decodedKeySignature)
	v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
	require.ErrorIs(t, v.Verify(r, []byte(vec.Body)), webhook.ErrSignature)

	// Nor does the decoded key, handed over as text, verify the genuine delivery.
	v.Secret = auth.Secret(key)
	require.ErrorIs(t, v.Verify(signedRequest(vec), []byte(vec.Body)), webhook.ErrSignature)
}

func TestVerifyRejectsChanges(t *testing.T) {
	vec := vectorByName(t, "query-string")
	body := []byte(vec.Body)
	otherDate := "Tue, 14 Jan 2025 09:30:01 GMT"

	tests := []struct {
		name   string
		edit   func(v *webhook.Verifier, r *http.Request) []byte // returns the body to verify
		target error
	}{
		{"body", func(_ *webhook.Verifier, _ *http.Request) []byte {
			return bytes.Replace(body, []byte("35000"), []byte("35001"), 1)
		}, webhook.ErrContentHash},
		{"body with trailing newline", func(_ *webhook.Verifier, _ *http.Request) []byte {
			return append(append([]byte{}, body...), '\n')
		}, webhook.ErrContentHash},
		{"body re-serialised", func(_ *webhook.Verifier, _ *http.Request) []byte {
			var m map[string]any
			require.NoError(t, json.Unmarshal(body, &m))
			b, err := json.Marshal(m)
			require.NoError(t, err)
			return b
		}, webhook.ErrContentHash},
		{"date", func(_ *webhook.Verifier, r *http.Request) []byte {
			r.Header.Set("x-ms-date", otherDate)
			return body
		}, webhook.ErrSignature},
		{"content hash header and body together", func(_ *webhook.Verifier, r *http.Request) []byte {
			b := []byte(`{"name":"CAPTURED"}`)
			r.Header.Set("x-ms-content-sha256", independentHash(b))
			return b
		}, webhook.ErrSignature},
		{"registered host", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Replace(vec.URL, "shop.example.com", "shop.example.net", 1)
			return body
		}, webhook.ErrSignature},
		{"registered port", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Replace(vec.URL, "shop.example.com", "shop.example.com:8443", 1)
			return body
		}, webhook.ErrSignature},
		{"registered scheme default port", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Replace(vec.URL, "https://shop.example.com", "http://shop.example.com:443", 1)
			return body
		}, webhook.ErrSignature},
		{"registered path", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Replace(vec.URL, "/vipps/webhooks", "/vipps/webhook", 1)
			return body
		}, webhook.ErrSignature},
		{"registered query", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Replace(vec.URL, "tenant=acme", "tenant=evil", 1)
			return body
		}, webhook.ErrSignature},
		{"registered query dropped", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.URL = strings.Split(vec.URL, "?")[0]
			return body
		}, webhook.ErrSignature},
		{"request host with UseRequestURL", func(v *webhook.Verifier, r *http.Request) []byte {
			v.UseRequestURL = true
			r.Host = "shop.example.net"
			return body
		}, webhook.ErrSignature},
		{"request path with UseRequestURL", func(v *webhook.Verifier, r *http.Request) []byte {
			v.UseRequestURL = true
			r.URL.Path = "/vipps/other"
			return body
		}, webhook.ErrSignature},
		{"request query with UseRequestURL", func(v *webhook.Verifier, r *http.Request) []byte {
			v.UseRequestURL = true
			r.URL.RawQuery = "tenant=acme&v=3"
			return body
		}, webhook.ErrSignature},
		{"request query dropped with UseRequestURL", func(v *webhook.Verifier, r *http.Request) []byte {
			v.UseRequestURL = true
			r.URL.RawQuery = ""
			return body
		}, webhook.ErrSignature},
		{"secret", func(v *webhook.Verifier, _ *http.Request) []byte {
			v.Secret = auth.Secret(vec.Secret + " ")
			return body
		}, webhook.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
			r := signedRequest(vec)
			got := tt.edit(&v, r)
			err := v.Verify(r, got)
			require.ErrorIs(t, err, tt.target)
			assertNoLeak(t, err, vec)
			t.Logf("%s: %v", tt.name, err)
		})
	}
}

func TestVerifyFailsClosed(t *testing.T) {
	vec := vectorByName(t, "query-string")
	body := []byte(vec.Body)
	sig := vec.Signature
	prefix := "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
	nonCanonical := sig[:len(sig)-2] + string(sig[len(sig)-2]+1) + "=" // same bytes under lax base64
	lax, err := base64.StdEncoding.DecodeString(nonCanonical)
	require.NoError(t, err)
	exact, err := base64.StdEncoding.DecodeString(sig)
	require.NoError(t, err)
	require.Equal(t, exact, lax, "the test needs a non-canonical spelling of the same signature")

	tests := []struct {
		name   string
		edit   func(v *webhook.Verifier, r *http.Request)
		target error
	}{
		{"empty secret", func(v *webhook.Verifier, _ *http.Request) { v.Secret = "" }, webhook.ErrNoSecret},
		{"GET", func(_ *webhook.Verifier, r *http.Request) { r.Method = http.MethodGet }, webhook.ErrMethod},
		{"PUT", func(_ *webhook.Verifier, r *http.Request) { r.Method = http.MethodPut }, webhook.ErrMethod},
		{"no x-ms-date", func(_ *webhook.Verifier, r *http.Request) { r.Header.Del("x-ms-date") }, webhook.ErrMissingHeader},
		{"empty x-ms-date", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-date", "") }, webhook.ErrMissingHeader},
		{"no x-ms-content-sha256", func(_ *webhook.Verifier, r *http.Request) { r.Header.Del("x-ms-content-sha256") }, webhook.ErrMissingHeader},
		{"no Authorization", func(_ *webhook.Verifier, r *http.Request) { r.Header.Del("Authorization") }, webhook.ErrMissingHeader},
		{"x-ms-signature instead of Authorization", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("x-ms-signature", sig)
		}, webhook.ErrMissingHeader},
		{"no host with UseRequestURL", func(v *webhook.Verifier, r *http.Request) {
			v.UseRequestURL = true
			r.Host = ""
			r.Header.Set("X-Forwarded-Host", vec.Host)
		}, webhook.ErrMissingHeader},
		{"two Authorization headers", func(_ *webhook.Verifier, r *http.Request) { r.Header.Add("Authorization", vec.Authorization) }, webhook.ErrMalformedAuthorization},
		{"lower-case scheme", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(vec.Authorization, "HMAC-SHA256", "hmac-sha256", 1))
		}, webhook.ErrMalformedAuthorization},
		{"Bearer", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", "Bearer "+sig) }, webhook.ErrMalformedAuthorization},
		{"bare signature", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", sig) }, webhook.ErrMalformedAuthorization},
		{"other signed headers", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=host;x-ms-date;x-ms-content-sha256&Signature="+sig)
		}, webhook.ErrMalformedAuthorization},
		{"space before signature", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", prefix+" "+sig) }, webhook.ErrMalformedAuthorization},
		{"trailing text", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", vec.Authorization+"&x=1") }, webhook.ErrMalformedAuthorization},
		{"empty signature", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", prefix) }, webhook.ErrMalformedAuthorization},
		{"signature not base64", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", prefix+"not*base64") }, webhook.ErrMalformedAuthorization},
		{"signature too short", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", prefix+"c2lnbmF0dXJl") }, webhook.ErrMalformedAuthorization},
		{"signature url-safe base64", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Set("Authorization", prefix+strings.NewReplacer("+", "-", "/", "_").Replace(sig))
		}, webhook.ErrMalformedAuthorization},
		{"signature non-canonical base64", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("Authorization", prefix+nonCanonical) }, webhook.ErrMalformedAuthorization},
		{"RFC 3339 date", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-date", "2025-01-14T09:30:00Z") }, webhook.ErrBadDate},
		{"UTC instead of GMT", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-date", "Tue, 14 Jan 2025 09:30:00 UTC") }, webhook.ErrBadDate},
		{"numeric zone", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Set("x-ms-date", "Tue, 14 Jan 2025 09:30:00 +0000")
		}, webhook.ErrBadDate},
		{"wrong weekday", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-date", "Wed, 14 Jan 2025 09:30:00 GMT") }, webhook.ErrBadDate},
		{"one-digit day", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-date", "Thu, 2 Jan 2025 09:30:00 GMT") }, webhook.ErrBadDate},
		{"two dates", func(_ *webhook.Verifier, r *http.Request) { r.Header.Add("x-ms-date", vec.Date) }, webhook.ErrBadDate},
		{"content hash not base64", func(_ *webhook.Verifier, r *http.Request) { r.Header.Set("x-ms-content-sha256", "%%%") }, webhook.ErrContentHash},
		{"content hash hex", func(_ *webhook.Verifier, r *http.Request) {
			r.Header.Set("x-ms-content-sha256", hex.EncodeToString(sha256Sum(body)))
		}, webhook.ErrContentHash},
		{"two content hashes", func(_ *webhook.Verifier, r *http.Request) { r.Header.Add("x-ms-content-sha256", vec.ContentSHA256) }, webhook.ErrContentHash},
		{"no registered URL", func(v *webhook.Verifier, _ *http.Request) { v.URL = "" }, webhook.ErrURL},
		{"relative registered URL", func(v *webhook.Verifier, _ *http.Request) { v.URL = "/vipps/webhooks?tenant=acme&v=2" }, webhook.ErrURL},
		{"registered URL without scheme", func(v *webhook.Verifier, _ *http.Request) { v.URL = "shop.example.com/vipps/webhooks?tenant=acme&v=2" }, webhook.ErrURL},
		{"registered URL ftp", func(v *webhook.Verifier, _ *http.Request) {
			v.URL = "ftp://shop.example.com/vipps/webhooks?tenant=acme&v=2"
		}, webhook.ErrURL},
		{"registered URL does not parse", func(v *webhook.Verifier, _ *http.Request) { v.URL = "https://shop.example.com:port/x" }, webhook.ErrURL},
	}
	seen := map[error]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
			r := signedRequest(vec)
			require.NoError(t, v.Verify(signedRequest(vec), body), "the unedited delivery verifies")
			tt.edit(&v, r)
			err := v.Verify(r, body)
			require.ErrorIs(t, err, tt.target)
			for _, other := range allSentinels {
				if other != tt.target {
					assert.NotErrorIs(t, err, other, "exactly one sentinel")
				}
			}
			seen[tt.target] = true
			assertNoLeak(t, err, vec)
			t.Logf("%s: %v", tt.name, err)
		})
	}
	for _, s := range allSentinels {
		if s != webhook.ErrSignature && s != webhook.ErrStale {
			assert.True(t, seen[s], "no case for %v", s)
		}
	}
}

var allSentinels = []error{
	webhook.ErrNoSecret, webhook.ErrURL, webhook.ErrMethod, webhook.ErrMissingHeader,
	webhook.ErrMalformedAuthorization, webhook.ErrBadDate, webhook.ErrContentHash,
	webhook.ErrSignature, webhook.ErrStale,
}

func TestSentinelsAreDistinct(t *testing.T) {
	for i, a := range allSentinels {
		for j, b := range allSentinels {
			if i != j {
				assert.NotErrorIs(t, a, b)
				assert.NotEqual(t, a.Error(), b.Error())
			}
		}
	}
}

func TestMaxAge(t *testing.T) {
	vec := loadVectors(t)[0] // dated Thu, 30 Mar 2023 08:38:32 GMT
	sent, err := time.Parse(http.TimeFormat, vec.Date)
	require.NoError(t, err)
	body := []byte(vec.Body)
	at := func(d time.Duration) func() time.Time { return func() time.Time { return sent.Add(d) } }

	tests := []struct {
		name   string
		maxAge time.Duration
		now    func() time.Time
		target error // nil: accepted
	}{
		{"no limit, two years later", 0, at(2 * 365 * 24 * time.Hour), nil},
		{"no limit, real clock", 0, nil, nil},
		{"within the limit", 5 * time.Minute, at(4 * time.Minute), nil},
		{"exactly at the limit", 5 * time.Minute, at(5 * time.Minute), nil},
		{"stale", 5 * time.Minute, at(5*time.Minute + time.Second), webhook.ErrStale},
		{"slightly in the future", 5 * time.Minute, at(-time.Minute), nil},
		{"far in the future", 5 * time.Minute, at(-6 * time.Minute), webhook.ErrStale},
		{"stale by the real clock", time.Hour, nil, webhook.ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL, MaxAge: tt.maxAge, Now: tt.now}
			err := v.Verify(signedRequest(vec), body)
			if tt.target == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.target)
			assertNoLeak(t, err, vec)
			t.Logf("%s: %v", tt.name, err)
		})
	}

	t.Run("forged and stale reports the signature", func(t *testing.T) {
		v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL, MaxAge: time.Minute, Now: at(time.Hour)}
		r := signedRequest(vec)
		r.Header.Set("x-ms-date", "Thu, 30 Mar 2023 08:38:33 GMT")
		require.ErrorIs(t, v.Verify(r, body), webhook.ErrSignature)
	})
}

func TestRegisteredURLIgnoresRequestHost(t *testing.T) {
	vec := vectorByName(t, "non-default-port")
	body := []byte(vec.Body)
	r := signedRequest(vec)
	// A proxy in front rewrote all of these; the registered URL still decides.
	r.Host = "internal-service.local:8080"
	r.URL.Path = "/hooks"
	r.RequestURI = "/hooks"
	r.Header.Set("X-Forwarded-Host", "evil.example.com")
	v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
	require.NoError(t, v.Verify(r, body))
}

func TestUseRequestURL(t *testing.T) {
	vec := vectorByName(t, "non-default-port")
	body := []byte(vec.Body)
	v := webhook.Verifier{Secret: auth.Secret(vec.Secret), UseRequestURL: true, URL: "https://ignored.example.com/x"}

	r := signedRequest(vec)
	require.Equal(t, "hooks.example.org:8443", r.Host)
	require.NoError(t, v.Verify(r, body), "host with its port and path from the request")

	r = signedRequest(vec)
	r.Host = "hooks.example.org"
	require.ErrorIs(t, v.Verify(r, body), webhook.ErrSignature, "the port is part of the signed host")

	r = signedRequest(vec)
	r.Host = "HOOKS.Example.org:8443"
	require.NoError(t, v.Verify(r, body), "host names are case-insensitive")

	r = signedRequest(vec)
	r.Host = "evil.example.com:8443"
	r.Header.Set("X-Forwarded-Host", "hooks.example.org:8443")
	require.ErrorIs(t, v.Verify(r, body), webhook.ErrSignature, "X-Forwarded-Host is never consulted")

	q := vectorByName(t, "query-string")
	v.Secret = auth.Secret(q.Secret)
	require.NoError(t, v.Verify(signedRequest(q), []byte(q.Body)), "query taken from r.URL.RequestURI()")
}

func TestRegisteredURLForms(t *testing.T) {
	secret := auth.Secret("090a478d-37ff-4e77-970e-d457aeb26a3a")
	date := time.Date(2025, 1, 14, 9, 30, 0, 0, time.UTC)
	body := []byte(`{"name":"CREATED"}`)
	hash := independentHash(body)
	tests := []struct{ url, host, pathAndQuery string }{
		{"https://example.com", "example.com", "/"},
		{"https://example.com?a=1", "example.com", "/?a=1"},
		{"https://Example.COM/Hook", "example.com", "/Hook"},
		{"https://example.com:443/hook", "example.com", "/hook"},
		{"http://example.com:80/hook", "example.com", "/hook"},
		{"http://example.com:443/hook", "example.com:443", "/hook"},
		{"https://example.com:80/hook", "example.com:80", "/hook"},
		{"HTTPS://example.com:443/hook", "example.com", "/hook"},
		{"https://example.com/hook#fragment", "example.com", "/hook"},
		{"https://example.com/a%20b?x=%2F", "example.com", "/a%20b?x=%2F"},
		{"https://[2001:db8::1]:443/hook", "[2001:db8::1]", "/hook"},
		{"https://[2001:db8::1]:8443/hook", "[2001:db8::1]:8443", "/hook"},
		{"https://127.0.0.1:9000/hook?q", "127.0.0.1:9000", "/hook?q"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			h, err := webhook.Sign(secret, tt.url, date, body)
			require.NoError(t, err)
			want := independentSignature([]byte(secret.Reveal()), tt.pathAndQuery, "Tue, 14 Jan 2025 09:30:00 GMT", tt.host, hash)
			assert.Equal(t, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+want, h.Get("Authorization"))

			r := httptest.NewRequest(http.MethodPost, "http://receiver.internal/", bytes.NewReader(body))
			for k, vs := range h {
				r.Header[k] = vs
			}
			require.NoError(t, webhook.Verifier{Secret: secret, URL: tt.url}.Verify(r, body))
		})
	}
}

func TestSign(t *testing.T) {
	date := time.Date(2025, 1, 14, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	h, err := webhook.Sign("s3cret", "https://example.com/hook", date, nil)
	require.NoError(t, err)
	assert.Equal(t, "Tue, 14 Jan 2025 09:30:00 GMT", h.Get("x-ms-date"), "dates are sent in GMT")
	assert.Equal(t, independentHash(nil), h.Get("x-ms-content-sha256"), "an empty body is hashed too")

	_, err = webhook.Sign("", "https://example.com/hook", date, nil)
	require.ErrorIs(t, err, webhook.ErrNoSecret)
	_, err = webhook.Sign("s3cret", "example.com/hook", date, nil)
	require.ErrorIs(t, err, webhook.ErrURL)
	_, err = webhook.Sign("s3cret", "https://user:pw@example.com/hook", date, nil)
	require.ErrorIs(t, err, webhook.ErrURL)
}

func TestVerifierDoesNotPrintSecret(t *testing.T) {
	vec := loadVectors(t)[0]
	v := webhook.Verifier{Secret: auth.Secret(vec.Secret), URL: vec.URL}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%v", &v)} {
		assert.NotContains(t, s, vec.Secret)
		assert.Contains(t, s, "[redacted]")
	}
}

// assertNoLeak checks that no rendering of err holds the secret, the expected signature or
// the expected content hash of the delivery described by vec.
func assertNoLeak(t *testing.T, err error, vec vector) {
	t.Helper()
	if err == nil {
		return
	}
	renderings := []string{err.Error(), fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		renderings = append(renderings, fmt.Sprintf("%+v", u))
	}
	for _, s := range renderings {
		for _, secret := range []string{vec.Secret, vec.Signature, vec.ContentSHA256, vec.Signature[:16], vec.Secret[:16]} {
			assert.NotContains(t, s, secret)
		}
	}
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
