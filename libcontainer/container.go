// Package libcontainer is a container's lifecycle: create, start, signal,
// delete, and the state on disk that connects rt's short-lived commands.
package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/cgroups"
	"rt/libcontainer/config"
	"rt/libcontainer/seccomp"
	"rt/nsenter"
	"rt/rootfs"
	"rt/timerslack"
)

// CreateOpts are the inputs of Create.
type CreateOpts struct {
	ID, Bundle, Root string
	PidFile          string
	NoPivot          bool
	PreserveFDs      int
	// ListenFDs: rt was socket-activated with this many fds (3..): they
	// pass to the container before the --preserve-fds ones, with
	// LISTEN_FDS set and LISTEN_PID the process's own, as runc does.
	ListenFDs     int
	ConsoleSocket string
	// Foreground: the caller releases the process with Start on the sync
	// socket and waits for it (rt run); otherwise the process waits for `rt start`.
	Foreground bool
	// Attached: rt run without -d, whose stdio is the container's; with
	// process.terminal rt receives the pty master itself (Container.Console).
	Attached bool
}

// Container is a container this rt process has just created.
type Container struct {
	State    *State
	Warnings []string
	Notes    []string // for the debug log
	dir      *stateDir
	dirRef   int // an O_PATH fd of dir, by which Destroy knows it again after Unlock
	sync     int
	pidfd    int
	prog     *nsenter.Program
	shared   *nsenter.Shared // the child shares rt's memory until it execs (nil: forked)
	// Console is the pty master of an attached container with
	// process.terminal, for the caller to drive; nil otherwise.
	// ConsoleSized: process.consoleSize gave the pty its size.
	Console      *os.File
	ConsoleSized bool
}

