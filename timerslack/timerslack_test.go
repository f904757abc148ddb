package timerslack

import (
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func threadSlack(t *testing.T) uint64 {
	t.Helper()
	v, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(v)
}

// The constructor ran in this test binary too: its threads use rt's slack.
func TestThreadsUseOwnSlack(t *testing.T) {
	if Host() == 0 || Own() < 2000000 || Own() < Host() {
		t.Fatalf("host %d ns, own %d ns: want own >= max(host, 2 ms)", Host(), Own())
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if got := threadSlack(t); got != Own() {
		t.Fatalf("this thread's slack %d ns, want rt's own %d", got, Own())
	}
}

// A process started with Start gets the host's slack, and the thread that
// started it goes back to rt's.
func TestStartGivesChildHostSlack(t *testing.T) {
	if Host() == Own() {
		t.Skip("rt was started with a slack at least as coarse as its own")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out, err := CombinedOutput(exec.Command("cat", "/proc/self/timerslack_ns"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != strconv.FormatUint(Host(), 10) {
		t.Fatalf("child's slack %s ns, want the host's %d", got, Host())
	}
	if got := threadSlack(t); got != Own() {
		t.Fatalf("after Start this thread's slack is %d ns, want rt's own %d", got, Own())
	}
	// Without Start the child would inherit rt's slack: the check above can fail.
	plain, err := exec.Command("cat", "/proc/self/timerslack_ns").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(plain)); got != strconv.FormatUint(Own(), 10) {
		t.Fatalf("a child started plainly has slack %s ns, want rt's %d (inherited)", got, Own())
	}
}
