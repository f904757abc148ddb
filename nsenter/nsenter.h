/*
 * The contract between rt (Go, the parent) and its init stage (C, the child).
 *
 * The parent compiles config.json into a "boot program": a header and a list
 * of operations. rt_spawn() clones the child straight into its new namespaces;
 * the child runs the operations in order, using only raw system calls (it is a
 * fork of a multi-threaded Go process and never returns into Go), and ends in
 * execve of the container's program. Go decides everything; C only executes.
 *
 * Encoding (little endian): every integer is a u64; every string is a u64
 * length, the bytes, and a NUL; a list is a u64 count and its items.
 *   header: u64 magic, u64 sync_fd, u64 listen_fd (or ~0), list of u64 kept fds
 *   then repeated: u64 op, arguments as listed below
 */
#ifndef RT_NSENTER_H
#define RT_NSENTER_H

#include <stdint.h>
#include <stddef.h>

#define RT_BOOT_MAGIC 0x7274626f6f740001ULL

enum rt_op {
	RT_OP_WAIT_GO = 1,      /* wait until the parent has set up maps and cgroups */
	RT_OP_JOIN_NS,          /* list of (u64 nstype, str path): open all, then setns each */
	RT_OP_UNSHARE,          /* u64 flags */
	RT_OP_SYNC_MAPS,        /* ask the parent to write our uid/gid maps, wait until done */
	RT_OP_TIMENS_OFFSETS,   /* str content of /proc/self/timens_offsets */
	RT_OP_FORK,             /* u64 flags (| RT_FORK_SHARED): fork: the new process goes on, the old one
	                           reports its pid and exits */
	RT_OP_SETSID,
	RT_OP_LOOPBACK_UP,
	RT_OP_ROOT_PROPAGATION, /* u64 mount flags applied to "/" */
	RT_OP_ROOTFS,           /* str path: bind it on itself; later paths resolve inside it */
	RT_OP_MOUNT_BIND,       /* str src, str dest, u64 kind, u64 recursive, u64 attr_set, u64 attr_clr,
	                           u64 rattr_set, u64 rattr_clr, u64 propagation */
	RT_OP_MOUNT_FS,         /* str fstype, str source, str dest, u64 kind, u64 attr_set, u64 attr_clr,
	                           u64 propagation, list of str options ("key=value" or "flag") */
	RT_OP_SETATTR,          /* str dest, u64 attr_set, u64 attr_clr, u64 recursive */
	RT_OP_MKNOD,            /* str dest, u64 mode, u64 dev, u64 uid, u64 gid */
	RT_OP_BIND_DEV,         /* str host path, str dest */
	RT_OP_SYMLINK,          /* str target, str dest */
	RT_OP_MKDIR,            /* str dest, u64 mode */
	RT_OP_PIVOT,            /* u64 no_pivot */
	RT_OP_MASK,             /* str path */
	RT_OP_READONLY,         /* str path */
	RT_OP_WRITE_ROOT,       /* str path inside the root, str content */
	RT_OP_WRITE_HOST,       /* str absolute path as the child sees it now, str content */
	RT_OP_HOSTNAME,         /* str */
	RT_OP_DOMAINNAME,       /* str */
	RT_OP_CHDIR,            /* str */
	RT_OP_RLIMIT,           /* u64 resource, u64 soft, u64 hard */
	RT_OP_UMASK,            /* u64 */
	RT_OP_BOUNDING,         /* u64 last cap, u64 mask of capabilities to keep */
	RT_OP_SETGROUPS,        /* list of u64 gids */
	RT_OP_SETID,            /* u64 uid, u64 gid: keeps permitted capabilities across the switch */
	RT_OP_CAPS,             /* u64 effective, u64 permitted, u64 inheritable, u64 ambient, u64 last cap */
	RT_OP_NO_NEW_PRIVS,
	RT_OP_SECCOMP,          /* u64 flags, str BPF program (struct sock_filter array); with
	                           SECCOMP_FILTER_FLAG_NEW_LISTENER the fd goes to the parent in RT_MSG_SECCOMP_FD */
	RT_OP_LOOKUP,           /* str argv0, str PATH: find the program now, so create fails if it is missing */
	RT_OP_READY,            /* tell the parent we are ready, then wait for start */
	RT_OP_EXEC,             /* list of str argv, list of str env */
	RT_OP_OPEN_ROOT,        /* after joining a mount namespace: its root is the root for later paths */
	RT_OP_LISTEN_PID,       /* EXEC sets LISTEN_PID= in env to the process's own pid (socket activation) */
	RT_OP_CHDIR_EXISTING,   /* str: like CHDIR, but the directory must exist (exec) */
	RT_OP_PERSONALITY,      /* u64 persona */
	RT_OP_IOPRIO,           /* u64 ioprio value (class << 13 | level) */
	RT_OP_SCHED,            /* u64 policy, u64 flags, u64 nice (signed), u64 priority, u64 runtime,
	                           u64 deadline, u64 period: sched_setattr */
	RT_OP_DUMPABLE,         /* u64 0 or 1: PR_SET_DUMPABLE (a non-root parent writes our maps only while we are) */
	RT_OP_MOUNT_TREE,       /* u64 fd of a detached mount made by the parent (an idmapped bind),
	                           then the arguments of RT_OP_MOUNT_BIND (src only names it) */
	RT_OP_TERMINAL,         /* u64 console fd, u64 rows, u64 cols, u64 uid, u64 mount /dev/console:
	                           a pty from the container's devpts becomes the controlling terminal
	                           and stdio; the master goes to the console fd (SCM_RIGHTS) */
	RT_OP_JOIN_CGROUPS,     /* list of (u64 fd, str path): write "0" to each cgroup v1 "tasks" fd (the
	                           parent opened them), close it, then send RT_MSG_JOINED */
	RT_OP_JOIN_PIDFD,       /* u64 pidfd, u64 CLONE_NEW* flags: join those namespaces of that process
	                           at once (setns on a pidfd), then close it */
};

