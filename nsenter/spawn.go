package nsenter

/*
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../timerslack
#include <stdlib.h>
#include "nsenter.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	_ "rt/timerslack" // rt_slack_host, rt_slack_own around each clone
)

// Message types on the sync socket (see nsenter.h).
const (
	MsgGo         = C.RT_MSG_GO
	MsgMapsPlease = C.RT_MSG_MAPS_PLEASE
	MsgMapsDone   = C.RT_MSG_MAPS_DONE
	MsgPid        = C.RT_MSG_PID
	MsgReady      = C.RT_MSG_READY
	MsgStart      = C.RT_MSG_START
	MsgError      = C.RT_MSG_ERROR
	MsgSeccompFD  = C.RT_MSG_SECCOMP_FD
	MsgJoined     = C.RT_MSG_JOINED
)

const msgSize = int(unsafe.Sizeof(C.struct_rt_msg{}))

// Msg is one packet of the sync protocol.
type Msg struct {
	Type uint32
	Op   int32
	Err  int32
	Pid  int32
	Text string
	FD   int // passed in SCM_RIGHTS (MsgSeccompFD), else -1
}

// InitError is a failure the child reported: which operation, what step, and errno.
type InitError struct {
	Op     string
	Detail string
	Errno  unix.Errno
}

func (e *InitError) Error() string {
	if e.Errno == 0 {
		return fmt.Sprintf("%s: %s", e.Op, e.Detail)
	}
	return fmt.Sprintf("%s: %s: %v", e.Op, e.Detail, e.Errno)
}

func (e *InitError) Unwrap() error { return e.Errno }

// ErrInitGone means the child closed the sync socket without saying why.
var ErrInitGone = errors.New("container init exited before it was ready")

// Spawn clones the child that runs prog, with clone3 flags (CLONE_NEW*), into
// the cgroup2 directory cgroupFD when it is >= 0. It returns the child's pid and a pidfd.
func Spawn(prog *Program, flags uint64, cgroupFD int) (pid, pidfd int, err error) {
	b := prog.Bytes()
	cbuf := C.CBytes(b)
	defer C.free(cbuf)
	var cpidfd C.int = -1
	r, errno := C.rt_spawn((*C.uint8_t)(cbuf), C.size_t(len(b)), C.uint64_t(flags), C.int(cgroupFD), &cpidfd)
	if r < 0 {
		return 0, -1, fmt.Errorf("clone3 with flags %#x: %w", flags, errno)
	}
	return int(r), int(cpidfd), nil
}

// Send writes one message of type t on fd.
func Send(fd int, t uint32) error {
	var b [msgSize]byte
	binary.LittleEndian.PutUint32(b[0:], t)
	_, err := unix.Write(fd, b[:])
	for err == unix.EINTR {
		_, err = unix.Write(fd, b[:])
	}
	return err
}

// Recv reads one message from fd. A child's error report becomes an
// *InitError described with prog; EOF becomes ErrInitGone. An fd passed
// along comes back in Msg.FD (close-on-exec) for MsgSeccompFD only; any
// other message's fd is closed.
func Recv(fd int, prog *Program) (Msg, error) {
	var b [msgSize]byte
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(fd, b[:], oob, unix.MSG_CMSG_CLOEXEC)
	for err == unix.EINTR {
		n, oobn, _, _, err = unix.Recvmsg(fd, b[:], oob, unix.MSG_CMSG_CLOEXEC)
	}
	passed := -1
	if err == nil && oobn > 0 {
		passed = passedFD(oob[:oobn])
	}
	if err != nil {
		return Msg{}, fmt.Errorf("read from container init: %w", err)
	}
	if n == 0 {
		return Msg{}, ErrInitGone
	}
	if n != msgSize {
		if passed >= 0 {
			unix.Close(passed)
		}
		return Msg{}, fmt.Errorf("read from container init: short message (%d bytes)", n)
	}
	m := Msg{
		Type: binary.LittleEndian.Uint32(b[0:]),
		Op:   int32(binary.LittleEndian.Uint32(b[4:])),
		Err:  int32(binary.LittleEndian.Uint32(b[8:])),
		Pid:  int32(binary.LittleEndian.Uint32(b[12:])),
		FD:   -1,
	}
	if passed >= 0 {
		if m.Type == MsgSeccompFD {
			m.FD = passed
		} else {
			unix.Close(passed)
		}
	}
	text := b[16:]
	for i, c := range text {
		if c == 0 {
			text = text[:i]
			break
		}
	}
	m.Text = string(text)
	if m.Type == MsgError {
		desc := "container init"
		if prog != nil {
			desc = prog.Describe(int(m.Op))
		}
		return m, &InitError{Op: desc, Detail: m.Text, Errno: unix.Errno(m.Err)}
	}
	return m, nil
}

// passedFD is the first fd of an SCM_RIGHTS control message, or -1.
func passedFD(oob []byte) int {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1
	}
	fd := -1
	for _, c := range cmsgs {
		fds, err := unix.ParseUnixRights(&c)
		if err != nil {
			continue
		}
		for _, f := range fds {
			if fd < 0 {
				fd = f
			} else {
				unix.Close(f)
			}
		}
	}
	return fd
}
