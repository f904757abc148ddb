package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/cgroups"
	"rt/libcontainer/config"
	"rt/nsenter"
)

// ExecOpts are the inputs of Exec.
type ExecOpts struct {
	Root, ID string
	// Process, from --process, is used as it is; without it the process
	// is the container's own with Overrides applied.
	Process      *specs.Process
	Overrides    ExecOverrides
	SubCgroups   map[string]string // see cgroups.Manager.Sub
	PreserveFDs  int
	IgnorePaused bool
	PidFile      string
	// With process.terminal (--tty): the socket to send the pty master to
	// (detached), or Attached: rt drives the pty itself (Process.Console).
	ConsoleSocket string
	Attached      bool
}

// Process is a process Exec started in a container. It is a child of the
// calling rt process even when it runs in the container's pid namespace:
// the init stage forks it with CLONE_PARENT, so rt waits for it directly,
// with no subreaper and no intermediate process left to relay its status.
type Process struct {
	Pid   int // host pid
	pidfd int
	// Console is the pty master of an attached process with a terminal,
	// for the caller to drive (nil otherwise); ConsoleSized: the process
	// gave the pty its size (consoleSize of --process).
	Console      *os.File
	ConsoleSized bool
}

// The namespaces of a container, user first: joining it gives the
// capabilities needed to join the others.
var execNamespaces = []struct {
	name string
	flag uint64
}{
	{"user", cloneNewUser}, {"mnt", config.NamespaceFlags[specs.MountNamespace]},
	{"pid", cloneNewPID}, {"net", cloneNewNet}, {"ipc", config.NamespaceFlags[specs.IPCNamespace]},
	{"uts", config.NamespaceFlags[specs.UTSNamespace]}, {"cgroup", cloneNewCgroup}, {"time", cloneNewTime},
}

