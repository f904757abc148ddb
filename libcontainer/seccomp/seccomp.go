// Package seccomp compiles linux.seccomp into a classic BPF program with
// libseccomp, in rt's own process, ahead of the clone: the child only hands
// the finished program to seccomp(2) just before it execs. It also hands the
// notify fd of a filter with SCMP_ACT_NOTIFY rules to the seccomp agent at
// linux.seccomp.listenerPath.
package seccomp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Flags of seccomp(SECCOMP_SET_MODE_FILTER) (linux/seccomp.h).
const (
	FlagTsync            = 1 << 0
	FlagLog              = 1 << 1
	FlagSpecAllow        = 1 << 2
	FlagNewListener      = 1 << 3
	FlagTsyncESRCH       = 1 << 4
	FlagWaitKillableRecv = 1 << 5
)

// specFlags are the flags linux.seccomp.flags may name.
var specFlags = map[specs.LinuxSeccompFlag]uint64{
	specs.LinuxSeccompFlagLog:              FlagLog,
	specs.LinuxSeccompFlagSpecAllow:        FlagSpecAllow,
	specs.LinuxSeccompFlagWaitKillableRecv: FlagWaitKillableRecv,
	"SECCOMP_FILTER_FLAG_TSYNC":            FlagTsync,
}

// Filter is a compiled linux.seccomp.
type Filter struct {
	BPF   []byte // struct sock_filter array, as seccomp(2) takes it
	Flags uint64 // SECCOMP_FILTER_FLAG_*, NEW_LISTENER included when Notify
	// Notify: some rule has SCMP_ACT_NOTIFY; the child loads the filter with
	// SECCOMP_FILTER_FLAG_NEW_LISTENER and passes the fd to rt, which
	// passes it on to the agent at ListenerPath.
	Notify   bool
	Warnings []string
	// Skipped names the system calls libseccomp does not know here, which
	// the filter leaves out (as runc does, saying so only in its debug
	// log): a profile such as docker's lists newer calls on purpose.
	Skipped []string
}

// maxInstructions is the kernel's limit on a classic BPF program (BPF_MAXINSNS).
const maxInstructions = 4096

// NotifySyscall is the system call the child uses to hand the notify fd to
// rt: a rule sending it to the agent would wait for an agent that has not
// got the fd yet, so it is refused.
const NotifySyscall = "sendmsg"

