// Package faststart serves `rt start`, `delete`, `kill` and `state` of one
// container in a C constructor, before the Go runtime starts (see
// faststart.c). Importing it is what installs it.
package faststart

/*
#cgo CFLAGS: -O2 -Wall -I${SRCDIR}/../nsenter
#include "faststart.h"
*/
import "C"

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"rt/nsenter"
)

// Outcome reports an `rt start` the constructor began: began is false when
// it left the command to the Go code. Otherwise START was sent to container
// id and err is what libcontainer.Start would have returned.
func Outcome(id string) (began bool, err error) {
	o := &C.rt_faststart
	if o.began == 0 {
		return false, nil
	}
	switch o.kind {
	case C.RT_FASTSTART_INIT_ERROR:
		err = &nsenter.InitError{Op: "container init", Detail: C.GoString(&o.text[0]), Errno: unix.Errno(o.err)}
	case C.RT_FASTSTART_RECV_ERRNO:
		err = fmt.Errorf("read from container init: %w", unix.Errno(o.err))
	case C.RT_FASTSTART_SHORT:
		err = fmt.Errorf("read from container init: short message (%d bytes)", int(o.err))
	default:
		err = errors.New("unexpected message")
	}
	return true, fmt.Errorf("start container %s: %w", id, err)
}
