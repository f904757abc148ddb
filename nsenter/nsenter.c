/*
 * rt's init stage: the child side of rt_spawn().
 *
 * The child is cloned from a multi-threaded Go process, so it may only do what
 * is safe after fork in such a process: raw system calls, no malloc, no stdio,
 * no glibc wrapper that keeps process-wide state (setuid and friends broadcast
 * to threads that do not exist here, so they go through syscall()). It never
 * returns into Go: it ends in execve or _exit.
 *
 * Every path inside the container's root is resolved with openat2 and
 * RESOLVE_IN_ROOT, and every mount goes through the fd-based mount API
 * (open_tree, fsopen/fsmount, move_mount, mount_setattr), so a symlink in the
 * rootfs cannot redirect a mount or a device node onto the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "nsenter.h"
#include "timerslack.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "rt: no exec stub (nsenter/stub_<arch>.S) for this architecture"
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef MS_REC
#define MS_REC 16384
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_SLAVE (1 << 19)
#define MS_PRIVATE (1 << 18)
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* ---- state of the child ---- */

static const uint8_t *boot_pos, *boot_end;
static int cur_op = -1;
static int sync_fd = -1, listen_fd = -1, reply_fd = -1;
static int root_fd = -1;
static char exec_path[4096];
static int listen_pid; /* RT_OP_LISTEN_PID seen */
static int stub_fd = -1, stub_err;
static struct rt_stub_data stub_data;

/* The exec stub's image (stub_<arch>.S): ELF and code, then struct rt_stub_data. */
extern const unsigned char rt_stub_image[], rt_stub_image_data[], rt_stub_image_end[];

/* ---- messages and failure ---- */

static size_t str_append(char *buf, size_t off, size_t cap, const char *s)
{
	while (*s && off + 1 < cap)
		buf[off++] = *s++;
	buf[off] = 0;
	return off;
}

