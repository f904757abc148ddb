// Command gofloor does the floor's work from a Go process: one clone into
// new pid, mount, uts, ipc and network namespaces, chroot and exec of the
// program, then wait for it. It is what any runtime written in Go pays
// before it reads a config, makes a cgroup or mounts anything: the Go
// runtime's start (a static binary without cgo, the cheapest kind) and
// os/exec's fork and exec.
//
// Usage: gofloor ROOTFS PROGRAM [ARG...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gofloor ROOTFS PROGRAM [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Dir = "/" // inside the new root, as chroot(1) does
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Chroot: os.Args[1],
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS |
			syscall.CLONE_NEWIPC | syscall.CLONE_NEWNET,
	}
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "gofloor:", err)
		os.Exit(1)
	}
}
