// Package cli reads rt's command line: global flags, one command, its
// flags, its arguments, with the syntax of Go's flag package that runc's
// command line (urfave/cli) has, so managers drive rt as they drive runc:
//
//	rt [--root DIR] [--log FILE] ... COMMAND [--flag VALUE | --flag=VALUE | -f] ... ARGS
//
// One or two dashes are the same; a bool flag takes no separate value
// (--detach, --detach=false); flags end at the first argument that is not
// one, or after "--"; a repeated slice flag adds a value (no splitting at
// commas). It replaced urfave/cli, whose package initialisation and first
// parse cost ~3 ms of CPU at every start of rt (measured against a static
// cgo hello world, 100 runs alternating), for the six flag kinds and one
// level of commands rt uses.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// App is the program: its global flags and its commands.
type App struct {
	Name, Usage, Version string
	Flags                []Flag
	Commands             []*Command
	// Before runs once the global flags are read, before the command's
	// own are (not for --help or --version).
	Before func(*Context) error
}

// Command is one command with its flags.
type Command struct {
	Name, Usage string
	ArgsUsage   string // what follows the flags, for the help text
	Flags       []Flag
	Action      func(*Context) error
}

// ActionFunc is a command's action.
type ActionFunc = func(*Context) error

// VersionPrinter prints the version for --version.
var VersionPrinter = func(ctx *Context) {
	fmt.Fprintf(stdout, "%s version %s\n", ctx.App.Name, ctx.App.Version)
}

// stdout takes help and version texts (tests replace it).
var stdout io.Writer = os.Stdout

// Flag is one of the flag kinds below.
type Flag interface {
	names() []string // the name, then the aliases
	spec() flagSpec
}

type flagSpec struct {
	usage, def string
	hidden     bool
	takesValue bool
	zero       any
	// parse turns one occurrence into the new value, given the old one.
	parse func(old any, s string) (any, error)
}

// StringFlag is --name VALUE.
type StringFlag struct {
	Name    string
	Aliases []string
	Value   string // the default
	Usage   string
	Hidden  bool
}

// BoolFlag is --name (or --name=false).
type BoolFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Hidden  bool
}

// IntFlag is --name N (decimal, or 0x.., 0o.., 0b..).
type IntFlag struct {
	Name    string
	Aliases []string
	Value   int
	Usage   string
	Hidden  bool
}

// DurationFlag is --name 5s (time.ParseDuration).
type DurationFlag struct {
	Name    string
	Aliases []string
	Value   time.Duration
	Usage   string
	Hidden  bool
}

// StringSliceFlag is a repeatable --name VALUE.
type StringSliceFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Hidden  bool
}

// Int64SliceFlag is a repeatable --name N.
type Int64SliceFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Hidden  bool
}

func (f *StringFlag) names() []string      { return append([]string{f.Name}, f.Aliases...) }
func (f *BoolFlag) names() []string        { return append([]string{f.Name}, f.Aliases...) }
func (f *IntFlag) names() []string         { return append([]string{f.Name}, f.Aliases...) }
func (f *DurationFlag) names() []string    { return append([]string{f.Name}, f.Aliases...) }
func (f *StringSliceFlag) names() []string { return append([]string{f.Name}, f.Aliases...) }
func (f *Int64SliceFlag) names() []string  { return append([]string{f.Name}, f.Aliases...) }

func (f *StringFlag) spec() flagSpec {
	def := ""
	if f.Value != "" {
		def = strconv.Quote(f.Value)
	}
	return flagSpec{usage: f.Usage, def: def, hidden: f.Hidden, takesValue: true, zero: f.Value,
		parse: func(_ any, s string) (any, error) { return s, nil }}
}

func (f *BoolFlag) spec() flagSpec {
	return flagSpec{usage: f.Usage, hidden: f.Hidden, zero: false,
		parse: func(_ any, s string) (any, error) {
			v, err := strconv.ParseBool(s)
			if err != nil {
				return nil, errors.New("not true or false")
			}
			return v, nil
		}}
}

func (f *IntFlag) spec() flagSpec {
	def := ""
	if f.Value != 0 {
		def = strconv.Itoa(f.Value)
	}
	return flagSpec{usage: f.Usage, def: def, hidden: f.Hidden, takesValue: true, zero: f.Value,
		parse: func(_ any, s string) (any, error) {
			v, err := parseInteger(s, strconv.IntSize)
			return int(v), err
		}}
}

func (f *DurationFlag) spec() flagSpec {
	def := ""
	if f.Value != 0 {
		def = f.Value.String()
	}
	return flagSpec{usage: f.Usage, def: def, hidden: f.Hidden, takesValue: true, zero: f.Value,
		parse: func(_ any, s string) (any, error) {
			v, err := time.ParseDuration(s)
			if err != nil {
				return nil, errors.New("not a duration (like 500ms, 5s, 1m)")
			}
			return v, nil
		}}
}

