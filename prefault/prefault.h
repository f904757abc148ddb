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

/* Set by the constructor for a command it leaves alone (create). */
extern int rt_prefault_skip;

#endif
