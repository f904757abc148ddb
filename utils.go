package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"rt/cli"
)

// setup reads the global flags every command needs.
func setup(ctx *cli.Context) (root string) {
	return ctx.String("root")
}

// containerID is the single ID argument of a command.
func containerID(ctx *cli.Context) (string, error) {
	if ctx.NArg() < 1 {
		return "", fmt.Errorf("%s: missing container id", ctx.Command.Name)
	}
	return ctx.Args().First(), nil
}

// parseSignal accepts "KILL", "SIGKILL", "kill", "9" or a real-time
// signal as "RTMIN+3" or "SIGRTMAX-1".
func parseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	if sig, ok := realtimeSignal(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// idAction is the action of a command whose only argument is the
// container id and whose whole job is fn.
func idAction(fn func(root, id string) error) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		return fn(root, id)
	}
}

// Real-time signals as Linux numbers them for programs (glibc keeps 32 and 33).
const (
	sigRTMin = 34
	sigRTMax = 64
)

// realtimeSignal parses "SIGRTMIN", "SIGRTMIN+N" and "SIGRTMAX-N".
func realtimeSignal(name string) (unix.Signal, bool) {
	base, off, sign := 0, "", 1
	switch {
	case strings.HasPrefix(name, "SIGRTMIN"):
		base, off = sigRTMin, strings.TrimPrefix(name, "SIGRTMIN")
		if off != "" && !strings.HasPrefix(off, "+") {
			return 0, false
		}
	case strings.HasPrefix(name, "SIGRTMAX"):
		base, off, sign = sigRTMax, strings.TrimPrefix(name, "SIGRTMAX"), -1
		if off != "" && !strings.HasPrefix(off, "-") {
			return 0, false
		}
	default:
		return 0, false
	}
	n := 0
	if off != "" {
		var err error
		if n, err = strconv.Atoi(off[1:]); err != nil || n < 0 {
			return 0, false
		}
	}
	sig := base + sign*n
	if sig < sigRTMin || sig > sigRTMax {
		return 0, false
	}
	return unix.Signal(sig), true
}