func (f *StringSliceFlag) spec() flagSpec {
	return flagSpec{usage: f.Usage, hidden: f.Hidden, takesValue: true, zero: []string(nil),
		parse: func(old any, s string) (any, error) { return append(old.([]string), s), nil }}
}

func (f *Int64SliceFlag) spec() flagSpec {
	return flagSpec{usage: f.Usage, hidden: f.Hidden, takesValue: true, zero: []int64(nil),
		parse: func(old any, s string) (any, error) {
			v, err := parseInteger(s, 64)
			if err != nil {
				return nil, err
			}
			return append(old.([]int64), v), nil
		}}
}

// parseInteger reads a flag's integer as Go's flag package does: decimal,
// or 0x.., 0o.., 0b...
func parseInteger(s string, bits int) (int64, error) {
	v, err := strconv.ParseInt(s, 0, bits)
	if err != nil {
		return 0, errors.New("not an integer")
	}
	return v, nil
}

// Context is what a command's action reads: its flags, the global flags
// and its arguments. A name the command defines is the command's, given or
// not (as in urfave/cli); other names are looked up among the global ones.
type Context struct {
	App     *App
	Command *Command // nil for the global level
	parent  *Context
	vals    map[string]any    // by flag name, defaults included
	set     map[string]bool   // given on the command line
	canon   map[string]string // name or alias -> name
	args    Args
}

// Args are the arguments after a command's flags.
type Args []string

// First is the first argument, or "".
func (a Args) First() string { return a.Get(0) }

// Get is argument i, or "".
func (a Args) Get(i int) string {
	if i < 0 || i >= len(a) {
		return ""
	}
	return a[i]
}

// Tail is every argument after the first.
func (a Args) Tail() []string {
	if len(a) < 2 {
		return []string{}
	}
	return a[1:]
}

// Len is the number of arguments.
func (a Args) Len() int { return len(a) }

// Slice is the arguments as a slice.
func (a Args) Slice() []string { return a }

// Args are the command's arguments.
func (c *Context) Args() Args { return c.args }

// NArg is the number of the command's arguments.
func (c *Context) NArg() int { return len(c.args) }

// lookup finds the level that has flag name and the flag's canonical name.
func (c *Context) lookup(name string) (*Context, string) {
	for x := c; x != nil; x = x.parent {
		if n, ok := x.canon[name]; ok {
			return x, n
		}
	}
	return nil, ""
}

func (c *Context) value(name string) any {
	if x, n := c.lookup(name); x != nil {
		return x.vals[n]
	}
	return nil
}

// String is a string flag's value.
func (c *Context) String(name string) string { v, _ := c.value(name).(string); return v }

// Bool is a bool flag's value.
func (c *Context) Bool(name string) bool { v, _ := c.value(name).(bool); return v }

// Int is an int flag's value.
func (c *Context) Int(name string) int { v, _ := c.value(name).(int); return v }

// Duration is a duration flag's value.
func (c *Context) Duration(name string) time.Duration {
	v, _ := c.value(name).(time.Duration)
	return v
}

// StringSlice is a string slice flag's values, in order.
func (c *Context) StringSlice(name string) []string { v, _ := c.value(name).([]string); return v }

// Int64Slice is an int64 slice flag's values, in order.
func (c *Context) Int64Slice(name string) []int64 { v, _ := c.value(name).([]int64); return v }

// IsSet says whether the flag (by any of its names) was on the command line.
func (c *Context) IsSet(name string) bool {
	if x, n := c.lookup(name); x != nil {
		return x.set[n]
	}
	return false
}

// The flags every level has; --version only the global one.
var (
	helpFlag    = &BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help"}
	versionFlag = &BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version"}
)

func newContext(app *App, cmd *Command, parent *Context, flags []Flag) *Context {
	c := &Context{App: app, Command: cmd, parent: parent,
		vals: map[string]any{}, set: map[string]bool{}, canon: map[string]string{}}
	for _, f := range flags {
		ns := f.names()
		c.vals[ns[0]] = f.spec().zero
		for _, n := range ns {
			c.canon[n] = ns[0]
		}
	}
	return c
}

