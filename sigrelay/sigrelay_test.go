package sigrelay

import (
	"os"
	"os/signal"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func expect(t *testing.T, c <-chan unix.Signal, want unix.Signal) {
	t.Helper()
	select {
	case got := <-c:
		if got != want {
			t.Fatalf("got %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%v not delivered", want)
	}
}

func TestRelayDeliversAndStops(t *testing.T) {
	r, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Catch(); err == nil {
		t.Fatal("a second Catch while one is active succeeded")
	}
	for _, sig := range []unix.Signal{unix.SIGUSR1, unix.SIGTERM, unix.SIGHUP, unix.SIGWINCH, 37, 64} {
		if err := unix.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		expect(t, r.C, sig)
	}
	r.Stop()
	r.Stop() // idempotent

	// Go's own handler is back: os/signal sees SIGUSR1 again.
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGUSR1)
	defer signal.Stop(ch)
	unix.Kill(os.Getpid(), unix.SIGUSR1)
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("SIGUSR1 not back with os/signal after Stop")
	}
	select {
	case s := <-r.C:
		t.Fatalf("stopped relay delivered %v", s)
	default:
	}

	// A new relay after Stop works.
	signal.Stop(ch)
	r2, err := Catch()
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Stop()
	unix.Kill(os.Getpid(), unix.SIGUSR2)
	expect(t, r2.C, unix.SIGUSR2)
}

func TestCaughtLeavesRuntimeSignals(t *testing.T) {
	for _, c := range caught {
		switch unix.Signal(c) {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGURG, unix.SIGPROF, unix.SIGSEGV, unix.SIGBUS,
			unix.SIGFPE, unix.SIGILL, unix.SIGTRAP, unix.SIGSYS, 32, 33:
			t.Errorf("signal %d is caught but belongs to the runtime or cannot be caught", c)
		}
	}
	if len(caught) != 64-12 {
		t.Errorf("%d signals caught, want 52", len(caught))
	}
}
