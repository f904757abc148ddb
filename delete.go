package main

import (
	"errors"

	"rt/cli"
	"rt/libcontainer"
)

var deleteCommand = &cli.Command{
	Name:      "delete",
	Usage:     "delete a stopped container (with --force, any container)",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill the container first if it is running"},
	},
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		err = libcontainer.Delete(root, id, ctx.Bool("force"))
		if ctx.Bool("force") && errors.Is(err, libcontainer.ErrNotExist) {
			return nil // as runc: --force on a missing container is not an error
		}
		return err
	},
}
