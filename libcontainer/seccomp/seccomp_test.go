package seccomp

import (
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func parse(t testing.TB, js string) *specs.LinuxSeccomp {
	t.Helper()
	var s specs.LinuxSeccomp
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// onFilteredThread runs fn on an OS thread of its own that has loaded f;
// the thread ends with fn (its goroutine exits locked), so the filter never
// reaches the rest of the test binary.
func onFilteredThread(t *testing.T, f *Filter, fn func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			done <- err
			return
		}
		prog := unix.SockFprog{Len: uint16(len(f.BPF) / 8), Filter: (*unix.SockFilter)(unsafe.Pointer(&f.BPF[0]))}
		if _, _, e := unix.Syscall(unix.SYS_SECCOMP, 1, uintptr(f.Flags&^FlagNewListener), uintptr(unsafe.Pointer(&prog))); e != 0 {
			done <- e
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("load filter: %v", err)
	}
}

func compile(t *testing.T, js string) *Filter {
	t.Helper()
	f, err := Compile(parse(t, js))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.BPF) == 0 || len(f.BPF)%8 != 0 {
		t.Fatalf("BPF of %d bytes is not a sock_filter array", len(f.BPF))
	}
	return f
}

func rawErrno(trap, a0, a1, a2 uintptr) unix.Errno {
	r, _, e := unix.RawSyscall(trap, a0, a1, a2)
	if e == 0 && trap == unix.SYS_SOCKET {
		unix.Close(int(r))
	}
	return e
}

func TestErrnoRet(t *testing.T) {
	f := compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdirat","mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":28},
		{"names":["rmdir","unlinkat"],"action":"SCMP_ACT_ERRNO"}]}`)
	dir := t.TempDir()
	onFilteredThread(t, f, func() {
		if err := unix.Mkdir(dir+"/x", 0o755); err != unix.ENOSPC {
			t.Errorf("mkdir under the filter: %v, want ENOSPC", err)
		}
		if err := unix.Rmdir(dir); err != unix.EPERM {
			t.Errorf("rmdir under the filter: %v, want EPERM (the spec's default errno)", err)
		}
	})
	if err := unix.Mkdir(dir+"/y", 0o755); err != nil {
		t.Errorf("mkdir outside the filter: %v", err)
	}
}

func TestArgs(t *testing.T) {
	for _, c := range []struct {
		name, rule string
		calls      [][3]uintptr // socket(domain, type, 0)
		want       []unix.Errno
	}{
		{"eq", `[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_UNIX, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
		{"and across args, masked_eq", `[{"index":0,"value":2,"op":"SCMP_CMP_EQ"},{"index":1,"value":15,"valueTwo":2,"op":"SCMP_CMP_MASKED_EQ"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_DGRAM | unix.SOCK_CLOEXEC}, {unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_UNIX, unix.SOCK_DGRAM}},
			[]unix.Errno{unix.EPERM, 0, 0}},
		{"same arg twice is an or", `[{"index":0,"value":2,"op":"SCMP_CMP_EQ"},{"index":0,"value":10,"op":"SCMP_CMP_EQ"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_INET6, unix.SOCK_STREAM}, {unix.AF_UNIX, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, unix.EPERM, 0}},
		{"ne", `[{"index":0,"value":1,"op":"SCMP_CMP_NE"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_UNIX, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
		{"lt", `[{"index":0,"value":2,"op":"SCMP_CMP_LT"}]`,
			[][3]uintptr{{unix.AF_UNIX, unix.SOCK_STREAM}, {unix.AF_INET, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
		{"le", `[{"index":0,"value":2,"op":"SCMP_CMP_LE"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_INET6, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
		{"gt", `[{"index":0,"value":2,"op":"SCMP_CMP_GT"}]`,
			[][3]uintptr{{unix.AF_INET6, unix.SOCK_STREAM}, {unix.AF_INET, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
		{"ge", `[{"index":0,"value":2,"op":"SCMP_CMP_GE"}]`,
			[][3]uintptr{{unix.AF_INET, unix.SOCK_STREAM}, {unix.AF_UNIX, unix.SOCK_STREAM}},
			[]unix.Errno{unix.EPERM, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":`+c.rule+`}]}`)
			onFilteredThread(t, f, func() {
				for i, a := range c.calls {
					if got := rawErrno(unix.SYS_SOCKET, a[0], a[1], 0); got != c.want[i] {
						t.Errorf("socket(%d, %#x): errno %d (%v), want %d", a[0], a[1], got, got, c.want[i])
					}
				}
			})
		})
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ js, want string }{
		{`{"defaultAction":"SCMP_ACT_BOGUS"}`, `linux.seccomp.defaultAction: unknown action "SCMP_ACT_BOGUS"`},
		{`{}`, `linux.seccomp.defaultAction: missing`},
		{`{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/x"}`, `linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1}`, `linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_VAX"]}`, `linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_VAX"`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["x86_64"]}`, `linux.seccomp.architectures[0]: unknown architecture "x86_64" (want SCMP_ARCH_*)`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_NOPE"]}`, `linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_NOPE"`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG"},{"names":["mkdir"],"action":"SCMP_ACT_DENY"}]}`, `linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_DENY"`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"]}]}`, `linux.seccomp.syscalls[0].action: missing`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_KILL"}]}`, `linux.seccomp.syscalls[0].names: missing`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_KILL","errnoRet":3}]}`, `linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":70000}]}`, `linux.seccomp.syscalls[0].errnoRet: 70000 does not fit`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_LIKE"}]}]}`, `linux.seccomp.syscalls[0].args[1].op: unknown operator "SCMP_CMP_LIKE"`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`, `linux.seccomp.syscalls[0].args[0].index: 6 is not an argument index`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}`, `linux.seccomp.listenerPath: missing`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/x","syscalls":[{"names":["mkdir","sendmsg"],"action":"SCMP_ACT_NOTIFY"}]}`, `linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY on sendmsg`},
		{`{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/` + strings.Repeat("a", 120) + `","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}`, `linux.seccomp.listenerPath: "/aaa`},
	} {
		_, err := Compile(parse(t, c.js))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.js, err, c.want)
		}
	}
}

