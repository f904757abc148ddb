package prefault

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestCommandOf(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rt", "create", "--bundle", "b", "id"}, "create"},
		{[]string{"rt", "--root", "/r", "create", "id"}, "create"},
		{[]string{"rt", "--root=/r", "--debug", "run", "id"}, "run"},
		{[]string{"rt", "-log", "create", "--log-format", "json", "state", "create"}, "state"},
		{[]string{"rt", "--systemd-cgroup", "--", "create"}, "create"},
		{[]string{"rt", "--root", "/r"}, ""},
		{[]string{"rt"}, ""},
	} {
		if got := commandOf(tc.args); got != tc.want {
			t.Errorf("%q: command %q, want %q", tc.args, got, tc.want)
		}
	}
}

// resident counts the resident pages of [addr, addr+n) (mincore).
func resident(t *testing.T, addr uintptr, n int) int {
	t.Helper()
	vec := make([]byte, (n+4095)/4096)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, addr, uintptr(n), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	c := 0
	for _, v := range vec {
		c += int(v & 1)
	}
	return c
}

// A populated range is resident at once, as far as it is mapped writable.
func TestPopulateRange(t *testing.T) {
	const n = 64 * 4096
	mem, err := unix.Mmap(-1, 0, 2*n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	// The second half stops the range: populating must not go past it.
	if err := unix.Mprotect(mem[n:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	addr := uintptr(unsafe.Pointer(&mem[0]))
	if r := resident(t, addr, 2*n); r != 0 {
		t.Fatalf("%d pages resident before", r)
	}
	populateRange(addr+100, 2*n) // unaligned start: its page counts
	if r := resident(t, addr, n); r != n/4096 {
		t.Fatalf("%d of %d pages resident after populating", r, n/4096)
	}
	if r := resident(t, addr+n, n); r != 0 {
		t.Fatalf("%d pages of the PROT_NONE half resident", r)
	}
}

// The heap probe is heap memory, populated.
func TestPopulateHeap(t *testing.T) {
	probe := populateHeap(256 << 10)
	if r := resident(t, probe, 64<<10); r != 16 {
		t.Fatalf("%d of the probe's 16 pages resident", r)
	}
}

// The constructor timed a fault and decided by it (this test binary's
// command is no rt create): populate exactly where one costs more than
// RT_DEAR_FAULT_NS.
func TestFaultProbeDecides(t *testing.T) {
	ns := FaultNs()
	t.Logf("%s", Report())
	if ns <= 0 {
		t.Fatalf("fault cost %d ns: not measured", ns)
	}
	if Populated() != (ns > dearFaultNs) {
		t.Errorf("fault %d ns (threshold %d): populated %v", ns, dearFaultNs, Populated())
	}
}
