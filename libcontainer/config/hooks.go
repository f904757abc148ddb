package config

import (
	"fmt"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validateHooks checks every hook's path and timeout. Hooks that must run
// inside the container's namespaces (createContainer, startContainer) are
// refused: rt runs hooks from its own process, in the runtime's namespaces.
func validateHooks(s *specs.Spec) error {
	h := s.Hooks
	if h == nil {
		return nil
	}
	for _, set := range []struct {
		name  string
		hooks []specs.Hook
	}{
		{"prestart", h.Prestart}, //nolint:staticcheck // deprecated but still honoured, as runc does
		{"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer},
		{"startContainer", h.StartContainer},
		{"poststart", h.Poststart},
		{"poststop", h.Poststop},
	} {
		for i, hk := range set.hooks {
			p := fmt.Sprintf("hooks.%s[%d]", set.name, i)
			if set.name == "createContainer" || set.name == "startContainer" {
				return field(p, "%s hooks (run inside the container's namespaces) are not supported by this rt build", set.name)
			}
			if !filepath.IsAbs(hk.Path) {
				return field(p+".path", "%q is not an absolute path", hk.Path)
			}
			if hk.Timeout != nil && *hk.Timeout <= 0 {
				return field(p+".timeout", "%d is not a positive number of seconds", *hk.Timeout)
			}
		}
	}
	return nil
}
