// Package sigrelay catches the signals rt forwards to a container and
// delivers them on a channel.
//
// os/signal would do the same, but enabling a signal there is a round trip
// with the runtime's signal-mask thread: for all 60-odd signals that is
// 2-3 ms of futex wake-ups at every foreground `rt run` and `rt exec`
// (measured). Here a C handler writes the signal number into a pipe and one
// goroutine reads it, so catching every signal costs one sigaction each.
//
// The signals the Go runtime needs keep its handlers: SIGURG (preemption),
// SIGPROF, the synchronous faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
// SIGTRAP, SIGSYS) and glibc's SIGCANCEL/SIGSETXID (32, 33).
package sigrelay

/*
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int relay_fd = -1;
static struct sigaction saved[65];

// relay runs on whatever thread took the signal, on its alternate stack
// (SA_ONSTACK, as cgo requires): one async-signal-safe write. A full pipe
// drops the signal, as a full os/signal channel does.
static void relay(int sig)
{
	int saved_errno = errno;
	unsigned char b = (unsigned char)sig;
	(void)!write(relay_fd, &b, 1);
	errno = saved_errno;
}

static int rt_sigrelay_catch(int fd, const int *sigs, int n)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = relay;
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	relay_fd = fd;
	for (int i = 0; i < n; i++)
		if (sigaction(sigs[i], &sa, &saved[sigs[i]]) < 0)
			return -errno;
	return 0;
}

static void rt_sigrelay_restore(const int *sigs, int n)
{
	for (int i = 0; i < n; i++)
		sigaction(sigs[i], &saved[sigs[i]], NULL);
}
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// caught lists the signals a relay catches: every signal but those that
// cannot be caught (SIGKILL, SIGSTOP) and those the runtime keeps.
var caught = func() []C.int {
	keep := map[unix.Signal]bool{
		unix.SIGKILL: true, unix.SIGSTOP: true, unix.SIGURG: true, unix.SIGPROF: true,
		unix.SIGSEGV: true, unix.SIGBUS: true, unix.SIGFPE: true, unix.SIGILL: true,
		unix.SIGTRAP: true, unix.SIGSYS: true, 32: true, 33: true,
	}
	var s []C.int
	for sig := unix.Signal(1); sig <= 64; sig++ {
		if !keep[sig] {
			s = append(s, C.int(sig))
		}
	}
	return s
}()

// Relay delivers the caught signals on C until Stop.
type Relay struct {
	C    <-chan unix.Signal
	ch   chan unix.Signal
	once sync.Once
}

var (
	mu      sync.Mutex
	current *Relay // the relay the pipe's reader delivers to, if any
	pipeR   *os.File
	pipeW   = -1
)

// Catch installs the handlers; signals arriving from now on are delivered.
// One relay at a time: a second Catch before Stop is an error.
func Catch() (*Relay, error) {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return nil, fmt.Errorf("catch signals: a relay is already active")
	}
	// The pipe lives as long as rt: a handler that started just before
	// Stop may still write to it, so its fd is never closed and reused.
	if pipeW < 0 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
			return nil, fmt.Errorf("signal relay pipe: %w", err)
		}
		pipeR, pipeW = os.NewFile(uintptr(p[0]), "sigrelay"), p[1]
		go deliver(pipeR)
	}
	r := &Relay{ch: make(chan unix.Signal, 64)}
	r.C = r.ch
	current = r
	if rc := C.rt_sigrelay_catch(C.int(pipeW), (*C.int)(unsafe.Pointer(&caught[0])), C.int(len(caught))); rc != 0 {
		C.rt_sigrelay_restore((*C.int)(unsafe.Pointer(&caught[0])), C.int(len(caught)))
		current = nil
		return nil, fmt.Errorf("catch signals: %w", unix.Errno(-rc))
	}
	return r, nil
}

// deliver hands each signal number read from the pipe to the active relay.
func deliver(f *os.File) {
	var buf [64]byte
	for {
		n, err := f.Read(buf[:])
		mu.Lock()
		if r := current; r != nil {
			for _, b := range buf[:n] {
				select {
				case r.ch <- unix.Signal(b):
				default: // nobody is keeping up: drop, like os/signal
				}
			}
		}
		mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Stop puts back the handlers Catch replaced; signals no longer arrive on C.
func (r *Relay) Stop() {
	r.once.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		C.rt_sigrelay_restore((*C.int)(unsafe.Pointer(&caught[0])), C.int(len(caught)))
		if current == r {
			current = nil
		}
	})
}
