package main

import (
	"github.com/urfave/cli/v2"

	"rt/libcontainer"
)

var resumeCommand = &cli.Command{
	Name:      "resume",
	Usage:     "resume every process of a paused container",
	ArgsUsage: "<container-id>",
	Action:    idAction(libcontainer.Resume),
}
