package main

import (
	"encoding/json"
	"os"

	"rt/cli"
	"rt/libcontainer"
)

var stateCommand = &cli.Command{
	Name:      "state",
	Usage:     "print a container's state as JSON",
	ArgsUsage: "<container-id>",
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		st, err := libcontainer.StateOf(root, id)
		if err != nil {
			return err
		}
		b, err := st.IndentedJSON("  ")
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(append(b, '\n'))
		return err
	},
}

func printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = os.Stdout.Write(b)
	return err
}
