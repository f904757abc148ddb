package cgroups

import (
	"errors"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestSkipUnwritable(t *testing.T) {
	m := &Manager{Layout: Hybrid, Paths: map[string]string{
		"memory": "/sys/fs/cgroup/memory/c", "cpu": "/sys/fs/cgroup/cpu,cpuacct/c", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/c",
	}}
	if !m.skipUnwritable("/sys/fs/cgroup/cpu,cpuacct/c", unix.EACCES) {
		t.Fatal("a directory the user may not make is not skipped")
	}
	if _, ok := m.Paths["cpu"]; ok {
		t.Errorf("cpu still in %v", m.Paths)
	}
	if _, ok := m.Paths["cpuacct"]; ok {
		t.Errorf("cpuacct still in %v", m.Paths)
	}
	if m.Paths["memory"] == "" {
		t.Errorf("memory dropped too: %v", m.Paths)
	}
	if m.skipUnwritable("/sys/fs/cgroup/memory/c", unix.ENOSPC) {
		t.Error("an error other than a permission one skipped the directory")
	}
	err := m.unavailable("linux.resources.cpu", "cpu")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "linux.resources.cpu" || !strings.Contains(err.Error(), "is not writable by uid") || !strings.Contains(err.Error(), "delegated") {
		t.Errorf("unavailable: %v", err)
	}
	// A limit in a skipped hierarchy is refused by the applier, naming the field.
	shares := uint64(512)
	if err := m.newApplier(false, nil).cpu(&specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}}); err == nil || !strings.HasPrefix(err.Error(), "linux.resources.cpu: cgroup /sys/fs/cgroup/cpu,cpuacct/c is not writable") {
		t.Errorf("cpu limit in a skipped cgroup: %v", err)
	}
}
