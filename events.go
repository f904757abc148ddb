package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"rt/cli"
	"rt/libcontainer"
)

var eventsCommand = &cli.Command{
	Name:      "events",
	Usage:     "print a container's resource usage and OOM events as JSON lines",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "how often to print stats"},
		&cli.BoolFlag{Name: "stats", Usage: "print the stats once and exit"},
	},
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		if ctx.Bool("stats") {
			ev, err := libcontainer.Stats(root, id)
			if err != nil {
				return err
			}
			return enc.Encode(ev)
		}
		interval := ctx.Duration("interval")
		if interval <= 0 {
			return fmt.Errorf("--interval: %v must be positive", interval)
		}
		return libcontainer.Events(root, id, interval,
			func(ev libcontainer.Event) error { return enc.Encode(ev) },
			func(err error) { logWarning(err.Error()) })
	},
}
