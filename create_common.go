package main

import (
	"github.com/urfave/cli/v2"

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
		Foreground:    foreground,
		ConsoleSocket: ctx.String("console-socket"),
	})
	if err != nil {
		return nil, err
	}
	logDebug("container %s: init pid %d, bundle %s", id, c.State.Pid, c.State.Bundle)
	for _, w := range c.Warnings {
		logWarning(w)
	}
	return c, nil
}
