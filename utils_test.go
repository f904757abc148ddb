package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	good := map[string]unix.Signal{
		"KILL": unix.SIGKILL, "SIGKILL": unix.SIGKILL, "kill": unix.SIGKILL, "9": unix.SIGKILL,
		"term": unix.SIGTERM, "USR1": unix.SIGUSR1, "RTMIN": 34, "SIGRTMIN+3": 37, "rtmax": 64, "RTMAX-2": 62, "64": 64,
	}
	for s, want := range good {
		if got, err := parseSignal(s); err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "65", "-1", "NOSUCH", "RTMIN-1", "RTMAX+1", "RTMIN+31", "RTMINx", "SIG"} {
		if _, err := parseSignal(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
