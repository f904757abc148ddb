/*
 * rt's threads sleep with a coarse timer slack; what rt starts gets the
 * host's.
 *
 * The Go runtime's sysmon thread polls with usleep(20) while any goroutine
 * sits in a system call, and rt's short life is mostly system calls: with
 * the kernel's default slack (50 us) that is one wakeup and two context
 * switches every ~115 us here, about 50 of them in an `rt run` of
 * /bin/true. A slack of 2 ms lets each of those sleeps last up to 2 ms:
 * measured here, an `rt run` of /bin/true costs ~5 ms less CPU and ~1.5 ms
 * less wall time, with half the context switches.
 *
 * What sysmon does late by up to 2 ms then (more once it backs off, as it
 * does when idle): preempting a goroutine that ran 10 ms, polling the
 * network when no thread did for 10 ms, and taking the processor back from
 * a goroutine blocked in a system call when another needs it (rt runs on
 * one, maxprocs.c). rt waits for its container's exit and its signals
 * through the netpoller, which holds no processor; a terminal relay runs on
 * every CPU; a hook's or ps's output, drained by a goroutine while rt waits
 * for the process, may wait once for that tick.
 *
 * The slack is set before the Go runtime makes its first thread, so every
 * thread has it. Children inherit a thread's slack (and take it as their
 * default), so a clone or fork that starts a process for the host or the
 * container first sets the host's value on its own thread (rt_slack_host)
 * and puts rt's back after (rt_slack_own).
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include "timerslack.h"

/* rt's own slack: sysmon's 20 us sleeps become up to 2 ms. */
#define RT_OWN_SLACK_NS 2000000UL

unsigned long rt_host_slack_ns, rt_own_slack_ns;

__attribute__((constructor)) static void rt_timerslack_init(void)
{
	int host = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	if (host <= 0) /* returns the slack, in an int: it cannot fail */
		return;
	rt_host_slack_ns = (unsigned long)host;
	/* A slack the user gave rt already coarser than ours is kept. */
	rt_own_slack_ns = rt_host_slack_ns > RT_OWN_SLACK_NS ? rt_host_slack_ns : RT_OWN_SLACK_NS;
	if (rt_own_slack_ns != rt_host_slack_ns && prctl(PR_SET_TIMERSLACK, rt_own_slack_ns, 0, 0, 0) < 0)
		rt_own_slack_ns = rt_host_slack_ns;
}

void rt_slack_host(void)
{
	if (rt_own_slack_ns != rt_host_slack_ns)
		prctl(PR_SET_TIMERSLACK, rt_host_slack_ns, 0, 0, 0);
}

void rt_slack_own(void)
{
	if (rt_own_slack_ns != rt_host_slack_ns)
		prctl(PR_SET_TIMERSLACK, rt_own_slack_ns, 0, 0, 0);
}
