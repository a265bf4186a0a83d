package callback

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	gencallback "github.com/paykit-go/paykit/gen/momo/callback"
)

// PathReference is how Handler finds a callback's reference unless WithReference says
// otherwise: the {reference} path value when the route has that wildcard, else the last
// path segment when it is a UUID (an X-Reference-Id). A UUID is returned in its canonical
// lower-case form, the form momo.NewReferenceID().String() gives, so that the same
// transaction always has the same key.
func PathReference(r *http.Request, _ gencallback.Callback) (string, bool) {
	if v := r.PathValue("reference"); v != "" {
		if id, ok := parseUUID(v); ok {
			return id, true
		}
		return v, true
	}
	path := strings.TrimRight(r.URL.Path, "/")
	return parseUUID(path[strings.LastIndexByte(path, '/')+1:])
}

// parseUUID accepts the 36-character form only, so that a path segment is a reference only
// when it looks exactly like one.
func parseUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return id.String(), true
}
