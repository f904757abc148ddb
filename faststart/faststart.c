/* `rt start ID` and `rt delete ID` served before the Go runtime starts.
 *
 * Starting a created container is one message on its start.sock, deleting
 * a stopped one a few rmdirs, but a Go process costs ~12 ms of exec,
 * runtime and package init on these machines before main() runs. So a
 * constructor looks at the command line first, and when it is a plain
 * `rt [--root DIR] start ID` of a container that is plainly created (init
 * alive, not frozen, no hooks in its state), or `rt [--root DIR] delete
 * [-f|--force] ID` of one that is plainly stopped (init gone, its own pid
 * namespace, no hooks, empty cgroups), or `rt [--root DIR] kill ID [SIG]`
 * of one that runs and is not frozen, it does what libcontainer does and
 * exits.
 *
 * Anything else, and any doubt before the first change, returns to let the
 * Go code run the command (and word its errors). After START is sent
 * nothing can be retried: a reply other than success is left in
 * rt_faststart for the Go code to report exactly as its own start would.
 * A delete that meets a surprise after it began removing hands over to the
 * Go code too, which finishes what is left (removing what is gone already
 * is no error there).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* string_value decodes a JSON string into out (cap bytes with the NUL);
 * -1 for one that does not fit or that this decoder does not take (\u
 * outside the BMP's non-surrogates: never in what rt writes). */
static int string_value(struct scan *s, char *out, size_t cap)
{
	ws(s);
	if (s->p >= s->end || *s->p++ != '"')
		return -1;
	size_t n = 0;
	while (s->p < s->end) {
		unsigned char c = *s->p++;
		if (c == '"') {
			out[n] = 0;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (s->p >= s->end)
				return -1;
			c = *s->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				if (s->end - s->p < 4)
					return -1;
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					char h = *s->p++;
					v = v * 16 + (isdigit((unsigned char)h) ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : 99);
					if (v >= 0x10000)
						return -1;
				}
				if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
					return -1;
				char u[3];
				size_t un;
				if (v < 0x80) {
					u[0] = v, un = 1;
				} else if (v < 0x800) {
					u[0] = 0xc0 | v >> 6, u[1] = 0x80 | (v & 0x3f), un = 2;
				} else {
					u[0] = 0xe0 | v >> 12, u[1] = 0x80 | ((v >> 6) & 0x3f), u[2] = 0x80 | (v & 0x3f), un = 3;
				}
				if (n + un >= cap)
					return -1;
				memcpy(out + n, u, un);
				n += un;
				continue;
			}
			default:
				return -1;
			}
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	return -1;
}

/* A state's cgroup directories (Manager.Paths values, deduplicated, and
 * Manager.Created, parents first). */
#define MAX_CGROUPS 32
struct cgroup_dirs {
	int n, ncreated;
	int first, first_rank; /* the directory cgroups.Manager.Pids reads */
	char path[MAX_CGROUPS][PATH_MAX];
	char created[MAX_CGROUPS][PATH_MAX];
};

struct state_fields {
	unsigned long long pid, pid_start;
	int has_hooks, host_pid_ns, has_cgroup;
	struct cgroup_dirs *cg; /* filled when not NULL */
};

/* cgroup_path takes only what rt itself writes there: a clean absolute
 * path below /sys/fs/cgroup/. */
static int cgroup_path(const char *p)
{
	return !strncmp(p, "/sys/fs/cgroup/", 15) && !strstr(p, "/../") && !strstr(p, "/./") &&
	       !strstr(p, "//") && strcmp(p + strlen(p) - 3, "/..") && p[strlen(p) - 1] != '/';
}

/* pids_rank orders the hierarchies as cgroups.Manager.pidsDir picks the one
 * whose process list it reads: lowest first. */
static int pids_rank(const char *name)
{
	static const char *const order[] = {"pids", "freezer", "memory", "unified"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, order[i]))
			return i;
	return 4;
}

