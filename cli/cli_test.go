package cli

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// got is what a command's action saw.
type got struct {
	root, bundle, log string
	detach, debug     bool
	fds               int
	interval          time.Duration
	env               []string
	gids              []int64
	args              []string
	setBundle, setD   bool
}

func testApp(g *got, ran *bool) *App {
	action := func(ctx *Context) error {
		*ran = true
		*g = got{
			root: ctx.String("root"), bundle: ctx.String("bundle"), log: ctx.String("log"),
			detach: ctx.Bool("detach"), debug: ctx.Bool("debug"), fds: ctx.Int("preserve-fds"),
			interval: ctx.Duration("interval"), env: ctx.StringSlice("env"), gids: ctx.Int64Slice("g"),
			args: ctx.Args().Slice(), setBundle: ctx.IsSet("bundle"), setD: ctx.IsSet("d"),
		}
		return nil
	}
	return &App{
		Name: "rt", Usage: "test", Version: "1.0\ncommit: x",
		Flags: []Flag{
			&StringFlag{Name: "root", Value: "/run/rt"},
			&StringFlag{Name: "log"},
			&BoolFlag{Name: "debug"},
		},
		Commands: []*Command{{
			Name: "run", ArgsUsage: "<id>",
			Flags: []Flag{
				&StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: "."},
				&BoolFlag{Name: "detach", Aliases: []string{"d"}},
				&IntFlag{Name: "preserve-fds"},
				&DurationFlag{Name: "interval", Value: 5 * time.Second},
				&StringSliceFlag{Name: "env"},
				&Int64SliceFlag{Name: "g", Hidden: true},
				&StringFlag{Name: "log", Usage: "shadows the global --log"},
			},
			Action: action,
		}},
	}
}