// Exec starts a process in a running container: in all its namespaces,
// cgroups and root, with its capabilities, rlimits and no_new_privs, and
// returns once the program is exec'd. On any error nothing is left.
//
// Processes: rt clones a child into the container's cgroups (cgroupJoin:
// clone3 CLONE_INTO_CGROUP for the cgroup2 directory, the child itself for
// v1); the child joins init's namespaces that are not rt's through init's
// pidfd, and when that includes a pid (or time) namespace forks the process
// that goes on inside it (MsgPid) and exits; then compileProcess's tail,
// READY, START, execve, as for the container's init.
func Exec(o ExecOpts) (_ *Process, err error) {
	d, err := lockDir(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	locked := true
	unlock := func() {
		if locked {
			d.close()
			locked = false
		}
	}
	defer unlock()
	s, err := d.load()
	if err != nil {
		return nil, err
	}
	st := s.status(d.path)
	switch st {
	case Running:
	case Paused:
		if !o.IgnorePaused {
			return nil, fmt.Errorf("cannot exec in container %s: it is paused (resume it first, or give --ignore-paused)", o.ID)
		}
	default:
		return nil, fmt.Errorf("cannot exec in container %s: it is %s, not running", o.ID, st)
	}

	proc := o.Process
	if proc == nil {
		if s.Process == nil {
			return nil, fmt.Errorf("container %s was created by an rt that did not save its process: give --process", o.ID)
		}
		if proc, err = o.Overrides.apply(s.Process); err != nil {
			return nil, err
		}
	}
	if err := config.ValidateProcess(proc); err != nil {
		return nil, err
	}
	if err := o.Overrides.checkLSMFlags(); err != nil {
		return nil, err
	}
	if err := checkTerminal(proc.Terminal, o.ConsoleSocket, o.Attached); err != nil {
		return nil, err
	}

	// The init's namespaces, seen through its pid once a pidfd pins it, and
	// joined through the pidfd: a pid reused meanwhile cannot hand us
	// another process's.
	initfd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil || !s.alive() {
		return nil, fmt.Errorf("cannot exec in container %s: it is stopped", o.ID)
	}
	defer unix.Close(initfd)
	nsFlags, fork, err := namespacesOf(s.Pid)
	if err != nil {
		return nil, err
	}
	if exited(initfd) || !s.alive() {
		return nil, fmt.Errorf("cannot exec in container %s: its init exited", o.ID)
	}

	var cg *cgroups.Manager
	if s.Cgroup != nil {
		if cg, err = s.Cgroup.Sub(o.SubCgroups); err != nil {
			return nil, err
		}
	} else if len(o.SubCgroups) > 0 {
		return nil, fmt.Errorf("--cgroup: container %s has no cgroup", o.ID)
	}

	var cons *console
	consoleFD := -1
	if proc.Terminal {
		if cons, err = openConsole(o.ConsoleSocket); err != nil {
			return nil, err
		}
		defer cons.close()
		consoleFD = cons.childFD
	}

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sync socketpair: %w", err)
	}
	c := &execChild{sync: pair[0], pidfd: -1}
	childSync := pair[1]
	defer func() {
		if childSync >= 0 {
			unix.Close(childSync)
		}
		if err != nil {
			c.abort()
		}
	}()
	keep := []int{initfd}
	for fd := 3; fd < 3+o.PreserveFDs; fd++ {
		keep = append(keep, fd)
	}
	spec := &specs.Spec{Root: &specs.Root{Path: s.Rootfs}, Process: proc, Linux: &specs.Linux{Seccomp: s.Seccomp}}
	// The lock keeps rt pause away until the child has joined; a paused
	// container's v1 freezer would stop a child moving itself in before
	// it could say so.
	join, err := openCgroupJoin(cg, st == Paused)
	if err != nil {
		return nil, err
	}
	defer join.close()
	plan, err := compileExec(spec, o.Root, childSync, consoleFD, keep, join.files, initfd, nsFlags, fork)
	if err != nil {
		return nil, err
	}
	c.prog = plan.prog

	// Straight into the cgroup2 directory where the kernel lets us (see
	// cgroupJoin).
	if plan.prog.OwnMemory() {
		err = join.spawn(func(cgroupFD int) (err error) {
			c.pid, c.pidfd, err = nsenter.Spawn(plan.prog, 0, cgroupFD)
			return err
		})
	} else {
		// The child shares rt's memory until it execs (CLONE_VM: no page
		// tables copied; rt returns only once it has: see SpawnShared),
		// and so does the process it forks into the pid namespace.
		err = join.spawn(func(cgroupFD int) (err error) {
			var sh *nsenter.Shared
			if sh, err = nsenter.SpawnShared(plan.prog, 0, cgroupFD); err == nil {
				c.shared, c.pid, c.pidfd = sh, sh.Pid, sh.Pidfd
			}
			return err
		})
	}
	cons.closeChild()
	join.close()
	if err != nil {
		return nil, err
	}
	unix.Close(childSync)
	childSync = -1
	if err = join.finish(c.sync, c.prog, c.pid); err != nil {
		return nil, err
	}
	// In the cgroups: a delete from now on kills the child with the
	// container. Let other commands at the container, so that a resume of
	// a paused one (--ignore-paused) can thaw the child that waits here.
	unlock()
	if err = nsenter.Send(c.sync, nsenter.MsgGo); err != nil {
		return nil, fmt.Errorf("release exec'd process: %w", err)
	}
	if err = c.waitReady(s); err != nil {
		return nil, err
	}
	var master *os.File
	if cons != nil && cons.recvFD >= 0 {
		if master, err = cons.receive(); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				master.Close()
			}
		}()
	}
	if err = nsenter.Send(c.sync, nsenter.MsgStart); err != nil {
		return nil, fmt.Errorf("start exec'd process: %w", err)
	}
	if m, err := nsenter.Recv(c.sync, c.prog); !errors.Is(err, nsenter.ErrInitGone) {
		if err == nil {
			err = fmt.Errorf("start exec'd process: unexpected message %d (pid %d)", m.Type, m.Pid)
		}
		return nil, err
	}
	err = nil // EOF: execve closed the socket
	c.shared.Release()
	unix.Close(c.sync)
	c.sync = -1
	if o.PidFile != "" {
		if err = writePidFile(o.PidFile, c.pid); err != nil {
			return nil, err
		}
	}
	return &Process{Pid: c.pid, pidfd: c.pidfd, Console: master, ConsoleSized: proc.ConsoleSize != nil}, nil
}

