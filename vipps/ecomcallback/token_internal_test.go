package ecomcallback

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit/auth"
)

// TestTokenEqual exercises the constant-time comparison directly, with values of every
// relation to the token: equal, prefix, extension, one byte off at either end, empty.
func TestTokenEqual(t *testing.T) {
	want := auth.Secret("cb-token-7f3a9c")
	tests := []struct {
		got  string
		want bool
	}{
		{"cb-token-7f3a9c", true},
		{"cb-token-7f3a9", false},
		{"cb-token-7f3a9c0", false},
		{"Cb-token-7f3a9c", false},
		{"cb-token-7f3a9C", false},
		{"Bearer cb-token-7f3a9c", false},
		{" cb-token-7f3a9c", false},
		{"", false},
		{strings.Repeat("x", 4096), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tokenEqual(tt.got, want), "%q", tt.got)
	}
	assert.False(t, tokenEqual("", ""), "an empty token never compares equal; CheckToken handles that case before")
}

// The comparison hashes both sides, so its cost depends on the length of what was sent,
// never on where it first differs from the token or on the token's length. No timing is
// asserted; compare the numbers with go test -bench.
func BenchmarkTokenEqual(b *testing.B) {
	want := auth.Secret(strings.Repeat("a", 64))
	for _, bc := range []struct{ name, got string }{
		{"equal", strings.Repeat("a", 64)},
		{"first byte differs", "b" + strings.Repeat("a", 63)},
		{"last byte differs", strings.Repeat("a", 63) + "b"},
		{"short", "a"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				tokenEqual(bc.got, want)
			}
		})
	}
}
