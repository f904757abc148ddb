package libcontainer

import (
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseUser(t *testing.T) {
	for _, c := range []struct {
		in       string
		uid, gid uint32
		hasGid   bool
		err      string
	}{
		{in: "0", uid: 0},
		{in: "1000", uid: 1000},
		{in: "1000:100", uid: 1000, gid: 100, hasGid: true},
		{in: "4294967295:0", uid: 4294967295, hasGid: true},
		{in: "root", err: `uid "root" is not a number`},
		{in: "1000:", err: `gid "" is not a number`},
		{in: ":5", err: `uid "" is not a number`},
		{in: "-1", err: `uid "-1"`},
		{in: "4294967296", err: `uid "4294967296"`},
		{in: "1:2:3", err: `gid "2:3"`},
	} {
		uid, gid, hasGid, err := ParseUser(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseUser(%q): error %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || uid != c.uid || gid != c.gid || hasGid != c.hasGid {
			t.Errorf("ParseUser(%q) = %d, %d, %v, %v; want %d, %d, %v", c.in, uid, gid, hasGid, err, c.uid, c.gid, c.hasGid)
		}
	}
}

func TestParseSubCgroups(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want map[string]string
		err  string
	}{
		{in: nil, want: nil},
		{in: []string{"sub"}, want: map[string]string{"": "sub"}},
		{in: []string{"a/b"}, want: map[string]string{"": "a/b"}},
		{in: []string{"memory:m"}, want: map[string]string{"memory": "m"}},
		{in: []string{"cpu,cpuacct:c", "memory:m"}, want: map[string]string{"cpu": "c", "cpuacct": "c", "memory": "m"}},
		{in: []string{"unified:u"}, want: map[string]string{"unified": "u"}},
		{in: []string{"sub", "memory:m"}, err: "each needs a controller: prefix"},
		{in: []string{"memory:m", "memory:n"}, err: "controller memory given more than once"},
		{in: []string{"cpu,cpu:x"}, err: "controller cpu given more than once"},
		{in: []string{":x"}, err: "empty controller name"},
		{in: []string{"cpu,:x"}, err: "empty controller name"},
		{in: []string{"memory:"}, err: "empty sub-cgroup path"},
		{in: []string{""}, err: "empty sub-cgroup path"},
	} {
		got, err := ParseSubCgroups(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSubCgroups(%q): error %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSubCgroups(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestExecOverridesApply(t *testing.T) {
	base := &specs.Process{
		Args: []string{"sleep", "1"}, Cwd: "/", Terminal: true,
		Env:  []string{"PATH=/bin", "A=1"},
		User: specs.User{UID: 5, GID: 6, AdditionalGids: []uint32{7}},
		Capabilities: &specs.LinuxCapabilities{
			Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"},
		},
	}
	o := ExecOverrides{
		Args: []string{"sh"}, Cwd: "/tmp", Env: []string{"A=2", "B=x,y"}, User: "1000",
		AdditionalGids: []int64{8}, Caps: []string{"net_admin", "CAP_KILL"}, NoNewPrivs: true,
	}
	p, err := o.apply(base)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Args, []string{"sh"}) || p.Cwd != "/tmp" || !p.NoNewPrivileges || p.Terminal {
		t.Errorf("args/cwd/nnp/terminal: %v %q %v %v", p.Args, p.Cwd, p.NoNewPrivileges, p.Terminal)
	}
	if want := []string{"PATH=/bin", "A=2", "B=x,y"}; !reflect.DeepEqual(p.Env, want) {
		t.Errorf("env %q, want %q", p.Env, want)
	}
	if p.User.UID != 1000 || p.User.GID != 6 || !reflect.DeepEqual(p.User.AdditionalGids, []uint32{7, 8}) {
		t.Errorf("user %+v", p.User)
	}
	c := p.Capabilities
	want := []string{"CAP_KILL", "CAP_NET_ADMIN"}
	if !reflect.DeepEqual(c.Bounding, want) || !reflect.DeepEqual(c.Effective, want) || !reflect.DeepEqual(c.Permitted, want) || len(c.Ambient) != 0 {
		t.Errorf("caps %+v", c)
	}
	// The base, the container's process in the state, is not changed.
	if base.Args[0] != "sleep" || base.Env[1] != "A=1" || len(base.Capabilities.Bounding) != 1 || len(base.User.AdditionalGids) != 1 {
		t.Errorf("base changed: %+v", base)
	}
	for _, bad := range []ExecOverrides{{Cwd: "tmp"}, {Env: []string{"NOEQUALS"}}, {User: "x"}, {AdditionalGids: []int64{-1}}} {
		if _, err := bad.apply(base); err == nil {
			t.Errorf("apply(%+v): no error", bad)
		}
	}
}
