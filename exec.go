package main

import (
	"fmt"

	"golang.org/x/sys/unix"

	"rt/cli"
	"rt/libcontainer"
	"rt/libcontainer/config"
	"rt/sigrelay"
)

// The short forms of the repeatable flags (-e, -g, -c) are flags of their
// own: urfave/cli refuses "-e A=1 --env B=2" for one flag with an alias,
// which runc accepts. Values of the two forms are merged, long ones first.
var execCommand = &cli.Command{
	Name:      "exec",
	Usage:     "run a new process in a running container",
	ArgsUsage: "<container-id> <command> [args...]  (or --process FILE)",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "a runtime-spec process object (JSON file) to run"},
		&cli.StringFlag{Name: "cwd", Usage: "current working directory in the container"},
		&cli.StringSliceFlag{Name: "env", Usage: "set KEY=value in the environment (repeatable; also -e)"},
		&cli.StringSliceFlag{Name: "e", Hidden: true},
		&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "uid[:gid] to run as"},
		&cli.Int64SliceFlag{Name: "additional-gids", Usage: "an additional gid (repeatable; also -g)"},
		&cli.Int64SliceFlag{Name: "g", Hidden: true},
		&cli.StringSliceFlag{Name: "cap", Usage: "add a capability (repeatable; also -c)"},
		&cli.StringSliceFlag{Name: "c", Hidden: true},
		&cli.BoolFlag{Name: "no-new-privs", Usage: "set no_new_privs"},
		&cli.StringFlag{Name: "apparmor", Usage: "AppArmor profile (not supported by rt: refused)"},
		&cli.StringFlag{Name: "process-label", Usage: "SELinux label (not supported by rt: refused)"},
		&cli.IntFlag{Name: "preserve-fds", Usage: "pass fds 3 .. 3+N-1 to the process"},
		&cli.BoolFlag{Name: "ignore-paused", Usage: "exec even if the container is paused (the process waits for resume)"},
		&cli.StringSliceFlag{Name: "cgroup", Usage: "run in a sub-cgroup: PATH, or CONTROLLER[,CONTROLLER]:PATH (repeatable)"},
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "do not wait for the process"},
		&cli.StringFlag{Name: "pid-file", Usage: "file to write the process's host pid to"},
		&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-terminal for the process"},
		&cli.StringFlag{Name: "console-socket", Usage: "unix socket to send the pty master to (with --tty)"},
	},
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		o := libcontainer.ExecOpts{
			Root: root, ID: id,
			PreserveFDs:   ctx.Int("preserve-fds"),
			IgnorePaused:  ctx.Bool("ignore-paused"),
			PidFile:       ctx.String("pid-file"),
			ConsoleSocket: ctx.String("console-socket"),
			Attached:      !ctx.Bool("detach"),
			Overrides: libcontainer.ExecOverrides{
				Args:           execArgs(ctx.Args().Tail()),
				Cwd:            ctx.String("cwd"),
				Env:            append(ctx.StringSlice("env"), ctx.StringSlice("e")...),
				User:           ctx.String("user"),
				AdditionalGids: append(ctx.Int64Slice("additional-gids"), ctx.Int64Slice("g")...),
				Caps:           append(ctx.StringSlice("cap"), ctx.StringSlice("c")...),
				NoNewPrivs:     ctx.Bool("no-new-privs"),
				AppArmor:       ctx.String("apparmor"),
				ProcessLabel:   ctx.String("process-label"),
				Tty:            ctx.Bool("tty"),
			},
		}
		if o.PreserveFDs < 0 {
			return fmt.Errorf("--preserve-fds %d: must not be negative", o.PreserveFDs)
		}
		if o.SubCgroups, err = libcontainer.ParseSubCgroups(ctx.StringSlice("cgroup")); err != nil {
			return err
		}
		if path := ctx.String("process"); path != "" {
			// The file is the whole process: flags that would change it are refused, not silently ignored.
			for _, f := range []string{"cwd", "env", "e", "user", "additional-gids", "g", "cap", "c", "no-new-privs", "apparmor", "process-label"} {
				if ctx.IsSet(f) {
					dash := "--"
					if len(f) == 1 {
						dash = "-"
					}
					return fmt.Errorf("%s%s: cannot be combined with --process (set it in the process file)", dash, f)
				}
			}
			if len(o.Overrides.Args) > 0 {
				return fmt.Errorf("exec: give the command either as arguments or in --process, not both")
			}
			if o.Process, err = config.LoadProcess(path); err != nil {
				return fmt.Errorf("--process %w", err)
			}
			// conmon (podman, CRI-O) passes --tty beside a file asking for a
			// terminal; runc then goes by the file. A --tty the file
			// contradicts is refused.
			if ctx.IsSet("tty") && ctx.Bool("tty") != o.Process.Terminal {
				return fmt.Errorf("--tty=%v: the --process file has \"terminal\": %v (set it in the process file)", ctx.Bool("tty"), o.Process.Terminal)
			}
		} else if len(o.Overrides.Args) == 0 {
			return fmt.Errorf("exec: missing the command to run (after the container id), or --process")
		}
		detach := ctx.Bool("detach")
		// Catch signals before the process exists, so none is lost in between.
		var sigs *sigrelay.Relay
		if !detach {
			var err error
			if sigs, err = sigrelay.Catch(); err != nil {
				return err
			}
			defer sigs.Stop()
		}
		p, err := libcontainer.Exec(o)
		if err != nil {
			return err
		}
		if detach {
			p.Release()
			return nil
		}
		var tty *ttyRelay
		if p.Console != nil {
			// The process already runs: what it wrote meanwhile waits in the pty.
			if tty, err = startRelay(p.Console, p.ConsoleSized); err != nil {
				p.Console.Close()
				p.Signal(unix.SIGKILL)
				p.Wait()
				return err
			}
		}
		code, err := waitForwarding(p, sigs, tty)
		if tty != nil {
			tty.close()
		}
		if err != nil {
			return err
		}
		return &exitError{code}
	},
}

// execArgs is the command after the container id; a "--" before it (rt exec
// ID -- ls -l) only separates.
func execArgs(args []string) []string {
	if len(args) > 0 && args[0] == "--" {
		return args[1:]
	}
	return args
}
