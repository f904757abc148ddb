package config

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validateUnsupported refuses fields this build of rt does not implement.
// Running without them would silently drop what the config asks for (a
// scheduling policy, a NUMA policy, an SELinux label...), so the container
// would not be the one described. Each field leaves this list when rt
// learns it. The LSM labels and linux.intelRdt are checked against the
// host where they are applied (libcontainer/confine.go, validate).
func validateUnsupported(s *specs.Spec) error {
	p, l := s.Process, s.Linux
	switch {
	case p.ExecCPUAffinity != nil:
		return unsupported("process.execCPUAffinity")
	case l.MemoryPolicy != nil:
		return unsupported("linux.memoryPolicy")
	case len(l.NetDevices) > 0:
		return unsupported("linux.netDevices")
	}
	return nil
}

func unsupported(path string) error {
	return field(path, "not supported by this build of rt (see rt features)")
}
