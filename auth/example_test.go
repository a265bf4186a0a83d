package auth_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/paykit-go/paykit/auth"
)

func ExampleSecret() {
	key := auth.Secret("0123456789abcdef")
	fmt.Println(key)
	fmt.Printf("%q %x %#v\n", key, key, key)
	fmt.Printf("%+v\n", struct{ APIKey auth.Secret }{key})

	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	log.Info("configured", "key", key)

	// Only the code that builds the request asks for the value.
	fmt.Println(len(key.Reveal()))
	// Output:
	// [redacted]
	// "[redacted]" [redacted] auth.Secret("[redacted]")
	// {APIKey:[redacted]}
	// level=INFO msg=configured key=[redacted]
	// 16
}

func ExampleCache() {
	var mu sync.Mutex
	fetches := 0
	tokens := auth.NewCache(auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		// In a real client this calls the token endpoint with the client credentials.
		mu.Lock()
		defer mu.Unlock()
		fetches++
		return auth.Token{
			AccessToken: auth.Secret(fmt.Sprintf("token-%d", fetches)),
			TokenType:   "Bearer",
			Expiry:      time.Now().Add(time.Hour),
		}, nil
	}))

	for range 3 {
		tok, err := tokens.Token(context.Background())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(tok.AccessToken.Reveal())
	}

	// The API rejected token-1: drop it, and the next call fetches a new one.
	tokens.Invalidate("token-1")
	tok, _ := tokens.Token(context.Background())
	fmt.Println(tok.AccessToken.Reveal(), "after", fetches, "fetches")
	// Output:
	// token-1
	// token-1
	// token-1
	// token-2 after 2 fetches
}

func ExampleChain() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("subscription key:", r.Header.Get("Ocp-Apim-Subscription-Key"))
		fmt.Println("authorization:", r.Header.Get("Authorization"))
	}))
	defer api.Close()

	tokens := auth.StaticTokenSource(auth.Token{AccessToken: "access-token"})
	edit := auth.Chain(
		auth.SecretHeader("Ocp-Apim-Subscription-Key", "subscription-key"),
		auth.Bearer(tokens),
	)

	// A generated client runs the editor on every request it builds.
	req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
	if err := edit(req.Context(), req); err != nil {
		fmt.Println(err)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	// Output:
	// subscription key: subscription-key
	// authorization: Bearer access-token
}

func ExampleRetryUnauthorized() {
	// The API has revoked token-1 before it expired; only token-2 is accepted.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("API got %s with %s\n", body, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") != "Bearer token-2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer api.Close()

	var mu sync.Mutex
	fetches := 0
	tokens := auth.NewCache(auth.TokenSourceFunc(func(context.Context) (auth.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		fetches++
		return auth.Token{AccessToken: auth.Secret(fmt.Sprintf("token-%d", fetches)), Expiry: time.Now().Add(time.Hour)}, nil
	}))
	client := auth.RetryUnauthorized(http.DefaultClient, tokens)

	req, _ := http.NewRequest(http.MethodPost, api.URL, strings.NewReader(`{"amount":"100"}`))
	_ = auth.Bearer(tokens)(req.Context(), req)
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// API got {"amount":"100"} with Bearer token-1
	// API got {"amount":"100"} with Bearer token-2
	// 201
}
