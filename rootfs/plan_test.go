package rootfs

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/nsenter"
)

// descriptions lists the operations of a program by their descriptions.
func descriptions(p *nsenter.Program, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, p.Describe(i))
	}
	return out
}

// A cgroup mount is the container's own directories bound from the host,
// with or without a cgroup namespace; fresh cgroupfs mounts only in a user
// namespace with a cgroup namespace.
func TestPlanCgroupBindOrFresh(t *testing.T) {
	paths := map[string]string{
		"memory":  "/sys/fs/cgroup/memory/ctr",
		"cpu":     "/sys/fs/cgroup/cpu,cpuacct/ctr",
		"cpuacct": "/sys/fs/cgroup/cpu,cpuacct/ctr",
		"unified": "/sys/fs/cgroup/unified/ctr",
	}
	spec := &specs.Spec{
		Root:   &specs.Root{Path: t.TempDir()},
		Linux:  &specs.Linux{},
		Mounts: []specs.Mount{{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro"}}},
	}
	for _, tc := range []struct {
		name         string
		o            Options
		binds, fresh int
	}{
		{"hybrid, cgroupns", Options{CgroupNS: true, CgroupPaths: paths}, 3, 0},
		{"hybrid, no cgroupns", Options{CgroupPaths: paths}, 3, 0},
		{"hybrid, userns and cgroupns", Options{CgroupNS: true, UserNS: true, CgroupPaths: paths}, 0, 3},
		{"v2, cgroupns", Options{CgroupNS: true, CgroupV2: true, CgroupPaths: map[string]string{"unified": "/sys/fs/cgroup/ctr"}}, 1, 0},
		{"v2, userns and cgroupns", Options{CgroupNS: true, UserNS: true, CgroupV2: true, CgroupPaths: map[string]string{"unified": "/sys/fs/cgroup/ctr"}}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := nsenter.NewProgram(3, -1, nil)
			if err := Plan(p, spec, tc.o); err != nil {
				t.Fatal(err)
			}
			var binds, fresh int
			for _, d := range descriptions(p, 64) {
				if !strings.HasPrefix(d, "mounts[0] (cgroup on /sys/fs/cgroup)") || strings.HasSuffix(d, "read-only") {
					continue
				}
				switch {
				case strings.Contains(d, " bound from /sys/fs/cgroup/"):
					binds++
				case d != "mounts[0] (cgroup on /sys/fs/cgroup)" || tc.o.CgroupV2:
					fresh++ // a hierarchy (not the tmpfs holding them), or v2's one mount
				}
			}
			if binds != tc.binds || fresh != tc.fresh {
				t.Errorf("%d binds and %d fresh mounts, want %d and %d: %q", binds, fresh, tc.binds, tc.fresh, descriptions(p, 64))
			}
		})
	}
}
