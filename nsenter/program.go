// Package nsenter is rt's init stage: the code that runs in the container's
// process between clone and execve of the container's program.
//
// That code is C (nsenter.c) because the process is a fork of multi-threaded
// Go: it may only make system calls until it execs, and it joins mount and
// user namespaces, which needs a single thread. All decisions are made here in
// Go, ahead of time: a Program is the list of operations the child executes,
// in order, each with a description that names what it does so a failure in the
// child comes back as a clear error.
package nsenter

/*
#include "nsenter.h"
*/
import "C"

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Kind says what to create when a mount target does not exist.
type Kind uint64

const (
	KindDir  Kind = C.RT_KIND_DIR
	KindFile Kind = C.RT_KIND_FILE
)

// Program is a boot program under construction.
type Program struct {
	buf    []byte
	descs  []string
	forks  bool
	timens bool // the program unshares or joins a time namespace
}

// NewProgram starts a program whose child talks to rt on syncFD, waits for
// `rt start` on listenFD (or -1 to wait on syncFD), and keeps only stdio and
// the given fds open.
func NewProgram(syncFD, listenFD int, keep []int) *Program {
	p := &Program{buf: make([]byte, 0, 4096)}
	p.u64(C.RT_BOOT_MAGIC)
	p.u64(uint64(syncFD))
	p.u64(uint64(int64(listenFD)))
	all := append([]int{syncFD}, keep...)
	if listenFD >= 0 {
		all = append(all, listenFD)
	}
	p.u64(uint64(len(all)))
	for _, fd := range all {
		p.u64(uint64(fd))
	}
	return p
}

// Bytes is the encoded program.
func (p *Program) Bytes() []byte { return p.buf }

// Describe is the description of operation i, for errors from the child.
func (p *Program) Describe(i int) string {
	if i >= 0 && i < len(p.descs) {
		return p.descs[i]
	}
	return "container init"
}

func (p *Program) u64(v uint64) { p.buf = binary.LittleEndian.AppendUint64(p.buf, v) }

func (p *Program) str(s string) {
	p.u64(uint64(len(s)))
	p.buf = append(p.buf, s...)
	p.buf = append(p.buf, 0)
}

func (p *Program) strs(v []string) {
	p.u64(uint64(len(v)))
	for _, s := range v {
		p.str(s)
	}
}

func (p *Program) op(code C.enum_rt_op, desc string) {
	p.u64(uint64(code))
	p.descs = append(p.descs, desc)
}

// CgroupFile is a cgroup v1 "tasks" file rt opened for the child to move
// itself into that cgroup.
type CgroupFile struct {
	FD   int
	Path string
}

// JoinCgroups has the child move itself into each file's cgroup, writing "0"
// (itself) to it, and then report MsgJoined: a thread moving itself takes no
// global lock, where rt writing the child's pid to cgroup.procs waits for an
// RCU grace period (~5 ms on a quiet host). The fds must be kept ones; the
// child closes them.
func (p *Program) JoinCgroups(files []CgroupFile) {
	p.op(C.RT_OP_JOIN_CGROUPS, "join the container's cgroups")
	p.u64(uint64(len(files)))
	for _, f := range files {
		p.u64(uint64(f.FD))
		p.str(f.Path)
	}
}

// JoinPidfd joins the namespaces flags (CLONE_NEW*) of the process of
// pidfd, all at once: the kernel orders them (the user namespace first) and
// the pidfd is that process, whatever became of its pid. The fd must be a
// kept one; the child closes it.
func (p *Program) JoinPidfd(pidfd int, flags uint64) {
	p.op(C.RT_OP_JOIN_PIDFD, "linux.namespaces: join those of the container's init")
	p.u64(uint64(pidfd))
	p.u64(flags)
	p.timens = p.timens || flags&unix.CLONE_NEWTIME != 0
}

// NSPath is a namespace to join: its CLONE_NEW* type and the path of its file.
type NSPath struct {
	Type uint64
	Path string
}

func (p *Program) WaitGo() { p.op(C.RT_OP_WAIT_GO, "wait for the runtime") }

func (p *Program) JoinNS(ns []NSPath) {
	p.op(C.RT_OP_JOIN_NS, "linux.namespaces: join")
	p.u64(uint64(len(ns)))
	for _, n := range ns {
		p.u64(n.Type)
		p.str(n.Path)
		p.timens = p.timens || n.Type == unix.CLONE_NEWTIME
	}
}