func TestUnknownSyscallWarns(t *testing.T) {
	f := compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdirat","no_such_call"],"action":"SCMP_ACT_ERRNO"}]}`)
	if len(f.Warnings) != 0 || len(f.Skipped) != 1 || !strings.Contains(f.Skipped[0], `linux.seccomp.syscalls[0].names[1]: unknown system call "no_such_call" skipped`) {
		t.Errorf("warnings %q, skipped %q", f.Warnings, f.Skipped)
	}
	dir := t.TempDir()
	onFilteredThread(t, f, func() {
		if err := unix.Mkdir(dir+"/x", 0o755); err != unix.EPERM {
			t.Errorf("mkdir: %v, want EPERM: the known name of the entry must still be filtered", err)
		}
	})
}

func TestFlags(t *testing.T) {
	f := compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}`)
	if f.Flags != FlagTsync|FlagLog|FlagSpecAllow || f.Notify || len(f.Warnings) != 1 {
		t.Errorf("flags %#x notify %v warnings %q", f.Flags, f.Notify, f.Warnings)
	}
	n := compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
		"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}`)
	if n.Flags != FlagNewListener|FlagWaitKillableRecv || !n.Notify {
		t.Errorf("notify filter: flags %#x notify %v", n.Flags, n.Notify)
	}
}

// TestEveryAction compiles a filter with each action the spec names.
func TestEveryAction(t *testing.T) {
	for _, a := range []string{"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"} {
		compile(t, `{"defaultAction":"`+a+`","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}],"listenerPath":"/x"}`)
		compile(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"`+a+`"}]}`)
	}
}

func dockerProfile(t testing.TB) *specs.LinuxSeccomp {
	data, err := os.ReadFile("../../tests/integration/testdata/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(data))
}

func TestDockerProfile(t *testing.T) {
	f, err := Compile(dockerProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("docker profile: %d BPF instructions, warnings %q, skipped %q", len(f.BPF)/8, f.Warnings, f.Skipped)
}

// BenchmarkCompileDocker is what linux.seccomp costs each `rt run` with
// Docker's default profile.
// Its architectures (x86_64, x86, x32) are most of the cost: the native
// sub-benchmark compiles the same rules for x86_64 alone.
func BenchmarkCompileDocker(b *testing.B) {
	all := dockerProfile(b)
	native := *all
	native.Architectures = nil
	for _, c := range []struct {
		name string
		s    *specs.LinuxSeccomp
	}{{"3-archs", all}, {"native", &native}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(c.s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestTooBig(t *testing.T) {
	var rules []string
	for v := range 800 { // about 4800 instructions
		rules = append(rules, `{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":`+strconv.Itoa(v+1000)+`,"op":"SCMP_CMP_EQ"},{"index":1,"value":`+strconv.Itoa(v)+`,"op":"SCMP_CMP_EQ"}]}`)
	}
	_, err := Compile(parse(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[`+strings.Join(rules, ",")+`]}`))
	if err == nil || !strings.Contains(err.Error(), "more than the kernel takes (4096)") {
		t.Errorf("a filter over BPF_MAXINSNS: %v", err)
	}
}
