/*
 * maxrss CMD [ARG...]: run CMD and print on stderr, last, "maxrss_kb N":
 * the peak resident memory of CMD and of every process it waited for.
 *
 * The kernel counts into a process's peak the peak of the memory its execve
 * replaced: a command forked from a big parent (the Go program that times
 * the benchmark) starts with the parent's peak. This helper is small, so
 * what CMD inherits at exec is this helper's few hundred KiB.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: maxrss CMD [ARG...]\n", stderr);
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("maxrss: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("maxrss: wait4");
		return 1;
	}
	fprintf(stderr, "maxrss_kb %ld\n", ru.ru_maxrss);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
