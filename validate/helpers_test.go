package validate_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/validate"
)

// fieldCase is one value for a field check: Rule empty means the value passes.
type fieldCase struct {
	name  string
	value string
	rule  validate.Rule
}

// runFieldCases runs check on every case and asserts the outcome: nil for a valid value;
// for an invalid one, one *Error naming field and the expected rule, matching ErrInvalid.
func runFieldCases(t *testing.T, field string, check func(field, value string) error, cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := check(field, tc.value)
			assertRule(t, err, field, tc.rule)
		})
	}
}

// assertRule asserts that err is nil when rule is empty, and otherwise one *Error with
// field and rule.
func assertRule(t *testing.T, err error, field string, rule validate.Rule) {
	t.Helper()
	if rule == "" {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, validate.ErrInvalid)
	var e *validate.Error
	require.True(t, errors.As(err, &e), "an *Error: %v", err)
	assert.Equal(t, field, e.Field, err.Error())
	assert.Equal(t, rule, e.Rule, err.Error())
	assert.NotEmpty(t, e.Want)
	assert.Contains(t, err.Error(), field)
	assert.Contains(t, err.Error(), string(rule))
}

// problems lists the problems of err as "field rule", sorted.
func problems(err error) []string {
	var out []string
	for _, p := range validate.Problems(err) {
		out = append(out, p.Field+" "+string(p.Rule))
	}
	sort.Strings(out)
	return out
}

// countingServer is an API stand-in that counts the requests reaching it and keeps the last
// body, answering each with the status given.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64

	mu       sync.Mutex
	lastBody []byte
}

func newCountingServer(t *testing.T, status int) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.lastBody = body
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.Close)
	return s
}

// take returns the hits since the last call and resets the count.
func (s *countingServer) take() int64 { return s.hits.Swap(0) }

func (s *countingServer) body() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastBody
}

// plainReader is an io.Reader that http.NewRequest does not know, so the request gets no
// GetBody, as with a caller's own stream.
type plainReader struct{ r io.Reader }

func (p *plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }
