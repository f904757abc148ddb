package main

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMakeRootless(t *testing.T) {
	s := defaultSpec()
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "tmpfs", Options: []string{"uid=5", "mode=700", "gid=7"}})
	makeRootless(s, 1234, 5678)

	if s.Linux.Resources != nil {
		t.Errorf("linux.resources kept: %+v", s.Linux.Resources)
	}
	if got := s.Linux.UIDMappings; len(got) != 1 || got[0] != (specs.LinuxIDMapping{ContainerID: 0, HostID: 1234, Size: 1}) {
		t.Errorf("uidMappings %+v", got)
	}
	if got := s.Linux.GIDMappings; len(got) != 1 || got[0] != (specs.LinuxIDMapping{ContainerID: 0, HostID: 5678, Size: 1}) {
		t.Errorf("gidMappings %+v", got)
	}
	users := 0
	for _, n := range s.Linux.Namespaces {
		switch n.Type {
		case specs.NetworkNamespace:
			t.Errorf("network namespace kept")
		case specs.UserNamespace:
			users++
		}
	}
	if users != 1 {
		t.Errorf("%d user namespaces, want 1", users)
	}
	for _, m := range s.Mounts {
		for _, o := range m.Options {
			if strings.HasPrefix(o, "uid=") || strings.HasPrefix(o, "gid=") {
				t.Errorf("mount %s keeps %s", m.Destination, o)
			}
		}
		if m.Destination == "/sys" && (m.Source != "/sys" || m.Options[0] != "rbind") {
			t.Errorf("/sys is not an rbind of the host's: %+v", m)
		}
		if m.Destination == "/data" && strings.Join(m.Options, ",") != "mode=700" {
			t.Errorf("/data options %v", m.Options)
		}
	}
}
