package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSub(t *testing.T) {
	root := t.TempDir()
	mk := func(p string) string {
		d := filepath.Join(root, p)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	mem, cpu, uni := mk("memory/ctr"), mk("cpu,cpuacct/ctr"), mk("unified/ctr")
	mk("memory/ctr/a/b")
	mk("cpu,cpuacct/ctr/a/b")
	mk("unified/ctr/a/b")
	mk("memory/ctr/m")
	m := &Manager{Paths: map[string]string{"memory": mem, "cpu": cpu, "cpuacct": cpu, unifiedKey: uni}, Layout: Hybrid}

	s, err := m.Sub(map[string]string{"": "a/b"})
	if err != nil {
		t.Fatal(err)
	}
	for k, d := range map[string]string{"memory": mem, "cpu": cpu, "cpuacct": cpu, unifiedKey: uni} {
		if s.Paths[k] != d+"/a/b" {
			t.Errorf("all: %s = %s, want %s/a/b", k, s.Paths[k], d)
		}
	}
	if m.Paths["memory"] != mem {
		t.Errorf("Sub changed its receiver")
	}

	// One controller: its hierarchy (shared dirs too), the others stay.
	s, err = m.Sub(map[string]string{"memory": "/m", "cpu": "a/b"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Paths["memory"] != mem+"/m" || s.Paths["cpu"] != cpu+"/a/b" || s.Paths["cpuacct"] != cpu+"/a/b" || s.Paths[unifiedKey] != uni {
		t.Errorf("per controller: %v", s.Paths)
	}

	for _, c := range []struct {
		sub map[string]string
		err string
	}{
		{map[string]string{"": "nope"}, "no such file"},
		{map[string]string{"memory": "a/b/../../.."}, `must not contain ".."`},
		{map[string]string{"memory": "/"}, "names the container's own cgroup"},
		{map[string]string{"blkio": "a"}, `no "blkio" hierarchy`},
		{map[string]string{"cpu": "a/b", "cpuacct": "a"}, "share the directory"},
	} {
		if _, err := m.Sub(c.sub); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Sub(%v): %v, want an error containing %q", c.sub, err, c.err)
		}
	}
}
