package main

import (
	"rt/cli"
	"rt/libcontainer"
)

var resumeCommand = &cli.Command{
	Name:      "resume",
	Usage:     "resume every process of a paused container",
	ArgsUsage: "<container-id>",
	Action:    idAction(libcontainer.Resume),
}
