package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/sandbox"
)

// syncBuffer is a bytes.Buffer safe to write from a running command while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runPaykit runs one command line and returns its exit code, stdout and stderr.
func runPaykit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	code := newCLI(&stdout, &stderr).run(t.Context(), args)
	return code, stdout.String(), stderr.String()
}

// Every command answers --help (and `paykit help COMMAND`) on stdout with exit 0.
func TestHelp(t *testing.T) {
	cases := [][]string{
		{"help"}, {"--help"}, {"-h"},
		{"help", "demo"}, {"help", "sandbox"}, {"help", "momo", "provision"}, {"help", "vipps", "token"},
	}
	for _, cmd := range commands {
		cases = append(cases,
			append(strings.Fields(cmd.name), "--help"),
			append(strings.Fields(cmd.name), "-h"))
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runPaykit(t, args...)
			assert.Equal(t, exitOK, code)
			assert.Empty(t, stderr)
			assert.Contains(t, stdout, "Usage: paykit")
		})
	}

	_, overall, _ := runPaykit(t, "help")
	for _, cmd := range commands {
		assert.Contains(t, overall, cmd.name, "paykit help lists every command")
	}
	_, demoHelp, _ := runPaykit(t, "demo", "--help")
	for _, env := range []string{envMoMoSubscriptionKey, envMoMoDisbursementKey, envVippsClientID, envVippsClientSecret, envVippsSubscriptionKey, envVippsMSN} {
		assert.Contains(t, demoHelp, env, "demo --help documents the environment")
	}
	_, sandboxHelp, _ := runPaykit(t, "sandbox", "--help")
	for _, name := range []string{"addr", "momo-delay", "token-ttl", "callback-method", "user-policy", "fault-500", "fault-503",
		"fault-429", "retry-after", "drop-rate", "latency-min", "latency-max", "duplicate-callbacks", "seed"} {
		assert.Contains(t, sandboxHelp, "  -"+name, "sandbox --help shows --%s", name)
	}
}

// A wrong command line is a usage error: exit 2 and a message on stderr.
func TestUsageErrors(t *testing.T) {
	t.Setenv(envMoMoSubscriptionKey, "")
	t.Setenv(envVippsClientID, "")
	t.Setenv(envVippsClientSecret, "")
	t.Setenv(envVippsSubscriptionKey, "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"nope"}, `unknown command "nope"`},
		{[]string{"momo"}, "needs a subcommand: momo provision"},
		{[]string{"momo", "nope"}, "needs a subcommand"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"sandbox", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"sandbox", "extra"}, `unexpected argument "extra"`},
		{[]string{"sandbox", "--user-policy", "maybe"}, "want wait, approve or reject"},
		{[]string{"sandbox", "--fault-500", "1.5"}, "want a fraction from 0 to 1"},
		{[]string{"sandbox", "--fault-500", "0.6", "--fault-503", "0.6"}, "more than 1"},
		{[]string{"sandbox", "--latency-min", "2s", "--latency-max", "1s"}, "min <= max"},
		{[]string{"sandbox", "--callback-method", "GET"}, "want POST or PUT"},
		{[]string{"sandbox", "--momo-delay", "soon"}, "invalid value"},
		{[]string{"demo", "--family", "paypal"}, `--family "paypal"`},
		{[]string{"demo", "--base-url", "http://127.0.0.1:1", "--family", "momo"}, envMoMoSubscriptionKey},
		{[]string{"demo", "--base-url", "http://127.0.0.1:1", "--family", "vipps"}, envVippsClientID},
		{[]string{"momo", "provision"}, "--callback-host is required"},
		{[]string{"momo", "provision", "--callback-host", "https://shop.example"}, "bare host name"},
		{[]string{"momo", "provision", "--callback-host", "shop.example"}, envMoMoSubscriptionKey},
		{[]string{"momo", "provision", "--callback-host", "shop.example", "--key-file", "/does/not/exist"}, "--key-file"},
		{[]string{"vipps", "token"}, envVippsClientSecret},
		{[]string{"vipps", "token", "--credentials-file", "/does/not/exist"}, "credentials"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runPaykit(t, tc.args...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// Secrets never come from flags: no flag of any command is named like one (a file that holds
// one is fine, and so is the sandbox's token lifetime).
func TestNoSecretFlags(t *testing.T) {
	for _, cmd := range commands {
		fs, _, _ := cmd.flags(newCLI(io.Discard, io.Discard))
		fs.VisitAll(func(f *flag.Flag) {
			if strings.HasSuffix(f.Name, "-file") || f.Name == "token-ttl" {
				return
			}
			for _, word := range []string{"secret", "key", "token", "password"} {
				assert.NotContains(t, f.Name, word, "paykit %s --%s looks like a secret", cmd.name, f.Name)
			}
		})
	}
}

// newSandboxServer serves a new sandbox (opts added to a short MoMo delay) and records the
// bodies of the token answers, so that tests can check no token is printed.
func newSandboxServer(t *testing.T, opts ...sandbox.Option) (*httptest.Server, *sandbox.Sandbox, *tokenLog) {
	t.Helper()
	sb, err := sandbox.New(append([]sandbox.Option{sandbox.WithMoMoDelay(20 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	tokens := &tokenLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "token") {
			sb.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		tokens.add(rec.Body.String())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	return srv, sb, tokens
}

// tokenLog holds the access tokens a sandbox issued.
type tokenLog struct {
	mu     sync.Mutex
	tokens []string
}

func (l *tokenLog) add(body string) {
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal([]byte(body), &v) == nil && v.AccessToken != "" {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.tokens = append(l.tokens, v.AccessToken)
	}
}

func (l *tokenLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.tokens...)
}

// assertNoSecrets fails when out holds any of secrets.
func assertNoSecrets(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, out, s, "a secret was printed")
	}
}
