// Package prefault faults in, with one system call each, memory rt would
// otherwise fault in a page at a time: its .data and .bss (a constructor)
// and the part of the Go heap a command is about to grow into (the init).
// Importing the package installs both; rt create is left alone. See
// prefault.c.
package prefault

/*
#cgo CFLAGS: -O2 -Wall
#include <stdlib.h>
#include "prefault.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// heapAhead is how much heap past its end the init populates: an `rt run`
// ends with ~560 KiB of heap spans in use, ~200 KiB allocated. (It was
// ~1 MiB while config.json and state.json went through encoding/json's
// reflection. Measured since: 1 MiB and 512 KiB cost the same CPU, and
// 512 KiB keeps 512 KiB less resident.)
const heapAhead = 512 << 10

func init() {
	if C.rt_prefault_skip == 0 {
		populateHeap(heapAhead)
	}
}

// frontier keeps the probe reachable until it has been used.
var frontier []byte

// populateHeap populates n bytes of the heap past its current end. Fresh
// pages are zero either way; one rt would not have touched costs ~1 us and
// 4 KiB of resident memory.
//
// Not for a command that forks a process which outlives it without exec
// (rt create): the child's resident memory would count these pages.
func populateHeap(n int) (probe uintptr) {
	// A large allocation gets pages of its own from the page allocator,
	// which takes the lowest free ones: in a fresh heap, its end. What
	// rt allocates from now on goes there (measured: none of the heap
	// faults left in an `rt run` was past the probe).
	frontier = make([]byte, 64<<10)
	probe = uintptr(unsafe.Pointer(&frontier[0]))
	populateRange(probe, n)
	frontier = nil
	return probe
}

// populateRange populates [start, start+n) for writing, as far as it is
// mapped writable.
func populateRange(start uintptr, n int) {
	C.rt_prefault_range(C.uintptr_t(start), C.size_t(n))
}

// FaultNs is the first touch of a fresh page as the constructor timed it
// (the cheaper of two), in ns; -1 if it did not.
func FaultNs() int64 { return int64(C.rt_prefault_fault_ns) }

// Populated says whether the constructor populated rt's image and the init
// its heap.
func Populated() bool { return C.rt_prefault_skip == 0 }

// Report says what the constructor measured and did, for the debug log.
func Report() string {
	ns := FaultNs()
	if ns < 0 {
		return "prefault: fault cost not measured; image and heap populated"
	}
	what := "not populating rt's image and heap: cheaper to fault what is touched"
	if Populated() {
		what = "populating rt's image and heap"
	} else if ns > dearFaultNs {
		what = "populating rt's read-only image only (this command leaves the rest alone)"
	}
	return fmt.Sprintf("prefault: a page fault costs %d ns here: %s", ns, what)
}

// dearFaultNs is RT_DEAR_FAULT_NS.
const dearFaultNs = C.RT_DEAR_FAULT_NS

// GlobalValueFlags are the global flags the constructor skips the value
// of when it looks for the command (it leaves rt create alone).
func GlobalValueFlags() []string {
	var names []string
	for i := 0; C.rt_prefault_value_flag(C.int(i)) != nil; i++ {
		names = append(names, C.GoString(C.rt_prefault_value_flag(C.int(i))))
	}
	return names
}

// commandOf is rt_prefault_command on args (argv[0] first), for tests.
func commandOf(args []string) string {
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
	}
	defer func() {
		for _, p := range argv {
			C.free(unsafe.Pointer(p))
		}
	}()
	c := C.rt_prefault_command(C.int(len(args)), &argv[0])
	if c == nil {
		return ""
	}
	return C.GoString(c)
}