func (p *Program) Unshare(flags uint64, desc string) {
	p.op(C.RT_OP_UNSHARE, desc)
	p.u64(flags)
	p.timens = p.timens || flags&unix.CLONE_NEWTIME != 0
}

// OwnMemory says whether the process that runs the program must have memory
// of its own rather than share its parent's (CLONE_VM): a time namespace
// wants that twice over, as setns(CLONE_NEWTIME) refuses a shared mm and
// its clocks reach only a child whose memory is not shared.
func (p *Program) OwnMemory() bool { return p.timens }
func (p *Program) SyncMaps()       { p.op(C.RT_OP_SYNC_MAPS, "write uid/gid mappings") }

// SyncMapsUnprivileged is SyncMaps for a parent that is not root: /proc/<pid>/uid_map
// of a non-dumpable process belongs to root, so the child is dumpable (to
// its own user only, who owns rt too) just while the parent writes.
func (p *Program) SyncMapsUnprivileged() {
	p.op(C.RT_OP_DUMPABLE, "make the init stage dumpable for its maps")
	p.u64(1)
	p.SyncMaps()
	p.op(C.RT_OP_DUMPABLE, "make the init stage non-dumpable again")
	p.u64(0)
}
func (p *Program) TimensOffsets(content string) {
	p.op(C.RT_OP_TIMENS_OFFSETS, "linux.timeOffsets")
	p.str(content)
}

// Fork forks the process that goes on into the namespaces just entered
// (pid and time namespaces apply to children only). The new process shares
// the old one's memory (no page tables copied) unless OwnMemory.
func (p *Program) Fork(flags uint64) {
	p.op(C.RT_OP_FORK, "fork into the new namespaces")
	if !p.timens {
		flags |= C.RT_FORK_SHARED
	}
	p.u64(flags)
	p.forks = true
}

// Forks says whether the program has a FORK, so that its child reports
// the pid of the process that goes on (MsgPid). That message comes from the
// old process and may arrive after the new one's READY.
func (p *Program) Forks() bool { return p.forks }
func (p *Program) Setsid()     { p.op(C.RT_OP_SETSID, "setsid") }
func (p *Program) LoopbackUp() { p.op(C.RT_OP_LOOPBACK_UP, "bring up lo in the new network namespace") }
func (p *Program) RootPropagation(flags uint64) {
	p.op(C.RT_OP_ROOT_PROPAGATION, "linux.rootfsPropagation")
	p.u64(flags)
}
func (p *Program) Rootfs(path string) { p.op(C.RT_OP_ROOTFS, "root.path "+path); p.str(path) }

// Attr is a set of MOUNT_ATTR_* changes.
type Attr struct{ Set, Clear uint64 }

// Bind is a bind mount: src on the host onto dest inside the root.
type Bind struct {
	Src, Dest   string
	Kind        Kind
	Recursive   bool
	Attr        Attr // on the top mount
	RecAttr     Attr // on every mount of the tree
	Propagation uint64
}

func (p *Program) MountBind(desc string, b Bind) {
	p.op(C.RT_OP_MOUNT_BIND, desc)
	p.bindArgs(b)
}

// MountTree attaches a detached mount that rt made (fd, kept across the
// clone and closed by the child once attached) like MountBind; b.Src only
// names it in errors.
func (p *Program) MountTree(desc string, fd int, b Bind) {
	p.op(C.RT_OP_MOUNT_TREE, desc)
	p.u64(uint64(fd))
	p.bindArgs(b)
}

func (p *Program) bindArgs(b Bind) {
	p.str(b.Src)
	p.str(b.Dest)
	p.u64(uint64(b.Kind))
	p.u64(boolU64(b.Recursive))
	p.u64(b.Attr.Set)
	p.u64(b.Attr.Clear)
	p.u64(b.RecAttr.Set)
	p.u64(b.RecAttr.Clear)
	p.u64(b.Propagation)
}

// FS is a new filesystem instance mounted on dest inside the root.
type FS struct {
	Type, Source, Dest string
	Kind               Kind
	Attr               Attr
	Propagation        uint64
	Options            []string // "key=value" or "flag", given to fsconfig one by one
}

