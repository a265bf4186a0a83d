package vipps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/vippsauth"
)

// bindMerchant returns a Doer that makes every request act for msn: the
// Merchant-Serial-Number header is set to msn whatever the call set, and an eCom body that
// names another merchant (merchantInfo.merchantSerialNumber) is refused before it is sent.
// It runs last, after every editor, so nothing a caller passes per call can change the
// merchant. With msn empty (a merchant's own keys, unbound) requests pass unchanged.
func bindMerchant(next auth.Doer, msn string) auth.Doer {
	if msn == "" {
		return next
	}
	return auth.DoerFunc(func(req *http.Request) (*http.Response, error) {
		req = req.Clone(req.Context())
		if strings.HasPrefix(req.URL.Path, "/ecomm/") {
			if err := checkEcomMerchant(req, msn); err != nil {
				return nil, err
			}
		}
		req.Header.Set(vippsauth.MerchantSerialNumberHeader, msn)
		return next.Do(req)
	})
}

// checkEcomMerchant refuses an eCom request whose body names a merchant other than msn.
// eCom carries the MSN in the body as well as the header, and the API acts on the body's.
func checkEcomMerchant(req *http.Request, msn string) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	// Read the body the request will send, and leave an identical one in its place: a body
	// that could not be read back here must not be let through unchecked.
	raw, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return fmt.Errorf("vipps: read request body: %w", err)
	}
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	var named struct {
		MerchantInfo struct {
			MerchantSerialNumber json.RawMessage `json:"merchantSerialNumber"`
		} `json:"merchantInfo"`
	}
	if json.Unmarshal(raw, &named) != nil || len(named.MerchantInfo.MerchantSerialNumber) == 0 {
		return nil
	}
	got := strings.Trim(string(bytes.TrimSpace(named.MerchantInfo.MerchantSerialNumber)), `"`)
	if got != msn {
		return fmt.Errorf("vipps: merchantInfo.merchantSerialNumber %q: this client acts for merchant %s only", got, msn)
	}
	return nil
}

// loginAware keeps the Login-flow userinfo call (GET /vipps-userinfo-api/userinfo/ with the
// user's Login token) off the merchant transport: it carries the caller's token and neither
// the subscription key (the API answers 401 to it) nor the merchant binding. Every other
// userinfo call goes through doer.
func loginAware(doer auth.Doer, plain auth.Doer) auth.Doer {
	return auth.DoerFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Path != "/vipps-userinfo-api/userinfo/" {
			return doer.Do(req)
		}
		if req.Header.Get("Authorization") == "" {
			return nil, fmt.Errorf("vipps: userinfo with a Login token: pass the user's token as the Authorization of the call")
		}
		req = req.Clone(req.Context())
		req.Header.Del(vippsauth.SubscriptionKeyHeader)
		req.Header.Del(vippsauth.MerchantSerialNumberHeader)
		return plain.Do(req)
	})
}
