package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/internal/bench"
	"github.com/paykit-go/paykit/momo"
	"github.com/paykit-go/paykit/retry"
	"github.com/paykit-go/paykit/validate"
)

// statusRef is the reference every status call asks for.
const statusRef = "0b6f7c59-1f0a-4d3e-9c43-2a7b3e1f5d10"

// momoCaller makes the two calls of the flow one way: by hand or through some layers of
// paykit.
type momoCaller struct {
	name   string
	rtp    func(ctx context.Context) error
	status func(ctx context.Context) error
}

// Variants of the per-call benchmark, baseline first; each adds one layer to the one before.
const (
	variantRaw       = "raw-net/http"
	variantGenerated = "generated"
	variantAuth      = "generated+auth"
	variantValidate  = "generated+auth+validate"
	variantWired     = "wired-default"
	variantNoValid   = "wired-skip-validation"
	variantNoRetry   = "wired-no-retry"
)

// momoCallers returns every variant, all sending through hc to base.
func momoCallers(tb testing.TB, hc *http.Client, base string) []momoCaller {
	tb.Helper()
	raw := &bench.MoMoRaw{Client: hc, BaseURL: base, SubscriptionKey: stubKey}
	if err := raw.FetchToken(context.Background(), stubAPIUser, stubAPIKey); err != nil {
		tb.Fatal(err)
	}
	callers := []momoCaller{{
		name: variantRaw,
		rtp: func(ctx context.Context) error {
			return raw.RequestToPay(ctx, uuid.New().String(), stubPayer, "")
		},
		status: func(ctx context.Context) error {
			_, err := raw.Status(ctx, statusRef)
			return err
		},
	}}

	// The generated client alone, with the token set as a plain header.
	plain := auth.Chain(auth.Header("Authorization", "Bearer "+raw.Token),
		momoauth.SubscriptionKey(stubKey), momoauth.TargetEnvironment(momo.SandboxEnvironment))
	callers = append(callers, generatedCaller(tb, variantGenerated, hc, base, plain))

	// The typed call of the issue: the auth editors with a cached token.
	src, err := momoauth.NewTokenSource(momoauth.SourceConfig{
		BaseURL: base, Product: momoauth.Collection, SubscriptionKey: stubKey,
		APIUser: momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey}, HTTPClient: hc,
	})
	if err != nil {
		tb.Fatal(err)
	}
	editors := auth.Chain(momoauth.SubscriptionKey(stubKey), momoauth.TargetEnvironment(momo.SandboxEnvironment), auth.Bearer(auth.NewCache(src)))
	callers = append(callers, generatedCaller(tb, variantAuth, hc, base, editors))
	callers = append(callers, generatedCaller(tb, variantValidate, hc, base, auth.Chain(editors, validate.MoMoEditor())))

	for _, w := range []struct {
		name string
		edit func(*momo.Config)
	}{
		{variantWired, func(*momo.Config) {}},
		{variantNoValid, func(c *momo.Config) { c.SkipValidation = true }},
		{variantNoRetry, func(c *momo.Config) { c.Retry = retry.Policy{Disabled: true} }},
	} {
		cfg := momo.Config{
			BaseURL:          base,
			SubscriptionKeys: momoauth.SubscriptionKeys{Collection: stubKey},
			APIUser:          momoauth.APIUser{ID: stubAPIUser, Key: stubAPIKey},
			HTTPClient:       hc,
		}
		w.edit(&cfg)
		c, err := momo.New(cfg)
		if err != nil {
			tb.Fatal(err)
		}
		callers = append(callers, typedCaller(w.name, c.Collection))
	}
	return callers
}

func generatedCaller(tb testing.TB, name string, hc *http.Client, base string, edit auth.Editor) momoCaller {
	tb.Helper()
	c, err := collection.NewClientWithResponses(base+"/collection", collection.WithHTTPClient(hc), collection.WithRequestEditorFn(edit))
	if err != nil {
		tb.Fatal(err)
	}
	return typedCaller(name, c)
}

// typedCaller makes the calls through a generated client, however it is wired.
func typedCaller(name string, c *collection.ClientWithResponses) momoCaller {
	return momoCaller{
		name: name,
		rtp: func(ctx context.Context) error {
			res, err := c.RequestToPayWithResponse(ctx, &collection.RequestToPayParams{XReferenceId: uuid.New()}, rtpBody(stubPayer))
			if err != nil {
				return err
			}
			if res.StatusCode() != http.StatusAccepted {
				return fmt.Errorf("request to pay: HTTP %d: %s", res.StatusCode(), res.Body)
			}
			return nil
		},
		status: func(ctx context.Context) error {
			res, err := c.GetRequestToPayStatusWithResponse(ctx, uuid.MustParse(statusRef), &collection.GetRequestToPayStatusParams{})
			if err != nil {
				return err
			}
			if res.JSON200 == nil {
				return fmt.Errorf("status: HTTP %d: %s", res.StatusCode(), res.Body)
			}
			return nil
		},
	}
}

// rtpBody is the body bench.MoMoRaw sends, built the same way.
func rtpBody(payer string) common.RequestToPay {
	ref := uuid.NewString()
	return common.RequestToPay{
		Amount: "100", Currency: "EUR", ExternalId: "order-" + ref[:8],
		Payer:        common.Party{PartyIdType: "MSISDN", PartyId: payer},
		PayerMessage: "Order " + ref[:8], PayeeNote: "Order " + ref[:8],
	}
}

// BenchmarkCallOverhead compares one call through each layer of paykit with the same call
// written by hand, one goroutine at a time: against a stub gateway on loopback (the cost a
// service sees, the server's share of allocations included) and against an in-memory
// transport (the client's own cost). Every variant runs alternately with the hand-written
// call and reports its ratios to it (x-ns, x-B, x-allocs).
func BenchmarkCallOverhead(b *testing.B) {
	for _, where := range []string{"loopback", "memory"} {
		b.Run(where, func(b *testing.B) {
			var hc *http.Client
			base := "http://stub.invalid"
			switch where {
			case "loopback":
				srv, _, _ := loopbackStub(b, false)
				base, hc = srv.URL, momoauth.DefaultHTTPClient()
				b.Cleanup(hc.CloseIdleConnections)
			default:
				hc = &http.Client{Transport: &memoryTransport{}}
			}
			callers := momoCallers(b, hc, base)
			for _, op := range []string{"status", "requesttopay"} {
				b.Run(op, func(b *testing.B) {
					ctx := context.Background()
					pick := func(c momoCaller) func() error {
						if op == "requesttopay" {
							return func() error { return c.rtp(ctx) }
						}
						return func() error { return c.status(ctx) }
					}
					baseline := pick(callers[0])
					b.Run(callers[0].name, func(b *testing.B) { paired(b, nil, baseline) })
					for _, c := range callers[1:] {
						b.Run(c.name, func(b *testing.B) { paired(b, baseline, pick(c)) })
					}
				})
			}
		})
	}
}
