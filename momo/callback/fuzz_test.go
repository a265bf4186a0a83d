package callback_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/paykit-go/paykit/momo/callback"
)

// FuzzHandler delivers an arbitrary request twice to a fresh Handler whose service fails
// the first time when fail is set. Whatever the method, path segment and body, the Handler
// must not panic, must answer one of its documented statuses, and must never answer 2xx
// unless the service took the notification or the delivery was recorded as a repeat.
func FuzzHandler(f *testing.F) {
	// The seed corpus in testdata/fuzz/FuzzHandler holds the interesting shapes; these are
	// the basic ones.
	f.Add(http.MethodPost, ref, []byte(rejected), false)
	f.Add(http.MethodPut, ref, []byte(`{"status":"SUCCESSFUL","reason":{"code":"X"}}`), true)

	allowed := map[int]bool{
		http.StatusOK: true, http.StatusBadRequest: true, http.StatusMethodNotAllowed: true,
		http.StatusRequestEntityTooLarge: true, http.StatusInternalServerError: true, http.StatusServiceUnavailable: true,
	}
	f.Fuzz(func(t *testing.T, method, segment string, body []byte, fail bool) {
		var taken, repeats, calls int
		h := callback.Handler(func(_ context.Context, n callback.Notification) error {
			calls++
			if fail && calls == 1 {
				return errTest
			}
			if !bytes.Equal(n.Raw, body) {
				t.Fatalf("Raw %q differs from the body sent %q", n.Raw, body)
			}
			taken++
			return nil
		}, callback.WithMaxBodyBytes(4<<10), callback.WithOnDuplicate(func(context.Context, callback.Notification) { repeats++ }))

		for attempt := range 2 {
			r, err := http.NewRequestWithContext(context.Background(), method, "http://shop.example/momo/callback/"+url.PathEscape(segment), bytes.NewReader(body))
			if err != nil {
				t.Skip("not a request net/http can make")
			}
			before := taken + repeats
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if !allowed[w.Code] {
				t.Fatalf("attempt %d: status %d is not one Handler documents", attempt, w.Code)
			}
			if method != http.MethodPost && method != http.MethodPut && w.Code != http.StatusMethodNotAllowed {
				t.Fatalf("attempt %d: method %q answered %d, want 405", attempt, method, w.Code)
			}
			acknowledged := w.Code >= 200 && w.Code < 300
			if acknowledged && taken+repeats != before+1 {
				t.Fatalf("attempt %d: answered %d without handing on or recording a repeat", attempt, w.Code)
			}
			if !acknowledged && taken+repeats != before {
				t.Fatalf("attempt %d: answered %d after handing on or recording a repeat", attempt, w.Code)
			}
		}
	})
}
