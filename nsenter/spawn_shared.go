package nsenter

/*
#include <stdlib.h>
#include "nsenter.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sharedIntoCgroup says SpawnShared can start the child in a cgroup2
// directory (CLONE_INTO_CGROUP: clone3, called from assembly on this
// architecture).
var sharedIntoCgroup = C.rt_spawn_shared_into_cgroup != 0

// sharedStackSize is the child's stack: the init stage's deepest path is a
// few KiB (messages, path buffers); pages are only faulted in as touched.
const sharedStackSize = 256 << 10

// Shared is a child spawned by SpawnShared. Its memory is rt's own until it
// execs or dies, so what it runs on stays mapped until Release.
type Shared struct {
	Pid, Pidfd int
	release    chan struct{}
	once       sync.Once
}

// SpawnShared is Spawn for a child that shares rt's address space
// (CLONE_VM): no page tables are copied at clone, neither process takes
// copy-on-write faults afterwards, and the child's execve has no copy of the
// Go heap to tear down. For a container whose program is exec'd while rt
// still runs (rt run, rt exec); a container left waiting after rt exits
// (rt create) would keep all of rt's memory alive, so it uses Spawn.
// flags must not contain CLONE_NEWTIME (clone() has no room for it). The
// child starts in the cgroup2 directory cgroupFD when it is >= 0; where
// this architecture cannot, that is EOPNOTSUPP, before anything is done.
//
// The child runs on the TLS of the thread that cloned it (errno, the stack
// guard): that thread is locked and parked, running nothing else, until
// Release; then it exits with the goroutine, its TLS no longer needed.
func SpawnShared(prog *Program, flags uint64, cgroupFD int) (*Shared, error) {
	if flags&0x80 != 0 || flags>>32 != 0 {
		return nil, fmt.Errorf("clone flags %#x do not fit clone(): use Spawn", flags)
	}
	if cgroupFD >= 0 && !sharedIntoCgroup {
		return nil, fmt.Errorf("clone into a cgroup with a shared memory: %w", unix.EOPNOTSUPP)
	}
	type result struct {
		pid, pidfd int
		err        error
	}
	s := &Shared{release: make(chan struct{})}
	ready := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with us
		b := prog.Bytes()
		mem, err := unix.Mmap(-1, 0, sharedStackSize+len(b), unix.PROT_READ|unix.PROT_WRITE,
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_STACK|unix.MAP_NORESERVE)
		if err != nil {
			ready <- result{err: fmt.Errorf("map the init stage's stack: %w", err)}
			return
		}
		boot := mem[sharedStackSize:]
		copy(boot, b)
		var cpidfd C.int = -1
		r, errno := C.rt_spawn_shared((*C.uint8_t)(unsafe.Pointer(&boot[0])), C.size_t(len(b)), C.uint64_t(flags),
			C.int(cgroupFD), unsafe.Pointer(&mem[0]), C.size_t(sharedStackSize), &cpidfd)
		if r < 0 {
			unix.Munmap(mem)
			ready <- result{err: fmt.Errorf("clone with flags %#x: %w", flags, errno)}
			return
		}
		ready <- result{pid: int(r), pidfd: int(cpidfd)}
		<-s.release
		unix.Munmap(mem)
	}()
	r := <-ready
	if r.err != nil {
		return nil, r.err
	}
	s.Pid, s.Pidfd = r.pid, r.pidfd
	return s, nil
}

// Release frees the child's stack and thread. Call it only once the child
// has exec'd (its end of the sync socket closed at execve) or has been reaped.
func (s *Shared) Release() {
	if s != nil {
		s.once.Do(func() { close(s.release) })
	}
}