// compileExec is the boot program of an exec'd process.
// consoleFD (or -1) is the socket the pty master goes to (process.terminal);
// an exec'd process's pty is not bound on /dev/console, which is init's.
// The child first moves itself into the cgroup v1 hierarchies of cgFiles
// (see cgroupJoin), then joins the namespaces nsFlags of init through its
// (kept) pidfd.
func compileExec(s *specs.Spec, stateRoot string, syncFD, consoleFD int, keep []int, cgFiles []nsenter.CgroupFile, pidfd int, nsFlags uint64, fork bool) (*bootPlan, error) {
	keep = keepWith(keep, consoleFD, cgFiles)
	b := &bootPlan{prog: nsenter.NewProgram(syncFD, -1, keep), cwdExists: true, consoleFD: consoleFD, stateRoot: stateRoot}
	p := b.prog
	if len(cgFiles) > 0 {
		p.JoinCgroups(cgFiles)
	}
	p.WaitGo()
	if adj := s.Process.OOMScoreAdj; adj != nil {
		// The host's /proc, before the joins: inherited by the fork below.
		p.WriteHost("process.oomScoreAdj", "/proc/self/oom_score_adj", strconv.Itoa(*adj))
	}
	if nsFlags != 0 {
		p.JoinPidfd(pidfd, nsFlags)
	}
	p.OpenRoot()
	if fork {
		p.Fork(0)
	}
	p.Setsid()
	if err := b.compileProcess(s.Process, s, ""); err != nil {
		return nil, err
	}
	return b, nil
}

// namespacesOf is the namespaces of pid that are not rt's own (CLONE_NEW*
// flags), and whether the child must fork to enter them (a pid or time
// namespace applies to children only). The caller checks pid is still the
// process it pinned with a pidfd afterwards: the child joins through that.
func namespacesOf(pid int) (flags uint64, fork bool, err error) {
	base := "/proc/" + strconv.Itoa(pid) + "/ns/"
	for _, ns := range execNamespaces {
		var theirs, ours unix.Stat_t
		if err := unix.Stat(base+ns.name, &theirs); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // a namespace type this kernel lacks
			}
			return 0, false, fmt.Errorf("stat namespace %s%s: %w", base, ns.name, err)
		}
		if unix.Stat("/proc/self/ns/"+ns.name, &ours) == nil && ours.Ino == theirs.Ino && ours.Dev == theirs.Dev {
			continue // shared with rt: nothing to join
		}
		flags |= ns.flag
		if ns.flag == cloneNewPID || ns.flag == cloneNewTime {
			fork = true
		}
	}
	return flags, fork, nil
}

// exited says whether the process of a pidfd has exited.
func exited(pidfd int) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0
}

// execChild is the process Exec spawned, while it is set up.
type execChild struct {
	pid, pidfd, sync int
	prog             *nsenter.Program
	shared           *nsenter.Shared
}

// waitReady serves the child until it is ready; after a fork the process
// that goes on is the one reported in MsgPid, also rt's child.
func (c *execChild) waitReady(s *State) error {
	return serveUntilReady(c.sync, c.prog, &c.pid, &c.pidfd, "exec'd process", nil,
		func(fd int) error {
			// The container's filter has notify rules: its agent gets
			// this process's listener too, as it got init's.
			return s.sendSeccompFD(Running, c.pid, fd)
		})
}

// abort kills and reaps what a failed Exec spawned.
func (c *execChild) abort() {
	if c.pidfd >= 0 {
		unix.PidfdSendSignal(c.pidfd, unix.SIGKILL, nil, 0)
		var ws unix.WaitStatus
		unix.Wait4(c.pid, &ws, 0, nil)
		unix.Close(c.pidfd)
		c.pidfd = -1
	}
	if c.sync >= 0 {
		unix.Close(c.sync)
		c.sync = -1
	}
}

// Signal sends sig to the process through its pidfd.
func (p *Process) Signal(sig unix.Signal) error {
	return unix.PidfdSendSignal(p.pidfd, sig, nil, 0)
}

// Wait reaps the process and returns its exit code (128+signal when a
// signal killed it).
func (p *Process) Wait() (int, error) {
	code, err := waitExit(p.Pid, p.pidfd)
	unix.Close(p.pidfd)
	p.pidfd = -1
	return code, err
}

// Release lets the process go on without rt (--detach).
func (p *Process) Release() {
	if p.pidfd >= 0 {
		unix.Close(p.pidfd)
		p.pidfd = -1
	}
}
