package config

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// validateUnsupported refuses fields this build of rt does not implement.
// Running without them would silently drop what the config asks for (a
// scheduling policy, a NUMA policy, an SELinux label...), so the container
// would not be the one described. Each field leaves this list when rt
// learns it; seccomp and apparmor are not listed: they are being built.
func validateUnsupported(s *specs.Spec) error {
	p, l := s.Process, s.Linux
	switch {
	case p.Scheduler != nil:
		return unsupported("process.scheduler")
	case p.IOPriority != nil:
		return unsupported("process.ioPriority")
	case p.ExecCPUAffinity != nil:
		return unsupported("process.execCPUAffinity")
	case p.SelinuxLabel != "":
		return unsupported("process.selinuxLabel")
	case l.MountLabel != "":
		return unsupported("linux.mountLabel")
	case l.IntelRdt != nil:
		return unsupported("linux.intelRdt")
	case l.MemoryPolicy != nil:
		return unsupported("linux.memoryPolicy")
	case l.Personality != nil:
		return unsupported("linux.personality")
	case len(l.NetDevices) > 0:
		return unsupported("linux.netDevices")
	}
	for i, m := range s.Mounts {
		if len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
			return unsupported(fmt.Sprintf("mounts[%d].uidMappings", i))
		}
	}
	return nil
}

func unsupported(path string) error {
	return field(path, "not supported by this build of rt (see rt features)")
}
