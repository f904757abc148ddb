package libcontainer

import (
	"fmt"
	"os"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/libcontainer/capabilities"
	"rt/libcontainer/config"
	"rt/nsenter"
	"rt/rootfs"
)

const (
	cloneNewCgroup = 0x02000000
	cloneNewPID    = 0x20000000
	cloneNewTime   = 0x00000080
	cloneNewUser   = 0x10000000
	cloneNewNet    = 0x40000000
)

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// bootPlan is a compiled container: the clone flags and the child's program.
type bootPlan struct {
	prog       *nsenter.Program
	cloneFlags uint64 // given to clone3
	mapsByRT   bool   // rt writes the id maps right after clone (new userns in clone3)
	cwdExists  bool   // the cwd must exist (exec); init creates it, as runc
	// mapsFirst: the child asks for its maps (MAPS_PLEASE) before waiting
	// for GO: a non-root rt may write them only once the child lets it.
	mapsFirst bool
	warnings  []string
	notes     []string // for the debug log
	// stateRoot is --root, where compiled seccomp filters are cached.
	stateRoot string
	// process.terminal: the socket the child sends its pty master on (-1:
	// none), and whether the pty also becomes /dev/console (init, not exec).
	consoleFD   int
	bindConsole bool
}

// keepWith is keep plus the console socket (if any) and the cgroup files:
// the fds the child needs.
func keepWith(keep []int, consoleFD int, cgFiles []nsenter.CgroupFile) []int {
	out := append([]int(nil), keep...)
	if consoleFD >= 0 {
		out = append(out, consoleFD)
	}
	for _, f := range cgFiles {
		out = append(out, f.FD)
	}
	return out
}

// compile turns a validated spec into the init stage's program. Nothing here
// touches the system beyond reading: the order of operations is the design of
// the container's start and is documented in docs/design.md.
// The child first moves itself into the cgroup v1 hierarchies of cgFiles
// (see cgroupJoin).
func compile(s *specs.Spec, bundle, stateRoot string, syncFD, listenFD, consoleFD int, keep []int, cgFiles []nsenter.CgroupFile, ro rootfs.Options) (*bootPlan, error) {
	keep = keepWith(keep, consoleFD, cgFiles)
	b := &bootPlan{prog: nsenter.NewProgram(syncFD, listenFD, keep), consoleFD: consoleFD, bindConsole: true, stateRoot: stateRoot}
	p := b.prog
	if len(cgFiles) > 0 {
		p.JoinCgroups(cgFiles)
	}

	var newFlags uint64
	var joins []nsenter.NSPath
	for _, ns := range s.Linux.Namespaces {
		f := config.NamespaceFlags[ns.Type]
		if ns.Path == "" {
			newFlags |= f
		} else {
			joins = append(joins, nsenter.NSPath{Type: f, Path: ns.Path})
		}
	}
	// Join the user namespace first: it owns what the others need.
	sort.SliceStable(joins, func(i, j int) bool { return joins[i].Type == cloneNewUser && joins[j].Type != cloneNewUser })

	unprivileged := os.Geteuid() != 0
	if unprivileged && newFlags&cloneNewUser != 0 && len(joins) == 0 && len(s.Linux.TimeOffsets) == 0 {
		b.mapsFirst = true
		p.SyncMapsUnprivileged()
	}
	p.WaitGo()
	// The cgroup namespace is made after rt has put the child in its cgroups,
	// so that the namespace's root is the container's cgroup.
	late := newFlags & cloneNewCgroup
	early := newFlags &^ cloneNewCgroup
	mustFork := len(joins) > 0 || len(s.Linux.TimeOffsets) > 0
	if !mustFork {
		// Common case: one clone3 straight into every new namespace.
		b.cloneFlags = early
		b.mapsByRT = early&cloneNewUser != 0 && !b.mapsFirst
	} else {
		if len(joins) > 0 {
			p.JoinNS(joins)
		}
		now := early &^ (cloneNewPID | cloneNewTime)
		if now != 0 {
			p.Unshare(now, "linux.namespaces: unshare")
		}
		if now&cloneNewUser != 0 && unprivileged {
			p.SyncMapsUnprivileged()
		} else if now&cloneNewUser != 0 {
			p.SyncMaps()
		}
		// pid and time namespaces apply to children only: fork into them.
		later := early & (cloneNewPID | cloneNewTime)
		joinsPid := false
		for _, j := range joins {
			joinsPid = joinsPid || j.Type == cloneNewPID || j.Type == cloneNewTime
		}
		if later != 0 || joinsPid {
			if later != 0 {
				p.Unshare(later, "linux.namespaces: unshare pid/time")
			}
			if len(s.Linux.TimeOffsets) > 0 {
				p.TimensOffsets(timeOffsets(s.Linux.TimeOffsets))
			}
			p.Fork(0)
		}
	}
	if late != 0 {
		p.Unshare(late, "linux.namespaces: unshare cgroup")
	}
	p.Setsid()
	if newFlags&cloneNewNet != 0 {
		p.LoopbackUp()
	}
	if s.Hostname != "" {
		p.Hostname(s.Hostname)
	}
	if s.Domainname != "" {
		p.Domainname(s.Domainname)
	}
	proc := s.Process
	if proc.OOMScoreAdj != nil {
		desc := "process.oomScoreAdj"
		if *proc.OOMScoreAdj < 0 && !hasCap(unix.CAP_SYS_RESOURCE) {
			// Shown only if the write fails: the kernel wants the capability
			// to go below the lowest value a privileged process set.
			desc += fmt.Sprintf(" (%d: a negative score needs CAP_SYS_RESOURCE, which rt does not have here)", *proc.OOMScoreAdj)
		}
		p.WriteHost(desc, "/proc/self/oom_score_adj", fmt.Sprint(*proc.OOMScoreAdj))
	}
	// Before the rootfs: /proc is still the host's, so the image cannot
	// put a plain file where the LSM's attr file should be.
	if err := lsmLabels(p, proc, s); err != nil {
		return nil, err
	}
	if ro.UserNS {
		// Only now: until here the child keeps its host uid, which owns
		// its (non-dumpable) /proc/self files, e.g. timens_offsets and
		// oom_score_adj.
		p.BecomeRoot()
	}
	if err := rootfs.Plan(p, s, ro); err != nil {
		return nil, err
	}
	if err := b.compileProcess(proc, s, bundle); err != nil {
		return nil, err
	}
	return b, nil
}

