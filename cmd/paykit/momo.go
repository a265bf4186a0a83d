package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/auth"
	"github.com/paykit-go/paykit/auth/momoauth"
	"github.com/paykit-go/paykit/gen/momo/provisioning"
	"github.com/paykit-go/paykit/momo"
)

// momoProvisionFlags are the settings of `paykit momo provision`.
type momoProvisionFlags struct {
	baseURL      string
	callbackHost string
	keyFile      string
}

func momoProvisionCommand(c *cli) (*flag.FlagSet, usage, func(context.Context) int) {
	var f momoProvisionFlags
	fs := flag.NewFlagSet("momo provision", flag.ContinueOnError)
	fs.StringVar(&f.baseURL, "base-url", momo.SandboxURL, "`URL` of the MoMo sandbox gateway")
	fs.StringVar(&f.callbackHost, "callback-host", "", "providerCallbackHost of the new user: the bare `host` name callback URLs will use (required; it cannot be changed later)")
	fs.StringVar(&f.keyFile, "key-file", "", "`file` holding the subscription key (instead of "+envMoMoSubscriptionKey+")")
	u := usage{
		synopsis: "--callback-host HOST [--base-url URL] [--key-file FILE]",
		about: `
Creates an API user and its API key on a MoMo sandbox (POST /v1_0/apiuser, then
/v1_0/apiuser/{id}/apikey), reads the user back, and prints the user id and the new key:
store the key at once, the gateway never shows it again.`,
		notes: `
The subscription key (any subscribed product's, e.g. Collection) comes from
` + envMoMoSubscriptionKey + ` or from --key-file, never from a flag.
The printed ` + envMoMoAPIUser + ` and ` + envMoMoAPIKey + ` are what the live tests read.`,
	}
	return fs, u, func(ctx context.Context) int { return c.momoProvision(ctx, f) }
}

func (c *cli) momoProvision(ctx context.Context, f momoProvisionFlags) int {
	if f.callbackHost == "" {
		fmt.Fprintln(c.stderr, "paykit momo provision: --callback-host is required (the host name your callbacks will use)")
		return exitUsage
	}
	if strings.ContainsAny(f.callbackHost, "/:") {
		fmt.Fprintf(c.stderr, "paykit momo provision: --callback-host %q: want a bare host name, without scheme, port or path\n", f.callbackHost)
		return exitUsage
	}
	key := auth.Secret(strings.TrimSpace(momoKeysFromEnv().Collection.Reveal()))
	if f.keyFile != "" {
		var err error
		if key, err = readKeyFile(f.keyFile); err != nil {
			fmt.Fprintf(c.stderr, "paykit momo provision: --key-file: %v\n", err)
			return exitUsage
		}
	}
	if key == "" {
		fmt.Fprintf(c.stderr, "paykit momo provision: no subscription key: set %s or pass --key-file\n", envMoMoSubscriptionKey)
		return exitUsage
	}
	clients, err := momo.New(momo.Config{BaseURL: f.baseURL, SubscriptionKeys: momoauth.SubscriptionKeys{Collection: key}})
	if err != nil {
		fmt.Fprintf(c.stderr, "paykit momo provision: %v\n", err)
		return exitUsage
	}
	p := clients.Provisioning

	id := momo.NewReferenceID()
	created, err := p.CreateApiUserWithResponse(ctx, &provisioning.CreateApiUserParams{XReferenceId: id},
		provisioning.ApiUser{ProviderCallbackHost: f.callbackHost})
	if err != nil {
		return c.fail("momo provision", "create API user", err)
	}
	if created.StatusCode() != http.StatusCreated {
		return c.failHTTP("momo provision", "create API user", created.StatusCode(), created.Body)
	}
	keyRes, err := p.CreateApiKeyWithResponse(ctx, id)
	if err != nil {
		return c.fail("momo provision", "create API key", err)
	}
	if keyRes.JSON201 == nil || keyRes.JSON201.ApiKey == "" {
		return c.failHTTP("momo provision", "create API key", keyRes.StatusCode(), keyRes.Body)
	}
	user, err := p.GetApiUserWithResponse(ctx, id)
	if err != nil {
		return c.fail("momo provision", "read the API user back", err)
	}
	if user.JSON200 == nil {
		return c.failHTTP("momo provision", "read the API user back", user.StatusCode(), user.Body)
	}

	fmt.Fprintf(c.stdout, "MoMo API user created on %s (providerCallbackHost %s, targetEnvironment %s).\n",
		f.baseURL, user.JSON200.ProviderCallbackHost, user.JSON200.TargetEnvironment)
	fmt.Fprintln(c.stdout, "The API key is shown only now; keep it secret:")
	fmt.Fprintf(c.stdout, "  %s=%s\n", envMoMoAPIUser, id)
	fmt.Fprintf(c.stdout, "  %s=%s\n", envMoMoAPIKey, keyRes.JSON201.ApiKey)
	return exitOK
}

// fail reports an error of a command's step and returns exitFail.
func (c *cli) fail(cmd, step string, err error) int {
	fmt.Fprintf(c.stderr, "paykit %s: %s: %v\n", cmd, step, err)
	return exitFail
}

// failHTTP reports an unexpected answer with its status and the start of its body (API
// error bodies carry codes and messages, never the caller's credentials).
func (c *cli) failHTTP(cmd, step string, status int, body []byte) int {
	b := strings.Join(strings.Fields(string(body)), " ")
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	fmt.Fprintf(c.stderr, "paykit %s: %s: HTTP %d %s\n", cmd, step, status, b)
	return exitFail
}
