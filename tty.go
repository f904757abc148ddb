package main

import (
	"io"
	"os"
	"time"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"

	"rt/maxprocs"
)

// ttyRelay drives the pty of a container run in the foreground with
// process.terminal: rt's stdin goes to the pty, the pty to rt's stdout, and
// rt's own terminal (when stdin is one) is raw meanwhile, so keys such as
// ^C reach the container's line discipline instead of killing rt.
type ttyRelay struct {
	master  *os.File
	host    console.Console // rt's stdin when it is a terminal, else nil
	outDone chan struct{}
}

// startRelay starts copying. keepSize: process.consoleSize was given, so the
// pty keeps it until rt's terminal is resized; otherwise the pty takes the
// size of rt's terminal at once.
func startRelay(master *os.File, keepSize bool) (*ttyRelay, error) {
	t := &ttyRelay{master: master, outDone: make(chan struct{})}
	// As runc: the pty passes the container's "\n" through untouched, so
	// output into a file or pipe has no "\r"; rt's terminal, when it is
	// one, still turns it into "\r\n" (its output processing stays on).
	t.control(func(fd int) error {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return err
		}
		tio.Oflag &^= unix.ONLCR
		return unix.IoctlSetTermios(fd, unix.TCSETS, tio)
	})
	if c, err := console.ConsoleFromFile(os.Stdin); err == nil {
		if err := c.SetRaw(); err != nil {
			return nil, err
		}
		t.host = c
		if !keepSize {
			t.resize()
		}
	}
	// Two copies that block in system calls (stdin need not be pollable)
	// must overlap: with one processor, one copy would wait for the Go
	// runtime's sysmon to take the processor back from the other.
	maxprocs.Parallel()
	go func() {
		defer close(t.outDone)
		// Ends with EIO once no process holds the pty any more.
		io.Copy(os.Stdout, master)
	}()
	go io.Copy(master, os.Stdin)
	return t, nil
}

// resize gives the pty the size of rt's terminal (on SIGWINCH).
func (t *ttyRelay) resize() {
	if t.host == nil {
		return
	}
	ws, err := t.host.Size()
	if err != nil {
		return
	}
	t.control(func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: ws.Height, Col: ws.Width})
	})
}

// control runs f on the master's fd through its raw conn: Fd() would make
// the master blocking and end its read deadline.
func (t *ttyRelay) control(f func(fd int) error) error {
	rc, err := t.master.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// close waits for the container's last output, then gives rt's terminal
// back as it was. Once the container is gone the pty reads to EIO at once;
// the deadline only bounds the wait when a process kept it open (run --keep
// without a pid namespace).
func (t *ttyRelay) close() {
	if err := t.master.SetReadDeadline(time.Now().Add(2 * time.Second)); err == nil {
		<-t.outDone
	} // else not pollable: nothing would bound the wait
	t.restore()
}

func (t *ttyRelay) restore() {
	t.master.Close()
	if t.host != nil {
		t.host.Reset()
	}
}
