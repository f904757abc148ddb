package main

import (
	"os"
	"path/filepath"
)

// defaultRoot is where state lives without --root: /run/rt for root; for
// another user, who cannot write /run, $XDG_RUNTIME_DIR/rt when the session
// has one (as runc does with $XDG_RUNTIME_DIR/runc).
func defaultRoot() string {
	if os.Geteuid() != 0 {
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
			return filepath.Join(d, "rt")
		}
	}
	return "/run/rt"
}
