// Package timerslack gives rt's threads a coarse timer slack and the
// processes rt starts the host's (see timerslack.c). Importing it is what
// installs it; Start and Run are how rt starts a host process under it.
package timerslack

/*
#cgo CFLAGS: -O2 -Wall
#include "timerslack.h"
*/
import "C"

import (
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

// Run is cmd.Run with Start's slack.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}
