package main

import (
	"golang.org/x/sys/unix"

	"rt/cli"
	"rt/libcontainer"
)

var killCommand = &cli.Command{
	Name:      "kill",
	Usage:     "send a signal (default SIGTERM) to a container's init",
	ArgsUsage: "<container-id> [signal]",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process in the container"},
	},
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		sig := unix.SIGTERM
		if ctx.NArg() > 1 {
			if sig, err = parseSignal(ctx.Args().Get(1)); err != nil {
				return err
			}
		}
		return libcontainer.Kill(root, id, sig, ctx.Bool("all"))
	},
}
