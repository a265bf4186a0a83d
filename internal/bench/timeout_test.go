package bench_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paykit-go/paykit/auth"
)

// BenchmarkClientTimeout is what a 30 s bound on every call costs, kept three ways around the
// same in-memory round trip (a status read): none, http.Client.Timeout (what hand-written
// clients set), and auth.TimeoutTransport (what paykit's default client uses).
func BenchmarkClientTimeout(b *testing.B) {
	for _, v := range []struct {
		name   string
		client *http.Client
	}{
		{"none", &http.Client{Transport: &memoryTransport{}}},
		{"http.Client.Timeout", &http.Client{Transport: &memoryTransport{}, Timeout: 30 * time.Second}},
		{"auth.TimeoutTransport", &http.Client{Transport: &auth.TimeoutTransport{Base: &memoryTransport{}, Timeout: 30 * time.Second}}},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req, err := http.NewRequest(http.MethodGet, "http://gateway.test/collection/v1_0/requesttopay/"+statusRef, nil)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := v.client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
}
