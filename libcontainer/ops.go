package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"rt/jsongen"
	"rt/nsenter"
)

// OCIState is the runtime-spec state plus runc's extra fields, as `runc state` prints it.
type OCIState struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      Status            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Owner       string            `json:"owner"`
}

// IndentedJSON is st as json.MarshalIndent(st, "", indent) writes it
// (through the generated encoder, state_json_gen.go).
func (st *OCIState) IndentedJSON(indent string) ([]byte, error) {
	b, err := jsongen.Encode(st, fastEncodeOCIState)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (s *State) oci(dir string, owner string) OCIState {
	st := s.status(dir)
	pid := s.Pid
	if st == Stopped {
		pid = 0
	}
	return OCIState{OCIVersion: s.OCIVersion, ID: s.ID, Pid: pid, Status: st, Bundle: s.Bundle,
		Rootfs: s.Rootfs, Created: s.Created, Annotations: s.Annotations, Owner: owner}
}

// readState reads a container's state without taking its lock: state.json is
// replaced atomically, so a reader sees the old or the new file, never half.
func readState(root, id string) (*State, string, error) {
	if err := ValidateID(id); err != nil {
		return nil, "", err
	}
	dir := filepath.Join(root, id)
	d := &stateDir{path: dir, fd: -1}
	s, err := d.load()
	if err != nil {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, "", fmt.Errorf("%w: %s", ErrNotExist, id)
		}
		return nil, "", err
	}
	return s, dir, nil
}

// StateOf is the OCI state of one container.
func StateOf(root, id string) (*OCIState, error) {
	s, dir, err := readState(root, id)
	if err != nil {
		return nil, err
	}
	st := s.oci(dir, ownerOf(dir, nil))
	return &st, nil
}

