package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Editor changes an outgoing request before it is sent, typically to add credentials.
//
// It is an alias of the unnamed func type rather than a defined type so that an Editor can be
// passed as the RequestEditorFn of every generated package without a conversion.
type Editor = func(ctx context.Context, req *http.Request) error

// Header returns an Editor that sets the header name to value, replacing any earlier value.
func Header(name, value string) Editor {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set(name, value)
		return nil
	}
}

// SecretHeader returns an Editor that sets the header name to the revealed value; an empty
// value fails the request before it is sent, since a blank key only earns an opaque 401 later.
func SecretHeader(name string, value Secret) Editor {
	return func(_ context.Context, req *http.Request) error {
		if value == "" {
			return fmt.Errorf("auth: header %q: empty secret", name)
		}
		req.Header.Set(name, value.Reveal())
		return nil
	}
}

// Basic returns an Editor that sets HTTP Basic authorization (RFC 7617) from user and pass.
func Basic(user string, pass Secret) Editor {
	return func(_ context.Context, req *http.Request) error {
		switch {
		case user == "":
			return errors.New("auth: basic authorization: empty user")
		case strings.Contains(user, ":"):
			// The server splits user:pass at the first colon, so such a user cannot log in.
			return errors.New("auth: basic authorization: user contains a colon")
		case pass == "":
			return errors.New("auth: basic authorization: empty password")
		}
		creds := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass.Reveal()))
		req.Header.Set("Authorization", "Basic "+creds)
		return nil
	}
}

// Bearer returns an Editor that asks src for a token with the request's context and sets
// "Authorization: Bearer <token>".
func Bearer(src TokenSource) Editor {
	return func(ctx context.Context, req *http.Request) error {
		tok, err := src.Token(ctx)
		if err != nil {
			return fmt.Errorf("auth: bearer authorization: %w", err)
		}
		if tok.AccessToken == "" {
			return errors.New("auth: bearer authorization: token source returned an empty token")
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
		return nil
	}
}

// Chain returns an Editor that runs editors in order and stops at the first error; nil
// editors are skipped so that optional credentials can be passed unconditionally.
func Chain(editors ...Editor) Editor {
	return func(ctx context.Context, req *http.Request) error {
		for _, edit := range editors {
			if edit == nil {
				continue
			}
			if err := edit(ctx, req); err != nil {
				return err
			}
		}
		return nil
	}
}
