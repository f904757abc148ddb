package main

import (
	"github.com/urfave/cli/v2"

	"rt/libcontainer"
)

var startCommand = &cli.Command{
	Name:      "start",
	Usage:     "run the program of a created container",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		return libcontainer.Start(root, id)
	},
}