// List is the OCI state of every container under root, sorted by id.
func List(root string) ([]OCIState, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	names := map[uint32]string{}
	out := make([]OCIState, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s, dir, err := readState(root, e.Name())
		if err != nil {
			continue // being created or deleted right now
		}
		out = append(out, s.oci(dir, ownerOf(dir, names)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ownerOf names the user owning a state dir, as runc's "owner" field does.
func ownerOf(dir string, cache map[uint32]string) string {
	var st unix.Stat_t
	if unix.Stat(dir, &st) != nil {
		return ""
	}
	if n, ok := cache[st.Uid]; ok {
		return n
	}
	name := "#" + strconv.Itoa(int(st.Uid))
	if data, err := os.ReadFile("/etc/passwd"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Split(line, ":")
			if len(f) > 2 && f[2] == strconv.Itoa(int(st.Uid)) {
				name = f[0]
				break
			}
		}
	}
	if cache != nil {
		cache[st.Uid] = name
	}
	return name
}

// Start releases a created container: it connects to the socket the
// process waits on and returns once the program is exec'd (the socket closes
// on exec) or with the error the process reports.
func Start(root, id string) error {
	return locked(root, id, func(d *stateDir, s *State) error { return s.start(d) })
}

func (s *State) start(d *stateDir) error {
	id := s.ID
	if st := s.status(d.path); st != Created {
		return fmt.Errorf("cannot start container %s: it is %s, not created", id, st)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("start socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: d.sockPath()}); err != nil {
		return fmt.Errorf("connect to container %s: %w", id, err)
	}
	if err := nsenter.Send(fd, nsenter.MsgStart); err != nil {
		return fmt.Errorf("start container %s: %w", id, err)
	}
	_, err = nsenter.Recv(fd, nil)
	os.Remove(filepath.Join(d.path, startSock))
	if errors.Is(err, nsenter.ErrInitGone) {
		// EOF without an ERROR: execve succeeded and closed the socket
		// (the child reports every failure before it exits). A program
		// that is already done by now, like /bin/true, still started.
		if s.Hooks != nil {
			warnHooks("poststart", s.Hooks.Poststart, s.hookState(Running))
		}
		return nil
	}
	if err == nil {
		err = errors.New("unexpected message")
	}
	return fmt.Errorf("start container %s: %w", id, err)
}

// Kill sends sig to the container's init, or with all to every process in its cgroup.
func Kill(root, id string, sig unix.Signal, all bool) error {
	return locked(root, id, func(d *stateDir, s *State) error { return s.kill(sig, all, s.status(d.path) == Paused) })
}

func (s *State) kill(sig unix.Signal, all, paused bool) error {
	id := s.ID
	if all {
		return s.signalAll(sig, paused)
	}
	if err := s.signal(sig); err != nil {
		return fmt.Errorf("kill container %s: %w", id, err)
	}
	if paused && sig == unix.SIGKILL {
		// A frozen v1 task dies only once thawed.
		if err := s.Cgroup.Thaw(); err != nil {
			return fmt.Errorf("kill container %s: %w", id, err)
		}
	}
	return nil
}

var errNotRunning = errors.New("container not running")

// signal sends sig to init through a pidfd, after checking that the pid
// still names the process rt started.
func (s *State) signal(sig unix.Signal) error {
	fd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		return errNotRunning
	}
	defer unix.Close(fd)
	if !s.alive() {
		return errNotRunning
	}
	return unix.PidfdSendSignal(fd, sig, nil, 0)
}

// signalAll signals every process of the cgroup, frozen so that none can
// fork a child the list misses. A paused container stays frozen, except
// for SIGKILL: its processes die only once thawed.
func (s *State) signalAll(sig unix.Signal, paused bool) error {
	if s.Cgroup == nil {
		return s.signal(sig)
	}
	if !paused {
		if err := s.Cgroup.Freeze(); err == nil {
			defer s.Cgroup.Thaw()
		}
	} else if sig == unix.SIGKILL {
		defer s.Cgroup.Thaw()
	}
	pids, err := s.Cgroup.Pids()
	if err != nil {
		return err
	}
	if len(pids) == 0 {
		return errNotRunning
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && err != unix.ESRCH {
			return fmt.Errorf("kill %d: %w", pid, err)
		}
	}
	return nil
}

// Delete removes a container. A created or stopped one goes at once; a
// running or paused one only with force, which kills it first.
func Delete(root, id string, force bool) error {
	d, err := lockDir(root, id)
	if err != nil {
		return err
	}
	s, err := d.load()
	if err != nil {
		if force {
			return d.remove() // a half-created container: clear it away
		}
		d.close()
		return err
	}
	switch st := s.status(d.path); st {
	case Running, Paused:
		if !force {
			d.close()
			return fmt.Errorf("cannot delete container %s that is not stopped: %s", id, st)
		}
	}
	return finishDelete(d, s)
}

// finishDelete kills what is left of the container of d, removes its
// cgroups and d, then runs the poststop hooks.
func finishDelete(d *stateDir, s *State) error {
	if err := s.destroy(); err != nil {
		d.close()
		return err
	}
	if err := d.remove(); err != nil {
		return err
	}
	if s.Hooks != nil {
		warnHooks("poststop", s.Hooks.Poststop, s.hookState(Stopped))
	}
	return nil
}

// Destroy kills what is left of the container and removes its cgroups.
// The caller holds the lock.
func (s *State) destroy() error {
	if s.alive() {
		if s.Cgroup != nil {
			s.Cgroup.Thaw()
		}
		if err := s.signal(unix.SIGKILL); err != nil && err != errNotRunning {
			return err
		}
		s.waitGone(5 * time.Second)
	}
	// Most often init was the last process (its pid namespace's end killed
	// the rest): then the cgroups go at once, with no list read first.
	if s.Cgroup != nil && !s.Cgroup.DestroyIfEmpty() {
		// Processes that outlive init (no pid namespace of its own), or
		// exec'd ones still exiting: kill all and wait for the cgroup to empty.
		for i := 0; i < 100; i++ {
			pids, err := s.Cgroup.Pids()
			if err != nil || len(pids) == 0 {
				break
			}
			for _, p := range pids {
				unix.Kill(p, unix.SIGKILL)
			}
			time.Sleep(time.Duration(i+1) * time.Millisecond)
		}
		if err := s.Cgroup.Destroy(); err != nil {
			return err
		}
	}
	return nil
}

// waitGone waits until init has exited (its pidfd becomes readable).
func (s *State) waitGone(limit time.Duration) {
	fd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, int(limit/time.Millisecond))
		if err != syscall.EINTR {
			return
		}
	}
}

// Destroy removes a container this process created and ran in the foreground.
func (c *Container) Destroy(root string) error {
	err := c.destroy(root)
	c.shared.Release() // destroy killed and waited for it
	return err
}

// destroy is Delete with force for the container this rt created: nothing
// rewrites state.json after create, so the state in memory is used, not
// read back. If the directory is not the one create made (a `rt delete`
// and a new `rt create` of the id meanwhile), the container is already
// gone and the new one is left alone.
func (c *Container) destroy(root string) error {
	d, err := lockDir(root, c.State.ID)
	if errors.Is(err, ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	same := d.sameDir(c.dirRef)
	unix.Close(c.dirRef)
	c.dirRef = -1
	if !same {
		d.close()
		return nil
	}
	return finishDelete(d, c.State)
}
