package main

import (
	"rt/cli"
)

var createFlags = []cli.Flag{
	&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "path to the OCI bundle"},
	&cli.StringFlag{Name: "pid-file", Usage: "file to write the container's pid to"},
	&cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to (process.terminal)"},
	&cli.BoolFlag{Name: "no-pivot", Usage: "move the rootfs with MS_MOVE and chroot instead of pivot_root"},
	&cli.BoolFlag{Name: "no-new-keyring", Usage: "accepted for runc compatibility; rt makes no session keyring"},
	&cli.IntFlag{Name: "preserve-fds", Usage: "pass fds 3 .. 3+N-1 to the container"},
}

var createCommand = &cli.Command{
	Name:      "create",
	Usage:     "create a container, its process waiting for start",
	ArgsUsage: "<container-id>",
	Flags:     createFlags,
	Action: func(ctx *cli.Context) error {
		c, err := createContainer(ctx, false)
		if err != nil {
			return err
		}
		c.Unlock()
		return nil
	},
}
