package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth"
)

func TestTokenValidAt(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		tok    auth.Token
		margin time.Duration
		want   bool
	}{
		{"empty", auth.Token{Expiry: now.Add(time.Hour)}, 0, false},
		{"no expiry", auth.Token{AccessToken: "t"}, time.Hour, true},
		{"plenty left", auth.Token{AccessToken: "t", Expiry: now.Add(time.Hour)}, time.Minute, true},
		{"inside margin", auth.Token{AccessToken: "t", Expiry: now.Add(30 * time.Second)}, time.Minute, false},
		{"exactly at margin", auth.Token{AccessToken: "t", Expiry: now.Add(time.Minute)}, time.Minute, false},
		{"just before expiry, no margin", auth.Token{AccessToken: "t", Expiry: now.Add(time.Nanosecond)}, 0, true},
		{"at expiry", auth.Token{AccessToken: "t", Expiry: now}, 0, false},
		{"expired", auth.Token{AccessToken: "t", Expiry: now.Add(-time.Hour)}, 0, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.tok.ValidAt(now, tt.margin), tt.name)
	}
}

func TestTokenSources(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	fn := auth.TokenSourceFunc(func(ctx context.Context) (auth.Token, error) {
		return auth.Token{AccessToken: auth.Secret(ctx.Value(key{}).(string))}, nil
	})
	tok, err := fn.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, auth.Secret("v"), tok.AccessToken)

	tok, err = auth.StaticTokenSource(auth.Token{AccessToken: "s"}).Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, auth.Secret("s"), tok.AccessToken)
}