func (p *Program) MountFS(desc string, f FS) {
	p.op(C.RT_OP_MOUNT_FS, desc)
	p.str(f.Type)
	p.str(f.Source)
	p.str(f.Dest)
	p.u64(uint64(f.Kind))
	p.u64(f.Attr.Set)
	p.u64(f.Attr.Clear)
	p.u64(f.Propagation)
	p.strs(f.Options)
}

func (p *Program) SetAttr(desc, dest string, a Attr, recursive bool) {
	p.op(C.RT_OP_SETATTR, desc)
	p.str(dest)
	p.u64(a.Set)
	p.u64(a.Clear)
	p.u64(boolU64(recursive))
}

func (p *Program) Mknod(desc, dest string, mode, dev uint64, uid, gid uint32) {
	p.op(C.RT_OP_MKNOD, desc)
	p.str(dest)
	p.u64(mode)
	p.u64(dev)
	p.u64(uint64(uid))
	p.u64(uint64(gid))
}

func (p *Program) BindDev(desc, host, dest string) {
	p.op(C.RT_OP_BIND_DEV, desc)
	p.str(host)
	p.str(dest)
}

func (p *Program) Symlink(target, dest string) {
	p.op(C.RT_OP_SYMLINK, "symlink "+dest+" -> "+target)
	p.str(target)
	p.str(dest)
}

func (p *Program) Mkdir(desc, dest string, mode uint64) {
	p.op(C.RT_OP_MKDIR, desc)
	p.str(dest)
	p.u64(mode)
}

func (p *Program) Pivot(noPivot bool) {
	desc := "pivot_root into the rootfs"
	if noPivot {
		desc = "move the rootfs to / and chroot (--no-pivot)"
	}
	p.op(C.RT_OP_PIVOT, desc)
	p.u64(boolU64(noPivot))
}

func (p *Program) Mask(desc, path string)     { p.op(C.RT_OP_MASK, desc); p.str(path) }
func (p *Program) Readonly(desc, path string) { p.op(C.RT_OP_READONLY, desc); p.str(path) }

// WriteRoot writes a file inside the root (after pivot: the container's view).
func (p *Program) WriteRoot(desc, path, content string) {
	p.op(C.RT_OP_WRITE_ROOT, desc)
	p.str(path)
	p.str(content)
}

// WriteHost writes a file by its path as the child sees it at that point.
func (p *Program) WriteHost(desc, path, content string) {
	p.op(C.RT_OP_WRITE_HOST, desc)
	p.str(path)
	p.str(content)
}

func (p *Program) Hostname(h string)   { p.op(C.RT_OP_HOSTNAME, "hostname "+h); p.str(h) }
func (p *Program) Domainname(d string) { p.op(C.RT_OP_DOMAINNAME, "domainname "+d); p.str(d) }
func (p *Program) Chdir(dir string) {
	p.op(C.RT_OP_CHDIR, "process.cwd "+dir+" (made if missing, as runc does)")
	p.str(dir)
}

// ChdirExisting changes to dir, which must exist (an exec'd process: its
// cwd is not created in a running container).
func (p *Program) ChdirExisting(dir string) {
	p.op(C.RT_OP_CHDIR_EXISTING, "process.cwd "+dir)
	p.str(dir)
}

func (p *Program) Rlimit(desc string, resource int, soft, hard uint64) {
	p.op(C.RT_OP_RLIMIT, desc)
	p.u64(uint64(resource))
	p.u64(soft)
	p.u64(hard)
}

func (p *Program) Umask(mask uint32) { p.op(C.RT_OP_UMASK, "process.user.umask"); p.u64(uint64(mask)) }

func (p *Program) Bounding(last int, keep uint64) {
	p.op(C.RT_OP_BOUNDING, "process.capabilities.bounding")
	p.u64(uint64(last))
	p.u64(keep)
}

func (p *Program) Setgroups(gids []uint32) {
	desc := "process.user.additionalGids"
	if len(gids) == 0 {
		// rt's own groups must not reach the container; a user namespace
		// whose /proc/<pid>/setgroups is "deny" (made by a non-root user)
		// refuses even this.
		desc = "clear the supplementary groups (process.user.additionalGids is empty)"
	}
	p.op(C.RT_OP_SETGROUPS, desc)
	p.u64(uint64(len(gids)))
	for _, g := range gids {
		p.u64(uint64(g))
	}
}

