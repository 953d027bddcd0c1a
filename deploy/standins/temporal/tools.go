//go:build tools

// Pins the server's commands into this module (go build go.temporal.io/server/cmd/...).
package tools

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
