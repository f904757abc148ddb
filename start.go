package main

import (
	"rt/cli"
	"rt/faststart"
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
		// The constructor in faststart may have sent START already; then
		// only its error, if any, is left to report.
		if began, err := faststart.Outcome(id); began {
			return err
		}
		return libcontainer.Start(root, id)
	},
}
