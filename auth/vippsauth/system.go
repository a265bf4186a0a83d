package vippsauth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paykit-go/paykit/auth"
)

// MaxSystemValue is the longest value the gateway accepts in a Vipps-System-* header.
const MaxSystemValue = 30

// System identifies the software making the calls, in the four Vipps-System-* headers. Vipps
// uses them to trace problems to a system or plugin version; they are optional on the wire but
// required by policy for partners and plugins. Empty fields are not sent.
type System struct {
	// Name is the system, e.g. "acme" (Vipps-System-Name).
	Name string
	// Version is the system's version, e.g. "3.1.2" (Vipps-System-Version).
	Version string
	// PluginName is the plugin or integration, e.g. "acme-webshop" (Vipps-System-Plugin-Name).
	PluginName string
	// PluginVersion is the plugin's version, e.g. "4.5.6" (Vipps-System-Plugin-Version).
	PluginVersion string
}

// headers pairs each field with its header, in a fixed order so errors are reproducible.
func (s System) headers() [4][2]string {
	return [4][2]string{
		{SystemNameHeader, s.Name},
		{SystemVersionHeader, s.Version},
		{SystemPluginNameHeader, s.PluginName},
		{SystemPluginVersionHeader, s.PluginVersion},
	}
}

// Validate checks every set field against the gateway's rules (at most 30 characters, no
// control characters), since a violation is answered with a 400 or 500 that does not say
// which header was wrong. The error names the header and the rule.
func (s System) Validate() error {
	for _, h := range s.headers() {
		name, value := h[0], h[1]
		switch n := utf8.RuneCountInString(value); {
		case !utf8.ValidString(value):
			return fmt.Errorf("vipps: %s %q: not valid UTF-8", name, value)
		case n > MaxSystemValue:
			return fmt.Errorf("vipps: %s %q: %d characters, at most %d allowed", name, value, n, MaxSystemValue)
		case strings.IndexFunc(value, unicode.IsControl) >= 0:
			return fmt.Errorf("vipps: %s %q: control characters are not allowed", name, value)
		}
	}
	return nil
}

// Editor returns an editor that sets the non-empty fields' headers on requests that do not
// carry them yet. A header left empty is not sent at all, because the gateway rejects an
// empty value where it would accept none; a value passed as a parameter of a generated
// operation wins, since it was set for that call on purpose. An invalid System fails every
// request with the error of Validate.
func (s System) Editor() auth.Editor {
	err := s.Validate()
	return func(_ context.Context, req *http.Request) error {
		if err != nil {
			return err
		}
		for _, h := range s.headers() {
			if h[1] != "" && req.Header.Get(h[0]) == "" {
				req.Header.Set(h[0], h[1])
			}
		}
		return nil
	}
}
