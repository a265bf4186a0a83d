package auth

import (
	"context"
	"time"
)

// Token is an access token and the time it stops being accepted.
type Token struct {
	// AccessToken is the value sent in the Authorization header.
	AccessToken Secret
	// TokenType is the scheme the issuer named, usually "Bearer"; it is informational.
	TokenType string
	// Expiry is when the token expires; the zero time means it never does.
	Expiry time.Time
}

// ValidAt reports whether the token is non-empty and still has more than margin left at now.
func (t Token) ValidAt(now time.Time, margin time.Duration) bool {
	if t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || now.Add(margin).Before(t.Expiry)
}

// TokenSource supplies tokens; implementations must be safe for concurrent use.
type TokenSource interface {
	// Token returns a token, giving up when ctx is done.
	Token(ctx context.Context) (Token, error)
}

// TokenSourceFunc adapts a function to a TokenSource.
type TokenSourceFunc func(ctx context.Context) (Token, error)

// Token calls f(ctx).
func (f TokenSourceFunc) Token(ctx context.Context) (Token, error) { return f(ctx) }

// StaticTokenSource returns a TokenSource that always returns tok, for fixed API tokens and
// tests.
func StaticTokenSource(tok Token) TokenSource {
	return TokenSourceFunc(func(context.Context) (Token, error) { return tok, nil })
}