/* parse_cgroup reads the "cgroup" object of a state into d. */
static int parse_cgroup(struct scan *s, struct cgroup_dirs *d)
{
	ws(s);
	if (s->p >= s->end || *s->p++ != '{')
		return -1;
	for (;;) {
		ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		char key[32];
		if (string_value(s, key, sizeof key))
			return -1;
		ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return -1;
		ws(s);
		int is_paths = !strcmp(key, "paths"), is_created = !strcmp(key, "created");
		if ((is_paths || is_created) && s->p < s->end && *s->p == (is_paths ? '{' : '[')) {
			s->p++;
			ws(s);
			char close = is_paths ? '}' : ']';
			while (s->p < s->end && *s->p != close) {
				char name[64], val[PATH_MAX];
				if (is_paths) {
					if (string_value(s, name, sizeof name))
						return -1;
					ws(s);
					if (s->p >= s->end || *s->p++ != ':')
						return -1;
				}
				if (string_value(s, val, sizeof val) || !cgroup_path(val))
					return -1;
				if (is_paths) {
					int dup = -1;
					for (int i = 0; i < d->n; i++)
						if (!strcmp(d->path[i], val))
							dup = i;
					if (dup < 0) {
						if (d->n == MAX_CGROUPS)
							return -1;
						dup = d->n;
						strcpy(d->path[d->n++], val);
					}
					if (d->n == 1 || pids_rank(name) < d->first_rank) {
						d->first = dup;
						d->first_rank = pids_rank(name);
					}
				} else {
					if (d->ncreated == MAX_CGROUPS)
						return -1;
					strcpy(d->created[d->ncreated++], val);
				}
				ws(s);
				if (s->p < s->end && *s->p == ',') {
					s->p++;
					ws(s);
				}
			}
			if (s->p >= s->end)
				return -1;
			s->p++;
		} else if (skip_value(s, 0)) {
			return -1;
		}
		ws(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
	}
}

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
		} else if (KEY("host_pid_ns")) {
			f->host_pid_ns = !(s.end - s.p >= 5 && !memcmp(s.p, "false", 5));
			if (skip_value(&s, 0))
				return -1;
		} else if (KEY("cgroup") && !(s.end - s.p >= 4 && !memcmp(s.p, "null", 4))) {
			f->has_cgroup = 1;
			if (f->cg ? parse_cgroup(&s, f->cg) : skip_value(&s, 0))
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

enum command { CMD_NONE, CMD_START, CMD_DELETE, CMD_KILL };

/* signal_of reads a signal as kill takes it: a number from 1 to 64, or a
 * classic name with or without SIG, in any case; 0 for anything else
 * (real-time names among them: the Go code parses those). */
static int signal_of(const char *s)
{
	static const char *names[] = {NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
				      "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT",
				      "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
				      "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
	if (isdigit((unsigned char)s[0])) {
		char *end;
		long n = strtol(s, &end, 10);
		return *end || n < 1 || n > 64 ? 0 : (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int n = 1; n < (int)(sizeof names / sizeof names[0]); n++)
		if (!strcasecmp(s, names[n]))
			return n;
	return 0;
}

/* command_of parses `rt [--root DIR|--root=DIR] start ID`,
 * `rt [--root ...] delete [-f|--force] ID` and `rt [--root ...] kill ID
 * [SIGNAL]`, setting *root, *id and *sig; any other command line is
 * CMD_NONE. */
static enum command command_of(int argc, char **argv, const char **root, const char **id, int *sig)
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
	if (i >= argc)
		return CMD_NONE;
	enum command cmd = CMD_NONE;
	if (!strcmp(argv[i], "start"))
		cmd = CMD_START;
	else if (!strcmp(argv[i], "delete"))
		cmd = CMD_DELETE;
	else if (!strcmp(argv[i], "kill"))
		cmd = CMD_KILL;
	i++;
	if (cmd == CMD_DELETE && i < argc && (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")))
		i++;
	*sig = 15; /* kill's default, SIGTERM */
	if (cmd == CMD_KILL && argc == i + 2) {
		if ((*sig = signal_of(argv[i + 1])) == 0)
			return CMD_NONE;
		argc--;
	}
	if (cmd == CMD_NONE || argc != i + 1 || argv[i][0] == '-')
		return CMD_NONE;
	if (*root && !**root)
		return CMD_NONE;
	if (!*root) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		if (geteuid() != 0 && xdg && *xdg) { /* $XDG_RUNTIME_DIR/rt */
			static char buf[PATH_MAX];
			if (snprintf(buf, sizeof buf, "%s/rt", xdg) >= (int)sizeof buf)
				return CMD_NONE;
			*root = buf;
		} else {
			*root = "/run/rt";
		}
	}
	*id = argv[i];
	return valid_id(*id) ? cmd : CMD_NONE;
}

static void release(int dirfd)
{
	flock(dirfd, LOCK_UN);
	close(dirfd);
}

/* start sends START to a created container; returns only when the Go code
 * is to go on (after the state dir was released). */
static void start(int dirfd, const struct state_fields *f)
{
	struct stat st;
	if (f->has_hooks || !alive(f->pid, f->pid_start) || frozen(f->pid) != 0 ||
	    fstatat(dirfd, "start.sock", &st, AT_SYMLINK_NOFOLLOW) < 0) {
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

/* delete removes a stopped container: its (empty) cgroups, then its state
 * dir (libcontainer.Delete); returns only when the Go code is to go on. */
static void delete(int dirfd, const char *path, const struct state_fields *f)
{
	const struct cgroup_dirs *cg = f->cg;
	if (f->has_hooks || f->host_pid_ns || alive(f->pid, f->pid_start)) {
		release(dirfd);
		return;
	}
	/* The kernel removes only a cgroup with no process and no child in it:
	 * the one the Go code would list processes from goes first, and while
	 * it stays, nothing is touched (processes to kill or wait for). From
	 * there on, a surprise hands the rest to the Go code, which removes
	 * what is still there (cgroups.Manager.DestroyIfEmpty, the same way). */
	if (cg->n > 0 && rmdir(cg->path[cg->first]) < 0 && errno != ENOENT) {
		release(dirfd);
		return;
	}
	for (int i = 0; i < cg->n; i++) {
		if (i != cg->first && rmdir(cg->path[i]) < 0 && errno != ENOENT) {
			release(dirfd);
			return;
		}
	}
	for (int i = cg->ncreated - 1; i >= 0; i--)
		rmdir(cg->created[i]); /* shared with other containers maybe: only if empty */
	DIR *d = fdopendir(dup(dirfd));
	if (!d) {
		release(dirfd);
		return;
	}
	struct dirent *e;
	int clean = 1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "state.json"))
			continue;
		if (e->d_type == DT_DIR || unlinkat(dirfd, e->d_name, 0) < 0)
			clean = 0;
	}
	closedir(d);
	/* state.json last: while it is there, the Go code can take over. */
	if (!clean || unlinkat(dirfd, "state.json", 0) < 0 || rmdir(path) < 0) {
		release(dirfd);
		return;
	}
	release(dirfd);
	_exit(0);
}

/* kill signals a running (not frozen) container's init through a pidfd
 * (libcontainer.Kill without --all); returns only when the Go code is to
 * go on. */
static void kill_init(int dirfd, const struct state_fields *f, int sig)
{
	int pidfd = syscall(SYS_pidfd_open, (pid_t)f->pid, 0);
	/* The pidfd first, then the check that it is still our init. */
	if (pidfd < 0 || !alive(f->pid, f->pid_start) || frozen(f->pid) != 0 ||
	    syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		release(dirfd);
		return;
	}
	close(pidfd);
	release(dirfd);
	_exit(0);
}

__attribute__((constructor)) static void rt_faststart_main(int argc, char **argv, char **envp)
{
	(void)envp;
	const char *root, *id;
	int sig;
	enum command cmd = command_of(argc, argv, &root, &id, &sig);
	if (cmd == CMD_NONE)
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
	/* Mapped here, not static: in .bss these 512 KiB would be populated
	 * by prefault at the start of every rt command; mapped, only the pages
	 * a state.json fills are touched. */
	const size_t state_max = 256 << 10, size = state_max + sizeof(struct cgroup_dirs);
	char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		release(dirfd);
		return;
	}
	char *state = mem;
	struct state_fields f = {.cg = cmd == CMD_DELETE ? (struct cgroup_dirs *)(mem + state_max) : NULL};
	ssize_t len = read_small(dirfd, "state.json", state, state_max);
	if (len < 0 || parse_state(state, len, &f))
		release(dirfd);
	else if (cmd == CMD_START)
		start(dirfd, &f);
	else if (cmd == CMD_DELETE)
		delete(dirfd, path, &f);
	else
		kill_init(dirfd, &f, sig);
	munmap(mem, size); /* back to the Go code */
}