// Create sets up a container from its bundle and leaves its process waiting
// just before exec. On any error nothing is left: no process, cgroup or state.
func Create(o CreateOpts) (_ *Container, err error) {
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	spec, bundle, err := config.Load(o.Bundle)
	if err != nil {
		return nil, err
	}
	if err := checkTerminal(spec.Process.Terminal, o.ConsoleSocket, o.Attached); err != nil {
		return nil, err
	}
	var cons *console
	consoleFD := -1
	if spec.Process.Terminal {
		if cons, err = openConsole(o.ConsoleSocket); err != nil {
			return nil, err
		}
		defer cons.close()
		consoleFD = cons.childFD
	}
	dir, err := newDir(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	c := &Container{dir: dir, sync: -1, pidfd: -1, dirRef: -1}
	if c.dirRef, err = unix.Openat(dir.fd, ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		dir.remove()
		return nil, fmt.Errorf("open state dir %s: %w", dir.path, err)
	}
	var cg *cgroups.Manager
	defer func() {
		if err != nil {
			c.abort(cg)
		}
	}()

	cg, err = cgroups.New(spec.Linux.CgroupsPath, o.ID)
	if err != nil {
		return nil, err
	}
	if err = cg.Create(cgroupResources(spec)); err != nil {
		cg = nil // Create removed what it made
		return nil, err
	}
	var cgPaths map[string]string
	if len(cg.Paths) == 0 {
		// Run by a user with no cgroup delegated and no limit asked:
		// the container stays in rt's own cgroups, as with runc.
		cg = nil
	} else {
		cgPaths = cg.Paths
	}

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sync socketpair: %w", err)
	}
	c.sync = pair[0]
	childSync := pair[1]
	defer unix.Close(childSync)
	listenFD := -1
	if !o.Foreground {
		if listenFD, err = c.listen(); err != nil {
			return nil, err
		}
		defer unix.Close(listenFD)
	}
	if o.ListenFDs > 0 {
		spec.Process.Env = setEnv(spec.Process.Env, "LISTEN_FDS="+strconv.Itoa(o.ListenFDs))
	}
	keep := make([]int, 0, o.ListenFDs+o.PreserveFDs)
	for fd := 3; fd < 3+o.ListenFDs+o.PreserveFDs; fd++ {
		keep = append(keep, fd)
	}

	trees, err := rootfs.OpenIDMapped(spec, bundle)
	if err != nil {
		return nil, err
	}
	defer trees.Close()
	keep = append(keep, trees.FDs()...)

	layout, _ := cgroups.HostLayout()
	ro := rootfs.Options{
		Bundle:      bundle,
		NoPivot:     o.NoPivot,
		UserNS:      config.HasNamespace(spec, specs.UserNamespace),
		CgroupNS:    config.HasNewNamespace(spec, specs.CgroupNamespace),
		NetNS:       config.HasNewNamespace(spec, specs.NetworkNamespace),
		CgroupV2:    layout == cgroups.V2,
		CgroupPaths: cgPaths,
		Trees:       trees,
	}
	join, err := openCgroupJoin(cg, false)
	if err != nil {
		return nil, err
	}
	defer join.close()
	plan, err := compile(spec, bundle, o.Root, childSync, listenFD, consoleFD, keep, join.files, ro)
	if err != nil {
		return nil, err
	}
	c.prog = plan.prog
	c.Warnings = plan.warnings
	c.Notes = plan.notes

	pid, pidfd, err := c.spawn(plan, o.Foreground, join)
	cons.closeChild()
	join.close()
	if err != nil {
		return nil, err
	}
	c.pidfd = pidfd
	c.State = &State{
		ID: o.ID, Bundle: bundle, Rootfs: rootPath(spec, bundle), Pid: pid,
		Created: time.Now().UTC(), Annotations: spec.Annotations, Cgroup: cg,
		HostPidNS: !config.HasNewNamespace(spec, specs.PIDNamespace), OCIVersion: specs.Version,
		Hooks: spec.Hooks, Process: spec.Process, Seccomp: spec.Linux.Seccomp,
	}
	if plan.mapsByRT {
		if err = writeMaps(pid, spec); err != nil {
			return nil, err
		}
	}
	// The child reports its cgroup join before it asks for maps.
	if err = join.finish(c.sync, c.prog, pid); err != nil {
		return nil, err
	}
	if plan.mapsFirst {
		if err = c.serveMaps(spec); err != nil {
			return nil, err
		}
	}
	if h := spec.Hooks; h != nil {
		// The namespaces exist (clone made them) and nothing is mounted
		// yet: the point the spec gives prestart and createRuntime hooks,
		// e.g. to wire a veth into the new network namespace.
		st := c.State.hookState(Creating)
		if err = runHooks("prestart", h.Prestart, st); err != nil { //nolint:staticcheck // deprecated, still honoured
			return nil, err
		}
		if err = runHooks("createRuntime", h.CreateRuntime, st); err != nil {
			return nil, err
		}
	}
	if err = nsenter.Send(c.sync, nsenter.MsgGo); err != nil {
		return nil, fmt.Errorf("release container init: %w", err)
	}
	if err = c.waitReady(spec); err != nil {
		return nil, err
	}
	if cons != nil && cons.recvFD >= 0 {
		if c.Console, err = cons.receive(); err != nil {
			return nil, err
		}
		c.ConsoleSized = spec.Process.ConsoleSize != nil
	}
	start, ok := processStart(c.State.Pid)
	if !ok {
		return nil, fmt.Errorf("container init %d exited during create", c.State.Pid)
	}
	c.State.PidStart = start
	if err = c.dir.save(c.State); err != nil {
		return nil, err
	}
	if o.PidFile != "" {
		if err = writePidFile(o.PidFile, c.State.Pid); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// spawn clones the container's first process. A foreground container (rt
// run) is exec'd while rt still runs, so its child may share rt's memory,
// which saves copying rt's page tables and the copy-on-write faults after;
// a created one outlives rt and is forked.
// The child starts in the cgroup2 directory where join can (cgroupJoin).
func (c *Container) spawn(plan *bootPlan, foreground bool, join *cgroupJoin) (pid, pidfd int, err error) {
	// A time namespace made by clone3 or by the program wants a child
	// whose memory is its own (Program.OwnMemory).
	if !foreground || plan.cloneFlags&cloneNewTime != 0 || plan.prog.OwnMemory() {
		err = join.spawn(func(cgroupFD int) (err error) {
			pid, pidfd, err = nsenter.Spawn(plan.prog, plan.cloneFlags, cgroupFD)
			return err
		})
		return pid, pidfd, err
	}
	err = join.spawn(func(cgroupFD int) (err error) {
		c.shared, err = nsenter.SpawnShared(plan.prog, plan.cloneFlags, cgroupFD)
		return err
	})
	if err != nil {
		return 0, -1, err
	}
	return c.shared.Pid, c.shared.Pidfd, nil
}

// waitReady serves the child's requests until it reports ready.
func (c *Container) waitReady(spec *specs.Spec) error {
	return serveUntilReady(c.sync, c.prog, &c.State.Pid, &c.pidfd, "container init",
		func() error { return c.answerMaps(spec) },
		func(fd int) error {
			// The filter is loaded; its agent gets the notify fd now,
			// before READY, so a missing agent fails the create.
			return c.State.sendSeccompFD(Creating, c.State.Pid, fd)
		})
}

// serveUntilReady answers a starting child's requests on sync until it is
// READY: maps (nil: the child may not ask), the seccomp notify fd, and after
// a FORK the process that goes on, which replaces *pid and *pidfd. The old
// process's PID and the new one's READY race: it waits for both.
func serveUntilReady(sync int, prog *nsenter.Program, pid, pidfd *int, who string,
	maps func() error, seccompFD func(fd int) error) error {
	ready, forked := false, !prog.Forks()
	for !ready || !forked {
		m, err := nsenter.Recv(sync, prog)
		if err != nil {
			return err
		}
		switch {
		case m.Type == nsenter.MsgMapsPlease && maps != nil:
			if err := maps(); err != nil {
				return err
			}
		case m.Type == nsenter.MsgPid:
			fd, err := adoptForked(*pid, *pidfd, int(m.Pid))
			if err != nil {
				return err
			}
			*pid, *pidfd = int(m.Pid), fd
			forked = true
		case m.Type == nsenter.MsgSeccompFD:
			err := seccompFD(m.FD)
			unix.Close(m.FD)
			if err != nil {
				return err
			}
		case m.Type == nsenter.MsgReady:
			ready = true
		default:
			return fmt.Errorf("%s: unexpected message %d", who, m.Type)
		}
	}
	return nil
}

// adoptForked reaps the intermediate process old (with its pidfd), which
// forked pid (a child of rt too: CLONE_PARENT) and exits, and returns a
// pidfd of pid.
func adoptForked(old, oldfd, pid int) (int, error) {
	var ws unix.WaitStatus
	unix.Wait4(old, &ws, 0, nil)
	unix.Close(oldfd)
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("pidfd of forked process %d: %w", pid, err)
	}
	return fd, nil
}

// sendSeccompFD hands a seccomp notify fd of the container's process pid to
// the agent at linux.seccomp.listenerPath, with the container's state.
func (s *State) sendSeccompFD(status Status, pid, fd int) error {
	sc := s.Seccomp
	if sc == nil || fd < 0 {
		return errors.New("container process: unexpected seccomp notify fd")
	}
	st := specs.State{Version: s.OCIVersion, ID: s.ID, Status: specs.ContainerState(status),
		Pid: pid, Bundle: s.Bundle, Annotations: s.Annotations}
	return seccomp.SendToListener(sc.ListenerPath, sc.ListenerMetadata, st, pid, fd)
}

// serveMaps writes the child's maps when it asks for them.
func (c *Container) serveMaps(spec *specs.Spec) error {
	m, err := nsenter.Recv(c.sync, c.prog)
	if err != nil {
		return err
	}
	if m.Type != nsenter.MsgMapsPlease {
		return fmt.Errorf("container init: unexpected message %d before its maps", m.Type)
	}
	return c.answerMaps(spec)
}

// answerMaps writes the maps the child asked for and tells it they are there.
func (c *Container) answerMaps(spec *specs.Spec) error {
	if err := writeMaps(c.State.Pid, spec); err != nil {
		return err
	}
	return nsenter.Send(c.sync, nsenter.MsgMapsDone)
}

// listen makes the socket on which the created process waits for `rt start`.
func (c *Container) listen() (int, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("start socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: c.dir.sockPath()}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind start socket in %s: %w", c.dir.path, err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("listen on start socket: %w", err)
	}
	return fd, nil
}

// sockPath names the start socket through the directory fd: the state dir's
// own path may be longer than a socket address can be.
func (d *stateDir) sockPath() string {
	return "/proc/self/fd/" + strconv.Itoa(d.fd) + "/" + startSock
}

// abort undoes a failed Create.
func (c *Container) abort(cg *cgroups.Manager) {
	if c.pidfd >= 0 {
		unix.PidfdSendSignal(c.pidfd, unix.SIGKILL, nil, 0)
		var ws unix.WaitStatus
		unix.Wait4(c.State.Pid, &ws, 0, nil)
		unix.Close(c.pidfd)
	}
	// c.shared is not released: a process forked in the pid namespace may
	// still be starting on rt's memory; rt exits after a failed create.
	if c.sync >= 0 {
		unix.Close(c.sync)
	}
	if c.dirRef >= 0 {
		unix.Close(c.dirRef)
	}
	if c.Console != nil {
		c.Console.Close()
	}
	if cg != nil {
		cg.Destroy()
	}
	c.dir.remove()
}

// Unlock lets other rt commands at the container; Create returns it locked.
func (c *Container) Unlock() {
	if c.dir != nil {
		c.dir.close()
		c.dir = nil
	}
}

// Start releases a foreground container and returns once its program runs.
func (c *Container) Start() error {
	if err := nsenter.Send(c.sync, nsenter.MsgStart); err != nil {
		return fmt.Errorf("start container: %w", err)
	}
	_, err := nsenter.Recv(c.sync, c.prog)
	unix.Close(c.sync)
	c.sync = -1
	if errors.Is(err, nsenter.ErrInitGone) {
		// The socket closed on exec (or exit): the child is off rt's memory.
		c.shared.Release()
		if h := c.State.Hooks; h != nil {
			warnHooks("poststart", h.Poststart, c.State.hookState(Running))
		}
		return nil
	}
	if err == nil {
		err = errors.New("start container: unexpected message")
	}
	return err
}

// Signal sends sig to the container's init through its pidfd.
func (c *Container) Signal(sig unix.Signal) error {
	return unix.PidfdSendSignal(c.pidfd, sig, nil, 0)
}

// Wait reaps the foreground container's init and returns its exit code
// (128+signal when a signal killed it).
func (c *Container) Wait() (int, error) {
	code, err := waitExit(c.State.Pid, c.pidfd)
	unix.Close(c.pidfd)
	c.pidfd = -1
	c.shared.Release()
	return code, err
}

// waitExit waits for the child pid, pinned by pidfd, to exit and reaps it;
// it returns the exit code, 128+signal when a signal killed it. pidfd stays
// open.
func waitExit(pid, pidfd int) (int, error) {
	// Through the netpoller when it can: then no thread holds a processor
	// blocked in wait4 for the container's whole life, and the Go
	// runtime's sysmon sleeps instead of polling (see timerslack.c).
	// wait4 below then reaps at once; if polling fails, it waits itself.
	_ = pollExit(pidfd)
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("wait for process %d: %w", pid, err)
		}
		break
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// pollExit parks the calling goroutine in the netpoller until the process
// of pidfd has exited (a pidfd polls readable then).
func pollExit(pidfd int) error {
	// A duplicate, made non-blocking: the poller owns it, and closing the
	// File closes only it.
	fd, err := unix.FcntlInt(uintptr(pidfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return err
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Read(func(fd uintptr) bool { return exited(int(fd)) })
}

func rootPath(s *specs.Spec, bundle string) string {
	if filepath.IsAbs(s.Root.Path) {
		return s.Root.Path
	}
	return filepath.Join(bundle, s.Root.Path)
}

// writeMaps writes the child's uid and gid maps while it waits. root
// writes any map. Another user may write only a map of its own id, once,
// and the gid map only after denying setgroups; anything more goes through
// the setuid newuidmap/newgidmap (package uidmap), which check the ranges
// against /etc/subuid and /etc/subgid.
func writeMaps(pid int, s *specs.Spec) error {
	base := "/proc/" + strconv.Itoa(pid) + "/"
	for _, m := range []struct {
		file, path, helper string
		ids                []specs.LinuxIDMapping
		own                int
	}{
		{"uid_map", "linux.uidMappings", "newuidmap", s.Linux.UIDMappings, os.Geteuid()},
		{"gid_map", "linux.gidMappings", "newgidmap", s.Linux.GIDMappings, os.Getegid()},
	} {
		if os.Geteuid() != 0 && !onlyOwnID(m.ids, m.own) {
			if err := mapWithHelper(m.helper, pid, m.ids, m.path); err != nil {
				return err
			}
			continue
		}
		if os.Geteuid() != 0 && m.file == "gid_map" {
			if err := os.WriteFile(base+"setgroups", []byte("deny"), 0); err != nil {
				return fmt.Errorf("linux.gidMappings: write %ssetgroups: %w", base, err)
			}
		}
		var sb strings.Builder
		for _, e := range m.ids {
			fmt.Fprintf(&sb, "%d %d %d\n", e.ContainerID, e.HostID, e.Size)
		}
		// One write: the kernel takes a map in a single write(2).
		if err := os.WriteFile(base+m.file, []byte(sb.String()), 0); err != nil {
			return fmt.Errorf("%s: write %s%s: %w", m.path, base, m.file, err)
		}
	}
	return nil
}

// onlyOwnID says whether ids maps just the caller's own host id, the only
// map an unprivileged process may write itself.
func onlyOwnID(ids []specs.LinuxIDMapping, own int) bool {
	return len(ids) == 1 && ids[0].Size == 1 && int(ids[0].HostID) == own
}

// mapWithHelper writes a map through newuidmap or newgidmap.
func mapWithHelper(helper string, pid int, ids []specs.LinuxIDMapping, field string) error {
	bin, err := exec.LookPath(helper)
	if err != nil {
		return fmt.Errorf("%s: as uid %d rt can map only its own id (one id, hostID %d); mapping more needs %s (package uidmap) and ranges for the user in /etc/subuid and /etc/subgid: %w",
			field, os.Geteuid(), map[string]int{"newuidmap": os.Geteuid(), "newgidmap": os.Getegid()}[helper], helper, err)
	}
	args := []string{strconv.Itoa(pid)}
	for _, e := range ids {
		args = append(args, strconv.FormatUint(uint64(e.ContainerID), 10), strconv.FormatUint(uint64(e.HostID), 10), strconv.FormatUint(uint64(e.Size), 10))
	}
	out, err := timerslack.CombinedOutput(exec.Command(bin, args...))
	if err != nil {
		return fmt.Errorf("%s: %s %s: %w: %s", field, helper, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func writePidFile(path string, pid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	tmp := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}