// BecomeRoot switches to uid and gid 0 of the user namespace just entered
// (made by clone or unshare and mapped, or joined): until then the child
// keeps its host ids, which the namespace may not map, and files it made
// on a filesystem of the namespace would fail with EOVERFLOW.
func (p *Program) BecomeRoot() {
	p.op(C.RT_OP_SETID, "become root of the user namespace (linux.uidMappings, linux.gidMappings)")
	p.u64(0)
	p.u64(0)
}

func (p *Program) SetID(uid, gid uint32) {
	p.op(C.RT_OP_SETID, "process.user uid/gid")
	p.u64(uint64(uid))
	p.u64(uint64(gid))
}

// Caps sets the effective, permitted, inheritable and ambient sets (bit masks).
func (p *Program) Caps(eff, perm, inh, amb uint64, last int) {
	p.op(C.RT_OP_CAPS, "process.capabilities")
	p.u64(eff)
	p.u64(perm)
	p.u64(inh)
	p.u64(amb)
	p.u64(uint64(last))
}

func (p *Program) NoNewPrivs() { p.op(C.RT_OP_NO_NEW_PRIVS, "process.noNewPrivileges") }

// Seccomp loads a compiled classic BPF program (an array of struct sock_filter).
func (p *Program) Seccomp(flags uint64, bpf []byte) {
	p.op(C.RT_OP_SECCOMP, "linux.seccomp")
	p.u64(flags)
	p.str(string(bpf))
}

// Personality sets the execution domain (personality(2)).
func (p *Program) Personality(persona uint64) {
	p.op(C.RT_OP_PERSONALITY, "linux.personality")
	p.u64(persona)
}

// IOPrio sets the I/O priority, ioprio_set(IOPRIO_WHO_PROCESS, 0, value).
func (p *Program) IOPrio(value uint64) { p.op(C.RT_OP_IOPRIO, "process.ioPriority"); p.u64(value) }

// Sched is a struct sched_attr.
type Sched struct {
	Policy, Flags             uint64
	Nice                      int32
	Priority                  uint32
	Runtime, Deadline, Period uint64
}

// Sched sets the scheduling policy and its parameters (sched_setattr(2)).
func (p *Program) Sched(a Sched) {
	p.op(C.RT_OP_SCHED, "process.scheduler")
	p.u64(a.Policy)
	p.u64(a.Flags)
	p.u64(uint64(int64(a.Nice)))
	p.u64(uint64(a.Priority))
	p.u64(a.Runtime)
	p.u64(a.Deadline)
	p.u64(a.Period)
}

func (p *Program) Lookup(argv0, path string) {
	p.op(C.RT_OP_LOOKUP, "process.args[0]")
	p.str(argv0)
	p.str(path)
}

func (p *Program) Ready() { p.op(C.RT_OP_READY, "wait for start") }

func (p *Program) Exec(argv, env []string) {
	p.op(C.RT_OP_EXEC, "exec the container's process")
	p.strs(argv)
	p.strs(env)
}

// OpenRoot makes the current root (that of a mount namespace just joined)
// the root later paths resolve in.
func (p *Program) OpenRoot() { p.op(C.RT_OP_OPEN_ROOT, "open the container's root") }

// ListenPid makes Exec set LISTEN_PID in the environment to the process's
// own pid as seen in its pid namespace, known only once it runs there.
func (p *Program) ListenPid() { p.op(C.RT_OP_LISTEN_PID, "set LISTEN_PID") }

// Terminal makes a new pty of the container's devpts the process's
// controlling terminal and its stdio, and sends the master over consoleFD
// (a connected unix socket, kept open for the child). rows and cols are the
// initial window size (0: leave it); uid owns the pty. bindConsole also binds
// it onto /dev/console, for the container's init.
func (p *Program) Terminal(consoleFD int, rows, cols uint16, uid uint32, bindConsole bool) {
	p.op(C.RT_OP_TERMINAL, "process.terminal")
	p.u64(uint64(consoleFD))
	p.u64(uint64(rows))
	p.u64(uint64(cols))
	p.u64(uint64(uid))
	p.u64(boolU64(bindConsole))
}

func boolU64(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// opHostname is exported to the tests, which cannot use cgo.
const opHostname = C.RT_OP_HOSTNAME
