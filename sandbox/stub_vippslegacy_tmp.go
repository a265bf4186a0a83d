package sandbox

import "net/http"

// Placeholder until the family is written; delete this file when newVippsLegacy exists.
type stubvippslegacy struct{}

func (stubvippslegacy) mount(*http.ServeMux)  {}
func (stubvippslegacy) ledger() []LedgerEntry { return nil }
func (stubvippslegacy) reset()                {}

func newVippsLegacy(*Sandbox) family { return stubvippslegacy{} }