// compileProcess appends what every container process goes through after
// its namespaces and root are in place, the container's init and an exec'd
// process alike: rlimits, cwd, umask, capabilities and ids, no_new_privs,
// finding the program, the start barrier and execve. Everything that must
// happen as late as possible before execve (a seccomp filter) goes here.
func (b *bootPlan) compileProcess(proc *specs.Process, s *specs.Spec, bundle string) error {
	p := b.prog
	if err := b.terminal(proc); err != nil {
		return err
	}
	filter, err := b.compileSeccomp(s)
	if err != nil {
		return err
	}
	for i, r := range proc.Rlimits {
		if err := checkRlimit(i, r); err != nil {
			return err
		}
		p.Rlimit(fmt.Sprintf("process.rlimits[%d] (%s)", i, r.Type), config.Rlimits[r.Type], r.Soft, r.Hard)
	}
	// Personality, I/O priority and scheduler come before the capabilities
	// are dropped: the real-time classes need CAP_SYS_ADMIN / CAP_SYS_NICE.
	if s.Linux != nil && s.Linux.Personality != nil {
		persona, err := personality(s.Linux.Personality)
		if err != nil {
			return err
		}
		p.Personality(persona)
	}
	if proc.IOPriority != nil {
		v, err := ioPriority(proc.IOPriority)
		if err != nil {
			return err
		}
		p.IOPrio(v)
	}
	if proc.Scheduler != nil {
		a, err := scheduler(proc.Scheduler)
		if err != nil {
			return err
		}
		p.Sched(a)
	}
	if b.cwdExists {
		p.ChdirExisting(proc.Cwd)
	} else {
		p.Chdir(proc.Cwd)
	}
	umask := uint32(0o022)
	if proc.User.Umask != nil {
		umask = *proc.User.Umask
	}
	p.Umask(umask)

	caps := proc.Capabilities
	if caps == nil {
		caps = &specs.LinuxCapabilities{}
	}
	var masks [5]uint64
	for i, set := range []struct {
		list []string
		path string
	}{
		{caps.Bounding, "process.capabilities.bounding"},
		{caps.Effective, "process.capabilities.effective"},
		{caps.Permitted, "process.capabilities.permitted"},
		{caps.Inheritable, "process.capabilities.inheritable"},
		{caps.Ambient, "process.capabilities.ambient"},
	} {
		m, w, err := capabilities.Mask(set.list, set.path)
		if err != nil {
			return err
		}
		masks[i] = m
		b.warnings = append(b.warnings, w...)
	}
	last := capabilities.Last()
	p.Bounding(last, masks[0])
	// Without privilege over the user namespace setgroups is denied: only clear groups when we may.
	if len(proc.User.AdditionalGids) > 0 || os.Geteuid() == 0 {
		p.Setgroups(proc.User.AdditionalGids)
	}
	// Where the seccomp filter is loaded (as runc decides it): without
	// no_new_privs the kernel lets only a task with CAP_SYS_ADMIN load a
	// filter, so it goes in before the uid switch and capset drop that
	// capability, and the filter then also sees those last setup calls.
	// With no_new_privs it goes in as late as it can, so that a profile
	// need not allow rt's own system calls: just before execve, after
	// the start barrier, unless it has SCMP_ACT_NOTIFY rules: the notify fd
	// must reach the agent through rt, which (for `rt create`) is gone
	// once the child is READY, so then it is loaded just before READY.
	early := filter != nil && !proc.NoNewPrivileges
	if early {
		p.Seccomp(filter.Flags, filter.BPF)
	}
	p.SetID(proc.User.UID, proc.User.GID)
	p.Caps(masks[1], masks[2], masks[3], masks[4], last)
	if proc.NoNewPrivileges {
		p.NoNewPrivs()
	}
	env := withHome(proc.Env, rootPath(s, bundle), proc.User.UID)
	if e, ok := withListenPid(env); ok {
		// Socket activation (--preserve-fds with LISTEN_FDS): the fds are
		// for the program, whose pid only the child knows once it runs in
		// its pid namespace; the child fills in LISTEN_PID at exec.
		env = e
		p.ListenPid()
	}
	p.Lookup(proc.Args[0], pathOf(env))
	if !early && filter != nil && filter.Notify {
		p.Seccomp(filter.Flags, filter.BPF)
	}
	p.Ready()
	if !early && filter != nil && !filter.Notify {
		p.Seccomp(filter.Flags, filter.BPF)
	}
	p.Exec(proc.Args, env)
	return nil
}

