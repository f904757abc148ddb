package libcontainer

import (
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/libcontainer/seccomp"
	"rt/nsenter"
)

// Where the host's LSMs show themselves.
var (
	apparmorDir = "/sys/kernel/security/apparmor"
	selinuxDir  = "/sys/fs/selinux"
)

// compileSeccomp compiles linux.seccomp, or returns nil when there is none
// (nothing is compiled then: libseccomp costs milliseconds a run), through
// the cache in the state root (seccomp.CompileCached).
func (b *bootPlan) compileSeccomp(s *specs.Spec) (*seccomp.Filter, error) {
	if s.Linux == nil || s.Linux.Seccomp == nil {
		return nil, nil
	}
	cache := ""
	if b.stateRoot != "" {
		cache = filepath.Join(b.stateRoot, seccomp.CacheDirName)
	}
	f, hit, err := seccomp.CompileCached(cache, s.Linux.Seccomp, fastEncodeLinuxSeccomp(s.Linux.Seccomp))
	if err != nil {
		return nil, err
	}
	if hit {
		b.notes = append(b.notes, "linux.seccomp: the compiled filter comes from "+cache)
	}
	b.warnings = append(b.warnings, f.Warnings...)
	b.notes = append(b.notes, f.Skipped...)
	return f, nil
}

// personality is the persona of linux.personality for personality(2).
func personality(p *specs.LinuxPersonality) (uint64, error) {
	if len(p.Flags) > 0 {
		return 0, fmt.Errorf("linux.personality.flags: %q: no personality flags are supported (the spec defines none)", p.Flags)
	}
	switch p.Domain {
	case specs.PerLinux:
		return 0x0000, nil // PER_LINUX
	case specs.PerLinux32:
		return 0x0008, nil // PER_LINUX32
	}
	return 0, fmt.Errorf("linux.personality.domain: unknown domain %q (want LINUX or LINUX32)", p.Domain)
}

// ioPriority is process.ioPriority as an ioprio_set value.
func ioPriority(io *specs.LinuxIOPriority) (uint64, error) {
	var class uint64
	switch io.Class {
	case specs.IOPRIO_CLASS_RT:
		class = 1
	case specs.IOPRIO_CLASS_BE:
		class = 2
	case specs.IOPRIO_CLASS_IDLE:
		class = 3
	default:
		return 0, fmt.Errorf("process.ioPriority.class: unknown class %q (want IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)", io.Class)
	}
	if io.Priority < 0 || io.Priority > 7 {
		return 0, fmt.Errorf("process.ioPriority.priority: %d is outside 0..7", io.Priority)
	}
	return class<<13 | uint64(io.Priority), nil
}

var schedPolicies = map[specs.LinuxSchedulerPolicy]uint64{
	specs.SchedOther: 0, specs.SchedFIFO: 1, specs.SchedRR: 2, specs.SchedBatch: 3,
	specs.SchedIdle: 5, specs.SchedDeadline: 6,
}

var schedFlags = map[specs.LinuxSchedulerFlag]uint64{
	specs.SchedFlagResetOnFork: 0x01, specs.SchedFlagReclaim: 0x02, specs.SchedFlagDLOverrun: 0x04,
	specs.SchedFlagKeepPolicy: 0x08, specs.SchedFlagKeepParams: 0x10,
	specs.SchedFlagUtilClampMin: 0x20, specs.SchedFlagUtilClampMax: 0x40,
}

// scheduler is process.scheduler as a struct sched_attr.
func scheduler(s *specs.Scheduler) (nsenter.Sched, error) {
	policy, ok := schedPolicies[s.Policy]
	if !ok {
		if s.Policy == specs.SchedISO {
			return nsenter.Sched{}, fmt.Errorf("process.scheduler.policy: SCHED_ISO is not implemented by Linux")
		}
		return nsenter.Sched{}, fmt.Errorf("process.scheduler.policy: unknown policy %q", s.Policy)
	}
	a := nsenter.Sched{Policy: policy, Nice: s.Nice, Runtime: s.Runtime, Deadline: s.Deadline, Period: s.Period}
	for i, f := range s.Flags {
		v, ok := schedFlags[f]
		if !ok {
			return nsenter.Sched{}, fmt.Errorf("process.scheduler.flags[%d]: unknown flag %q", i, f)
		}
		a.Flags |= v
	}
	if s.Nice < -20 || s.Nice > 19 {
		return nsenter.Sched{}, fmt.Errorf("process.scheduler.nice: %d is outside -20..19", s.Nice)
	}
	switch s.Policy {
	case specs.SchedFIFO, specs.SchedRR:
		if s.Priority < 1 || s.Priority > 99 {
			return nsenter.Sched{}, fmt.Errorf("process.scheduler.priority: %s needs a priority in 1..99, not %d", s.Policy, s.Priority)
		}
	default:
		if s.Priority != 0 {
			return nsenter.Sched{}, fmt.Errorf("process.scheduler.priority: %s takes priority 0, not %d", s.Policy, s.Priority)
		}
	}
	if s.Policy == specs.SchedDeadline && (s.Runtime == 0 || s.Runtime > s.Deadline || (s.Period != 0 && s.Deadline > s.Period)) {
		return nsenter.Sched{}, fmt.Errorf("process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= period (period 0 means deadline)")
	}
	a.Priority = uint32(s.Priority)
	return a, nil
}

// lsmLabels adds the writes that make the next execve enter the process's
// AppArmor profile or SELinux label. rt writes them itself through
// /proc/self/attr; asked for on a host without that LSM, it refuses rather
// than run the container unconfined.
func lsmLabels(p *nsenter.Program, proc *specs.Process, s *specs.Spec) error {
	if proc.ApparmorProfile != "" {
		if _, err := os.Stat(apparmorDir); err != nil {
			return fmt.Errorf("process.apparmorProfile: %q asked for, but AppArmor is not enabled on this host (no %s)", proc.ApparmorProfile, apparmorDir)
		}
		p.WriteHost("process.apparmorProfile", "/proc/self/attr/apparmor/exec", "exec "+proc.ApparmorProfile)
	}
	if s.Linux != nil && s.Linux.MountLabel != "" {
		if _, err := os.Stat(selinuxDir); err != nil {
			return fmt.Errorf("linux.mountLabel: %q asked for, but SELinux is not enabled on this host (no %s)", s.Linux.MountLabel, selinuxDir)
		}
		return fmt.Errorf("linux.mountLabel: SELinux mount labels are not supported by this rt build yet")
	}
	if proc.SelinuxLabel != "" {
		if _, err := os.Stat(selinuxDir); err != nil {
			return fmt.Errorf("process.selinuxLabel: %q asked for, but SELinux is not enabled on this host (no %s)", proc.SelinuxLabel, selinuxDir)
		}
		p.WriteHost("process.selinuxLabel", "/proc/self/attr/exec", proc.SelinuxLabel)
	}
	return nil
}
