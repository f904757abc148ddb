package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Errors of process.terminal against the command line, as runc refuses them.
var (
	errNeedConsoleSocket = errors.New("process.terminal (or exec --tty) is set but no --console-socket was given: a detached process (rt create, rt run -d, rt exec -d) sends its pty master to that socket")
	errConsoleNoTerminal = errors.New("--console-socket was given but process.terminal (or exec --tty) is not set: there is no pty to send")
	errConsoleAttached   = errors.New("--console-socket needs a detached process (rt create, rt run -d, rt exec -d): in the foreground rt drives the pty itself")
)

// checkTerminal refuses the combinations of process.terminal, --console-socket
// and a foreground run that have no one to give the pty to, or no pty to give.
func checkTerminal(terminal bool, consoleSocket string, attached bool) error {
	switch {
	case terminal && consoleSocket == "" && !attached:
		return errNeedConsoleSocket
	case !terminal && consoleSocket != "":
		return errConsoleNoTerminal
	case terminal && consoleSocket != "" && attached:
		return errConsoleAttached
	}
	return nil
}

// console is where the child sends the master of its pty.
//
// rt, not the child, connects to --console-socket: the path is the
// manager's, in rt's mount namespace, and the child has pivoted into the
// container by the time its pty exists, so it could not reach it; a missing
// or refusing socket fails in Go before anything is created; and the C stays
// one sendmsg. The child gets the connected socket as a kept fd and sends
// the master straight to the manager: it never passes through rt.
type console struct {
	childFD int // the socket the child sends on, a kept fd of its program
	recvFD  int // rt's end of a socketpair when rt drives the pty itself, else -1
}

// openConsole connects to the console socket at path or, with no path, makes
// a socketpair so that rt receives the master itself (rt run in the foreground).
func openConsole(path string) (*console, error) {
	if path == "" {
		pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("console socketpair: %w", err)
		}
		return &console{childFD: pair[1], recvFD: pair[0]}, nil
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("--console-socket %s: %w", path, err)
	}
	addr := path
	if len(addr) >= 108 { // longer than sun_path: connect through an O_PATH fd of its directory
		dir, err := unix.Open(filepath.Dir(path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("--console-socket %s: %w", path, err)
		}
		defer unix.Close(dir)
		addr = "/proc/self/fd/" + strconv.Itoa(dir) + "/" + filepath.Base(path)
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: addr}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("--console-socket %s: connect: %w", path, err)
	}
	return &console{childFD: fd, recvFD: -1}, nil
}

// closeChild closes rt's copy of the child's socket: once the child has it
// (after clone) or will never get it. The receiver then sees EOF after the
// master, or at once if the child fails before sending it.
func (c *console) closeChild() {
	if c != nil && c.childFD >= 0 {
		unix.Close(c.childFD)
		c.childFD = -1
	}
}

func (c *console) close() {
	if c == nil {
		return
	}
	c.closeChild()
	if c.recvFD >= 0 {
		unix.Close(c.recvFD)
		c.recvFD = -1
	}
}

// receive reads the master the child sent on the socketpair (rt run in the
// foreground), once the child is ready: the message is already there.
func (c *console) receive() (*os.File, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(c.recvFD, buf, oob, unix.MSG_CMSG_CLOEXEC)
	for err == unix.EINTR {
		n, oobn, _, _, err = unix.Recvmsg(c.recvFD, buf, oob, unix.MSG_CMSG_CLOEXEC)
	}
	if err != nil {
		return nil, fmt.Errorf("receive the pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("receive the pty master: no fd in the message")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("receive the pty master: not one fd in the message")
	}
	// Non-blocking, so that Go's poller serves it (reads with deadlines).
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("pty master: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), string(buf[:n])), nil
}

// terminal adds the pty op for proc when it asks for a terminal. It comes
// first in compileProcess: after the root is in place (the pty must come from
// the container's devpts), before rlimits and the switch to the process's
// user (opening ptmx and TIOCSCTTY need the privileges of setup).
func (b *bootPlan) terminal(proc *specs.Process) error {
	if !proc.Terminal {
		return nil
	}
	if b.consoleFD < 3 { // unset (a bootPlan's zero value) or stdio: never a socket rt made
		return errors.New("process.terminal: no console socket to send the pty master to")
	}
	var rows, cols uint16
	if sz := proc.ConsoleSize; sz != nil {
		if sz.Height > 0xffff || sz.Width > 0xffff {
			return fmt.Errorf("process.consoleSize: %dx%d is larger than a terminal can be (65535)", sz.Height, sz.Width)
		}
		rows, cols = uint16(sz.Height), uint16(sz.Width)
	}
	b.prog.Terminal(b.consoleFD, rows, cols, proc.User.UID, b.bindConsole)
	return nil
}
