package seccomp

import (
	"encoding/json"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SendToListener gives a seccomp agent the notify fd of a container process,
// as the runtime-spec describes: connect to listenerPath (a unix stream
// socket), send the containerProcessState JSON with the fd in SCM_RIGHTS,
// and hang up. The caller keeps and closes notifyFD.
func SendToListener(listenerPath, metadata string, state specs.State, pid, notifyFD int) error {
	msg, err := json.Marshal(specs.ContainerProcessState{
		Version:  specs.Version,
		Fds:      []string{specs.SeccompFdName},
		Pid:      pid,
		Metadata: metadata,
		State:    state,
	})
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: encode container process state: %w", err)
	}
	s, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: socket: %w", err)
	}
	defer unix.Close(s)
	if err := unix.Connect(s, &unix.SockaddrUnix{Name: listenerPath}); err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: connect to seccomp agent at %s: %w", listenerPath, err)
	}
	n, err := unix.SendmsgN(s, msg, unix.UnixRights(notifyFD), nil, 0)
	if err != nil {
		return fmt.Errorf("linux.seccomp.listenerPath: send the notify fd to %s: %w", listenerPath, err)
	}
	if n != len(msg) {
		return fmt.Errorf("linux.seccomp.listenerPath: send the notify fd to %s: short write (%d of %d bytes)", listenerPath, n, len(msg))
	}
	return nil
}
