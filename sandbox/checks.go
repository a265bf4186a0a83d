package sandbox

import (
	"errors"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/internal/contract"
)

// checked returns middleware that holds every request to the documents before the API
// sees it. Problems with credentials are answered by unauthorized (the gateway's answer);
// other problems by badRequest, which names each field and rule in the API's own error
// shape.
func (s *Sandbox) checked(badRequest func(w http.ResponseWriter, r *http.Request, problems []string), unauthorized func(w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := s.validator.ValidateRequest(r)
			if err == nil {
				next.ServeHTTP(w, r)
				return
			}
			var ce *contract.Error
			if !errors.As(err, &ce) {
				badRequest(w, r, []string{err.Error()})
				return
			}
			var rest []string
			for _, p := range ce.Problems {
				if strings.HasPrefix(p, "security") {
					unauthorized(w, r)
					return
				}
				rest = append(rest, p)
			}
			badRequest(w, r, rest)
		})
	}
}
