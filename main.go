// rt lives for one command: GOMAXPROCS need not track the cgroup's cpu
// limit while it runs (no periodic re-reads of the cgroup files).
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

// rt is a low-level OCI container runtime with runc's command line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/cli"
	"rt/prefault" // rt's image and heap faulted in at once where faults are dear (not all for create)
)

// Set by the Makefile.
var (
	version = "0.1.0-dev"
	commit  = "unknown"
)

func main() {
	app := &cli.App{
		Name:    "rt",
		Usage:   "run OCI containers",
		Version: fmt.Sprintf("%s\ncommit: %s\nspec: %s", version, commit, specs.Version),
		Flags:   globalFlags(),
		Before: func(ctx *cli.Context) error {
			// The log settings first: even an error in the flags goes to --log.
			logFile, logFormat, debug = ctx.String("log"), ctx.String("log-format"), ctx.Bool("debug")
			if debug { // the arguments are built only for the log
				logDebug("rt %s", strings.Join(os.Args[1:], " "))
				logDebug("%s", prefault.Report())
			}
			if f := ctx.String("log-format"); f != "text" && f != "json" {
				return fmt.Errorf("--log-format: %q is not text or json", f)
			}
			if ctx.Bool("systemd-cgroup") {
				return fmt.Errorf("--systemd-cgroup: the systemd cgroup driver is not supported; rt writes cgroupfs itself")
			}
			return nil
		},
		Commands: []*cli.Command{
			createCommand, startCommand, runCommand, stateCommand, killCommand,
			deleteCommand, listCommand, specCommand, featuresCommand,
			pauseCommand, resumeCommand, updateCommand, eventsCommand, psCommand,
			execCommand,
		},
	}
	cli.VersionPrinter = func(ctx *cli.Context) {
		fmt.Printf("rt version %s\n", ctx.App.Version)
	}
	if err := app.Run(os.Args); err != nil {
		fatal(app, err)
	}
}

// globalFlags come before the command. prefault.c skips the values of
// those that take one to find the command (a test keeps the lists equal).
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "root", Value: defaultRoot(), Usage: "directory for the containers' state"},
		&cli.StringFlag{Name: "log", Usage: "file to log to (default: stderr only)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json"},
		&cli.BoolFlag{Name: "debug", Usage: "log debug messages"},
		&cli.BoolFlag{Name: "systemd-cgroup", Usage: "not supported: rt manages cgroupfs directly"},
		&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "ignored; rt detects rootless operation"},
		&cli.StringFlag{Name: "criu", Hidden: true},
	}
}

// exitError carries a container's exit code out of a command.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// fatal reports err on stderr and in the --log file, then exits non-zero.
func fatal(app *cli.App, err error) {
	if e, ok := err.(*exitError); ok {
		os.Exit(e.code)
	}
	fmt.Fprintf(os.Stderr, "rt: %v\n", err)
	logError(err)
	os.Exit(1)
}

var (
	logFile, logFormat string
	debug              bool // --debug: debug lines go to stderr and the log file
)

// logError appends the error to the --log file in runc's formats: managers
// such as containerd's shim read the last error from it.
func logError(err error) { logLine("error", err.Error()) }

// logWarning records a warning on stderr and in the log file.
func logWarning(msg string) {
	fmt.Fprintf(os.Stderr, "rt: warning: %s\n", msg)
	logLine("warning", msg)
}

// logDebug records a debug message when --debug is given.
func logDebug(format string, args ...any) {
	if !debug {
		return
	}
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(os.Stderr, "rt: debug: %s\n", msg)
	logLine("debug", msg)
}

// logLine appends one line to the --log file, as text or JSON.
func logLine(level, msg string) {
	if logFile == "" {
		return
	}
	f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if logFormat == "json" {
		b, _ := json.Marshal(map[string]string{"level": level, "msg": msg, "time": now})
		fmt.Fprintf(f, "%s\n", b)
		return
	}
	fmt.Fprintf(f, "time=%q level=%s msg=%q\n", now, level, msg)
}
