package main

import (
	"golang.org/x/sys/unix"

	"rt/cli"
	"rt/sigrelay"
)

var runCommand = &cli.Command{
	Name:      "run",
	Usage:     "create and start a container; in the foreground, wait for it and exit with its code",
	ArgsUsage: "<container-id>",
	Flags: append([]cli.Flag{
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "do not wait for the container"},
		&cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits"},
	}, createFlags...),
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		// Catch signals before the container exists, so none is lost in between.
		var sigs *sigrelay.Relay
		if !ctx.Bool("detach") {
			var err error
			if sigs, err = sigrelay.Catch(); err != nil {
				return err
			}
			defer sigs.Stop()
		}
		c, err := createContainer(ctx, true)
		if err != nil {
			return err
		}
		var tty *ttyRelay
		if c.Console != nil {
			// Relay before start: the container's first output and the
			// keys typed meanwhile wait in the pty.
			if tty, err = startRelay(c.Console, c.ConsoleSized); err != nil {
				c.Console.Close()
				c.Unlock()
				c.Destroy(root)
				return err
			}
		}
		if err := c.Start(); err != nil {
			if tty != nil {
				tty.restore()
			}
			c.Unlock()
			c.Destroy(root)
			return err
		}
		c.Unlock()
		if ctx.Bool("detach") {
			return nil
		}
		code, err := waitForwarding(c, sigs, tty)
		if !ctx.Bool("keep") {
			if derr := c.Destroy(root); err == nil {
				err = derr
			}
		}
		if tty != nil {
			tty.close()
		}
		if err != nil {
			return err
		}
		return &exitError{code}
	},
}

// waitSignaler is a process rt waits for: a container's init or an exec'd process.
type waitSignaler interface {
	Wait() (int, error)
	Signal(unix.Signal) error
}

// waitForwarding passes every signal rt receives on to the container until
// the process exits, then returns its exit code.
// With a terminal, SIGWINCH resizes the container's pty instead (the
// kernel then signals the container's foreground process group itself).
func waitForwarding(c waitSignaler, sigs *sigrelay.Relay, tty *ttyRelay) (int, error) {
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := c.Wait()
		done <- result{code, err}
	}()
	for {
		select {
		case r := <-done:
			sigs.Stop()
			return r.code, r.err
		case sig := <-sigs.C:
			// SIGCHLD is about rt's own children; SIGPIPE is caught only
			// so that a closed stdout does not kill rt mid-run.
			if sig == unix.SIGCHLD || sig == unix.SIGPIPE {
				continue
			}
			if sig == unix.SIGWINCH && tty != nil {
				tty.resize()
				continue
			}
			c.Signal(sig)
		}
	}
}
