package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseSyntaxErrorHasPosition(t *testing.T) {
	_, err := Parse([]byte("{\n  \"ociVersion\": \"1.3.0\",\n  \"process\": {,}\n}"))
	if err == nil || !strings.Contains(err.Error(), "line 3, column 15") {
		t.Fatalf("got %v", err)
	}
}

func TestParseTypeErrorHasJSONPath(t *testing.T) {
	_, err := Parse([]byte(`{"process": {"user": {"uid": "x"}}}`))
	if err == nil || !strings.HasPrefix(err.Error(), "process.user.uid: ") {
		t.Fatalf("got %v", err)
	}
}

// bundle makes a valid bundle and returns its dir and spec.
func bundle(t *testing.T) (string, *specs.Spec) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, &specs.Spec{
		Version: "1.3.0",
		Root:    &specs.Root{Path: "rootfs"},
		Process: &specs.Process{Args: []string{"sh"}, Cwd: "/"},
		Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{
			{Type: specs.MountNamespace}, {Type: specs.PIDNamespace}, {Type: specs.UTSNamespace},
		}},
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, want string
		edit       func(*specs.Spec)
	}{
		{"valid", "", func(s *specs.Spec) {}},
		{"no version", "ociVersion: missing", func(s *specs.Spec) { s.Version = "" }},
		{"version 2", "ociVersion: \"2.0.0\" is not", func(s *specs.Spec) { s.Version = "2.0.0" }},
		{"no root", "root.path: missing", func(s *specs.Spec) { s.Root = nil }},
		{"missing rootfs", "root.path: stat", func(s *specs.Spec) { s.Root.Path = "nope" }},
		{"no args", "process.args: missing", func(s *specs.Spec) { s.Process.Args = nil }},
		{"relative cwd", "process.cwd: \"tmp\" is not an absolute path", func(s *specs.Spec) { s.Process.Cwd = "tmp" }},
		{"bad env", "process.env[1]: \"NOEQUALS\"", func(s *specs.Spec) { s.Process.Env = []string{"A=b", "NOEQUALS"} }},
		{"bad rlimit", "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"", func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_FOO"}}
		}},
		{"soft above hard", "process.rlimits[0]: soft limit 5 is above hard limit 4", func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 5, Hard: 4}}
		}},
		{"bad ns", "linux.namespaces[3].type: unknown namespace type \"foo\"", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "foo"})
		}},
		{"dup ns", "linux.namespaces[3].type: namespace \"pid\" is listed twice", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pid"})
		}},
		{"ns path missing", "linux.namespaces[3].path: stat /nonexistent/ns", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "network", Path: "/nonexistent/ns"})
		}},
		{"joined mount ns", "linux.namespaces[0].path: joining an existing mount namespace is not supported", func(s *specs.Spec) {
			s.Linux.Namespaces[0].Path = "/proc/self/ns/mnt"
		}},
		{"no mount ns", "linux.namespaces: a mount namespace is required", func(s *specs.Spec) { s.Linux.Namespaces = s.Linux.Namespaces[1:] }},
		{"hostname without uts", "hostname: cannot set the hostname without a new uts namespace", func(s *specs.Spec) {
			s.Hostname = "x"
			s.Linux.Namespaces = s.Linux.Namespaces[:2]
		}},
		{"relative mount", "mounts[0].destination: \"tmp\" is not an absolute path", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "tmp", Type: "tmpfs"}}
		}},
		{"mount without type", "mounts[1].type: missing: only a bind mount", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "/a", Source: "/tmp", Options: []string{"rbind"}}, {Destination: "/b", Source: "/tmp"}}
		}},
		{"bad device type", "linux.devices[0].type: unknown device type \"x\"", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "x"}}
		}},
		{"userns unmapped uid", "linux.uidMappings: no mapping covers process.user.uid 5", func(s *specs.Spec) {
			userns(s, specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 1})
			s.Process.User.UID = 5
		}},
		{"userns unmapped gid", "linux.gidMappings: no mapping covers process.user.gid 7", func(s *specs.Spec) {
			userns(s, specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 10})
			s.Linux.GIDMappings[0].Size = 1
			s.Process.User.GID = 7
		}},
		{"userns no root", "linux.uidMappings: no mapping for id 0", func(s *specs.Spec) {
			userns(s, specs.LinuxIDMapping{ContainerID: 1, HostID: 1000, Size: 10})
			s.Process.User.UID, s.Process.User.GID = 1, 1
		}},
		{"userns no mappings", "linux.uidMappings: a new user namespace needs", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
		}},
		{"userns overlap", "linux.uidMappings[1].hostID: range overlaps the host ids of linux.uidMappings[0]", func(s *specs.Spec) {
			userns(s, specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 10})
			s.Linux.UIDMappings = append(s.Linux.UIDMappings, specs.LinuxIDMapping{ContainerID: 10, HostID: 1005, Size: 10})
		}},
		{"userns empty range", "linux.gidMappings[0].size: 0", func(s *specs.Spec) {
			userns(s, specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 10})
			s.Linux.GIDMappings[0].Size = 0
		}},
		{"idmap not a bind", "mounts[0].options: an idmapped mount must be a bind mount", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "/x", Type: "tmpfs", Options: []string{"idmap"}}}
		}},
		{"idmap uid only", "mounts[0].gidMappings: missing", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "/x", Source: "/tmp", Options: []string{"bind"},
				UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}}}
		}},
		{"idmap without mappings or userns", "mounts[0].options: idmap without uidMappings", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "/x", Source: "/tmp", Options: []string{"rbind", "ridmap"}}}
		}},
		{"idmap empty range", "mounts[0].uidMappings[0].size: 0", func(s *specs.Spec) {
			m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000}}
			s.Mounts = []specs.Mount{{Destination: "/x", Source: "/tmp", Options: []string{"bind", "idmap"}, UIDMappings: m, GIDMappings: m}}
		}},
		{"mappings without userns", "linux.uidMappings: mappings need a user namespace", func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
		}},
		{"host sysctl", "linux.sysctl.vm.swappiness: not a namespaced sysctl", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"vm.swappiness": "1"}
		}},
		{"intelRdt", "linux.intelRdt: Intel RDT (resctrl) is not supported", func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "x"} }},
		{"execCPUAffinity", "process.execCPUAffinity: not supported", func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0"}
		}},
		{"netDevices", "linux.netDevices: not supported", func(s *specs.Spec) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}}
		}},
		{"ipc sysctl without ipc ns", "linux.sysctl.kernel.shmmax: needs a new ipc namespace", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"kernel.shmmax": "1"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, s := bundle(t)
			c.edit(s)
			err := Validate(s, dir)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// userns gives s a new user namespace with m as its uid and gid mapping.
func userns(s *specs.Spec, m specs.LinuxIDMapping) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{m}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{m}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing bundle: %v", err)
	}
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("missing config: %v", err)
	}
}
