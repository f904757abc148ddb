package maxprocs

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// The constructor and init ran in this test binary too.
func TestOneProcessorAllCPUs(t *testing.T) {
	var host unix.CPUSet
	if err := unix.SchedGetaffinity(0, &host); err != nil {
		t.Fatal(err)
	}
	if HostCPUs() != host.Count() {
		t.Fatalf("HostCPUs %d, but this thread may run on %d", HostCPUs(), host.Count())
	}
	if host.Count() < 2 {
		t.Skip("one CPU: nothing to pin")
	}
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS %d at start, want 1", n)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tasks {
		tid, _ := strconv.Atoi(e.Name())
		var m unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &m); err != nil {
			continue // gone meanwhile
		}
		if m != host {
			t.Errorf("thread %d may run on %d CPUs, want the host's %d", tid, m.Count(), host.Count())
		}
	}
	Parallel()
	defer runtime.GOMAXPROCS(1)
	if n := runtime.GOMAXPROCS(0); n != host.Count() {
		t.Fatalf("after Parallel GOMAXPROCS is %d, want %d", n, host.Count())
	}
}
