// Package maxprocs starts rt's Go runtime on one processor and gives its
// threads, and so everything rt starts, the host's CPU mask back (see
// maxprocs.c). Importing it is what installs it.
package maxprocs

/*
#cgo CFLAGS: -O2 -Wall
#include "maxprocs.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
)

func init() {
	if C.rt_host_ncpu > 0 && C.rt_maxprocs_unpin() != 0 {
		// A thread left on one CPU would pass that on to what it starts.
		fmt.Fprintln(os.Stderr, "rt: cannot restore the CPU affinity of its threads")
		os.Exit(1)
	}
}

// HostCPUs is the number of CPUs rt may run on (its affinity at start).
func HostCPUs() int {
	if n := int(C.rt_host_ncpu); n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// Parallel lets goroutines run on every CPU again, as the runtime would by
// default: for work whose goroutines block in system calls while others
// must go on (a terminal relay reading a blocking stdin).
func Parallel() {
	if n := HostCPUs(); runtime.GOMAXPROCS(0) < n {
		runtime.GOMAXPROCS(n)
	}
}