// withListenPid returns env with a LISTEN_PID entry for the child to fill
// in, when env sets LISTEN_FDS.
func withListenPid(env []string) ([]string, bool) {
	for _, e := range env {
		if strings.HasPrefix(e, "LISTEN_FDS=") {
			out := make([]string, 0, len(env)+1)
			for _, e := range env {
				if !strings.HasPrefix(e, "LISTEN_PID=") {
					out = append(out, e)
				}
			}
			return append(out, "LISTEN_PID="), true
		}
	}
	return env, false
}

func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return defaultPath
}

// withHome adds HOME from the container's /etc/passwd when the config does
// not set it, as runc does; the file is read through an os.Root so a symlink
// in the image cannot point the read at the host.
func withHome(env []string, root string, uid uint32) []string {
	for _, e := range env {
		if strings.HasPrefix(e, "HOME=") {
			return env
		}
	}
	home := "/"
	if r, err := os.OpenRoot(root); err == nil {
		if data, err := r.ReadFile("etc/passwd"); err == nil {
			if h := homeOf(string(data), uid); h != "" {
				home = h
			}
		}
		r.Close()
	}
	return append(append([]string(nil), env...), "HOME="+home)
}

func homeOf(passwd string, uid uint32) string {
	want := fmt.Sprint(uid)
	for _, line := range strings.Split(passwd, "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[2] == want {
			return f[5]
		}
	}
	return ""
}

func timeOffsets(o map[string]specs.LinuxTimeOffset) string {
	var sb strings.Builder
	for clock, off := range o {
		fmt.Fprintf(&sb, "%s %d %d\n", clock, off.Secs, off.Nanosecs)
	}
	return sb.String()
}

// checkRlimit refuses, before anything is set up, a hard limit above rt's own
// when rt may not raise it (no CAP_SYS_RESOURCE, as on hosts whose bounding
// set lacks it): the child's setrlimit would fail with a bare EPERM.
func checkRlimit(i int, r specs.POSIXRlimit) error {
	var cur unix.Rlimit
	if err := unix.Getrlimit(config.Rlimits[r.Type], &cur); err != nil {
		return nil
	}
	if r.Hard <= cur.Max || hasCap(unix.CAP_SYS_RESOURCE) {
		return nil
	}
	return fmt.Errorf("process.rlimits[%d] (%s): hard limit %d is above rt's own hard limit %d, and raising it needs CAP_SYS_RESOURCE, which rt does not have here", i, r.Type, r.Hard, cur.Max)
}

// hasCap says whether rt's effective set has capability c.
func hasCap(c int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[c/32].Effective&(1<<(uint(c)%32)) != 0
}
