package libcontainer

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// spawn tries the clone into the cgroup2 directory first and, when the
// kernel refuses it, clones without: then finish must write cgroup.procs.
func TestCgroupJoinSpawnFallsBack(t *testing.T) {
	fd, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, refuse := range []bool{false, true} {
		j := &cgroupJoin{unified: fd}
		var tried []int
		err := j.spawn(func(cgroupFD int) error {
			tried = append(tried, cgroupFD)
			if refuse && cgroupFD >= 0 {
				return unix.EOPNOTSUPP
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{fd}
		if refuse {
			want = []int{fd, -1}
		}
		if len(tried) != len(want) || tried[0] != want[0] || (refuse && tried[1] != -1) {
			t.Errorf("refuse=%v: tried %v, want %v", refuse, tried, want)
		}
		if j.cloned == refuse {
			t.Errorf("refuse=%v: cloned=%v", refuse, j.cloned)
		}
	}
	// No cgroup2 directory: one plain try, and its error is the result.
	j := &cgroupJoin{unified: -1}
	boom := errors.New("boom")
	var n int
	if err := j.spawn(func(cgroupFD int) error { n++; return boom }); err != boom || n != 1 || j.cloned {
		t.Errorf("without cgroup2: err %v after %d tries, cloned %v", err, n, j.cloned)
	}
	j = &cgroupJoin{unified: fd}
	j.close()
	if j.unified != -1 {
		t.Error("close left the cgroup2 fd")
	}
}
