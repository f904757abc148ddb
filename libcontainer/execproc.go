package libcontainer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/jsongen"
)

// ExecOverrides are the flags of `rt exec` that change the container's own
// process into the exec'd one, as runc's do.
type ExecOverrides struct {
	Args           []string
	Cwd            string
	Env            []string // KEY=value, added; a key already set is replaced
	User           string   // "uid[:gid]", numeric
	AdditionalGids []int64  // added to the container's
	Caps           []string // added to the bounding, effective and permitted sets
	NoNewPrivs     bool
	AppArmor       string
	ProcessLabel   string
	Tty            bool
}

// ParseUser reads --user: "uid" or "uid:gid", numeric as in runc.
func ParseUser(s string) (uid uint32, gid uint32, hasGid bool, err error) {
	us, gs, hasGid := strings.Cut(s, ":")
	u, err := strconv.ParseUint(us, 10, 32)
	if err != nil {
		return 0, 0, false, fmt.Errorf("--user %q: uid %q is not a number (want uid[:gid])", s, us)
	}
	if hasGid {
		g, err := strconv.ParseUint(gs, 10, 32)
		if err != nil {
			return 0, 0, false, fmt.Errorf("--user %q: gid %q is not a number (want uid[:gid])", s, gs)
		}
		gid = uint32(g)
	}
	return uint32(u), gid, hasGid, nil
}

// ParseSubCgroups reads the --cgroup arguments, runc's forms: one "path"
// (for every hierarchy), or any number of "controller[,controller]:path".
// The result maps a hierarchy name, or "" for all, to the path.
func ParseSubCgroups(args []string) (map[string]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(args))
	for _, a := range args {
		ctrls, p, ok := strings.Cut(a, ":")
		if !ok {
			if len(args) != 1 {
				return nil, fmt.Errorf("--cgroup %q: with several --cgroup, each needs a controller: prefix", a)
			}
			ctrls, p = "", a
		}
		if p == "" {
			return nil, fmt.Errorf("--cgroup %q: empty sub-cgroup path", a)
		}
		for _, c := range strings.Split(ctrls, ",") {
			if c == "" && ok {
				return nil, fmt.Errorf("--cgroup %q: empty controller name", a)
			}
			if _, dup := out[c]; dup {
				return nil, fmt.Errorf("--cgroup %q: controller %s given more than once", a, c)
			}
			out[c] = p
		}
	}
	return out, nil
}

// apply makes the exec'd process: a copy of the container's process base
// with the overrides, as runc exec builds it without --process.
func (o *ExecOverrides) apply(base *specs.Process) (*specs.Process, error) {
	// A deep copy through JSON: base comes from the state file and has only
	// JSON-able fields. The generated codec first (state_json_gen.go).
	data, err := jsongen.Encode(base, fastEncodeProcess)
	if err != nil {
		return nil, err
	}
	var p specs.Process
	if err := jsongen.Decode(data, &p, fastDecodeProcess, jsongen.Unmarshal); err != nil {
		return nil, err
	}
	if len(o.Args) > 0 {
		p.Args = o.Args
	}
	if o.Cwd != "" {
		if !filepath.IsAbs(o.Cwd) {
			return nil, fmt.Errorf("--cwd %q is not an absolute path", o.Cwd)
		}
		p.Cwd = o.Cwd
	}
	for _, e := range o.Env {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			return nil, fmt.Errorf("--env %q is not of the form KEY=value", e)
		}
		p.Env = setEnv(p.Env, e)
	}
	if o.User != "" {
		uid, gid, hasGid, err := ParseUser(o.User)
		if err != nil {
			return nil, err
		}
		p.User.UID = uid
		if hasGid {
			p.User.GID = gid
		}
	}
	for _, g := range o.AdditionalGids {
		if g < 0 || g > 1<<32-1 {
			return nil, fmt.Errorf("--additional-gids %d is not a gid", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
	}
	if len(o.Caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		for _, name := range o.Caps {
			if !strings.HasPrefix(strings.ToUpper(name), "CAP_") {
				name = "CAP_" + name
			}
			name = strings.ToUpper(name)
			c.Bounding = appendNew(c.Bounding, name)
			c.Effective = appendNew(c.Effective, name)
			c.Permitted = appendNew(c.Permitted, name)
			// Ambient capabilities need inheritable ones: as runc, only
			// when the process already has inheritable capabilities.
			if len(c.Inheritable) > 0 {
				c.Inheritable = appendNew(c.Inheritable, name)
				c.Ambient = appendNew(c.Ambient, name)
			}
		}
	}
	if o.NoNewPrivs {
		p.NoNewPrivileges = true
	}
	if o.AppArmor != "" {
		p.ApparmorProfile = o.AppArmor
	}
	if o.ProcessLabel != "" {
		p.SelinuxLabel = o.ProcessLabel
	}
	// As runc: a terminal only when asked for, whatever the container's process has.
	p.Terminal = o.Tty
	// The container's consoleSize was its own terminal's, not this one's:
	// attached, the pty takes the size of rt's terminal.
	p.ConsoleSize = nil
	return &p, nil
}

// checkLSMFlags refuses --apparmor and --process-label: rt applies no
// LSM profile (rt features reports both disabled), and running the process
// without the confinement asked for would be worse than an error.
func (o *ExecOverrides) checkLSMFlags() error {
	if o.AppArmor != "" {
		return errors.New("--apparmor: rt does not apply AppArmor profiles (see rt features)")
	}
	if o.ProcessLabel != "" {
		return errors.New("--process-label: rt does not apply SELinux labels (see rt features)")
	}
	return nil
}

// setEnv sets KEY=value in env: in place of an entry with that key, or appended.
func setEnv(env []string, kv string) []string {
	key, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			out := append([]string(nil), env...)
			out[i] = kv
			return out
		}
	}
	return append(env, kv)
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
