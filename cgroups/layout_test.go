package cgroups

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const mountinfoHybrid = `22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const mountinfoV1 = `25 21 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
31 25 0:28 /docker/abc /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
32 25 0:29 / /mnt/odd\040place rw,relatime - cgroup cgroup rw,pids
`

const mountinfoV2 = `24 22 0:21 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`

func TestParseMountinfo(t *testing.T) {
	ms := parseMountinfo(mountinfoV1)
	if len(ms) != 6 {
		t.Fatalf("%d entries: %+v", len(ms), ms)
	}
	want := mountEntry{Root: "/docker/abc", Mountpoint: "/sys/fs/cgroup/memory", FSType: "cgroup", SuperOpts: "rw,memory"}
	if ms[4] != want {
		t.Fatalf("got %+v, want %+v", ms[4], want)
	}
	if ms[5].Mountpoint != "/mnt/odd place" || ms[5].SuperOpts != "rw,pids" {
		t.Fatalf("escaped entry: %+v", ms[5])
	}
	// Optional fields (shared:N) are skipped; garbage is ignored.
	ms = parseMountinfo("garbage\n" + mountinfoV2 + "1 2 3\n")
	if len(ms) != 1 || ms[0].FSType != "cgroup2" || ms[0].Mountpoint != "/sys/fs/cgroup" {
		t.Fatalf("got %+v", ms)
	}
}

func TestLayoutFromMountinfo(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       Layout
	}{
		{"hybrid", mountinfoHybrid, Hybrid},
		{"v1", mountinfoV1, V1},
		{"v2", mountinfoV2, V2},
	} {
		got, err := layoutFromMountinfo(parseMountinfo(c.text))
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := layoutFromMountinfo(parseMountinfo("22 28 0:21 / /sys rw - sysfs sysfs rw\n")); err == nil {
		t.Error("no cgroup mount: no error")
	}
}

func TestParseProcCgroup(t *testing.T) {
	text := `9:name=systemd:/
8:pids:/
4:memory:/process_api/c48
2:cpu,cpuacct:/a b
0::/
`
	got, err := parseProcCgroup(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []procHierarchy{
		{ID: 9, Named: true, Path: "/"},
		{ID: 8, Controllers: []string{"pids"}, Path: "/"},
		{ID: 4, Controllers: []string{"memory"}, Path: "/process_api/c48"},
		{ID: 2, Controllers: []string{"cpu", "cpuacct"}, Path: "/a b"},
		{ID: 0, Path: "/"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// A path may contain colons.
	got, err = parseProcCgroup("0::/a:b\n")
	if err != nil || got[0].Path != "/a:b" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, bad := range []string{"x:memory:/\n", "4:memory\n"} {
		if _, err := parseProcCgroup(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLayoutText(t *testing.T) {
	for _, l := range []Layout{V1, Hybrid, V2} {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back Layout
		if err := json.Unmarshal(b, &back); err != nil || back != l {
			t.Fatalf("%v -> %s -> %v, %v", l, b, back, err)
		}
	}
	if V1.String() != "v1" || Hybrid.String() != "hybrid" || V2.String() != "v2" {
		t.Fatal("String")
	}
	var l Layout
	if err := json.Unmarshal([]byte(`"v3"`), &l); err == nil {
		t.Fatal("v3 accepted")
	}
	// The Manager round-trips through JSON (it is kept in the state file).
	m := &Manager{Paths: map[string]string{"memory": "/sys/fs/cgroup/memory/x", unifiedKey: "/sys/fs/cgroup/unified/x"},
		Layout: Hybrid, Created: []string{"/sys/fs/cgroup/memory/p"}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"layout":"hybrid"`) || !strings.Contains(string(b), `"paths":{`) {
		t.Fatalf("json %s", b)
	}
	var m2 Manager
	if err := json.Unmarshal(b, &m2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.Paths, m.Paths) || m2.Layout != Hybrid || !reflect.DeepEqual(m2.Created, m.Created) {
		t.Fatalf("round trip %+v", m2)
	}
	lm := Load(m2.Paths, m2.Layout)
	if lm.unifiedRoot != hybridUnified {
		t.Fatalf("Load: unified root %q", lm.unifiedRoot)
	}
}
