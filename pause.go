package main

import (
	"rt/cli"
	"rt/libcontainer"
)

var pauseCommand = &cli.Command{
	Name:      "pause",
	Usage:     "suspend every process of a container (cgroup freezer)",
	ArgsUsage: "<container-id>",
	Action:    idAction(libcontainer.Pause),
}