static void send_msg(int fd, uint32_t type, int err, int pid, const char *text)
{
	struct rt_msg m;
	memset(&m, 0, sizeof m);
	m.type = type;
	m.op = cur_op;
	m.err = err;
	m.pid = pid;
	if (text)
		str_append(m.text, 0, sizeof m.text, text);
	while (send(fd, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* fail reports the current operation's failure to whoever waits on us and exits.
 * what names the step (and the path) that failed, e.g. "mount proc on proc". */
static void __attribute__((noreturn)) fail3(int err, const char *a, const char *b, const char *c)
{
	char text[1024];
	size_t n = str_append(text, 0, sizeof text, a);
	if (b)
		n = str_append(text, n, sizeof text, b);
	if (c)
		str_append(text, n, sizeof text, c);
	send_msg(reply_fd >= 0 ? reply_fd : sync_fd, RT_MSG_ERROR, err, 0, text);
	_exit(1);
}
#define fail(err, what) fail3((err), (what), NULL, NULL)

static void recv_msg(int fd, struct rt_msg *m, uint32_t want)
{
	ssize_t n;
	do
		n = recv(fd, m, sizeof *m, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		_exit(1); /* the parent went away: nothing left to report to */
	if (n != (ssize_t)sizeof *m)
		fail(n < 0 ? errno : EPROTO, "read sync message");
	if (m->type != want)
		fail(EPROTO, "unexpected sync message");
}

/* ---- decoding the boot program ---- */

static uint64_t get_u64(void)
{
	uint64_t v;
	if (boot_end - boot_pos < 8)
		fail(EINVAL, "boot program truncated");
	memcpy(&v, boot_pos, 8);
	boot_pos += 8;
	return v;
}

static const char *get_str(size_t *lenp)
{
	uint64_t len = get_u64();
	const char *s = (const char *)boot_pos;
	if ((uint64_t)(boot_end - boot_pos) < len + 1 || s[len] != 0)
		fail(EINVAL, "boot program string malformed");
	boot_pos += len + 1;
	if (lenp)
		*lenp = len;
	return s;
}

/* get_str_array decodes a list of strings into a NULL-terminated array on fresh pages. */
static char **get_str_array(void)
{
	uint64_t n = get_u64();
	if (n > (1 << 20))
		fail(E2BIG, "boot program list too long");
	char **v = mmap(NULL, (n + 1) * sizeof(char *), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		fail(errno, "mmap");
	for (uint64_t i = 0; i < n; i++)
		v[i] = (char *)get_str(NULL);
	v[n] = NULL;
	return v;
}

/* ---- paths inside the root ---- */

static int open_in_root(const char *path, int flags)
{
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = flags | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	while (*path == '/')
		path++;
	if (*path == 0)
		path = ".";
	return syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/* up_one is where the prefix of buf[0:cut] one component shorter ends. */
static size_t up_one(const char *buf, size_t cut)
{
	while (cut > 0 && buf[cut - 1] != '/')
		cut--;
	while (cut > 0 && buf[cut - 1] == '/')
		cut--;
	return cut;
}

/* mkdirs_in_root makes every missing directory of path (relative to the
 * root) and returns an O_PATH fd of the last one. Each directory is created
 * with mkdirat on the fd of its parent as resolved inside the root, so a
 * symlink anywhere on the way resolves inside the root or fails. The
 * deepest existing directory is found from the end (a mount target is
 * mostly one missing directory below an existing one): depth openat2 calls
 * at worst, not one per prefix and each of them again. missing says path
 * itself was just found missing, so the search starts at its parent. */
static int mkdirs_in_root(const char *path, int missing)
{
	char buf[4096];
	size_t len = strlen(path);
	if (len >= sizeof buf)
		fail(ENAMETOOLONG, path);
	memcpy(buf, path, len + 1);
	while (len > 0 && buf[len - 1] == '/')
		buf[--len] = 0;
	/* cut: where the existing prefix ends (buf[cut] is a '/' or the end). */
	size_t cut = missing ? up_one(buf, len) : len;
	int fd;
	for (;;) {
		char saved = buf[cut];
		buf[cut] = 0;
		fd = open_in_root(buf, O_PATH | O_DIRECTORY); /* "" is the root itself */
		buf[cut] = saved;
		if (fd >= 0)
			break;
		if (errno != ENOENT)
			return -1;
		cut = up_one(buf, cut);
	}
	/* Create the rest, one component at a time, each from its parent's fd. */
	size_t i = cut;
	while (i < len) {
		while (i < len && buf[i] == '/')
			i++;
		size_t start = i;
		while (i < len && buf[i] != '/')
			i++;
		if (i == start)
			break;
		char saved = buf[i];
		buf[i] = 0;
		if (mkdirat(fd, buf + start, 0755) < 0 && errno != EEXIST) {
			close(fd);
			return -1;
		}
		close(fd);
		fd = open_in_root(buf, O_PATH | O_DIRECTORY);
		buf[i] = saved;
		if (fd < 0)
			return -1;
	}
	return fd;
}

static int mkdir_in_root(const char *path) { return mkdirs_in_root(path, 0); }

/* split_parent makes the parent directories of path and returns the parent's fd;
 * *base points at the last component of path. */
static int split_parent(const char *path, const char **base)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	}
	size_t n = slash - path;
	if (n >= sizeof dir)
		fail(ENAMETOOLONG, path);
	memcpy(dir, path, n);
	dir[n] = 0;
	*base = slash + 1;
	return mkdir_in_root(dir);
}

/* target_fd returns an O_PATH fd of the mount target, creating it as a
 * directory or an empty file when it does not exist. */
static int target_fd(const char *dest, int kind)
{
	int fd = open_in_root(dest, O_PATH);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (kind == RT_KIND_DIR)
		return mkdirs_in_root(dest, 1);
	const char *base;
	int parent = split_parent(dest, &base);
	if (parent < 0)
		return -1;
	int f = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	close(parent);
	if (f < 0 && errno != EEXIST)
		return -1;
	if (f >= 0)
		close(f);
	return open_in_root(dest, O_PATH);
}

/* ---- mounts ---- */

static int set_attr(int fd, int recursive, uint64_t set, uint64_t clr, uint64_t propagation)
{
	struct mount_attr attr;
	if (!set && !clr && !propagation)
		return 0;
	memset(&attr, 0, sizeof attr);
	attr.attr_set = set;
	attr.attr_clr = clr;
	attr.propagation = propagation;
	return syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

static int move_onto(int from, int to)
{
	return syscall(SYS_move_mount, from, "", to, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* op_mount_bind binds src, or attaches tree when the parent made it already (>= 0). */
static void op_mount_bind(int tree)
{
	const char *src = get_str(NULL), *dest = get_str(NULL);
	uint64_t kind = get_u64(), rec = get_u64();
	uint64_t set = get_u64(), clr = get_u64(), rset = get_u64(), rclr = get_u64(), prop = get_u64();
	if (tree < 0)
		tree = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		fail3(errno, "open bind source ", src, NULL);
	if (set_attr(tree, 1, rset, rclr, 0) < 0 || set_attr(tree, 0, set, clr, 0) < 0)
		fail3(errno, "set mount attributes of ", src, NULL);
	int to = target_fd(dest, kind);
	if (to < 0)
		fail3(errno, "open mount target ", dest, NULL);
	if (move_onto(tree, to) < 0)
		fail3(errno, "mount ", src, NULL);
	if (set_attr(tree, rec, 0, 0, prop) < 0)
		fail3(errno, "set propagation of ", dest, NULL);
	close(to);
	close(tree);
}

/* fs_fail reports a filesystem's own message (the fs_context log) with errno. */
static void __attribute__((noreturn)) fs_fail(int err, int fsfd, const char *what, const char *fstype)
{
	char log[512];
	ssize_t n = fsfd >= 0 ? read(fsfd, log, sizeof log - 1) : -1;
	if (n > 2) {
		log[n] = 0;
		if (log[n - 1] == '\n')
			log[n - 1] = 0;
		fail3(err, what, fstype, log + 1); /* log lines start with "e " */
	}
	fail3(err, what, fstype, NULL);
}

static void op_mount_fs(void)
{
	const char *fstype = get_str(NULL), *source = get_str(NULL), *dest = get_str(NULL);
	uint64_t kind = get_u64(), set = get_u64(), clr = get_u64(), prop = get_u64();
	uint64_t nopts = get_u64();
	int fsfd = syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		fail3(errno, "open filesystem ", fstype, NULL);
	if (*source && syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		fs_fail(errno, fsfd, "set source of ", fstype);
	for (uint64_t i = 0; i < nopts; i++) {
		char key[256];
		const char *opt = get_str(NULL), *eq = strchr(opt, '=');
		int r;
		if (eq) {
			size_t kl = eq - opt;
			if (kl >= sizeof key)
				fail3(EINVAL, "mount option too long: ", opt, NULL);
			memcpy(key, opt, kl);
			key[kl] = 0;
			r = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
		} else {
			r = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0)
			fs_fail(errno, fsfd, "mount option of ", fstype);
	}
	if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		fs_fail(errno, fsfd, "create filesystem ", fstype);
	int mfd = syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
	if (mfd < 0)
		fs_fail(errno, fsfd, "mount filesystem ", fstype);
	close(fsfd);
	if (set_attr(mfd, 0, set, clr, 0) < 0)
		fail3(errno, "set mount attributes of ", fstype, NULL);
	int to = target_fd(dest, kind);
	if (to < 0)
		fail3(errno, "open mount target ", dest, NULL);
	if (move_onto(mfd, to) < 0)
		fail3(errno, "attach mount of ", fstype, NULL);
	if (set_attr(mfd, 0, 0, 0, prop) < 0)
		fail3(errno, "set propagation of ", dest, NULL);
	close(to);
	close(mfd);
}

static void op_setattr(void)
{
	const char *dest = get_str(NULL);
	uint64_t set = get_u64(), clr = get_u64(), rec = get_u64();
	int fd = open_in_root(dest, O_PATH);
	if (fd < 0)
		fail3(errno, "open ", dest, NULL);
	if (set_attr(fd, rec, set, clr, 0) < 0)
		fail3(errno, "set mount attributes of ", dest, NULL);
	close(fd);
}

static void op_rootfs(void)
{
	const char *path = get_str(NULL);
	if (syscall(SYS_mount, path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		fail3(errno, "bind rootfs ", path, NULL);
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail3(errno, "open rootfs ", path, NULL);
}

static void op_pivot(void)
{
	uint64_t no_pivot = get_u64();
	if (fchdir(root_fd) < 0)
		fail(errno, "chdir to rootfs");
	if (no_pivot) {
		if (syscall(SYS_mount, ".", "/", NULL, MS_MOVE, NULL) < 0)
			fail(errno, "move rootfs to /");
		if (chroot(".") < 0)
			fail(errno, "chroot");
	} else {
		int old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (old < 0)
			fail(errno, "open old root");
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			fail(errno, "pivot_root");
		/* The old root is now stacked under the new one: detach it without
		 * letting the unmount propagate back to the host. */
		if (fchdir(old) < 0)
			fail(errno, "chdir to old root");
		if (syscall(SYS_mount, NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			fail(errno, "make old root slave");
		if (syscall(SYS_umount2, ".", MNT_DETACH) < 0)
			fail(errno, "detach old root");
		close(old);
	}
	if (chdir("/") < 0)
		fail(errno, "chdir /");
	close(root_fd);
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail(errno, "open new root");
}

/* null_device returns an O_PATH fd of the container's /dev/null, checked to
 * be the null device: masking binds it over files, so a /dev/null that is a
 * symlink, or was swapped for another node, would bind that instead (runc
 * CVE-2025-31133: /dev/null -> /proc/sys/kernel/core_pattern). The check and
 * the bind use the same fd, so nothing can swap it in between. */
static int null_device(void)
{
	static int fd = -1;
	struct stat st;
	if (fd >= 0)
		return fd;
	fd = open_in_root("/dev/null", O_PATH | O_NOFOLLOW);
	if (fd < 0)
		fail(errno, "open /dev/null to mask with");
	if (fstat(fd, &st) < 0)
		fail(errno, "stat /dev/null");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		fail(EPERM, "/dev/null in the container is not the null device (char 1:3): refusing to mask with it");
	return fd;
}

static void op_mask(void)
{
	const char *path = get_str(NULL);
	int fd = open_in_root(path, O_PATH | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		fail3(errno, "open masked path ", path, NULL);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		fail3(errno, "stat masked path ", path, NULL);
	int m;
	if (S_ISDIR(st.st_mode)) {
		int fsfd = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
		if (fsfd < 0 || syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			fail3(errno, "make tmpfs to mask ", path, NULL);
		m = syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
		close(fsfd);
	} else {
		m = syscall(SYS_open_tree, null_device(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	}
	if (m < 0)
		fail3(errno, "make mount to mask ", path, NULL);
	if (move_onto(m, fd) < 0)
		fail3(errno, "mask ", path, NULL);
	close(m);
	close(fd);
}

static void op_readonly(void)
{
	const char *path = get_str(NULL);
	int fd = open_in_root(path, O_PATH);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		fail3(errno, "open read-only path ", path, NULL);
	}
	int tree = syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		fail3(errno, "clone mount of ", path, NULL);
	if (set_attr(tree, 1, MOUNT_ATTR_RDONLY, 0, 0) < 0)
		fail3(errno, "make read-only ", path, NULL);
	if (move_onto(tree, fd) < 0)
		fail3(errno, "mount read-only ", path, NULL);
	close(tree);
	close(fd);
}

/* ---- files and devices ---- */

static void write_all(int fd, const char *s, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail3(errno, "write ", path, NULL);
		s += n;
		len -= n;
	}
}

static void op_write(int in_root)
{
	const char *path = get_str(NULL);
	size_t len;
	const char *content = get_str(&len);
	int fd = in_root ? open_in_root(path, O_WRONLY | O_TRUNC) : open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		fail3(errno, "open ", path, NULL);
	write_all(fd, content, len, path);
	close(fd);
}

static void op_mknod(void)
{
	const char *dest = get_str(NULL);
	uint64_t mode = get_u64(), dev = get_u64(), uid = get_u64(), gid = get_u64();
	const char *base;
	int parent = split_parent(dest, &base);
	if (parent < 0)
		fail3(errno, "open parent of ", dest, NULL);
	/* The device must have exactly the configured mode: no umask, and no
	 * chmod afterwards, which would follow a symlink swapped in meanwhile
	 * (from a rootfs or volume another container writes) to the host. */
	mode_t old_umask = umask(0);
	if (mknodat(parent, base, mode, dev) < 0) {
		/* Replace whatever the image has there (a file, a symlink) with the device. */
		if (errno != EEXIST || unlinkat(parent, base, 0) < 0 || mknodat(parent, base, mode, dev) < 0)
			fail3(errno, "mknod ", dest, NULL);
	}
	umask(old_umask);
	if (fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail3(errno, "chown ", dest, NULL);
	close(parent);
}

static void op_bind_dev(void)
{
	const char *host = get_str(NULL), *dest = get_str(NULL);
	int to = target_fd(dest, RT_KIND_FILE);
	if (to < 0)
		fail3(errno, "create device target ", dest, NULL);
	int tree = syscall(SYS_open_tree, AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		fail3(errno, "open device ", host, NULL);
	if (move_onto(tree, to) < 0)
		fail3(errno, "bind device onto ", dest, NULL);
	close(tree);
	close(to);
}

static void op_symlink(void)
{
	const char *target = get_str(NULL), *dest = get_str(NULL);
	const char *base;
	int parent = split_parent(dest, &base);
	if (parent < 0)
		fail3(errno, "open parent of ", dest, NULL);
	if (symlinkat(target, parent, base) < 0 && errno != EEXIST)
		fail3(errno, "symlink ", dest, NULL);
	close(parent);
}

static void op_mkdir(void)
{
	const char *dest = get_str(NULL);
	uint64_t mode = get_u64();
	int fd = mkdir_in_root(dest);
	if (fd < 0)
		fail3(errno, "mkdir ", dest, NULL);
	(void)mode;
	close(fd);
}

/* ---- namespaces ---- */

static void op_join_ns(void)
{
	uint64_t n = get_u64();
	int fds[16];
	uint64_t types[16];
	const char *paths[16];
	if (n > 16)
		fail(E2BIG, "too many namespaces to join");
	/* Open every namespace before joining any: joining the mount namespace
	 * changes what the later paths mean. */
	for (uint64_t i = 0; i < n; i++) {
		types[i] = get_u64();
		paths[i] = get_str(NULL);
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			fail3(errno, "open namespace ", paths[i], NULL);
	}
	for (uint64_t i = 0; i < n; i++) {
		if (setns(fds[i], types[i]) < 0)
			fail3(errno, "join namespace ", paths[i], NULL);
		close(fds[i]);
	}
}

static void __attribute__((noreturn)) run_program(void);

/* fork_gate_wait: the new process waits until the old one has reported its
 * pid and exited (EOF on the gate): otherwise, on a busy machine, its own
 * READY could reach the parent before the PID message. */
static void fork_gate_wait(int gate[2])
{
	char c;
	close(gate[1]);
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	close(gate[0]);
}

static int fork_gate[2];

/* The new process of a shared FORK starts here, on its own stack, and goes
 * on with the next operation. */
static int fork_shared_entry(void *arg)
{
	(void)arg;
	fork_gate_wait(fork_gate);
	cur_op++;
	run_program();
}

static void op_fork(void)
{
	uint64_t flags = get_u64();
	struct clone_args a;
	long pid;
	if (pipe2(fork_gate, O_CLOEXEC) < 0)
		fail(errno, "pipe");
	if (flags & RT_FORK_SHARED) {
		/* No page tables copied: the old process only reports and exits
		 * (and touches none of the state the new one goes on with). */
		size_t size = 256 << 10;
		char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
		if (stack == MAP_FAILED)
			fail(errno, "map a stack for the forked process");
		pid = clone(fork_shared_entry, stack + size,
		            (int)(flags & ~RT_FORK_SHARED) | CLONE_VM | CLONE_PARENT | SIGCHLD, NULL);
	} else {
		memset(&a, 0, sizeof a);
		a.flags = flags | CLONE_PARENT;
		pid = syscall(SYS_clone3, &a, sizeof a);
		if (pid == 0) {
			fork_gate_wait(fork_gate);
			return;
		}
	}
	if (pid < 0)
		fail(errno, "fork into the new namespaces");
	send_msg(sync_fd, RT_MSG_PID, 0, pid, NULL);
	_exit(0);
}

static void op_loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		fail(errno, "socket");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		fail(errno, "get flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		fail(errno, "set lo up");
	close(s);
}

/* ---- credentials ---- */

static void op_caps(void)
{
	uint64_t eff = get_u64(), perm = get_u64(), inh = get_u64(), amb = get_u64(), last = get_u64();
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	data[0].effective = (uint32_t)eff;
	data[1].effective = (uint32_t)(eff >> 32);
	data[0].permitted = (uint32_t)perm;
	data[1].permitted = (uint32_t)(perm >> 32);
	data[0].inheritable = (uint32_t)inh;
	data[1].inheritable = (uint32_t)(inh >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail(errno, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(errno, "clear ambient capabilities");
	for (uint64_t c = 0; c <= last && c < 64; c++)
		if ((amb >> c) & 1)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
				fail(errno, "raise ambient capability");
}

static void op_bounding(void)
{
	uint64_t last = get_u64(), keep = get_u64();
	for (uint64_t c = 0; c <= last && c < 64; c++)
		if (!((keep >> c) & 1))
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
				fail(errno, "drop bounding capability");
}

static void op_setgroups(void)
{
	uint64_t n = get_u64();
	gid_t gids[1024];
	if (n > 1024)
		fail(E2BIG, "too many additional gids");
	for (uint64_t i = 0; i < n; i++)
		gids[i] = (gid_t)get_u64();
	if (syscall(SYS_setgroups, n, gids) < 0)
		fail(errno, "setgroups");
}

static void op_setid(void)
{
	uint64_t uid = get_u64(), gid = get_u64();
	/* Keep permitted capabilities across the uid switch; RT_OP_CAPS sets the final sets. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(errno, "keep capabilities");
	if (syscall(SYS_setresgid, gid, gid, gid) < 0)
		fail(errno, "setgid");
	if (syscall(SYS_setresuid, uid, uid, uid) < 0)
		fail(errno, "setuid");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fail(errno, "reset keep capabilities");
}

/* send_fd passes fd to the parent in SCM_RIGHTS along with a message of type t. */
static void send_fd(uint32_t type, int fd)
{
	struct rt_msg m;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof m};
	struct msghdr mh;
	memset(&m, 0, sizeof m);
	m.type = type;
	m.op = cur_op;
	memset(&ctl, 0, sizeof ctl);
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof ctl.buf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sync_fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof m)
		fail(n < 0 ? errno : EPROTO, "send seccomp notify fd");
}

static void op_seccomp(void)
{
	uint64_t flags = get_u64();
	size_t len;
	const char *prog = get_str(&len);
	/* sock_fprog.len is 16 bits: check before it could wrap to a shorter program. */
	if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		fail(EINVAL, "seccomp program is not 1 to BPF_MAXINSNS instructions");
	struct sock_fprog fp = {.len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)prog};
	/* The program sits at an arbitrary offset of the boot buffer; the kernel copies it. */
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
	if (r < 0)
		fail(errno, "load seccomp filter");
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/* Go put this op before READY, while rt still holds the sync socket. */
		if (sync_fd < 0)
			fail(EBADF, "no runtime to pass the seccomp notify fd to");
		send_fd(RT_MSG_SECCOMP_FD, (int)r);
		close((int)r);
	}
}

static void op_sched(void)
{
	/* struct sched_attr, SCHED_ATTR_SIZE_VER0 (glibc before 2.41 has no header for it) */
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
	} a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.policy = (uint32_t)get_u64();
	a.flags = get_u64();
	a.nice = (int32_t)(int64_t)get_u64();
	a.priority = (uint32_t)get_u64();
	a.runtime = get_u64();
	a.deadline = get_u64();
	a.period = get_u64();
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		fail(errno, "sched_setattr");
}

/* ---- the terminal ---- */

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define DEVPTS_MAGIC 0x1cd1
#define PTMX "/dev/pts/ptmx"

/* send_master hands the pty master to the console socket as runc does, so
 * runc's receivers (containerd's shim, conmon, recvtty) work unchanged: one
 * message whose data is the master's path and whose SCM_RIGHTS holds its fd. */
static void send_master(int sock, int master)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)PTMX, .iov_len = sizeof PTMX - 1};
	struct msghdr mh;
	memset(&mh, 0, sizeof mh);
	memset(cbuf, 0, sizeof cbuf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof cbuf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(errno, "send the pty master to the console socket");
}

/* bind_console binds the pty onto /dev/console, as the spec asks for the
 * container's init. The source is the pty's fd, not a path in the container
 * that could be swapped for a link (CVE-2025-52565). */
static void bind_console(int pty)
{
	struct stat st;
	int to = open_in_root("/dev/console", O_PATH | O_NOFOLLOW);
	if (to < 0 && errno == ENOENT)
		to = target_fd("/dev/console", RT_KIND_FILE);
	if (to < 0 || fstat(to, &st) < 0)
		fail(errno, "create /dev/console");
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		fail(EINVAL, "/dev/console is not a file or a device");
	int tree = syscall(SYS_open_tree, pty, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 || move_onto(tree, to) < 0)
		fail(errno, "bind the pty onto /dev/console");
	close(tree);
	close(to);
}

/* op_terminal opens a pty in the container's own devpts (so its number and
 * permissions are the container's), makes it the controlling terminal and
 * stdio of this process, and sends the master over the console socket. */
static void op_terminal(void)
{
	int sock = (int)get_u64();
	struct winsize ws;
	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)get_u64();
	ws.ws_col = (unsigned short)get_u64();
	uid_t uid = (uid_t)get_u64();
	uint64_t console = get_u64();
	struct stat st;
	struct statfs sfs;
	int unlock = 0;

	/* An exec'd process may still be in rt's session: TIOCSCTTY needs a
	 * session leader. */
	if (getsid(0) != getpid() && setsid() < 0)
		fail(errno, "setsid");
	/* O_NONBLOCK: a FIFO planted there must not block us; then check it is
	 * the real ptmx of a devpts before using it. */
	int m = open_in_root(PTMX, O_RDWR | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (m < 0)
		fail3(errno, "open ", PTMX, NULL);
	if (fstat(m, &st) < 0 || fstatfs(m, &sfs) < 0)
		fail3(errno, "stat ", PTMX, NULL);
	if (sfs.f_type != DEVPTS_MAGIC || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
		fail3(EINVAL, PTMX, " is not the ptmx of a devpts mount", NULL);
	if (fcntl(m, F_SETFL, 0) < 0)
		fail(errno, "make the pty master blocking");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		fail(errno, "unlock the pty");
	/* The peer by its fd, never by its name in /dev/pts: nothing can swap
	 * it. TIOCGPTPEER is Linux 4.13; rt needs 5.6 (openat2) anyway. */
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		fail(errno, "open the pty's peer");
	if ((ws.ws_row || ws.ws_col) && ioctl(m, TIOCSWINSZ, &ws) < 0)
		fail(errno, "set process.consoleSize");
	/* The process's user owns its terminal, as after login. */
	if (fchown(s, uid, -1) < 0)
		fail(errno, "chown the pty to process.user.uid");
	if (console)
		bind_console(s);
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		fail(errno, "make the pty the controlling terminal");
	send_master(sock, m);
	close(m);
	close(sock);
	for (int fd = 0; fd < 3; fd++)
		if (dup3(s, fd, 0) < 0 && s != fd)
			fail(errno, "dup the pty onto stdio");
	if (s > 2)
		close(s);
}

/* ---- the program ---- */

static int is_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
}

static void op_lookup(void)
{
	const char *argv0 = get_str(NULL), *path = get_str(NULL);
	size_t alen = strlen(argv0);
	if (alen == 0)
		fail(ENOENT, "exec: empty program name");
	if (strchr(argv0, '/')) {
		int r = is_executable(argv0);
		if (r < 0)
			fail3(-r, "exec: \"", argv0, "\"");
		str_append(exec_path, 0, sizeof exec_path, argv0);
		return;
	}
	const char *p = path;
	while (1) {
		const char *end = strchr(p, ':');
		size_t dl = end ? (size_t)(end - p) : strlen(p);
		if (dl + 1 + alen + 1 <= sizeof exec_path) {
			size_t n = 0;
			if (dl == 0)
				exec_path[n++] = '.';
			memcpy(exec_path + n, p, dl);
			n += dl;
			exec_path[n++] = '/';
			memcpy(exec_path + n, argv0, alen + 1);
			if (is_executable(exec_path) == 0)
				return;
		}
		if (!end)
			break;
		p = end + 1;
	}
	fail3(0, "exec: \"", argv0, "\": executable file not found in $PATH");
}

static void op_ready(void)
{
	struct rt_msg m;
	send_msg(sync_fd, RT_MSG_READY, 0, getpid(), NULL);
	if (listen_fd < 0) {
		recv_msg(sync_fd, &m, RT_MSG_START);
		reply_fd = sync_fd;
		return;
	}
	/* Created: nobody holds the other end of the sync socket any more. Wait for
	 * `rt start` on the listening socket in the container's state directory. */
	close(sync_fd);
	sync_fd = -1;
	for (;;) {
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		ssize_t n = recv(c, &m, sizeof m, 0);
		if (n == (ssize_t)sizeof m && m.type == RT_MSG_START) {
			reply_fd = c;
			break;
		}
		close(c);
	}
	close(listen_fd);
	listen_fd = -1;
}

/* set_listen_pid points the env's LISTEN_PID= entry at our pid as the
 * program will see it (getpid() in our pid namespace), as socket activation wants. */
static void set_listen_pid(char **envp)
{
	static char buf[32] = "LISTEN_PID=";
	char digits[16];
	int n = 0;
	unsigned int pid = (unsigned int)getpid();
	do {
		digits[n++] = '0' + pid % 10;
		pid /= 10;
	} while (pid);
	size_t off = 11;
	while (n > 0)
		buf[off++] = digits[--n];
	buf[off] = 0;
	for (char **e = envp; *e; e++)
		if (strncmp(*e, "LISTEN_PID=", 11) == 0)
			*e = buf;
}

/* stub_create makes the memfd that will hold the exec stub and writes its
 * code, early, before a seccomp filter could forbid memfd_create. A failure is
 * reported at exec, when the parent is listening. */
static void stub_create(void)
{
	stub_fd = syscall(SYS_memfd_create, "rt-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (stub_fd < 0 && errno == EINVAL) /* kernels before 6.3 have no MFD_EXEC */
		stub_fd = syscall(SYS_memfd_create, "rt-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (stub_fd < 0) {
		stub_err = errno;
		return;
	}
	size_t n = rt_stub_image_data - rt_stub_image;
	if ((size_t)(rt_stub_image_end - rt_stub_image_data) != sizeof stub_data) {
		stub_err = EPROTO; /* stub_<arch>.S and struct rt_stub_data disagree */
		close(stub_fd);
		stub_fd = -1;
		return;
	}
	if (write(stub_fd, rt_stub_image, n) != (ssize_t)n) {
		stub_err = errno ? errno : EIO;
		close(stub_fd);
		stub_fd = -1;
	}
}

/* op_exec execs the container's program through the exec stub: the child's
 * /proc/self/exe is rt's host binary, the stub's is a sealed memfd, so a
 * program that leads the kernel back to /proc/self/exe (as itself, as a
 * script's interpreter, as an ELF interpreter) never runs the host binary
 * inside the container, where it could be reopened for writing. */
static void op_exec(void)
{
	char **argv = get_str_array();
	char **envp = get_str_array();
	if (listen_pid)
		set_listen_pid(envp);
	int fd = reply_fd >= 0 ? reply_fd : sync_fd;
	if (stub_fd < 0 && stub_err == EACCES)
		fail(stub_err, "exec: create the exec stub: vm.memfd_noexec=2 forbids executable memfds");
	if (stub_fd < 0)
		fail(stub_err, "exec: create the exec stub (a memfd)");
	stub_data.fd = fd;
	stub_data.op = cur_op;
	str_append(stub_data.path, 0, sizeof stub_data.path, exec_path);
	size_t n = str_append(stub_data.text, 0, sizeof stub_data.text, "exec \"");
	n = str_append(stub_data.text, n, sizeof stub_data.text, exec_path);
	str_append(stub_data.text, n, sizeof stub_data.text, "\"");
	if (write(stub_fd, &stub_data, sizeof stub_data) != (ssize_t)sizeof stub_data)
		fail(errno ? errno : EIO, "exec: write the exec stub");
	if (fcntl(stub_fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		fail(errno, "exec: seal the exec stub");
	/* The stub reports a failed exec on fd, and marks it close-on-exec. */
	if (fcntl(fd, F_SETFD, 0) < 0)
		fail(errno, "exec: pass the sync socket to the exec stub");
	syscall(SYS_execveat, stub_fd, "", argv, envp, AT_EMPTY_PATH);
	if (errno == ENOSYS || errno == EPERM) {
		/* A seccomp filter that allows execve but not execveat. */
		char path[32] = "/proc/self/fd/";
		size_t l = strlen(path);
		char digits[12];
		int d = 0;
		for (unsigned int v = stub_fd; d == 0 || v; v /= 10)
			digits[d++] = '0' + v % 10;
		while (d)
			path[l++] = digits[--d];
		path[l] = 0;
		execve(path, argv, envp);
	}
	fail3(errno, "exec \"", exec_path, "\" (through the exec stub)");
}

/* op_join_cgroups moves us into the container's cgroup v1 hierarchies. A
 * thread that moves itself ("0" to "tasks"; we are single-threaded, so it
 * is the process) takes no global lock, where the parent writing our pid to
 * cgroup.procs takes cgroup_threadgroup_rwsem for writing: that waits for an
 * RCU grace period, ~5 ms on a quiet host, first write after a while. */
static void op_join_cgroups(void)
{
	uint64_t n = get_u64();
	for (uint64_t i = 0; i < n; i++) {
		int fd = (int)get_u64();
		const char *path = get_str(NULL);
		ssize_t w;
		do
			w = write(fd, "0", 1);
		while (w < 0 && errno == EINTR);
		if (w != 1) {
			int err = w < 0 ? errno : EIO;
			fail3(err, "write 0 to ", path,
			      err == ENOSPC && strstr(path, "cpuset") ? " (cpuset.cpus or cpuset.mems is empty)" : NULL);
		}
		close(fd);
	}
	send_msg(sync_fd, RT_MSG_JOINED, 0, 0, NULL);
}

/* ---- child entry ---- */

static void keep_only_fds(void)
{
	/* Close every fd the Go parent had, except stdio and the listed ones,
	 * before anything in the container can see them. */
	uint64_t n = get_u64();
	unsigned int keep[64];
	if (n > 64)
		fail(E2BIG, "too many fds to keep");
	for (uint64_t i = 0; i < n; i++)
		keep[i] = (unsigned int)get_u64();
	for (uint64_t i = 1; i < n; i++) /* insertion sort: n is small */
		for (uint64_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			unsigned int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	unsigned int next = 3;
	for (uint64_t i = 0; i < n; i++) {
		if (keep[i] < next)
			continue;
		if (keep[i] > next)
			syscall(SYS_close_range, next, keep[i] - 1, 0);
		next = keep[i] + 1;
	}
	syscall(SYS_close_range, next, ~0U, 0);
}

static void __attribute__((noreturn)) child_main(const uint8_t *boot, size_t len)
{
	struct sigaction dfl;
	sigset_t none;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* Not dumpable until the container's program is exec'd: no one in the
	 * container may open /proc/<pid>/exe (rt's binary) or our memory. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	boot_pos = boot;
	boot_end = boot + len;
	if (get_u64() != RT_BOOT_MAGIC)
		_exit(1);
	sync_fd = (int)get_u64();
	listen_fd = (int)(int64_t)get_u64();
	keep_only_fds();
	stub_create();

	cur_op = 0;
	run_program();
}

/* run_program executes the boot program from boot_pos, operation cur_op on. */
static void __attribute__((noreturn)) run_program(void)
{
	for (; boot_pos < boot_end; cur_op++) {
		struct rt_msg m;
		uint64_t op = get_u64();
		switch (op) {
		case RT_OP_WAIT_GO:
			recv_msg(sync_fd, &m, RT_MSG_GO);
			break;
		case RT_OP_JOIN_NS:
			op_join_ns();
			break;
		case RT_OP_UNSHARE:
			if (unshare((int)get_u64()) < 0)
				fail(errno, "unshare");
			break;
		case RT_OP_SYNC_MAPS:
			send_msg(sync_fd, RT_MSG_MAPS_PLEASE, 0, getpid(), NULL);
			recv_msg(sync_fd, &m, RT_MSG_MAPS_DONE);
			break;
		case RT_OP_TIMENS_OFFSETS:
			{
				size_t l;
				const char *c = get_str(&l);
				int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
				if (fd < 0)
					fail(errno, "open /proc/self/timens_offsets");
				write_all(fd, c, l, "/proc/self/timens_offsets");
				close(fd);
			}
			break;
		case RT_OP_FORK:
			op_fork();
			break;
		case RT_OP_JOIN_CGROUPS:
			op_join_cgroups();
			break;
		case RT_OP_JOIN_PIDFD:
			{
				int fd = (int)get_u64();
				int flags = (int)get_u64();
				if (setns(fd, flags) < 0)
					fail(errno, "setns on the pidfd of the container's init");
				close(fd);
			}
			break;
		case RT_OP_SETSID:
			if (setsid() < 0)
				fail(errno, "setsid");
			break;
		case RT_OP_LOOPBACK_UP:
			op_loopback_up();
			break;
		case RT_OP_ROOT_PROPAGATION:
			if (syscall(SYS_mount, NULL, "/", NULL, (unsigned long)get_u64(), NULL) < 0)
				fail(errno, "set propagation of /");
			break;
		case RT_OP_ROOTFS:
			op_rootfs();
			break;
		case RT_OP_MOUNT_BIND:
			op_mount_bind(-1);
			break;
		case RT_OP_MOUNT_TREE:
			op_mount_bind((int)get_u64());
			break;
		case RT_OP_MOUNT_FS:
			op_mount_fs();
			break;
		case RT_OP_SETATTR:
			op_setattr();
			break;
		case RT_OP_MKNOD:
			op_mknod();
			break;
		case RT_OP_BIND_DEV:
			op_bind_dev();
			break;
		case RT_OP_SYMLINK:
			op_symlink();
			break;
		case RT_OP_MKDIR:
			op_mkdir();
			break;
		case RT_OP_PIVOT:
			op_pivot();
			break;
		case RT_OP_MASK:
			op_mask();
			break;
		case RT_OP_READONLY:
			op_readonly();
			break;
		case RT_OP_WRITE_ROOT:
			op_write(1);
			break;
		case RT_OP_WRITE_HOST:
			op_write(0);
			break;
		case RT_OP_HOSTNAME: {
			size_t l;
			const char *h = get_str(&l);
			if (sethostname(h, l) < 0)
				fail(errno, "sethostname");
			break;
		}
		case RT_OP_DOMAINNAME: {
			size_t l;
			const char *d = get_str(&l);
			if (setdomainname(d, l) < 0)
				fail(errno, "setdomainname");
			break;
		}
		case RT_OP_CHDIR: {
			const char *dir = get_str(NULL);
			int fd = mkdir_in_root(dir);
			if (fd < 0 || fchdir(fd) < 0)
				fail3(errno, "chdir to ", dir, NULL);
			close(fd);
			/* The cwd was resolved inside the root; make sure of it (runc
			 * CVE-2024-21626): the kernel's getcwd names a directory the
			 * root cannot reach "(unreachable)/...". */
			char cwd[4096];
			if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0 ? errno != ENAMETOOLONG : cwd[0] != '/')
				fail3(EXDEV, "cwd is outside the container's root: ", dir, NULL);
			break;
		}
		case RT_OP_RLIMIT: {
			uint64_t res = get_u64();
			struct rlimit rl = {.rlim_cur = get_u64(), .rlim_max = get_u64()};
			if (syscall(SYS_prlimit64, 0, res, &rl, NULL) < 0)
				fail(errno, "setrlimit");
			break;
		}
		case RT_OP_UMASK:
			umask((mode_t)get_u64());
			break;
		case RT_OP_BOUNDING:
			op_bounding();
			break;
		case RT_OP_SETGROUPS:
			op_setgroups();
			break;
		case RT_OP_SETID:
			op_setid();
			break;
		case RT_OP_CAPS:
			op_caps();
			break;
		case RT_OP_NO_NEW_PRIVS:
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
				fail(errno, "set no_new_privs");
			break;
		case RT_OP_SECCOMP:
			op_seccomp();
			break;
		case RT_OP_LOOKUP:
			op_lookup();
			break;
		case RT_OP_READY:
			op_ready();
			break;
		case RT_OP_EXEC:
			op_exec();
			break;
		case RT_OP_OPEN_ROOT:
			/* setns(CLONE_NEWNS) made the namespace's root our root and cwd. */
			if (root_fd >= 0)
				close(root_fd);
			root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (root_fd < 0)
				fail(errno, "open /");
			break;
		case RT_OP_LISTEN_PID:
			listen_pid = 1;
			break;
		case RT_OP_CHDIR_EXISTING: {
			const char *dir = get_str(NULL);
			int fd = open_in_root(dir, O_PATH | O_DIRECTORY);
			if (fd < 0 || fchdir(fd) < 0)
				fail3(errno, "chdir to ", dir, NULL);
			close(fd);
			break;
		}
		case RT_OP_PERSONALITY:
			if (syscall(SYS_personality, (unsigned long)get_u64()) < 0)
				fail(errno, "personality");
			break;
		case RT_OP_IOPRIO:
			if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)get_u64()) < 0)
				fail(errno, "ioprio_set");
			break;
		case RT_OP_SCHED:
			op_sched();
			break;
		case RT_OP_DUMPABLE:
			if (prctl(PR_SET_DUMPABLE, get_u64(), 0, 0, 0) < 0)
				fail(errno, "set dumpable");
			break;
		case RT_OP_TERMINAL:
			op_terminal();
			break;
		default:
			fail(EINVAL, "unknown boot operation");
		}
	}
	fail(EINVAL, "boot program ended without exec");
}

/* clone_blocked clones a child (fork semantics, with a pidfd) that is
 * neither rt's Go code nor able to run it: every signal stays blocked across
 * the clone, so no Go handler runs in the child before it resets them (or,
 * for the userns holder, ever). In the child it returns 0. */
static long clone_blocked(uint64_t flags, int cgroup_fd, int *pidfd)
{
	sigset_t all, old;
	struct clone_args a;
	int saved;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	memset(&a, 0, sizeof a);
	a.flags = flags | CLONE_PIDFD;
	a.pidfd = (uint64_t)(uintptr_t)pidfd;
	a.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgroup_fd;
	}
	/* The child takes this thread's timer slack as its own and as its
	 * default: the host's, not rt's (timerslack.c). */
	rt_slack_host();
	long pid = syscall(SYS_clone3, &a, sizeof a);
	if (pid == 0)
		return 0;
	saved = errno;
	rt_slack_own();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return pid;
}

int rt_spawn(const uint8_t *boot, size_t len, uint64_t flags, int cgroup_fd, int *pidfd)
{
	long pid = clone_blocked(flags, cgroup_fd, pidfd);
	if (pid == 0)
		child_main(boot, len);
	return (int)pid;
}

/* The child of rt_spawn_shared starts here, on the stack rt gave it. */
struct shared_start {
	const uint8_t *boot;
	size_t len;
};

static int shared_entry(void *arg)
{
	struct shared_start *st = arg;
	child_main(st->boot, st->len);
}

#if defined(__x86_64__)
const int rt_spawn_shared_into_cgroup = 1;

/* clone3 for a child that shares our memory and starts on the stack the
 * arguments give: the child cannot return from the system call into C code
 * (its stack pointer is the new stack), so it calls fn(arg) from assembly,
 * with fn and arg in registers the system call keeps, then exits. */
static long clone3_on_stack(struct clone_args *a, int (*fn)(void *), void *arg)
{
	register long ret __asm__("rax") = SYS_clone3;
	register void *f __asm__("r12") = (void *)fn;
	register void *x __asm__("r13") = arg;
	__asm__ volatile("syscall\n\t"
	                 "test %%rax, %%rax\n\t"
	                 "jnz 1f\n\t"
	                 "xor %%ebp, %%ebp\n\t"
	                 "mov %%r13, %%rdi\n\t"
	                 "call *%%r12\n\t"
	                 "mov %%eax, %%edi\n\t"
	                 "mov $60, %%eax\n\t" /* SYS_exit */
	                 "syscall\n\t"
	                 "hlt\n\t"
	                 "1:"
	                 : "+r"(ret)
	                 : "D"(a), "S"(sizeof *a), "r"(f), "r"(x)
	                 : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
#else
const int rt_spawn_shared_into_cgroup = 0;
#endif

int rt_spawn_shared(const uint8_t *boot, size_t len, uint64_t flags, int cgroup_fd, void *stack, size_t stack_size,
                    int *pidfd)
{
	sigset_t all, old;
	int saved, pid;

	/* The start arguments live at the bottom of the child's stack, far from
	 * where it grows down from. */
	struct shared_start *st = stack;
	st->boot = boot;
	st->len = len;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rt_slack_host();
#if defined(__x86_64__)
	struct clone_args a;
	memset(&a, 0, sizeof a);
	a.flags = flags | CLONE_VM | CLONE_PIDFD;
	a.pidfd = (uint64_t)(uintptr_t)pidfd;
	a.exit_signal = SIGCHLD;
	a.stack = (uint64_t)(uintptr_t)stack;
	a.stack_size = stack_size;
	if (cgroup_fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (int)clone3_on_stack(&a, shared_entry, st);
#else
	if (cgroup_fd >= 0) {
		errno = EOPNOTSUPP;
		pid = -1;
	} else {
		pid = clone(shared_entry, (char *)stack + stack_size, (int)flags | CLONE_VM | CLONE_PIDFD | SIGCHLD, st,
		            pidfd);
	}
#endif
	saved = errno;
	rt_slack_own();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return pid;
}

int rt_userns_holder(int *pidfd)
{
	/* The child keeps every signal blocked and sleeps until SIGKILL. */
	long pid = clone_blocked(CLONE_NEWUSER, -1, pidfd);
	if (pid == 0)
		for (;;)
			pause();
	return (int)pid;
}
