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
		Attached:      foreground && !ctx.Bool("detach"),
		ConsoleSocket: ctx.String("console-socket"),
	})
	if err != nil {
		return nil, err
	}
	for _, w := range c.Warnings {
		logWarning(w)
	}
	return c, nil
}
