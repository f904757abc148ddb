// Command seccompagent is a tiny seccomp agent for rt's tests: it listens on
// a unix socket for the runtime's containerProcessState (the runtime-spec's
// listenerPath protocol), writes the state it got to a log, and answers the
// filter's notifications: one system call gets the chosen errno, or
// (-errno 0) is made to succeed without running; any other notified call
// continues as if unfiltered.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

func main() {
	sock := flag.String("socket", "", "unix socket to listen on")
	stateLog := flag.String("log", "", "file to append each received state JSON (one per line) and each answered call to")
	call := flag.String("syscall", "mkdir", "system call to answer (mkdir also answers mkdirat)")
	errno := flag.Int("errno", int(unix.EPERM), "errno to return for it; 0: return success without running it")
	flag.Parse()
	if *sock == "" || *stateLog == "" {
		log.Fatal("seccompagent: -socket and -log are required")
	}
	out, err := os.OpenFile(*stateLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	l, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		log.Fatal(err)
	}
	os.Remove(*sock)
	if err := unix.Bind(l, &unix.SockaddrUnix{Name: *sock}); err != nil {
		log.Fatal(err)
	}
	if err := unix.Listen(l, 8); err != nil {
		log.Fatal(err)
	}
	for {
		c, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
		if err != nil {
			log.Fatal(err)
		}
		st, fd, err := receive(c)
		unix.Close(c)
		if err != nil {
			fmt.Fprintf(out, "error: %v\n", err)
			continue
		}
		fmt.Fprintf(out, "%s\n", st)
		go serve(fd, *call, *errno, out)
	}
}

// receive reads one containerProcessState and its fds.
func receive(c int) ([]byte, int, error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := unix.Recvmsg(c, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, -1, err
	}
	var st specs.ContainerProcessState
	if err := json.Unmarshal(buf[:n], &st); err != nil {
		return nil, -1, fmt.Errorf("state: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, -1, fmt.Errorf("control messages: %v (%d)", err, len(msgs))
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil {
		return nil, -1, err
	}
	if len(fds) != len(st.Fds) {
		return nil, -1, fmt.Errorf("%d fds for names %q", len(fds), st.Fds)
	}
	for i, name := range st.Fds {
		if name == specs.SeccompFdName {
			return buf[:n], fds[i], nil
		}
	}
	return nil, -1, fmt.Errorf("no %s in %q", specs.SeccompFdName, st.Fds)
}

// serve answers notifications until every process of the filter is gone.
func serve(fd int, call string, errno int, out *os.File) {
	defer unix.Close(fd)
	for {
		req, err := libseccomp.NotifReceive(libseccomp.ScmpFd(fd))
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			fmt.Fprintf(out, "receive: %v\n", err)
			return
		}
		name, _ := req.Data.Syscall.GetName()
		resp := &libseccomp.ScmpNotifResp{ID: req.ID, Flags: libseccomp.NotifRespFlagContinue}
		if name == call || (call == "mkdir" && name == "mkdirat") {
			resp = &libseccomp.ScmpNotifResp{ID: req.ID, Error: int32(errno)}
		}
		fmt.Fprintf(out, "answered %s from pid %d: errno %d continue %v\n", name, req.Pid, resp.Error, resp.Flags != 0)
		if err := libseccomp.NotifRespond(libseccomp.ScmpFd(fd), resp); err != nil {
			fmt.Fprintf(out, "respond: %v\n", err)
		}
	}
}