/* RT_OP_FORK flag: the new process shares the old one's memory (CLONE_VM) on a
 * stack of its own; the old one only reports and exits. Not with a time
 * namespace: a CLONE_VM child does not enter the namespace's clocks. */
#define RT_FORK_SHARED (1ULL << 63)

/* How a mount target is created when it does not exist. */
enum rt_kind { RT_KIND_DIR = 0, RT_KIND_FILE = 1 };

/* Messages on the SOCK_SEQPACKET sync socket, one struct per packet. */
enum rt_msg_type {
	RT_MSG_GO = 1,          /* parent -> child */
	RT_MSG_MAPS_PLEASE,     /* child -> parent */
	RT_MSG_MAPS_DONE,       /* parent -> child */
	RT_MSG_PID,             /* child -> parent: the process that goes on is now pid */
	RT_MSG_READY,           /* child -> parent */
	RT_MSG_START,           /* parent or `rt start` -> child */
	RT_MSG_ERROR,           /* child -> parent: op failed with err, text says where */
	RT_MSG_SECCOMP_FD,      /* child -> parent: the seccomp notify fd, in SCM_RIGHTS */
	RT_MSG_JOINED,          /* child -> parent: RT_OP_JOIN_CGROUPS is done */
};

struct rt_msg {
	uint32_t type;
	int32_t op;             /* index of the failing operation, from 0 */
	int32_t err;            /* errno */
	int32_t pid;
	char text[1024];
};

/* The data at the end of the exec stub's image (stub_*.S), filled in by the
 * child before it execs the stub; the offsets are fixed in the assembly. */
struct rt_stub_data {
	int64_t fd;             /* where to send RT_MSG_ERROR if the exec fails */
	int64_t op;             /* index of the exec operation */
	char path[4096];        /* the container's program */
	char text[1024];        /* the error text */
};

/* Clone the child with clone3(flags) (plus CLONE_INTO_CGROUP when cgroup_fd >= 0).
 * In the parent: returns the pid and stores a pidfd in *pidfd, or -1 with errno.
 * The child never returns. */
int rt_spawn(const uint8_t *boot, size_t len, uint64_t flags, int cgroup_fd, int *pidfd);

/* Like rt_spawn, but the child shares rt's memory (CLONE_VM, as posix_spawn
 * does) and runs on [stack, stack + stack_size): no page table is copied and
 * neither side takes copy-on-write faults. flags must fit clone()'s 32 bits
 * (no CLONE_NEWTIME). cgroup_fd works where rt_spawn_shared_into_cgroup is
 * 1 (clone3 from assembly); elsewhere it must be -1. The caller keeps boot and
 * the stack mapped until the child has exec'd or died, and must not run C code
 * on the calling thread that relies on errno meanwhile (the child shares its
 * TLS). */
int rt_spawn_shared(const uint8_t *boot, size_t len, uint64_t flags, int cgroup_fd, void *stack, size_t stack_size,
                    int *pidfd);
extern const int rt_spawn_shared_into_cgroup;
/* Clone a child into a new user namespace that only waits to be killed, so the
 * parent can write its maps and open /proc/<pid>/ns/user (the user namespace
 * of an idmapped mount). Returns the pid and stores a pidfd, or -1 with errno. */
int rt_userns_holder(int *pidfd);

#endif