func runApp(t *testing.T, args ...string) (got, bool, string, error) {
	t.Helper()
	var out bytes.Buffer
	old := stdout
	stdout = &out
	defer func() { stdout = old }()
	var g got
	var ran bool
	err := testApp(&g, &ran).Run(append([]string{"rt"}, args...))
	return g, ran, out.String(), err
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want got
	}{
		{"defaults", []string{"run", "id"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"id"}}},
		{"one or two dashes, = or the next argument", []string{"-root", "/r", "--debug", "run", "--bundle=/b", "-d", "--preserve-fds", "0x3", "-interval", "1m", "id"},
			got{root: "/r", debug: true, bundle: "/b", detach: true, fds: 3, interval: time.Minute, args: []string{"id"}, setBundle: true, setD: true}},
		{"an alias sets the flag", []string{"run", "-b", "/b", "id"},
			got{root: "/run/rt", bundle: "/b", interval: 5 * time.Second, args: []string{"id"}, setBundle: true}},
		{"bool =false", []string{"run", "--detach=false", "id"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"id"}, setD: true}},
		{"slices repeat, commas kept", []string{"run", "--env", "A=b,c", "--env=D=e", "-g", "5", "-g", "6", "id"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, env: []string{"A=b,c", "D=e"}, gids: []int64{5, 6}, args: []string{"id"}}},
		{"flags end at the first argument", []string{"run", "id", "sh", "-c", "--detach"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"id", "sh", "-c", "--detach"}}},
		{"-- ends the flags", []string{"run", "--", "-id", "x"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"-id", "x"}}},
		{"a lone - is an argument", []string{"run", "-", "x"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"-", "x"}}},
		{"a value may start with a dash", []string{"run", "--bundle", "-weird", "id"},
			got{root: "/run/rt", bundle: "-weird", interval: 5 * time.Second, args: []string{"id"}, setBundle: true}},
		{"a command's flag shadows the global one", []string{"--log", "/g", "run", "--log", "/c", "id"},
			got{root: "/run/rt", bundle: ".", log: "/c", interval: 5 * time.Second, args: []string{"id"}}},
		{"even when not given: the level that defines a flag answers for it", []string{"--log", "/g", "run", "id"},
			got{root: "/run/rt", bundle: ".", interval: 5 * time.Second, args: []string{"id"}}},
		{"a global flag the command lacks shows through", []string{"--debug", "run", "id"},
			got{root: "/run/rt", bundle: ".", debug: true, interval: 5 * time.Second, args: []string{"id"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, ran, _, err := runApp(t, tc.args...)
			if err != nil || !ran {
				t.Fatalf("err %v, ran %v", err, ran)
			}
			if g.args == nil {
				g.args = []string{}
			}
			if tc.want.args == nil {
				tc.want.args = []string{}
			}
			if !reflect.DeepEqual(g, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", g, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus", "run"}, "flag provided but not defined: -bogus (rt --help lists the global flags)"},
		{[]string{"run", "--bogus", "id"}, "run: flag provided but not defined: -bogus (rt run --help lists its flags)"},
		{[]string{"run", "--bundle"}, "run: flag needs an argument: -bundle"},
		{[]string{"run", "--preserve-fds", "three", "id"}, `run: invalid value "three" for flag -preserve-fds: not an integer`},
		{[]string{"run", "--detach=maybe", "id"}, `run: invalid value "maybe" for flag -detach: not true or false`},
		{[]string{"run", "--interval", "5", "id"}, `invalid value "5" for flag -interval`},
		{[]string{"run", "---x", "id"}, "run: bad flag syntax: ---x"},
		{[]string{"run", "-=x", "id"}, "run: bad flag syntax: -=x"},
		{[]string{"stop", "id"}, `no such command "stop" (rt --help lists them)`},
		{[]string{"help", "stop"}, `no help topic for "stop"`},
	} {
		_, ran, _, err := runApp(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || ran {
			t.Errorf("%q: err %v, ran %v; want an error with %q", tc.args, err, ran, tc.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		has, hasnt []string
	}{
		{[]string{"--help"}, []string{"USAGE:\n   rt [global options] command", "   run ", "--root value", `(default: "/run/rt")`, "--version, -v", "1.0\n   commit: x"}, nil},
		{[]string{}, []string{"COMMANDS:"}, nil},
		{[]string{"help"}, []string{"COMMANDS:"}, nil},
		{[]string{"help", "run"}, []string{"rt run [command options] <id>", "--bundle, -b value", "--detach, -d", "(default: 5s)"}, []string{"-g"}},
		{[]string{"run", "-h", "id"}, []string{"rt run [command options] <id>"}, []string{"GLOBAL OPTIONS"}},
		{[]string{"-v"}, []string{"rt version 1.0\ncommit: x\n"}, []string{"USAGE"}},
	} {
		_, ran, out, err := runApp(t, tc.args...)
		if err != nil || ran {
			t.Errorf("%q: err %v, ran %v", tc.args, err, ran)
		}
		for _, s := range tc.has {
			if !strings.Contains(out, s) {
				t.Errorf("%q: output lacks %q:\n%s", tc.args, s, out)
			}
		}
		for _, s := range tc.hasnt {
			if strings.Contains(out, s) {
				t.Errorf("%q: output has %q:\n%s", tc.args, s, out)
			}
		}
	}
}

func TestBefore(t *testing.T) {
	var g got
	var ran, before bool
	app := testApp(&g, &ran)
	app.Before = func(ctx *Context) error {
		before = true
		if ctx.String("log") == "bad" {
			return errors.New("bad log")
		}
		return nil
	}
	var out bytes.Buffer
	stdout = &out
	defer func() { stdout = nil }()
	if err := app.Run([]string{"rt", "--log", "bad", "run", "id"}); err == nil || err.Error() != "bad log" || ran {
		t.Fatalf("a failing Before: err %v, ran %v", err, ran)
	}
	before = false
	if err := app.Run([]string{"rt", "--help"}); err != nil || before {
		t.Fatalf("--help ran Before (%v) or failed: %v", before, err)
	}
	if err := app.Run([]string{"rt", "run", "id"}); err != nil || !before || !ran {
		t.Fatalf("before %v ran %v err %v", before, ran, err)
	}
}

func TestArgs(t *testing.T) {
	a := Args{"id", "sh", "-c"}
	if a.First() != "id" || a.Get(1) != "sh" || a.Get(3) != "" || a.Get(-1) != "" || a.Len() != 3 ||
		!reflect.DeepEqual(a.Tail(), []string{"sh", "-c"}) {
		t.Fatalf("Args accessors wrong: %v", a)
	}
	if e := (Args{}); e.First() != "" || len(e.Tail()) != 0 || e.Tail() == nil {
		t.Fatalf("empty Args: First %q Tail %#v", e.First(), e.Tail())
	}
}
