#ifndef RT_TIMERSLACK_H
#define RT_TIMERSLACK_H

/* The timer slack rt was started with, and the one its threads use. */
extern unsigned long rt_host_slack_ns, rt_own_slack_ns;

/* Set the calling thread's slack to the host's (before a clone or fork
 * that starts a process), and back to rt's own (after it). */
void rt_slack_host(void);
void rt_slack_own(void);

#endif
