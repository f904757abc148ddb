package main

import (
	"os"
	"strconv"

	"rt/cli"
	"rt/libcontainer"
)

// createContainer is the part of create and run they share.
func createContainer(ctx *cli.Context, foreground bool) (*libcontainer.Container, error) {
	root := setup(ctx)
	id, err := containerID(ctx)
	if err != nil {
		return nil, err
	}
	c, err := libcontainer.Create(libcontainer.CreateOpts{
		ID:            id,
		Bundle:        ctx.String("bundle"),
		Root:          root,
		PidFile:       ctx.String("pid-file"),
		NoPivot:       ctx.Bool("no-pivot"),
		PreserveFDs:   ctx.Int("preserve-fds"),
		ListenFDs:     listenFDs(),
		Foreground:    foreground,
		Attached:      foreground && !ctx.Bool("detach"),
		ConsoleSocket: ctx.String("console-socket"),
	})
	if err != nil {
		return nil, err
	}
	logDebug("container %s: init pid %d, bundle %s", id, c.State.Pid, c.State.Bundle)
	for _, w := range c.Warnings {
		logWarning(w)
	}
	for _, n := range c.Notes {
		logDebug("%s", n)
	}
	return c, nil
}

// listenFDs is the number of fds systemd's socket activation passed to this
// rt process: LISTEN_FDS, when LISTEN_PID names rt itself.
func listenFDs() int {
	if pid, err := strconv.Atoi(os.Getenv("LISTEN_PID")); err != nil || pid != os.Getpid() {
		return 0
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
