package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/gen/momo/common"
)

// MoMoRaw is the request-to-pay flow written by hand with net/http, as a service without
// paykit would: it is the baseline of the per-call and throughput benchmarks, and the load
// generator of the sandbox and Prism runs. It sends what the typed client sends (the same
// headers, the same JSON) and decodes the answers into the same types.
type MoMoRaw struct {
	Client *http.Client
	// BaseURL is the gateway; the product path "/collection" is appended unless AtRoot.
	BaseURL string
	// AtRoot says the server serves the collection document's paths at its root, as the
	// Prism mock server does, not under /collection.
	AtRoot          bool
	SubscriptionKey string
	Environment     string // X-Target-Environment; "sandbox" when empty
	// Token is the bearer token sent on every call; FetchToken sets it.
	Token string
}

// FetchToken gets a collection token with the API user's credentials and keeps it.
func (m *MoMoRaw) FetchToken(ctx context.Context, apiUser, apiKey string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url("/token/"), http.NoBody)
	if err != nil {
		return err
	}
	req.SetBasicAuth(apiUser, apiKey)
	req.Header.Set("Ocp-Apim-Subscription-Key", m.SubscriptionKey)
	body, err := m.do(req, http.StatusOK)
	if err != nil {
		return fmt.Errorf("momo token: %w", err)
	}
	var tok common.AccessToken
	if err := json.Unmarshal(body, &tok); err != nil {
		return fmt.Errorf("momo token: %w", err)
	}
	m.Token = tok.AccessToken
	return nil
}

// RequestToPay asks payer for 100 EUR under reference ref and wants 202. A non-empty
// callbackURL is sent as X-Callback-Url.
func (m *MoMoRaw) RequestToPay(ctx context.Context, ref, payer, callbackURL string) error {
	body, err := json.Marshal(common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "order-" + ref[:8],
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
		PayerMessage: "Order " + ref[:8], PayeeNote: "Order " + ref[:8],
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url("/v1_0/requesttopay"), bytes.NewReader(body))
	if err != nil {
		return err
	}
	m.headers(req)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Reference-Id", ref)
	if callbackURL != "" {
		req.Header.Set("X-Callback-Url", callbackURL)
	}
	if _, err := m.do(req, http.StatusAccepted); err != nil {
		return fmt.Errorf("momo request to pay: %w", err)
	}
	return nil
}

// Status gets the state of request to pay ref and wants 200 with a JSON body.
func (m *MoMoRaw) Status(ctx context.Context, ref string) (*common.RequestToPayResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url("/v1_0/requesttopay/"+ref), nil)
	if err != nil {
		return nil, err
	}
	m.headers(req)
	body, err := m.do(req, http.StatusOK)
	if err != nil {
		return nil, fmt.Errorf("momo status: %w", err)
	}
	var res common.RequestToPayResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("momo status: %w", err)
	}
	return &res, nil
}

func (m *MoMoRaw) url(path string) string {
	if m.AtRoot {
		return strings.TrimRight(m.BaseURL, "/") + path
	}
	return strings.TrimRight(m.BaseURL, "/") + "/collection" + path
}

func (m *MoMoRaw) headers(req *http.Request) {
	env := m.Environment
	if env == "" {
		env = "sandbox"
	}
	req.Header.Set("Authorization", "Bearer "+m.Token)
	req.Header.Set("Ocp-Apim-Subscription-Key", m.SubscriptionKey)
	req.Header.Set("X-Target-Environment", env)
}

// do sends req and returns the whole body when the status is want.
func (m *MoMoRaw) do(req *http.Request, want int) ([]byte, error) { return send(m.Client, req, want) }

// send sends req with c, reads the whole answer and wants the status want: the hand-written
// baselines of both families, as a careful caller writes it.
func send(c *http.Client, req *http.Request, want int) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("HTTP %d, want %d: %.200s", resp.StatusCode, want, body)
	}
	return body, nil
}
