/* `rt start ID` served before the Go runtime starts.
 *
 * Starting a created container is one message on its start.sock, but a Go
 * process costs ~12 ms of exec, runtime and package init on these machines
 * before main() runs, against ~1 ms for this. So a constructor looks at the
 * command line first, and when it is a plain `rt [--root DIR] start ID` of a
 * container that is plainly created (init alive, not frozen, no hooks in its
 * state), it does what libcontainer's start does and exits.
 *
 * Anything else, and any doubt before START is sent, returns to let the Go
 * code run the command (and word its errors). After START is sent nothing
 * can be retried: a reply other than success is left in rt_faststart for
 * the Go code to report exactly as its own start would.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "faststart.h"
#include "nsenter.h"

struct rt_faststart_outcome rt_faststart;

/* The bytes runc allows in an id (libcontainer.ValidateID). */
static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = id[i];
		if (!(isascii(c) && isalnum(c)) && c != '_' && c != '+' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* read_small reads a whole small file below dirfd (or an absolute path
 * with dirfd AT_FDCWD) into buf, NUL-terminated; -1 if it does not fit. */
static ssize_t read_small(int dirfd, const char *path, char *buf, size_t size)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += n;
		if (len == size - 1) { /* too big for what it should be */
			close(fd);
			return -1;
		}
	}
	close(fd);
	buf[len] = 0;
	return len;
}

/* A scanner over the JSON of state.json: enough to skip any value and to
 * read the few top-level fields needed. Any surprise is an error, and an
 * error sends the command to the Go code. */
