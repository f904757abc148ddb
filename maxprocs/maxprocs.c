/*
 * rt's Go code runs on one processor; the threads and processes it starts
 * are as free as rt was.
 *
 * The Go runtime sizes GOMAXPROCS from the CPUs in the affinity mask when
 * it starts. With two processors, every goroutine that becomes runnable
 * wakes a second thread on the other CPU (a futex wake and an IPI, dear
 * under virtualisation), which mostly finds nothing to do; rt does one
 * thing at a time. Measured here, alternating 150 times, GOMAXPROCS=1 saves
 * ~2.5 ms of CPU and ~1.5 ms of wall time in an `rt run` of /bin/true; set
 * from main() it saves only ~1 ms, since the runtime's start has paid by
 * then. The environment cannot carry it (the runtime reads the environment
 * from the initial stack, not through getenv), so this constructor pins the
 * main thread to the CPU it runs on before the runtime starts, and the
 * package's Go init puts the host's mask back on every thread: threads and
 * children made later inherit that. runtime.NumCPU stays 1; Parallel
 * raises GOMAXPROCS where goroutines must overlap (a terminal relay).
 *
 * A mask of one CPU, or one that does not fit cpu_set_t, is left alone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "maxprocs.h"

static cpu_set_t host_cpus;
int rt_host_ncpu;

__attribute__((constructor)) static void rt_maxprocs_init(void)
{
	if (sched_getaffinity(0, sizeof host_cpus, &host_cpus) < 0)
		return;
	int n = CPU_COUNT(&host_cpus);
	if (n < 2)
		return;
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &host_cpus))
		for (cpu = 0; !CPU_ISSET(cpu, &host_cpus); cpu++)
			;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) == 0)
		rt_host_ncpu = n;
}

/* Put the host's mask on every thread of rt; again while a pass finds one
 * still pinned (a thread made meanwhile by a pinned one). */
int rt_maxprocs_unpin(void)
{
	for (int pass = 0; pass < 8; pass++) {
		DIR *d = opendir("/proc/self/task");
		if (d == NULL)
			return -1;
		int pinned = 0;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			pid_t tid = (pid_t)atoi(e->d_name);
			cpu_set_t cur;
			if (tid <= 0 || sched_getaffinity(tid, sizeof cur, &cur) < 0)
				continue; /* . and .., or a thread gone */
			if (CPU_EQUAL(&cur, &host_cpus))
				continue;
			pinned++;
			sched_setaffinity(tid, sizeof host_cpus, &host_cpus);
		}
		closedir(d);
		if (pinned == 0)
			return 0;
	}
	return -1;
}