// parse reads flags from args into c until the first argument that is not
// a flag (or after "--") and returns the rest.
func (c *Context) parse(flags []Flag, args []string) ([]string, error) {
	byName := map[string]Flag{}
	for _, f := range flags {
		for _, n := range f.names() {
			byName[n] = f
		}
	}
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' {
			break
		}
		args = args[1:]
		if a == "--" {
			break
		}
		name := a[1:]
		if name[0] == '-' {
			name = name[1:]
		}
		if name == "" || name[0] == '-' || name[0] == '=' {
			return nil, fmt.Errorf("bad flag syntax: %s", a)
		}
		value, hasValue := "", false
		if i := strings.IndexByte(name, '='); i >= 0 {
			name, value, hasValue = name[:i], name[i+1:], true
		}
		f, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("flag provided but not defined: -%s", name)
		}
		sp := f.spec()
		if !sp.takesValue && !hasValue {
			value = "true"
		} else if !hasValue {
			if len(args) == 0 {
				return nil, fmt.Errorf("flag needs an argument: -%s", name)
			}
			value, args = args[0], args[1:]
		}
		canon := f.names()[0]
		v, err := sp.parse(c.vals[canon], value)
		if err != nil {
			return nil, fmt.Errorf("invalid value %q for flag -%s: %v", value, name, err)
		}
		c.vals[canon], c.set[canon] = v, true
	}
	return args, nil
}

// Run parses args (os.Args) and runs the command they name.
func (a *App) Run(args []string) error {
	global := append(append([]Flag{}, a.Flags...), helpFlag, versionFlag)
	ctx := newContext(a, nil, nil, global)
	rest, err := ctx.parse(global, args[1:])
	if err != nil {
		return fmt.Errorf("%w (%s --help lists the global flags)", err, a.Name)
	}
	switch {
	case ctx.Bool("help"):
		a.printHelp(stdout)
		return nil
	case ctx.Bool("version"):
		VersionPrinter(ctx)
		return nil
	}
	if a.Before != nil {
		if err := a.Before(ctx); err != nil {
			return err
		}
	}
	if len(rest) == 0 {
		a.printHelp(stdout)
		return nil
	}
	if rest[0] == "help" || rest[0] == "h" {
		if len(rest) > 1 {
			if cmd := a.command(rest[1]); cmd != nil {
				a.printCommandHelp(stdout, cmd)
				return nil
			}
			return fmt.Errorf("no help topic for %q", rest[1])
		}
		a.printHelp(stdout)
		return nil
	}
	cmd := a.command(rest[0])
	if cmd == nil {
		return fmt.Errorf("no such command %q (%s --help lists them)", rest[0], a.Name)
	}
	flags := append(append([]Flag{}, cmd.Flags...), helpFlag)
	cctx := newContext(a, cmd, ctx, flags)
	if cctx.args, err = cctx.parse(flags, rest[1:]); err != nil {
		return fmt.Errorf("%s: %w (%s %s --help lists its flags)", cmd.Name, err, a.Name, cmd.Name)
	}
	if cctx.Bool("help") {
		a.printCommandHelp(stdout, cmd)
		return nil
	}
	return cmd.Action(cctx)
}

func (a *App) command(name string) *Command {
	for _, c := range a.Commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (a *App) printHelp(w io.Writer) {
	fmt.Fprintf(w, "NAME:\n   %s - %s\n\nUSAGE:\n   %s [global options] command [command options] [arguments...]\n\n",
		a.Name, a.Usage, a.Name)
	if a.Version != "" {
		fmt.Fprintf(w, "VERSION:\n   %s\n\n", strings.ReplaceAll(a.Version, "\n", "\n   "))
	}
	fmt.Fprintf(w, "COMMANDS:\n")
	width := len("help, h")
	for _, c := range a.Commands {
		width = max(width, len(c.Name))
	}
	for _, c := range a.Commands {
		fmt.Fprintf(w, "   %-*s  %s\n", width, c.Name, c.Usage)
	}
	fmt.Fprintf(w, "   %-*s  %s\n\nGLOBAL OPTIONS:\n", width, "help, h", "show the commands, or one command's flags")
	printFlags(w, append(append([]Flag{}, a.Flags...), helpFlag, versionFlag))
}

func (a *App) printCommandHelp(w io.Writer, c *Command) {
	fmt.Fprintf(w, "NAME:\n   %s %s - %s\n\nUSAGE:\n   %s %s [command options] %s\n",
		a.Name, c.Name, c.Usage, a.Name, c.Name, c.ArgsUsage)
	fmt.Fprintf(w, "\nOPTIONS:\n")
	printFlags(w, append(append([]Flag{}, c.Flags...), helpFlag))
}

func printFlags(w io.Writer, flags []Flag) {
	type row struct{ left, right string }
	var rows []row
	width := 0
	for _, f := range flags {
		sp := f.spec()
		if sp.hidden {
			continue
		}
		var ns []string
		for _, n := range f.names() {
			if len(n) == 1 {
				ns = append(ns, "-"+n)
			} else {
				ns = append(ns, "--"+n)
			}
		}
		left := strings.Join(ns, ", ")
		if sp.takesValue {
			left += " value"
		}
		right := sp.usage
		if sp.def != "" {
			right += " (default: " + sp.def + ")"
		}
		rows = append(rows, row{left, right})
		width = max(width, len(left))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "   %-*s  %s\n", width, r.left, r.right)
	}
}
