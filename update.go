package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/cgroups"
	"rt/cli"
	"rt/libcontainer"
)

// updateFlags maps each value flag of `rt update` to the field of
// linux.resources it sets, so errors from the cgroup writes name the flag.
var updateFlags = []struct{ flag, field, usage string }{
	{"blkio-weight", "blockIO.weight", "block IO weight, 10 to 1000"},
	{"cpu-period", "cpu.period", "CFS period in microseconds"},
	{"cpu-quota", "cpu.quota", "CFS quota in microseconds per period (-1: none)"},
	{"cpu-share", "cpu.shares", "CPU shares (relative weight)"},
	{"cpu-rt-period", "cpu.realtimePeriod", "realtime period in microseconds"},
	{"cpu-rt-runtime", "cpu.realtimeRuntime", "realtime runtime in microseconds per period"},
	{"cpuset-cpus", "cpu.cpus", "CPUs to run on (0-3, 0,1)"},
	{"cpuset-mems", "cpu.mems", "memory nodes to use (0-3, 0,1)"},
	{"memory", "memory.limit", "memory limit, with a unit (100m, 1g; -1: none)"},
	{"memory-reservation", "memory.reservation", "memory soft limit, with a unit"},
	{"memory-swap", "memory.swap", "memory plus swap limit, with a unit (-1: none)"},
	{"pids-limit", "pids.limit", "maximum number of tasks (-1: none)"},
}

// refusedFlags are runc's flags for what rt does not support.
var refusedFlags = []struct{ flag, why string }{
	{"kernel-memory", "kernel memory limits are not supported (the kernel deprecated them in 5.4 and no longer enforces them)"},
	{"kernel-memory-tcp", "kernel TCP memory limits are not supported (the kernel deprecated them in 5.4)"},
	{"l3-cache-schema", "Intel RDT is not supported by rt"},
	{"mem-bw-schema", "Intel RDT is not supported by rt"},
}

var updateCommand = &cli.Command{
	Name:      "update",
	Usage:     "change the resource limits of a container",
	ArgsUsage: "<container-id>",
	Flags: func() []cli.Flag {
		fl := []cli.Flag{&cli.StringFlag{Name: "resources", Aliases: []string{"r"},
			Usage: "file with a runtime-spec linux.resources JSON object ('-': stdin); no other flag with it"}}
		for _, f := range updateFlags {
			fl = append(fl, &cli.StringFlag{Name: f.flag, Usage: f.usage})
		}
		for _, f := range refusedFlags {
			fl = append(fl, &cli.StringFlag{Name: f.flag, Usage: "not supported"})
		}
		return fl
	}(),
	Action: func(ctx *cli.Context) error {
		root := setup(ctx)
		id, err := containerID(ctx)
		if err != nil {
			return err
		}
		for _, f := range refusedFlags {
			if ctx.IsSet(f.flag) {
				return fmt.Errorf("--%s: %s", f.flag, f.why)
			}
		}
		var res *specs.LinuxResources
		if in := ctx.String("resources"); in != "" {
			for _, f := range updateFlags {
				if ctx.IsSet(f.flag) {
					return fmt.Errorf("--%s: cannot be combined with -r", f.flag)
				}
			}
			if res, err = readResources(in); err != nil {
				return err
			}
			err = libcontainer.Update(root, id, res)
			var fe *cgroups.FieldError
			if errors.As(err, &fe) {
				return fmt.Errorf("-r %s: %s: %w", in, strings.TrimPrefix(fe.Field, "linux.resources."), fe.Err)
			}
			return err
		}
		if res, err = resourcesFromFlags(ctx.String); err != nil {
			return err
		}
		err = libcontainer.Update(root, id, res)
		var fe *cgroups.FieldError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %w", flagOf(fe.Field), fe.Err)
		}
		return err
	},
}

// flagOf names the flag that set a linux.resources field, or the field.
func flagOf(field string) string {
	rel := strings.TrimPrefix(field, "linux.resources.")
	for _, f := range updateFlags {
		if rel == f.field || strings.HasPrefix(rel, f.field+".") {
			return "--" + f.flag
		}
	}
	if rel == "pids" {
		return "--pids-limit"
	}
	return field
}