// Compile translates linux.seccomp into BPF for this host's architecture and
// the ones listed. Errors name the JSON path of the bad field.
//
// A system call name libseccomp does not know (a newer kernel's call, a typo)
// is skipped with a warning, as runc does: profiles are shared between
// hosts and kernels, and refusing them for a call this host cannot make
// anyway would break containers for nothing. Everything else that is wrong
// (an action, an architecture, an operator, a flag) is an error.
func Compile(s *specs.LinuxSeccomp) (*Filter, error) {
	const base = "linux.seccomp"
	out := &Filter{}
	def, err := action(s.DefaultAction, s.DefaultErrnoRet, base+".defaultAction", base+".defaultErrnoRet")
	if err != nil {
		return nil, err
	}
	if def == libseccomp.ActNotify {
		return nil, fmt.Errorf("%s.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: rt's own last system calls would wait on an agent", base)
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, fmt.Errorf("%s: new filter: %w", base, err)
	}
	defer f.Release()

	for i, a := range s.Architectures {
		p := fmt.Sprintf("%s.architectures[%d]", base, i)
		name, ok := strings.CutPrefix(string(a), "SCMP_ARCH_")
		if !ok {
			return nil, fmt.Errorf("%s: unknown architecture %q (want SCMP_ARCH_*)", p, a)
		}
		arch, err := libseccomp.GetArchFromString(name)
		if err != nil {
			return nil, fmt.Errorf("%s: unknown architecture %q", p, a)
		}
		if err := f.AddArch(arch); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("%s: add architecture %s: %w", p, a, err)
		}
	}

	for i, flag := range s.Flags {
		p := fmt.Sprintf("%s.flags[%d]", base, i)
		v, ok := specFlags[flag]
		if !ok {
			return nil, fmt.Errorf("%s: unknown flag %q", p, flag)
		}
		out.Flags |= v
	}

	for i, sc := range s.Syscalls {
		p := fmt.Sprintf("%s.syscalls[%d]", base, i)
		if len(sc.Names) == 0 {
			return nil, fmt.Errorf("%s.names: missing", p)
		}
		act, err := action(sc.Action, sc.ErrnoRet, p+".action", p+".errnoRet")
		if err != nil {
			return nil, err
		}
		conds, err := conditions(sc.Args, p)
		if err != nil {
			return nil, err
		}
		if act == libseccomp.ActNotify {
			out.Notify = true
		}
		if act == def {
			continue // libseccomp refuses a rule that repeats the default; it changes nothing
		}
		for j, name := range sc.Names {
			np := fmt.Sprintf("%s.names[%d]", p, j)
			if act == libseccomp.ActNotify && name == NotifySyscall {
				return nil, fmt.Errorf("%s: SCMP_ACT_NOTIFY on %s: rt's init passes the notify fd with it, it would wait forever", np, name)
			}
			call, err := libseccomp.GetSyscallFromName(name)
			if err != nil {
				out.Skipped = append(out.Skipped, fmt.Sprintf("%s: unknown system call %q skipped (not known to libseccomp on this host)", np, name))
				continue
			}
			for _, c := range conds {
				if err := f.AddRuleConditional(call, act, c); err != nil {
					return nil, fmt.Errorf("%s: add rule for %s: %w", np, name, err)
				}
			}
		}
	}

	if out.Notify {
		if s.ListenerPath == "" {
			return nil, fmt.Errorf("%s.listenerPath: missing, and SCMP_ACT_NOTIFY rules need a seccomp agent", base)
		}
		if len(s.ListenerPath) >= len(unix.RawSockaddrUnix{}.Path) {
			return nil, fmt.Errorf("%s.listenerPath: %q is longer than a socket address can be", base, s.ListenerPath)
		}
		out.Flags |= FlagNewListener
		// The child is single-threaded: TSYNC has nothing to synchronise, and
		// the kernel refuses it with NEW_LISTENER (unless TSYNC_ESRCH).
		out.Flags &^= FlagTsync
	} else if out.Flags&FlagWaitKillableRecv != 0 {
		out.Warnings = append(out.Warnings, base+".flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: it only applies to a filter with SCMP_ACT_NOTIFY rules")
		out.Flags &^= FlagWaitKillableRecv
	}
	if err := kernelHasFlags(out.Flags); err != nil {
		return nil, fmt.Errorf("%s.flags: %w", base, err)
	}

	out.BPF, err = export(f)
	if err != nil {
		return nil, fmt.Errorf("%s: export BPF: %w", base, err)
	}
	if n := len(out.BPF) / 8; n > maxInstructions {
		return nil, fmt.Errorf("%s: the filter compiles to %d BPF instructions, more than the kernel takes (%d): fewer rules or architectures", base, n, maxInstructions)
	}
	return out, nil
}

// action maps an SCMP_ACT_* name (and its errnoRet) to libseccomp's action.
func action(name specs.LinuxSeccompAction, errnoRet *uint, path, errnoPath string) (libseccomp.ScmpAction, error) {
	var a libseccomp.ScmpAction
	switch name {
	case specs.ActKill, specs.ActKillThread:
		a = libseccomp.ActKillThread
	case specs.ActKillProcess:
		a = libseccomp.ActKillProcess
	case specs.ActTrap:
		a = libseccomp.ActTrap
	case specs.ActErrno:
		a = libseccomp.ActErrno
	case specs.ActTrace:
		a = libseccomp.ActTrace
	case specs.ActAllow:
		a = libseccomp.ActAllow
	case specs.ActLog:
		a = libseccomp.ActLog
	case specs.ActNotify:
		a = libseccomp.ActNotify
	case "":
		return 0, fmt.Errorf("%s: missing", path)
	default:
		return 0, fmt.Errorf("%s: unknown action %q", path, name)
	}
	if a != libseccomp.ActErrno && a != libseccomp.ActTrace {
		if errnoRet != nil {
			return 0, fmt.Errorf("%s: %s takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", errnoPath, name)
		}
		return a, nil
	}
	// The spec's default return code is EPERM.
	code := uint(unix.EPERM)
	if errnoRet != nil {
		code = *errnoRet
	}
	if code > 0xffff {
		return 0, fmt.Errorf("%s: %d does not fit the 16 bits seccomp returns", errnoPath, code)
	}
	return a.SetReturnCode(int16(code)), nil
}

