// Package timerslack gives rt's threads a coarse timer slack and the
// processes rt starts the host's (see timerslack.c). Importing it is what
// installs it; Start and CombinedOutput are how rt starts a host process
// under it.
package timerslack

/*
#cgo CFLAGS: -O2 -Wall
#include "timerslack.h"
*/
import "C"

import (
	"bytes"
	"os/exec"
	"runtime"
)

// Host is the timer slack rt was started with, in nanoseconds: what its
// children get.
func Host() uint64 { return uint64(C.rt_host_slack_ns) }

// Own is the timer slack rt's threads run with.
func Own() uint64 { return uint64(C.rt_own_slack_ns) }

// Start starts cmd from a thread set to the host's slack, so the process
// inherits that and not rt's.
func Start(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	C.rt_slack_host()
	defer C.rt_slack_own()
	return cmd.Start()
}

// CombinedOutput is cmd.CombinedOutput with Start's slack: it runs cmd
// and returns what it wrote to stdout and stderr together.
func CombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := Start(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	return out.Bytes(), err
}
