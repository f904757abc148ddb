/* `rt start ID`, `rt delete ID`, `rt kill ID` and `rt state ID` served
 * before the Go runtime starts.
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
 * exits. `rt [--root DIR] state ID` prints what the Go code would, byte for
 * byte (managers call it often), when every string in it is one Go writes
 * back as it reads it (no escapes) and no freezer is half-way.
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
			errno = EFBIG;
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
	int freezer, unified;  /* indices of those hierarchies' directories, or -1 */
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
	d->freezer = d->unified = -1;
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
					if (!strcmp(name, "freezer"))
						d->freezer = dup;
					else if (!strcmp(name, "unified"))
						d->unified = dup;
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

/* utf8_len is the length of the valid UTF-8 sequence at p (not ASCII), or 0. */
static int utf8_len(const char *p, const char *end)
{
	unsigned char c = p[0];
	int n;
	unsigned v, min;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		unsigned char d = p[i];
		if ((d & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (d & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || v == 0x2028 || v == 0x2029)
		return 0;
	return n;
}

/* plain_bytes says whether Go's encoder writes these bytes as they are in
 * a string: no control byte, quote or backslash, none of <>& (escaped for
 * HTML), valid UTF-8 without U+2028 and U+2029 (escaped too). */
static int plain_bytes(const char *p, const char *end)
{
	while (p < end) {
		unsigned char c = *p;
		if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		int n = utf8_len(p, end);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

/* plain_token takes the JSON string at s->p when it has no escape and Go
 * would write its value back as the same bytes (plain_bytes): then the
 * token, quotes included, can be copied to the output. Else -1, and the Go
 * code answers. */
static int plain_token(struct scan *s, const char **tok, size_t *len)
{
	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return -1;
	const char *start = s->p;
	const char *close = memchr(start + 1, '"', s->end - start - 1);
	if (!close || !plain_bytes(start + 1, close))
		return -1;
	s->p = close + 1;
	*tok = start;
	*len = s->p - start;
	return 0;
}

/* The strings of `rt state`'s output, as tokens of state.json. */
enum { V_OCI_VERSION, V_ID, V_BUNDLE, V_ROOTFS, V_CREATED, V_N };

struct state_view {
	const char *tok[V_N];
	size_t len[V_N];
	const char *ann; /* the annotations object, or NULL */
	const char *ann_end;
};

/* parse_state reads pid, pid_start and whether hooks are set from the
 * top-level object of state.json, and with v the strings `rt state`
 * prints; the last of duplicate keys wins, as in Go. */
static int parse_state(const char *data, size_t len, struct state_fields *f, struct state_view *v)
{
	static const char *const view_keys[V_N] = {"oci_version", "id", "bundle", "rootfs", "created"};
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
		} else if (v && KEY("annotations")) {
			v->ann = s.p;
			if (skip_value(&s, 0))
				return -1;
			v->ann_end = s.p;
		} else {
			int k = 0;
			while (v && k < V_N && !(strlen(view_keys[k]) == klen && !memcmp(key, view_keys[k], klen)))
				k++;
			if (v && k < V_N ? plain_token(&s, &v->tok[k], &v->len[k]) : skip_value(&s, 0))
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
	for (int k = 0; v && k < V_N; k++)
		if (!v->tok[k])
			return -1;
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

enum command { CMD_NONE, CMD_START, CMD_DELETE, CMD_KILL, CMD_STATE };

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
 * `rt [--root ...] delete [-f|--force] ID`, `rt [--root ...] kill ID
 * [SIGNAL]` and `rt [--root ...] state ID`, setting *root, *id and *sig;
 * any other command line is CMD_NONE. */
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
	else if (!strcmp(argv[i], "state"))
		cmd = CMD_STATE;
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

/* ---- rt state ---- */

/* append adds n bytes to the output buffer; -1 when it is full. */
struct out {
	char *buf;
	size_t len, cap;
};

static int put(struct out *o, const char *p, size_t n)
{
	if (o->cap - o->len < n)
		return -1;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

/* put_annotations writes the annotations object as json.MarshalIndent
 * does a map (keys sorted; rt wrote them sorted, and anything else goes to
 * the Go code), or nothing for an empty or null one (omitempty). */
static int put_annotations(struct out *o, const struct state_view *v)
{
	if (!v->ann)
		return 0;
	struct scan s = {v->ann, v->ann_end};
	if (s.end - s.p == 4 && !memcmp(s.p, "null", 4))
		return 0;
	if (*s.p++ != '{')
		return -1;
	ws(&s);
	if (s.p < s.end && *s.p == '}')
		return 0;
	const char *prev = NULL;
	size_t prevlen = 0;
	if (PUTS(o, ",\n  \"annotations\": {"))
		return -1;
	for (int first = 1;; first = 0) {
		const char *k, *val;
		size_t kl, vl;
		if (plain_token(&s, &k, &kl))
			return -1;
		if (prev) { /* strictly increasing, as Go sorts the keys */
			size_t m = kl < prevlen ? kl : prevlen;
			int c = memcmp(prev, k, m);
			if (c > 0 || (c == 0 && prevlen >= kl))
				return -1;
		}
		prev = k, prevlen = kl;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':' || plain_token(&s, &val, &vl))
			return -1;
		if ((!first && PUTS(o, ",")) || PUTS(o, "\n    ") || put(o, k, kl) || PUTS(o, ": ") || put(o, val, vl))
			return -1;
		ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (s.p >= s.end || *s.p++ != '}')
			return -1;
		break;
	}
	return PUTS(o, "\n  }");
}

/* owner_name is libcontainer's ownerOf: the name of the user owning the
 * state dir from /etc/passwd, or "#UID". -1 for what the Go code should
 * answer (a name Go would escape, a passwd too big for buf). */
static int owner_name(const char *dir, char *buf, size_t size, const char **name, size_t *len)
{
	struct stat st;
	static char fallback[24];
	if (stat(dir, &st) < 0)
		return -1;
	char uid[16];
	int ul = snprintf(uid, sizeof uid, "%u", (unsigned)st.st_uid);
	snprintf(fallback, sizeof fallback, "#%u", (unsigned)st.st_uid);
	*name = fallback;
	*len = strlen(fallback);
	ssize_t n = read_small(AT_FDCWD, "/etc/passwd", buf, size);
	if (n < 0) /* none: os.ReadFile fails too, "#UID"; else (a symlink, too big) Go decides */
		return errno == ENOENT ? 0 : -1;
	/* strings.Split(data, "\n"), then each line by ":": f[2] == uid. */
	for (char *line = buf, *end = buf + n; line <= end;) {
		char *nl = memchr(line, '\n', end - line);
		char *le = nl ? nl : end;
		char *c1 = memchr(line, ':', le - line);
		char *c2 = c1 ? memchr(c1 + 1, ':', le - c1 - 1) : NULL;
		if (c2) {
			char *c3 = memchr(c2 + 1, ':', le - c2 - 1);
			char *f2end = c3 ? c3 : le;
			if (f2end - (c2 + 1) == ul && !memcmp(c2 + 1, uid, ul)) {
				if (!plain_bytes(line, c1))
					return -1;
				*name = line;
				*len = c1 - line;
				return 0;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

/* paused_state is libcontainer's Cgroup.Frozen as State.status uses it: 1
 * paused, 0 not (errors too, as there), -1 for the Go code (a freezer
 * still FREEZING, which it waits out). */
static int paused_state(const struct cgroup_dirs *cg)
{
	char path[PATH_MAX + 32], val[64];
	if (cg->freezer >= 0) {
		snprintf(path, sizeof path, "%s/freezer.state", cg->path[cg->freezer]);
		if (read_small(AT_FDCWD, path, val, sizeof val) < 0)
			return 0;
		if (!strcmp(val, "THAWED\n"))
			return 0;
		if (strcmp(val, "FROZEN\n"))
			return -1;
		snprintf(path, sizeof path, "%s/freezer.self_freezing", cg->path[cg->freezer]);
		if (read_small(AT_FDCWD, path, val, sizeof val) < 0)
			return 1; /* an old kernel without self_freezing */
		return !strcmp(val, "1\n") || !strcmp(val, "1");
	}
	if (cg->unified >= 0) {
		snprintf(path, sizeof path, "%s/cgroup.freeze", cg->path[cg->unified]);
		if (read_small(AT_FDCWD, path, val, sizeof val) < 0)
			return 0;
		return !strcmp(val, "1\n") || !strcmp(val, "1");
	}
	return 0;
}

/* state prints `rt state ID` as the Go code would (OCIState.IndentedJSON),
 * byte for byte, and exits; it returns when the Go code is to answer. */
static void state(int dirfd, const char *path, char *data, size_t len, struct cgroup_dirs *cg, char *buf, size_t size)
{
	struct state_fields f = {.cg = cg};
	struct state_view v;
	memset(&v, 0, sizeof v);
	if (parse_state(data, len, &f, &v))
		return;
	const char *status = "running";
	unsigned long long pid = f.pid;
	if (!alive(f.pid, f.pid_start)) {
		status = "stopped";
		pid = 0;
	} else {
		int paused = f.has_cgroup ? paused_state(cg) : 0;
		if (paused < 0)
			return;
		struct stat st;
		if (paused)
			status = "paused";
		else if (fstatat(dirfd, "start.sock", &st, AT_SYMLINK_NOFOLLOW) == 0)
			status = "created";
	}
	/* The output goes after the passwd in buf. */
	size_t half = size / 2;
	const char *owner;
	size_t ownerlen;
	if (owner_name(path, buf, half, &owner, &ownerlen))
		return;
	struct out o = {buf + half, 0, size - half};
	char num[32];
	int nl = snprintf(num, sizeof num, "%llu", pid);
	if (PUTS(&o, "{\n  \"ociVersion\": ") || put(&o, v.tok[V_OCI_VERSION], v.len[V_OCI_VERSION]) ||
	    PUTS(&o, ",\n  \"id\": ") || put(&o, v.tok[V_ID], v.len[V_ID]) ||
	    PUTS(&o, ",\n  \"pid\": ") || put(&o, num, nl) ||
	    PUTS(&o, ",\n  \"status\": \"") || put(&o, status, strlen(status)) ||
	    PUTS(&o, "\",\n  \"bundle\": ") || put(&o, v.tok[V_BUNDLE], v.len[V_BUNDLE]) ||
	    PUTS(&o, ",\n  \"rootfs\": ") || put(&o, v.tok[V_ROOTFS], v.len[V_ROOTFS]) ||
	    PUTS(&o, ",\n  \"created\": ") || put(&o, v.tok[V_CREATED], v.len[V_CREATED]) ||
	    put_annotations(&o, &v) ||
	    PUTS(&o, ",\n  \"owner\": \"") || put(&o, owner, ownerlen) || PUTS(&o, "\"\n}\n"))
		return;
	for (size_t done = 0; done < o.len;) {
		ssize_t n = write(1, o.buf + done, o.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		done += n;
	}
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
	if (cmd == CMD_STATE) { /* read without the lock, as libcontainer.StateOf */
		const size_t state_max = 256 << 10, work = 256 << 10, size = state_max + sizeof(struct cgroup_dirs) + work;
		char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem != MAP_FAILED) {
			ssize_t len = read_small(dirfd, "state.json", mem, state_max);
			if (len >= 0)
				state(dirfd, path, mem, len, (struct cgroup_dirs *)(mem + state_max),
				      mem + state_max + sizeof(struct cgroup_dirs), work);
			munmap(mem, size);
		}
		close(dirfd);
		return;
	}
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
	if (len < 0 || parse_state(state, len, &f, NULL))
		release(dirfd);
	else if (cmd == CMD_START)
		start(dirfd, &f);
	else if (cmd == CMD_DELETE)
		delete(dirfd, path, &f);
	else
		kill_init(dirfd, &f, sig);
	munmap(mem, size); /* back to the Go code */
}
