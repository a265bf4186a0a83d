//go:build tools

package paykit

// The code generator is a tool dependency: importing it here pins its version in go.mod,
// so `go generate` (which runs it with `go run`) is reproducible.
import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
