// recvtty receives the pty master of a container created with
// `rt create --console-socket SOCKET`, the way a manager (containerd's shim,
// conmon) does: it listens on SOCKET, accepts one connection, and takes the
// fd from its one message (SCM_RIGHTS; the data is the master's path).
//
//	recvtty [--mode copy|null] [-v] SOCKET
//
// copy (the default) relays its own stdin to the pty and the pty to its
// stdout; null only holds the master and discards what the container writes.
// Either way it exits once the container has closed the pty. The socket
// appears at SOCKET only once it listens, so a caller may wait for the path.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

func main() {
	mode := flag.String("mode", "copy", "copy: relay stdio to the pty; null: hold it, discard its output")
	verbose := flag.Bool("v", false, "say on stderr what was received")
	flag.Parse()
	if flag.NArg() != 1 || (*mode != "copy" && *mode != "null") {
		fmt.Fprintln(os.Stderr, "usage: recvtty [--mode copy|null] [-v] SOCKET")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *mode, *verbose); err != nil {
		fmt.Fprintf(os.Stderr, "recvtty: %v\n", err)
		os.Exit(1)
	}
}

func run(path, mode string, verbose bool) error {
	l, err := listen(path)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	conn, err := l.Accept()
	l.Close()
	if err != nil {
		return fmt.Errorf("accept on %s: %w", path, err)
	}
	master, name, err := receive(conn.(*net.UnixConn))
	conn.Close()
	if err != nil {
		return err
	}
	defer master.Close()
	if verbose {
		fmt.Fprintf(os.Stderr, "recvtty: received pty master %q\n", name)
	}
	if mode == "null" {
		return drain(io.Discard, master)
	}
	if c, err := console.ConsoleFromFile(os.Stdin); err == nil {
		if err := c.SetRaw(); err == nil {
			defer c.Reset()
		}
	}
	go io.Copy(master, os.Stdin)
	return drain(os.Stdout, master)
}

// listen binds next to path and renames the socket into place once it
// listens: whoever waits for path never connects too early.
func listen(path string) (*net.UnixListener, error) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	os.Remove(tmp)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", tmp, err)
	}
	l.SetUnlinkOnClose(false)
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("rename socket to %s: %w", path, err)
	}
	return l, nil
}

// receive reads the one message of the console socket protocol.
func receive(conn *net.UnixConn) (*os.File, string, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if errors.Is(err, io.EOF) {
		return nil, "", errors.New("the connection closed without a pty master (the container failed to start?)")
	}
	if err != nil {
		return nil, "", fmt.Errorf("receive the pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, "", errors.New("receive the pty master: the message carries no fd")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, "", fmt.Errorf("receive the pty master: %d fds in the message, not 1", len(fds))
	}
	name := string(buf[:n])
	return os.NewFile(uintptr(fds[0]), name), name, nil
}

// drain copies the pty to w until the container closes it (EIO).
func drain(w io.Writer, master *os.File) error {
	_, err := io.Copy(w, master)
	if errors.Is(err, syscall.EIO) {
		return nil
	}
	return err
}