// readResources decodes a LinuxResources object from a file or stdin.
func readResources(name string) (*specs.LinuxResources, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("-r: %w", err)
		}
		defer f.Close()
		r = f
	}
	var res specs.LinuxResources
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("-r %s: %s: cannot take a JSON %s (want %s)", name, te.Field, te.Value, te.Type)
		}
		return nil, fmt.Errorf("-r %s: invalid JSON: %w", name, err)
	}
	return &res, nil
}

// resourcesFromFlags builds the resources the flags set (get returns a
// flag's value, "" when unset).
func resourcesFromFlags(get func(string) string) (*specs.LinuxResources, error) {
	var res specs.LinuxResources
	cpu := func() *specs.LinuxCPU {
		if res.CPU == nil {
			res.CPU = &specs.LinuxCPU{}
		}
		return res.CPU
	}
	mem := func() *specs.LinuxMemory {
		if res.Memory == nil {
			res.Memory = &specs.LinuxMemory{}
		}
		return res.Memory
	}
	for _, f := range updateFlags {
		v := get(f.flag)
		if v == "" {
			continue
		}
		bad := func(err error) error { return fmt.Errorf("--%s: invalid value %q: %w", f.flag, v, err) }
		switch f.flag {
		case "blkio-weight":
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil {
				return nil, bad(errors.New("want a number from 10 to 1000"))
			}
			w := uint16(n)
			res.BlockIO = &specs.LinuxBlockIO{Weight: &w}
		case "cpu-period", "cpu-share", "cpu-rt-period":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, bad(errors.New("want a non-negative integer"))
			}
			switch f.flag {
			case "cpu-period":
				cpu().Period = &n
			case "cpu-share":
				cpu().Shares = &n
			default:
				cpu().RealtimePeriod = &n
			}
		case "cpu-quota", "cpu-rt-runtime":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, bad(errors.New("want an integer"))
			}
			if f.flag == "cpu-quota" {
				cpu().Quota = &n
			} else {
				cpu().RealtimeRuntime = &n
			}
		case "cpuset-cpus":
			cpu().Cpus = v
		case "cpuset-mems":
			cpu().Mems = v
		case "memory", "memory-reservation", "memory-swap":
			n := int64(-1)
			if v != "-1" {
				var err error
				if n, err = ramInBytes(v); err != nil {
					return nil, bad(err)
				}
			}
			switch f.flag {
			case "memory":
				mem().Limit = &n
			case "memory-reservation":
				mem().Reservation = &n
			default:
				mem().Swap = &n
			}
		case "pids-limit":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, bad(errors.New("want an integer"))
			}
			if n != 0 { // as runc: 0 leaves the limit as it is
				res.Pids = &specs.LinuxPids{Limit: &n}
			}
		}
	}
	return &res, nil
}

// ramInBytes parses a size the way runc's --memory flags do (go-units
// RAMInBytes): a number, maybe with a fraction, an optional space, then an
// optional unit k, m, g, t or p (any case, powers of 1024) optionally
// followed by "i" and/or "b": "512", "100m", "1.5g", "2 GiB", "64kb".
func ramInBytes(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errors.New("want a size like 512, 100m or 1g")
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return 0, errors.New("want a size like 512, 100m or 1g")
		}
		i = j
	}
	num, rest := s[:i], s[i:]
	rest = strings.TrimPrefix(rest, " ")
	mul := 1.0
	if rest != "" {
		shift := strings.IndexByte("kmgtp", lower(rest[0]))
		if shift >= 0 {
			mul = math.Ldexp(1, 10*(shift+1))
			rest = rest[1:]
		}
	}
	if rest != "" && lower(rest[0]) == 'i' {
		rest = rest[1:]
	}
	if rest != "" && lower(rest[0]) == 'b' {
		rest = rest[1:]
	}
	if rest != "" {
		return 0, errors.New("want a size like 512, 100m or 1g")
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, errors.New("want a size like 512, 100m or 1g")
	}
	f *= mul
	if f >= math.MaxInt64 {
		return 0, errors.New("too large")
	}
	return int64(f), nil
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
