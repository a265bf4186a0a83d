package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/paykit-go/paykit/auth/vippsauth"
	"github.com/paykit-go/paykit/vipps"
)

// vippsTokenFlags are the settings of `paykit vipps token`.
type vippsTokenFlags struct {
	baseURL         string
	credentialsFile string
}

func vippsTokenCommand(c *cli) (*flag.FlagSet, usage, func(context.Context) int) {
	var f vippsTokenFlags
	fs := flag.NewFlagSet("vipps token", flag.ContinueOnError)
	fs.StringVar(&f.baseURL, "base-url", vipps.TestURL, "`URL` of the Vipps environment (the host only)")
	fs.StringVar(&f.credentialsFile, "credentials-file", "", "JSON `file` with clientId, clientSecret, subscriptionKey and optionally msn (instead of the environment)")
	u := usage{
		synopsis: "[--base-url URL] [--credentials-file FILE]",
		about: `
Checks Vipps MobilePay credentials by fetching an access token (POST /accesstoken/get) and
prints when it expires. The token itself is never printed.`,
		notes: `
Credentials come from the environment, or from --credentials-file, never from flags:
  ` + envVippsClientID + `         client_id
  ` + envVippsClientSecret + `     client_secret
  ` + envVippsSubscriptionKey + `  Ocp-Apim-Subscription-Key
  ` + envVippsMSN + `               optional: sent on the token call, for a merchant's token
The file form: {"clientId": "...", "clientSecret": "...", "subscriptionKey": "...", "msn": "123456"}`,
	}
	return fs, u, func(ctx context.Context) int { return c.vippsToken(ctx, f) }
}

func (c *cli) vippsToken(ctx context.Context, f vippsTokenFlags) int {
	var keys vippsKeys
	var err error
	if f.credentialsFile != "" {
		keys, err = readVippsCredentialsFile(f.credentialsFile)
	} else {
		keys, err = vippsKeysFromEnv()
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "paykit vipps token: credentials: %v\n", err)
		return exitUsage
	}
	src, err := vippsauth.NewTokenSource(vippsauth.TokenConfig{
		BaseURL:     f.baseURL,
		Credentials: keys.Credentials,
		MSN:         keys.MSN,
		System:      vippsauth.System{Name: "paykit-cli", Version: "1"},
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "paykit vipps token: %v\n", err)
		return exitUsage
	}
	tok, err := src.Token(ctx)
	if err != nil {
		return c.fail("vipps token", "fetch a token", err)
	}
	who := "client " + keys.Credentials.ClientID
	if keys.MSN != "" {
		who += ", MSN " + keys.MSN
	}
	fmt.Fprintf(c.stdout, "Vipps credentials OK (%s) on %s.\n", who, f.baseURL)
	if tok.Expiry.IsZero() {
		fmt.Fprintln(c.stdout, "The token has no expiry.")
		return exitOK
	}
	fmt.Fprintf(c.stdout, "Token type %s, expires %s (in %v).\n", tokenType(tok.TokenType),
		tok.Expiry.UTC().Format(time.RFC3339), time.Until(tok.Expiry).Round(time.Second))
	return exitOK
}

func tokenType(t string) string {
	if t == "" {
		return "(none given)"
	}
	return t
}
