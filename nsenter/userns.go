package nsenter

/*
#include "nsenter.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// UserNS returns an fd (O_CLOEXEC) of a new user namespace with the given
// uid_map and gid_map contents ("inside outside count" lines), for
// mount_setattr(MOUNT_ATTR_IDMAP). The namespace is made by a child that
// does nothing but wait; it is killed once the fd is open, and the fd keeps
// the namespace alive.
func UserNS(uidMap, gidMap string) (int, error) {
	var pidfd C.int
	pid, err := C.rt_userns_holder(&pidfd)
	if pid < 0 {
		return -1, fmt.Errorf("clone a user namespace for an idmapped mount: %w", err)
	}
	defer func() {
		unix.PidfdSendSignal(int(pidfd), unix.SIGKILL, nil, 0)
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(int(pid), &ws, 0, nil); err != unix.EINTR {
				break
			}
		}
		unix.Close(int(pidfd))
	}()
	base := "/proc/" + strconv.Itoa(int(pid)) + "/"
	for _, m := range []struct{ file, content string }{{"uid_map", uidMap}, {"gid_map", gidMap}} {
		if err := os.WriteFile(base+m.file, []byte(m.content), 0); err != nil {
			return -1, fmt.Errorf("write %s%s: %w", base, m.file, err)
		}
	}
	fd, err := unix.Open(base+"ns/user", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %sns/user: %w", base, err)
	}
	return fd, nil
}
