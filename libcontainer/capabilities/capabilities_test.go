package capabilities

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	m, w, err := Mask([]string{"CAP_CHOWN", "CAP_KILL", "cap_net_raw"}, "process.capabilities.bounding")
	if err != nil || len(w) != 0 {
		t.Fatalf("Mask: %v %v", err, w)
	}
	if want := uint64(1<<0 | 1<<5 | 1<<13); m != want {
		t.Fatalf("mask %#x, want %#x", m, want)
	}
	_, _, err = Mask([]string{"CAP_CHOWN", "CAP_FLY"}, "process.capabilities.effective")
	if err == nil || err.Error() != `process.capabilities.effective[1]: unknown capability "CAP_FLY"` {
		t.Fatalf("unknown name: got %v", err)
	}
}

func TestNames(t *testing.T) {
	if n, ok := Number("CAP_SYS_ADMIN"); !ok || n != 21 {
		t.Fatalf("CAP_SYS_ADMIN = %d", n)
	}
	if Name(40) != "CAP_CHECKPOINT_RESTORE" || Last() < 36 {
		t.Fatalf("Name(40)=%s Last=%d", Name(40), Last())
	}
}

// The bisection over PR_CAPBSET_READ finds what the kernel says in
// /proc/sys/kernel/cap_last_cap.
func TestLastByPrctl(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		t.Skipf("no /proc/sys/kernel/cap_last_cap: %v", err)
	}
	want, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := lastByPrctl()
	if !ok || got != want {
		t.Errorf("lastByPrctl() = %d, %v; cap_last_cap says %d", got, ok, want)
	}
}
