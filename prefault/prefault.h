#ifndef RT_PREFAULT_H
#define RT_PREFAULT_H

#include <stddef.h>
#include <stdint.h>

/* Populate [start, start+len) for writing; a part not mapped writable
 * stops it there, silently. */
void rt_prefault_range(uintptr_t start, size_t len);

/* The command of an rt command line, or NULL; and the global flags that
 * take a value, which it must know to find it. */
const char *rt_prefault_command(int argc, char **argv);
const char *rt_prefault_value_flag(int i); /* the i-th, NULL past the end */

/* Set by the constructor for a command it leaves alone (create), or on a
 * machine where a page fault is cheap (rt_prefault_fault_ns, measured). */
extern int rt_prefault_skip;
extern long rt_prefault_fault_ns;

/* A page fault dearer than this makes populating pay. */
#define RT_DEAR_FAULT_NS 3000L

#endif
