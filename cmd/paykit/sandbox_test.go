package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/sandbox"
)

// `paykit sandbox` listens on the address given (port 0 here), answers the control endpoint
// with the test credentials, applies the fault flags, and stops cleanly when its context
// ends, as on SIGINT.
func TestSandboxCommand(t *testing.T) {
	var stdout, stderr syncBuffer
	c := newCLI(&stdout, &stderr)
	serving := make(chan string, 1)
	c.serving = func(base string) { serving <- base }
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	done := make(chan int, 1)
	go func() {
		done <- c.run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--momo-delay", "10ms", "--fault-503", "1", "--seed", "7"})
	}()

	var base string
	select {
	case base = <-serving:
	case code := <-done:
		t.Fatalf("paykit sandbox exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("paykit sandbox did not start")
	}
	t.Logf("serving on %s", base)

	get := func(path string) (int, []byte) {
		t.Helper()
		res, err := http.Get(base + path)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, body
	}

	status, body := get("/_sandbox/credentials")
	require.Equal(t, http.StatusOK, status, string(body))
	want, err := json.Marshal(sandbox.DefaultCredentials().Reveal())
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(body))

	status, body = get("/_sandbox/faults")
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"rate503":1}`, string(body), "the fault flags reach the sandbox")
	status, _ = get("/collection/v1_0/requesttopay/" + "0b0e3a59-5f2b-4c8e-9d8e-2a3b4c5d6e7f")
	assert.Equal(t, http.StatusServiceUnavailable, status, "--fault-503 1 answers every API request 503")

	out := stdout.String()
	assert.Contains(t, out, base+"/_sandbox/", "prints the control endpoint")
	assert.Contains(t, out, "sandbox-partner-client-secret", "prints the test credentials")
	assert.Contains(t, out, "export "+envVippsMSN+"=223344")

	stop()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("paykit sandbox did not stop")
	}
	assert.Contains(t, stdout.String(), "paykit sandbox: stopped")
	assert.Empty(t, stderr.String())
	_, err = http.Get(base + "/_sandbox/")
	assert.Error(t, err, "nothing listens after the stop")
}

// An address that cannot be listened on fails with exit 1.
func TestSandboxCommandListenError(t *testing.T) {
	code, _, stderr := runPaykit(t, "sandbox", "--addr", "256.0.0.1:0")
	assert.Equal(t, exitFail, code)
	assert.Contains(t, stderr, "paykit sandbox:")
}
