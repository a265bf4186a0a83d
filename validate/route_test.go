package validate

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every pattern fits the segments match looks at.
func TestPatternsFitMaxPattern(t *testing.T) {
	for _, rs := range []routes{momoRoutes, vippsRoutes} {
		for _, r := range rs {
			assert.LessOrEqual(t, len(r.pattern), maxPattern, r.name)
		}
	}
}

// lastSegments gives the end of what pathSegments gives, without building all of it.
func TestLastSegments(t *testing.T) {
	for _, raw := range []string{
		"", "/", "//", "/a", "a", "/a/b/", "/collection/v1_0/requesttopay/6f0c9d1e-4b5a-4c2d-9e8f-0a1b2c3d4e5f",
		"/base//collection///v1_0/requesttopay", "/recurring/v3/agreements/agr%2F1/charges/chr%201/capture",
		"/a/b/c/d/e/f/g/h/i/j/k",
	} {
		u, err := url.Parse("http://gateway.test" + raw)
		if raw == "a" {
			u = &url.URL{Path: "a"}
		}
		require.NoError(t, err, raw)
		all := pathSegments(u)
		var buf [maxPattern]string
		got := lastSegments(u.EscapedPath(), &buf)
		want := all[max(0, len(all)-maxPattern):]
		if len(want) == 0 {
			assert.Empty(t, got, raw)
			continue
		}
		assert.Equal(t, want, got, raw)
	}
}

// A checker back from the pool carries nothing of the request before it.
func TestCheckerIsEmptyAfterRelease(t *testing.T) {
	c := checkers.Get().(*checker)
	c.parseBody(`{"amount":"x","payer":{"partyId":"1"}}`, true)
	c.add(fail("amount", RuleFormat, "a number", "x"))
	c.badBody = true
	require.NotEmpty(t, c.members)
	c.release()
	assert.Empty(t, c.errs)
	assert.Nil(t, c.members)
	assert.False(t, c.badBody)
	assert.Equal(t, [len(c.spare)]member{}, c.spare)
}