var operators = map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
	specs.OpNotEqual:     libseccomp.CompareNotEqual,
	specs.OpLessThan:     libseccomp.CompareLess,
	specs.OpLessEqual:    libseccomp.CompareLessOrEqual,
	specs.OpEqualTo:      libseccomp.CompareEqual,
	specs.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  libseccomp.CompareGreater,
	specs.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

// conditions returns the rules to add for one syscalls[] entry, each a list
// of conditions that must all hold. Conditions on different arguments are
// ANDed in one rule. Several conditions on the same argument (which one rule
// cannot express) follow runc: every condition of the entry becomes a rule
// of its own, so they are ORed. No args: one rule without conditions.
func conditions(args []specs.LinuxSeccompArg, path string) ([][]libseccomp.ScmpCondition, error) {
	if len(args) == 0 {
		return [][]libseccomp.ScmpCondition{nil}, nil
	}
	var all []libseccomp.ScmpCondition
	seen := map[uint]bool{}
	sameArg := false
	for i, a := range args {
		p := fmt.Sprintf("%s.args[%d]", path, i)
		if a.Index > 5 {
			return nil, fmt.Errorf("%s.index: %d is not an argument index (0 to 5)", p, a.Index)
		}
		op, ok := operators[a.Op]
		if !ok {
			return nil, fmt.Errorf("%s.op: unknown operator %q", p, a.Op)
		}
		var c libseccomp.ScmpCondition
		var err error
		if op == libseccomp.CompareMaskedEqual {
			// value is the mask, valueTwo what the masked argument must equal.
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value, a.ValueTwo)
		} else {
			c, err = libseccomp.MakeCondition(a.Index, op, a.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		sameArg = sameArg || seen[a.Index]
		seen[a.Index] = true
		all = append(all, c)
	}
	if !sameArg {
		return [][]libseccomp.ScmpCondition{all}, nil
	}
	rules := make([][]libseccomp.ScmpCondition, len(all))
	for i, c := range all {
		rules[i] = []libseccomp.ScmpCondition{c}
	}
	return rules, nil
}

// kernelHasFlags asks the kernel whether it knows every flag: with a NULL
// program, known flags fail with EFAULT (the copy of the program), unknown
// ones with EINVAL.
func kernelHasFlags(flags uint64) error {
	for bit := uint64(1); bit <= flags; bit <<= 1 {
		if flags&bit == 0 || bit == FlagNewListener {
			continue
		}
		probe := bit
		if bit == FlagWaitKillableRecv {
			probe |= FlagNewListener // the kernel takes it only with a listener
		}
		_, _, e := unix.Syscall(unix.SYS_SECCOMP, 1 /* SECCOMP_SET_MODE_FILTER */, uintptr(probe), 0)
		if e == unix.EINVAL {
			return fmt.Errorf("this kernel does not know seccomp filter flag %#x", bit)
		}
	}
	return nil
}

// export writes the filter's BPF into a memfd and reads it back (the
// libseccomp on Debian 12 has no export to memory).
func export(f *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("rt-seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	file := os.NewFile(uintptr(fd), "rt-seccomp")
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		return nil, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(file)
}

// Features is what `rt features` reports for linux.seccomp: the actions,
// operators, architectures and flags Compile takes, and the flags this
// kernel has.
func Features() *features.Seccomp {
	t := true
	f := &features.Seccomp{Enabled: &t}
	for _, a := range []specs.LinuxSeccompAction{specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
		specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify} {
		f.Actions = append(f.Actions, string(a))
	}
	for op := range operators {
		f.Operators = append(f.Operators, string(op))
	}
	for _, a := range []string{"X86", "X86_64", "X32", "ARM", "AARCH64", "MIPS", "MIPS64", "MIPS64N32", "MIPSEL",
		"MIPSEL64", "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390", "S390X", "PARISC", "PARISC64", "RISCV64"} {
		f.Archs = append(f.Archs, "SCMP_ARCH_"+a)
	}
	for name, bit := range specFlags {
		f.KnownFlags = append(f.KnownFlags, string(name))
		if kernelHasFlags(bit) == nil {
			f.SupportedFlags = append(f.SupportedFlags, string(name))
		}
	}
	sort.Strings(f.Operators)
	sort.Strings(f.KnownFlags)
	sort.Strings(f.SupportedFlags)
	return f
}
