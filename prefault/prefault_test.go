package prefault

import (
	"os"
	"strconv"
	"strings"
	"testing"
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

// rssKB is this process's resident memory.
func rssKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// populateHeap makes the pages resident at once (that is its whole effect).
func TestHeapPopulates(t *testing.T) {
	before := rssKB(t)
	populateHeap(4 << 20)
	if grown := rssKB(t) - before; grown < 2<<10 {
		t.Fatalf("resident memory grew by %d KiB after populateHeap(4 MiB): not populated", grown)
	}
}
