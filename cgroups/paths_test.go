package cgroups

import (
	"reflect"
	"strings"
	"testing"
)

func TestCleanCgroupsPath(t *testing.T) {
	for _, c := range []struct{ in, id, want string }{
		{"", "ctr1", "ctr1"},
		{"/a/b", "x", "/a/b"},
		{"/a//b/./c/", "x", "/a/b/c"},
		{"a/../b", "x", "b"},
		{"/a/b/../c", "x", "/a/c"},
		{"machine.slice/ctr", "x", "machine.slice/ctr"},
		{"/a:b:c", "x", "/a:b:c"}, // absolute: a plain (odd) path
	} {
		got, err := cleanCgroupsPath(c.in, c.id)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, id, msg string }{
		{"../x", "x", "escapes"},
		{"a/../../x", "x", "escapes"},
		{"/a/../../x", "x", "escapes"},
		{"system.slice:rt:abc", "x", "systemd"},
		{":rt:abc", "x", "systemd"},
		{"/", "x", "root itself"},
		{"a/..", "x", "root itself"},
		{"", "", "empty"},
		{"", "..", "cannot be used"},
	} {
		_, err := cleanCgroupsPath(c.in, c.id)
		if err == nil || !strings.HasPrefix(err.Error(), "linux.cgroupsPath: ") || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want linux.cgroupsPath ... %s", c.in, err, c.msg)
		}
	}
}

// fakeEnv is a host with the given existing paths and mountinfo.
func fakeEnv(paths []string, mountinfo string) *env {
	set := map[string]bool{}
	for _, p := range paths {
		set[p] = true
	}
	return &env{
		root:      "/sys/fs/cgroup",
		exists:    func(p string) bool { return set[p] },
		mountinfo: func() []mountEntry { return parseMountinfo(mountinfo) },
	}
}

func TestComputePathsHybrid(t *testing.T) {
	// This host: each controller on its own, memory in a non-root cgroup.
	proc, _ := parseProcCgroup(`9:name=systemd:/
8:pids:/
6:freezer:/
4:memory:/process_api/c48
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`)
	e := fakeEnv([]string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/memory",
		"/sys/fs/cgroup/memory/process_api/c48", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu"}, mountinfoHybrid)
	got, err := computePaths(Hybrid, proc, "ctr", e)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pids":    "/sys/fs/cgroup/pids/ctr",
		"freezer": "/sys/fs/cgroup/freezer/ctr",
		"memory":  "/sys/fs/cgroup/memory/process_api/c48/ctr",
		"cpuset":  "/sys/fs/cgroup/cpuset/ctr",
		"cpuacct": "/sys/fs/cgroup/cpuacct/ctr",
		"cpu":     "/sys/fs/cgroup/cpu/ctr",
		"unified": "/sys/fs/cgroup/unified/ctr",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("relative:\n got %v\nwant %v", got, want)
	}
	got, err = computePaths(Hybrid, proc, "/rt/ctr", e)
	if err != nil {
		t.Fatal(err)
	}
	if got["memory"] != "/sys/fs/cgroup/memory/rt/ctr" || got["unified"] != "/sys/fs/cgroup/unified/rt/ctr" || len(got) != 7 {
		t.Fatalf("absolute: %v", got)
	}
}

func TestComputePathsV1(t *testing.T) {
	proc, _ := parseProcCgroup(`12:pids:/user.slice
4:cpu,cpuacct:/user.slice
3:net_cls,net_prio:/
2:memory:/docker/abc/sub
1:name=systemd:/user.slice
7:perf_event:/
`)
	e := fakeEnv([]string{
		"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/user.slice",
		"/sys/fs/cgroup/net_prio", // only the symlink of one member exists
		"/sys/fs/cgroup/memory",
	}, mountinfoV1)
	got, err := computePaths(V1, proc, "ctr", e)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cpu":      "/sys/fs/cgroup/cpu,cpuacct/user.slice/ctr",
		"cpuacct":  "/sys/fs/cgroup/cpu,cpuacct/user.slice/ctr",
		"net_cls":  "/sys/fs/cgroup/net_prio/ctr",
		"net_prio": "/sys/fs/cgroup/net_prio/ctr",
		// memory is mounted from /docker/abc: that prefix is cut.
		"memory": "/sys/fs/cgroup/memory/sub/ctr",
		// pids is mounted at an odd place (found in mountinfo);
		// perf_event is not mounted at all.
		"pids": "/mnt/odd place/user.slice/ctr",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %v\nwant %v", got, want)
	}
	m := &Manager{Paths: got}
	if d := m.dirs(); len(d) != 4 {
		t.Fatalf("dirs %v: shared hierarchies must count once", d)
	}
}

func TestComputePathsV2(t *testing.T) {
	proc, _ := parseProcCgroup("0::/user.slice/user-0.slice/session-1.scope\n")
	e := fakeEnv([]string{"/sys/fs/cgroup/user.slice/user-0.slice/session-1.scope"}, mountinfoV2)
	got, err := computePaths(V2, proc, "ctr", e)
	if err != nil {
		t.Fatal(err)
	}
	// Relative to the parent of our own cgroup (which holds us).
	if want := map[string]string{"unified": "/sys/fs/cgroup/user.slice/user-0.slice/ctr"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	got, _ = computePaths(V2, proc, "/machine/ctr", e)
	if got["unified"] != "/sys/fs/cgroup/machine/ctr" {
		t.Fatalf("absolute: %v", got)
	}
	// In a cgroup namespace we are at "/".
	proc, _ = parseProcCgroup("0::/\n")
	got, _ = computePaths(V2, proc, "a/b", e)
	if got["unified"] != "/sys/fs/cgroup/a/b" {
		t.Fatalf("root: %v", got)
	}
	// Nothing mounted.
	if _, err := computePaths(V1, proc, "a", fakeEnv(nil, "")); err == nil {
		t.Fatal("no hierarchy: no error")
	}
}
