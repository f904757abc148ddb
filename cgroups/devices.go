package cgroups

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/cgroups/devicefilter"
)

// devices writes linux.resources.devices. On v1 it resets the cgroup to
// "deny everything" (devices.deny "a") and then replays the rules in order,
// each to devices.allow or devices.deny, as runc does. On v2 it attaches an
// eBPF program made from the rules (package devicefilter) to the cgroup.
func (a *applier) devices(res *specs.LinuxResources) error {
	if len(res.Devices) == 0 {
		return nil
	}
	if rootless {
		// Device rules need CAP_SYS_ADMIN on the host, which a non-root
		// user lacks even in a delegated cgroup; its container cannot make
		// device nodes anyway (user namespace) and gets the host's bound.
		return nil
	}
	dir := a.m.Paths["devices"]
	if dir == "" && a.m.Layout != V2 {
		return a.m.unavailable("linux.resources.devices", "devices")
	}
	if inUserNS() {
		// The kernel refuses device cgroup writes (and BPF programs)
		// from a user namespace.
		return nil
	}
	if dir == "" {
		// cgroup v2: an eBPF program on the container's cgroup.
		if a.update {
			// A second program would only add to the first (every
			// attached program must allow), and rt update leaves
			// device rules alone anyway, as runc's does.
			return fieldErr("linux.resources.devices", "device rules cannot be changed on a running container on cgroup v2")
		}
		u := a.m.Paths[unifiedKey]
		if err := devicefilter.Attach(u, res.Devices); err != nil {
			var re *devicefilter.RuleError
			if errors.As(err, &re) { // validate has checked them: not reached
				return fieldErr(fmt.Sprintf("linux.resources.devices[%d]", re.Index), "%w", re.Err)
			}
			return fieldErr("linux.resources.devices", "%w", err)
		}
		return nil
	}
	type group struct {
		file  string
		lines []string
		idx   []int
	}
	groups := []group{{file: "devices.deny", lines: []string{"a"}, idx: []int{-1}}}
	reset := true // the cgroup is in the "deny all, no exception" state
	for i := range res.Devices {
		d := &res.Devices[i]
		rule, err := deviceRule(d)
		if err != nil {
			return prefixField(fmt.Sprintf("linux.resources.devices[%d]", i), err)
		}
		file := "devices.deny"
		if d.Allow {
			file = "devices.allow"
		}
		if isDenyAll(d) {
			if reset {
				continue // the same as the reset just written
			}
			rule = "a"
			reset = true
		} else {
			reset = false
		}
		g := &groups[len(groups)-1]
		if g.file != file {
			groups = append(groups, group{file: file})
			g = &groups[len(groups)-1]
		}
		g.lines = append(g.lines, rule)
		g.idx = append(g.idx, i)
	}
	for _, g := range groups {
		if i, err := a.fs.writeLines(dir, g.file, g.lines); err != nil {
			field := "linux.resources.devices"
			if g.idx[i] >= 0 {
				field = fmt.Sprintf("linux.resources.devices[%d]", g.idx[i])
			}
			return fieldErr(field, "write %q to %s in %s: %w", g.lines[i], g.file, dir, err)
		}
	}
	return nil
}

var inUserNS = sync.OnceValue(func() bool {
	s, err := readFile("/proc/self", "uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(s)
	return !(len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
})

func devRule(t string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	r := specs.LinuxDeviceCgroup{Allow: true, Type: t, Access: access}
	if major >= 0 {
		r.Major = &major
	}
	if minor >= 0 {
		r.Minor = &minor
	}
	return r
}

// DefaultDeviceRules returns the device rules runc appends after the
// spec's own (linux.resources.devices) for every container: mknod of any
// device, and use of /dev/null, zero, full, random, urandom, tty, the ptys,
// /dev/ptmx and /dev/net/tun. The caller adds them (and rules for the
// devices of linux.devices) when it wants runc's behaviour; Create writes
// exactly the rules it is given.
func DefaultDeviceRules() []specs.LinuxDeviceCgroup {
	return []specs.LinuxDeviceCgroup{
		devRule("c", -1, -1, "m"),
		devRule("b", -1, -1, "m"),
		devRule("c", 1, 3, "rwm"),    // /dev/null
		devRule("c", 1, 8, "rwm"),    // /dev/random
		devRule("c", 1, 7, "rwm"),    // /dev/full
		devRule("c", 5, 0, "rwm"),    // /dev/tty
		devRule("c", 1, 5, "rwm"),    // /dev/zero
		devRule("c", 1, 9, "rwm"),    // /dev/urandom
		devRule("c", 136, -1, "rwm"), // /dev/pts/*
		devRule("c", 5, 2, "rwm"),    // /dev/ptmx
		devRule("c", 10, 200, "rwm"), // /dev/net/tun
	}
}
