package libcontainer

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"rt/cgroups"
	"rt/nsenter"
)

// cgroupJoin puts a new child into the container's cgroups without rt
// writing its pid to cgroup.procs. That write takes the kernel's
// cgroup_threadgroup_rwsem for writing, and the first one after a quiet
// while waits for an RCU grace period: ~5 ms of wall time here, more than
// the rest of a create. Instead the child starts in the cgroup2 directory
// (clone3 CLONE_INTO_CGROUP) and moves itself into each v1 hierarchy ("0"
// to its tasks file, the boot program's first operation), which takes no
// global lock. Where the kernel refuses the clone into the cgroup, rt
// writes cgroup.procs of the cgroup2 directory itself, as before.
type cgroupJoin struct {
	cg      *cgroups.Manager
	files   []nsenter.CgroupFile // v1 tasks files, for the child
	v1ByRT  bool                 // rt writes the v1 cgroup.procs instead
	unified int                  // the cgroup2 directory for clone3, or -1
	cloned  bool                 // the child was cloned into it
}

// openCgroupJoin opens what the child's join needs; cg may be nil (no
// cgroups), and then the join does nothing. With v1ByRT rt writes the v1
// hierarchies' cgroup.procs itself: for a paused container, whose v1
// freezer would stop the child before it could report its join.
func openCgroupJoin(cg *cgroups.Manager, v1ByRT bool) (*cgroupJoin, error) {
	j := &cgroupJoin{cg: cg, unified: -1, v1ByRT: v1ByRT}
	if cg == nil {
		return j, nil
	}
	if !v1ByRT {
		for _, d := range cg.V1Dirs() {
			path := filepath.Join(d, "tasks")
			fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				j.close()
				return nil, fmt.Errorf("cgroups: open %s: %w", path, err)
			}
			j.files = append(j.files, nsenter.CgroupFile{FD: fd, Path: path})
		}
	}
	if d := cg.UnifiedDir(); d != "" {
		if fd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
			j.unified = fd
		}
	}
	return j, nil
}

// close closes rt's copies: the child has its own once cloned.
func (j *cgroupJoin) close() {
	for i := range j.files {
		if j.files[i].FD >= 0 {
			unix.Close(j.files[i].FD)
			j.files[i].FD = -1
		}
	}
	if j.unified >= 0 {
		unix.Close(j.unified)
		j.unified = -1
	}
}

// spawn runs one of nsenter's spawns with the cgroup2 directory, and again
// without it if that is refused (by the kernel: a threaded or
// domain-invalid cgroup; by SpawnShared on an architecture where it
// cannot).
func (j *cgroupJoin) spawn(try func(cgroupFD int) error) error {
	if j.unified >= 0 {
		if err := try(j.unified); err == nil {
			j.cloned = true
			return nil
		}
	}
	return try(-1)
}

// finish waits for the child to report its v1 joins and writes its pid to
// the cgroup2 directory if clone3 did not put it there. The child reports
// first thing, before any other message.
func (j *cgroupJoin) finish(sync int, prog *nsenter.Program, pid int) error {
	if j.cg == nil {
		return nil
	}
	if j.v1ByRT {
		if err := j.cg.JoinV1(pid); err != nil {
			return err
		}
	} else if len(j.files) > 0 {
		m, err := nsenter.Recv(sync, prog)
		if err != nil {
			return err
		}
		if m.Type != nsenter.MsgJoined {
			return fmt.Errorf("container init: unexpected message %d before its cgroup join", m.Type)
		}
	}
	if !j.cloned {
		return j.cg.JoinUnified(pid)
	}
	return nil
}