struct scan {
	const char *p, *end;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int skip_string(struct scan *s)
{
	s->p++; /* the opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p++;
		if (c == '\\') {
			if (s->p >= s->end)
				return -1;
			s->p++;
		} else if (c == '"') {
			return 0;
		} else if (c < 0x20) {
			return -1;
		}
	}
	return -1;
}

static int skip_value(struct scan *s, int depth)
{
	ws(s);
	if (s->p >= s->end || depth > 64)
		return -1;
	char c = *s->p;
	if (c == '"')
		return skip_string(s);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		s->p++;
		ws(s);
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		for (;;) {
			if (c == '{') {
				ws(s);
				if (s->p >= s->end || *s->p != '"' || skip_string(s))
					return -1;
				ws(s);
				if (s->p >= s->end || *s->p++ != ':')
					return -1;
			}
			if (skip_value(s, depth + 1))
				return -1;
			ws(s);
			if (s->p >= s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p++ == close)
				return 0;
			return -1;
		}
	}
	const char *start = s->p; /* a number, true, false or null */
	while (s->p < s->end && (isalnum((unsigned char)*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
		s->p++;
	return s->p > start ? 0 : -1;
}

/* uint_value reads a JSON number that must be a plain unsigned integer. */
static int uint_value(struct scan *s, unsigned long long *v)
{
	ws(s);
	const char *start = s->p;
	if (skip_value(s, 0))
		return -1;
	if (s->p - start > 20)
		return -1;
	char num[24];
	memcpy(num, start, s->p - start);
	num[s->p - start] = 0;
	for (char *q = num; *q; q++)
		if (!isdigit((unsigned char)*q))
			return -1;
	errno = 0;
	*v = strtoull(num, NULL, 10);
	return errno ? -1 : 0;
}

struct state_fields {
	unsigned long long pid, pid_start;
	int has_hooks;
};

/* parse_state reads pid, pid_start and whether hooks are set from the
 * top-level object of state.json; the last of duplicate keys wins, as in Go. */
static int parse_state(const char *data, size_t len, struct state_fields *f)
{
	struct scan s = {data, data + len};
	int have_pid = 0, have_start = 0;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return -1;
	ws(&s);
	if (s.p < s.end && *s.p == '}')
		return -1;
	for (;;) {
		ws(&s);
		if (s.p >= s.end || *s.p != '"')
			return -1;
		const char *key = s.p + 1;
		if (skip_string(&s))
			return -1;
		size_t klen = s.p - 1 - key;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			return -1;
		ws(&s);
#define KEY(name) (klen == sizeof(name) - 1 && !memcmp(key, name, klen))
		if (KEY("pid")) {
			if (uint_value(&s, &f->pid))
				return -1;
			have_pid = 1;
		} else if (KEY("pid_start")) {
			if (uint_value(&s, &f->pid_start))
				return -1;
			have_start = 1;
		} else if (KEY("hooks")) {
			f->has_hooks = !(s.end - s.p >= 4 && !memcmp(s.p, "null", 4));
			if (skip_value(&s, 0))
				return -1;
		} else if (skip_value(&s, 0)) {
			return -1;
		}
#undef KEY
		ws(&s);
		if (s.p >= s.end)
			return -1;
		if (*s.p == ',') {
			s.p++;
			continue;
		}
		if (*s.p++ != '}')
			return -1;
		break;
	}
	ws(&s);
	return s.p == s.end && have_pid && have_start && f->pid > 0 && f->pid <= INT_MAX ? 0 : -1;
}

/* alive says whether pid is the live process that started at start
 * (libcontainer's State.alive: field 22 of /proc/PID/stat). */
static int alive(unsigned long long pid, unsigned long long start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%llu/stat", pid);
	if (read_small(AT_FDCWD, path, buf, sizeof buf) < 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	char *save = NULL, *tok;
	unsigned long long starttime = 0;
	for (int i = 0; (tok = strtok_r(i ? NULL : p, " ", &save)); i++) {
		if (i == 0 && (tok[0] == 'Z' || tok[0] == 'X'))
			return 0;
		if (i == 19) {
			starttime = strtoull(tok, NULL, 10);
			return starttime == start;
		}
	}
	return 0;
}

/* frozen says whether pid's freezer cgroup is frozen, or -1 when that
 * cannot be told here (the Go code then decides). */
static int frozen(unsigned long long pid)
{
	char path[PATH_MAX + 64], buf[8192], val[64];
	snprintf(path, sizeof path, "/proc/%llu/cgroup", pid);
	if (read_small(AT_FDCWD, path, buf, sizeof buf) < 0)
		return -1;
	struct statfs fs;
	int pure_v2 = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270; /* CGROUP2_SUPER_MAGIC */
	int is_frozen = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			return -1;
		*c2 = 0;
		const char *ctrls = c1 + 1, *cg = c2 + 1;
		if (strstr(cg, "..") || cg[0] != '/')
			return -1;
		int is_freezer = 0;
		for (const char *q = ctrls; *q;) {
			size_t n = strcspn(q, ",");
			if (n == 7 && !memcmp(q, "freezer", 7))
				is_freezer = 1;
			q += n + (q[n] == ',');
		}
		if (is_freezer) {
			snprintf(path, sizeof path, "/sys/fs/cgroup/freezer%s/freezer.state", cg);
			if (read_small(AT_FDCWD, path, val, sizeof val) < 0)
				return -1;
			if (strcmp(val, "THAWED\n"))
				is_frozen = 1;
		} else if (!*ctrls && pure_v2) {
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/cgroup.freeze", cg);
			if (read_small(AT_FDCWD, path, val, sizeof val) < 0) {
				if (errno != ENOENT) /* the root cgroup has none */
					return -1;
			} else if (strcmp(val, "0\n")) {
				is_frozen = 1;
			}
		}
	}
	return is_frozen;
}

/* start_id is the id of a command line `rt [--root DIR|--root=DIR] start ID`,
 * with *root set; NULL for any other command line. */
static const char *start_id(int argc, char **argv, const char **root)
{
	int i = 1;
	*root = NULL;
	if (i < argc && !strcmp(argv[i], "--root") && i + 1 < argc) {
		*root = argv[i + 1];
		i += 2;
	} else if (i < argc && !strncmp(argv[i], "--root=", 7)) {
		*root = argv[i] + 7;
		i++;
	}
	if (argc != i + 2 || strcmp(argv[i], "start") || argv[i + 1][0] == '-')
		return NULL;
	if (*root && !**root)
		return NULL;
	if (!*root) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		*root = geteuid() != 0 && xdg && *xdg ? NULL : "/run/rt";
		if (!*root) { /* $XDG_RUNTIME_DIR/rt */
			static char buf[PATH_MAX];
			if (snprintf(buf, sizeof buf, "%s/rt", xdg) >= (int)sizeof buf)
				return NULL;
			*root = buf;
		}
	}
	return argv[i + 1];
}

static void release(int dirfd)
{
	flock(dirfd, LOCK_UN);
	close(dirfd);
}

__attribute__((constructor)) static void rt_faststart_main(int argc, char **argv, char **envp)
{
	(void)envp;
	const char *root, *id = start_id(argc, argv, &root);
	if (!id || !valid_id(id))
		return;
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", root, id) >= (int)sizeof path)
		return;
	int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;
	while (flock(dirfd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(dirfd);
			return;
		}
	}
	static char state[256 << 10];
	ssize_t len = read_small(dirfd, "state.json", state, sizeof state);
	struct state_fields f = {0};
	struct stat st;
	if (len < 0 || parse_state(state, len, &f) || f.has_hooks || !alive(f.pid, f.pid_start) ||
	    frozen(f.pid) != 0 || fstatat(dirfd, "start.sock", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		release(dirfd);
		return;
	}
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		release(dirfd);
		return;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/start.sock", dirfd);
	struct rt_msg msg;
	memset(&msg, 0, sizeof msg);
	msg.type = RT_MSG_START;
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0 || write(sock, &msg, sizeof msg) != sizeof msg) {
		/* Nothing reached the container: the Go code tries again and
		 * words the error. */
		close(sock);
		release(dirfd);
		return;
	}
	ssize_t n;
	do
		n = recv(sock, &msg, sizeof msg, 0);
	while (n < 0 && errno == EINTR);
	int err = errno;
	close(sock);
	unlinkat(dirfd, "start.sock", 0);
	release(dirfd);
	if (n == 0)
		_exit(0); /* EOF: the program was exec'd */
	rt_faststart.began = 1;
	if (n < 0) {
		rt_faststart.kind = RT_FASTSTART_RECV_ERRNO;
		rt_faststart.err = err;
	} else if (n != sizeof msg) {
		rt_faststart.kind = RT_FASTSTART_SHORT;
		rt_faststart.err = n;
	} else if (msg.type != RT_MSG_ERROR) {
		rt_faststart.kind = RT_FASTSTART_UNEXPECTED;
	} else {
		rt_faststart.kind = RT_FASTSTART_INIT_ERROR;
		rt_faststart.err = msg.err;
		msg.text[sizeof msg.text - 1] = 0;
		memcpy(rt_faststart.text, msg.text, sizeof msg.text);
	}
}
