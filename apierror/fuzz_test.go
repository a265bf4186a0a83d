package apierror_test

import (
	"net/http"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paykit-go/paykit/apierror"
)

// fixedNow keeps RetryAfter's answers reproducible.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// FuzzDecode feeds Decode arbitrary statuses, media types and bodies. The seed corpus in
// testdata/fuzz/FuzzDecode holds every error shape of the facts and the recorded traffic.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		e := apierror.Decode(status, http.Header{"Content-Type": {contentType}, "Retry-After": {contentType}}, body)
		if e == nil {
			t.Fatal("Decode returned nil")
		}
		if len(e.Body) > apierror.MaxBody {
			t.Fatalf("kept %d bytes of body, more than %d", len(e.Body), apierror.MaxBody)
		}
		if len(body) > 0 && len(e.Body) == 0 {
			t.Fatal("lost the body")
		}
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		msg := e.Error()
		if msg == "" && (status < 200 || status > 299) {
			t.Fatal("empty Error() for a non-2xx answer")
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("Error() is not valid UTF-8: %q", msg)
		}
		if len(msg) > 512 {
			t.Fatalf("Error() is %d bytes long", len(msg))
		}
		for _, r := range msg {
			if r == '\n' || r == '\r' {
				t.Fatalf("Error() spans lines: %q", msg)
			}
		}
		if len(e.Ecom) > 32 || (e.Problem != nil && len(e.Problem.ExtraDetails) > 32) {
			t.Fatal("kept too many items")
		}
		_ = e.Temporary()
		_, _ = e.RetryAfter(fixedNow)
	})
}
