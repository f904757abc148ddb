// Package capabilities turns runtime-spec capability names into the bit masks
// the init stage hands to capset and prctl.
package capabilities

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

var names = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// Number returns the capability number of a name like "CAP_NET_ADMIN".
func Number(name string) (int, bool) {
	for i, n := range names {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// Name returns the name of capability number c.
func Name(c int) string {
	if c >= 0 && c < len(names) {
		return names[c]
	}
	return "CAP_" + strconv.Itoa(c)
}

// Known is every capability name rt knows, in number order.
func Known() []string { return append([]string(nil), names...) }

var lastOnce = sync.OnceValue(func() int {
	if n, ok := lastByPrctl(); ok {
		return n
	}
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return n
		}
	}
	return len(names) - 1
})

// lastByPrctl finds the highest capability the kernel knows by bisection:
// PR_CAPBSET_READ refuses (EINVAL) a number past it. Six system calls,
// where reading /proc/sys/kernel/cap_last_cap takes an open, a read, a
// close and the netpoller's registration of a pollable file.
func lastByPrctl() (int, bool) {
	known := func(c int) bool {
		_, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0)
		return err == nil
	}
	if !known(0) {
		return 0, false
	}
	lo, hi := 0, 64 // known(lo), !known(hi)
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; known(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, true
}

// Last is the highest capability the running kernel knows.
func Last() int { return lastOnce() }

// Mask turns a list of names into a bit mask. A name rt does not know is an
// error naming path[i]; a name the kernel is too old for is skipped with a
// warning, as runc does, so one config serves several kernels.
func Mask(list []string, path string) (mask uint64, warnings []string, err error) {
	last := Last()
	for i, n := range list {
		c, ok := Number(strings.ToUpper(n))
		if !ok {
			return 0, nil, fmt.Errorf("%s[%d]: unknown capability %q", path, i, n)
		}
		if c > last {
			warnings = append(warnings, fmt.Sprintf("%s[%d]: %s is not supported by this kernel, ignored", path, i, n))
			continue
		}
		mask |= 1 << uint(c)
	}
	return mask, warnings, nil
}
