package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"rt/cli"
	"rt/libcontainer"
	"rt/timerslack"
)

var psCommand = &cli.Command{
	Name:      "ps",
	Usage:     "list the processes of a container",
	ArgsUsage: "<container-id> [-- ps options (default -ef)]",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
	},
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		format := ctx.String("format")
		if format != "table" && format != "json" {
			return fmt.Errorf("--format: %q is not table or json", format)
		}
		pids, err := libcontainer.Processes(root, id)
		if err != nil {
			return err
		}
		if format == "json" {
			return json.NewEncoder(os.Stdout).Encode(pids)
		}
		psArgs := ctx.Args().Tail()
		if len(psArgs) > 0 && psArgs[0] == "--" {
			psArgs = psArgs[1:]
		}
		if len(psArgs) == 0 {
			psArgs = []string{"-ef"}
		}
		return psTable(pids, psArgs)
	},
}

// psTable runs the host's ps and prints its header and the rows whose PID
// column is one of pids, as runc does.
func psTable(pids []int, args []string) error {
	out, err := timerslack.CombinedOutput(exec.Command("ps", args...))
	if err != nil {
		return fmt.Errorf("ps %s: %w: %s", strings.Join(args, " "), err, out)
	}
	lines := strings.Split(string(out), "\n")
	col := -1
	for i, f := range strings.Fields(lines[0]) {
		if f == "PID" {
			col = i
			break
		}
	}
	if col < 0 {
		return fmt.Errorf("ps %s: no PID column in its output", strings.Join(args, " "))
	}
	in := make(map[int]bool, len(pids))
	for _, p := range pids {
		in[p] = true
	}
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) <= col {
			continue
		}
		p, err := strconv.Atoi(f[col])
		if err != nil {
			return fmt.Errorf("ps %s: cannot parse pid %q", strings.Join(args, " "), f[col])
		}
		if in[p] {
			b.WriteString(l + "\n")
		}
	}
	_, err = os.Stdout.WriteString(b.String())
	return err
}
