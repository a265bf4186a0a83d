package vippsauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/auth/vippsauth"
)

func TestSystemValidate(t *testing.T) {
	chars30 := strings.Repeat("a", 30)
	chars31 := strings.Repeat("a", 31)
	tests := []struct {
		name   string
		system vippsauth.System
		inErr  string // empty: valid
	}{
		{"all empty", vippsauth.System{}, ""},
		{"typical", vippsauth.System{Name: "acme", Version: "3.1.2", PluginName: "acme-webshop", PluginVersion: "4.5.6"}, ""},
		{"30 characters each", vippsauth.System{Name: chars30, Version: chars30, PluginName: chars30, PluginVersion: chars30}, ""},
		{"30 characters counted as characters, not bytes", vippsauth.System{Name: strings.Repeat("ø", 30)}, ""},
		{"name 31 characters", vippsauth.System{Name: chars31}, "Vipps-System-Name \"" + chars31 + "\": 31 characters, at most 30 allowed"},
		{"version 31 characters", vippsauth.System{Version: chars31}, "Vipps-System-Version"},
		{"plugin name 31 characters", vippsauth.System{PluginName: chars31}, "Vipps-System-Plugin-Name"},
		{"plugin version 31 characters", vippsauth.System{PluginVersion: "1." + strings.Repeat("0", 29)}, "Vipps-System-Plugin-Version"},
		{"31 multibyte characters", vippsauth.System{Name: strings.Repeat("ø", 31)}, "31 characters"},
		{"newline", vippsauth.System{Name: "acme\nX-Injected: 1"}, `Vipps-System-Name "acme\nX-Injected: 1": control characters are not allowed`},
		{"tab", vippsauth.System{Version: "3.1\t2"}, "Vipps-System-Version \"3.1\\t2\": control characters"},
		{"DEL", vippsauth.System{PluginName: "acme\x7f"}, "Vipps-System-Plugin-Name"},
		{"invalid UTF-8", vippsauth.System{PluginVersion: "\xff"}, "Vipps-System-Plugin-Version \"\\xff\": not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.system.Validate()
			if tt.inErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.inErr)
		})
	}
}

func TestSystemEditorSetsOnlyWhatIsSet(t *testing.T) {
	edit := vippsauth.System{Name: "acme", PluginVersion: "4.5.6"}.Editor()
	r := httptest.NewRequest(http.MethodPost, "/epayment/v1/payments", nil)
	require.NoError(t, edit(context.Background(), r))
	assert.Equal(t, "acme", r.Header.Get("Vipps-System-Name"))
	assert.Equal(t, "4.5.6", r.Header.Get("Vipps-System-Plugin-Version"))
	assert.NotContains(t, r.Header, "Vipps-System-Version", "no empty header")
	assert.NotContains(t, r.Header, "Vipps-System-Plugin-Name", "no empty header")

	r = httptest.NewRequest(http.MethodPost, "/epayment/v1/payments", nil)
	r.Header.Set("Vipps-System-Name", "per-call")
	require.NoError(t, edit(context.Background(), r))
	assert.Equal(t, "per-call", r.Header.Get("Vipps-System-Name"), "a value passed for the call wins")

	r = httptest.NewRequest(http.MethodPost, "/epayment/v1/payments", nil)
	require.NoError(t, vippsauth.System{}.Editor()(context.Background(), r))
	assert.Empty(t, r.Header)

	err := vippsauth.System{Name: strings.Repeat("a", 31)}.Editor()(context.Background(), r)
	assert.ErrorContains(t, err, "Vipps-System-Name")
}
