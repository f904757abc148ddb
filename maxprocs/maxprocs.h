#ifndef RT_MAXPROCS_H
#define RT_MAXPROCS_H

/* CPUs in the mask rt was started with; 0 when the constructor left it. */
extern int rt_host_ncpu;

/* Give every thread of rt the host's mask back; 0 when all have it. */
int rt_maxprocs_unpin(void);

#endif
