package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// fakeFS records the writes of the resource code and serves reads from a
// map. A write to a file listed in missing fails with ENOENT, one listed in
// fail with that error (once).
type fakeFS struct {
	files   map[string]string // path -> content
	missing map[string]bool   // base names (or full paths) that do not exist
	fail    map[string]error  // path -> error for the next write
	log     []string          // "path=value" per write(2)
}

func newFakeFS() *fakeFS {
	return &fakeFS{files: map[string]string{}, missing: map[string]bool{}, fail: map[string]error{}}
}

func (f *fakeFS) isMissing(p string) bool {
	return f.missing[p] || f.missing[filepath.Base(p)]
}

func (f *fakeFS) ops() *fsops {
	return &fsops{
		write: func(dir, file, data string) error {
			p := dir + "/" + file
			if f.isMissing(p) {
				return unix.ENOENT
			}
			if err := f.fail[p]; err != nil {
				delete(f.fail, p)
				f.log = append(f.log, p+"=!"+data)
				return err
			}
			f.log = append(f.log, p+"="+data)
			f.files[p] = data
			return nil
		},
		writeLines: func(dir, file string, lines []string) (int, error) {
			p := dir + "/" + file
			if f.isMissing(p) {
				return 0, unix.ENOENT
			}
			for i, l := range lines {
				if err := f.fail[p+"#"+l]; err != nil {
					return i, err
				}
				f.log = append(f.log, p+"="+l)
				f.files[p] = l
			}
			return 0, nil
		},
		read: func(dir, file string) (string, error) {
			p := dir + "/" + file
			s, ok := f.files[p]
			if !ok || f.isMissing(p) {
				return "", unix.ENOENT
			}
			return s, nil
		},
		exists: func(p string) bool {
			_, ok := f.files[p]
			return ok && !f.isMissing(p)
		},
	}
}

// takeLog returns the writes so far, with dir prefix cut, and clears them.
func (f *fakeFS) takeLog(dir string) []string {
	out := make([]string, len(f.log))
	for i, l := range f.log {
		out[i] = strings.TrimPrefix(l, dir+"/")
	}
	f.log = nil
	return out
}

func p64(v int64) *int64    { return &v }
func pu64(v uint64) *uint64 { return &v }
func pu16(v uint16) *uint16 { return &v }
func pu32(v uint32) *uint32 { return &v }
func pbool(v bool) *bool    { return &v }
func wantLog(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("writes:\n got  %q\n want %q", got, want)
	}
}

func wantFieldErr(t *testing.T, err error, field, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one for %s", field)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("error %q: want field %s", err, field)
	}
	if !strings.HasPrefix(err.Error(), field+": ") {
		t.Fatalf("error %q does not start with %q", err, field+": ")
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not contain %q", err, contains)
	}
}

// fake managers for each layout, with a fake file system; the directories
// are under a temp dir so Create can really mkdir them.
func fakeV2(t *testing.T, ctrls string) (*Manager, *fakeFS, string) {
	root := t.TempDir()
	f := newFakeFS()
	f.files[root+"/cgroup.controllers"] = ctrls
	f.files[root+"/cgroup.subtree_control"] = ""
	m := &Manager{Paths: map[string]string{unifiedKey: root + "/ctr"}, Layout: V2, unifiedRoot: root, fs: f.ops()}
	return m, f, root + "/ctr"
}

func fakeV1(t *testing.T, ctrls ...string) (*Manager, *fakeFS, string) {
	root := t.TempDir()
	f := newFakeFS()
	m := &Manager{Paths: map[string]string{}, Layout: V1, fs: f.ops()}
	for _, c := range ctrls {
		if err := os.Mkdir(root+"/"+c, 0o755); err != nil {
			t.Fatal(err)
		}
		m.Paths[c] = root + "/" + c + "/ctr"
	}
	return m, f, root
}

func TestFakeV1MemoryOrder(t *testing.T) {
	m, f, _ := fakeV1(t, "memory")
	dir := m.Paths["memory"]
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.files[dir+"/memory.memsw.limit_in_bytes"] = "9223372036854771712"

	// Fresh cgroup (Create): both unlimited, memory first, no read.
	a := m.newApplier(false, map[string]bool{dir: true})
	res := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(100 << 20), Swap: p64(200 << 20), Reservation: p64(50 << 20)}}
	if err := a.apply(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{
		"memory.limit_in_bytes=104857600", "memory.memsw.limit_in_bytes=209715200", "memory.soft_limit_in_bytes=52428800",
	})

	// Update raising memsw above the current memory limit: memsw first.
	f.files[dir+"/memory.limit_in_bytes"] = "104857600\n"
	res = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(300 << 20), Swap: p64(400 << 20)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.memsw.limit_in_bytes=419430400", "memory.limit_in_bytes=314572800"})

	// Lowering both: memory first.
	f.files[dir+"/memory.limit_in_bytes"] = "314572800\n"
	res = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(10 << 20), Swap: p64(20 << 20)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.limit_in_bytes=10485760", "memory.memsw.limit_in_bytes=20971520"})

	// Unlimited memory with swap unset on update: memsw unlimited first.
	res = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(-1)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"})

	// Kernel memory: ignored where the kernel refuses or lacks it.
	f.fail[dir+"/memory.kmem.limit_in_bytes"] = enotsupp
	f.missing["memory.kmem.tcp.limit_in_bytes"] = true
	res = &specs.LinuxResources{Memory: &specs.LinuxMemory{Kernel: p64(1 << 20), KernelTCP: p64(1 << 20),
		Swappiness: pu64(10), DisableOOMKiller: pbool(true), UseHierarchy: pbool(true)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.kmem.limit_in_bytes=!1048576",
		"memory.swappiness=10", "memory.oom_control=1", "memory.use_hierarchy=1"})

	// A kernel error names the field and the file.
	f.fail[dir+"/memory.limit_in_bytes"] = unix.EINVAL
	err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(5)}})
	wantFieldErr(t, err, "linux.resources.memory.limit", "write memory.limit_in_bytes in "+dir+": invalid argument")
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("%v is not EINVAL", err)
	}
	f.takeLog(dir)

	// No swap accounting.
	f.missing["memory.memsw.limit_in_bytes"] = true
	err = m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: p64(5 << 20)}})
	wantFieldErr(t, err, "linux.resources.memory.swap", "no swap accounting")

	// checkBeforeUpdate.
	f.files[dir+"/memory.usage_in_bytes"] = "1000000\n"
	err = m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(4096), CheckBeforeUpdate: pbool(true)}})
	wantFieldErr(t, err, "linux.resources.memory.limit", "below the current usage 1000000")
}

func TestFakeV2Memory(t *testing.T) {
	m, f, dir := fakeV2(t, "cpu io memory pids")
	res := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(100 << 20), Swap: p64(300 << 20), Reservation: p64(-1),
		Kernel: p64(1 << 20), Swappiness: pu64(5), DisableOOMKiller: pbool(true)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.swap.max=209715200", "memory.max=104857600", "memory.low=max"})

	// swap == limit: no swap at all.
	if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(100), Swap: p64(100)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.swap.max=0", "memory.max=100"})

	// Update of swap alone: the limit in force is read.
	f.files[dir+"/memory.max"] = "1000\n"
	if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: p64(1500)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.swap.max=500"})
	f.files[dir+"/memory.max"] = "max\n"
	err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: p64(1500)}})
	wantFieldErr(t, err, "linux.resources.memory.swap", "unlimited")

	// No swap accounting: unlimited/zero swap is fine, a limit is not.
	f.missing["memory.swap.max"] = true
	if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(-1)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.max=max"})
	err = m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(100), Swap: p64(200)}})
	wantFieldErr(t, err, "linux.resources.memory.swap", "no swap accounting")

	// checkBeforeUpdate reads memory.current.
	f.files[dir+"/memory.current"] = "5000\n"
	err = m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(4096), CheckBeforeUpdate: pbool(true)}})
	wantFieldErr(t, err, "linux.resources.memory.limit", "below the current usage 5000")
	if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(8192), CheckBeforeUpdate: pbool(true)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"memory.max=8192"})
}

func TestFakeCPU(t *testing.T) {
	m, f, _ := fakeV1(t, "cpu")
	dir := m.Paths["cpu"]
	res := &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: pu64(512), Quota: p64(50000), Period: pu64(100000),
		Burst: pu64(1000), Idle: p64(0), RealtimeRuntime: p64(1000), RealtimePeriod: pu64(10000)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_burst_us=1000",
		"cpu.cfs_quota_us=50000", "cpu.idle=0", "cpu.rt_period_us=10000", "cpu.rt_runtime_us=1000"})

	// The kernel refuses the period until the quota is in: retried after.
	f.fail[dir+"/cpu.cfs_period_us"] = unix.EINVAL
	res = &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: p64(20000), Period: pu64(50000)}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"cpu.cfs_period_us=!50000", "cpu.cfs_quota_us=20000", "cpu.cfs_period_us=50000"})
	// ... but not without a quota to write.
	f.fail[dir+"/cpu.cfs_period_us"] = unix.EINVAL
	err := m.Update(&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: pu64(50000)}})
	wantFieldErr(t, err, "linux.resources.cpu.period", "invalid argument")

	// v2
	m2, f2, d2 := fakeV2(t, "cpu cpuset")
	res = &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: pu64(1024), Quota: p64(50000), Period: pu64(100000), Burst: pu64(0),
		Idle: p64(1), Cpus: "0-1", Mems: "0"}}
	if err := m2.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"cpuset.cpus=0-1", "cpuset.mems=0", "cpu.weight=39", "cpu.idle=1",
		"cpu.max.burst=0", "cpu.max=50000 100000"})
	// Quota alone keeps the period (the kernel does); -1 is max.
	if err := m2.Update(&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: p64(-1)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"cpu.max=max"})
	// Period alone on update keeps the quota in force.
	f2.files[d2+"/cpu.max"] = "30000 100000\n"
	if err := m2.Update(&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: pu64(200000)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"cpu.max=30000 200000"})
	// ... and on a fresh cgroup there is nothing to keep.
	a := m2.newApplier(false, map[string]bool{d2: true})
	if err := a.apply(&specs.LinuxResources{CPU: &specs.LinuxCPU{Period: pu64(200000)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"cpu.max=max 200000"})
	// No realtime on v2.
	err = m2.Update(&specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: p64(100)}})
	wantFieldErr(t, err, "linux.resources.cpu.realtimeRuntime", "v2")
}

func TestFakePids(t *testing.T) {
	m, f, dir := fakeV2(t, "pids")
	for _, c := range []struct {
		limit int64
		want  string
	}{{100, "100"}, {0, "max"}, {-1, "max"}, {-5, "max"}} {
		if err := m.Update(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &c.limit}}); err != nil {
			t.Fatal(err)
		}
		wantLog(t, f.takeLog(dir), []string{"pids.max=" + c.want})
	}
	// A fresh cgroup already has max.
	a := m.newApplier(false, map[string]bool{dir: true})
	if err := a.apply(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: p64(0)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), nil)
	// Controller absent from the cgroup2 root.
	m3, _, _ := fakeV2(t, "cpu memory")
	err := m3.Update(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: p64(10)}})
	wantFieldErr(t, err, "linux.resources.pids", "the pids controller is not available on this v2 host")
}

func TestFakeBlkio(t *testing.T) {
	res := &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
		Weight: pu16(500),
		WeightDevice: []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0},
			Weight: pu16(100), LeafWeight: pu16(200)}},
		ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1000}},
		ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}, Rate: 0}},
	}}
	// v1 with BFQ only.
	m, f, _ := fakeV1(t, "blkio")
	dir := m.Paths["blkio"]
	f.files[dir+"/blkio.bfq.weight"] = "100"
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"blkio.bfq.weight=500", "blkio.bfq.weight_device=8:0 100",
		"blkio.leaf_weight_device=8:0 200", "blkio.throttle.read_bps_device=8:0 1000", "blkio.throttle.write_iops_device=8:16 0"})
	// v1 with CFQ.
	f.files[dir+"/blkio.weight"] = "100"
	res.BlockIO.WeightDevice[0].LeafWeight = nil
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"blkio.weight=500", "blkio.weight_device=8:0 100",
		"blkio.throttle.read_bps_device=8:0 1000", "blkio.throttle.write_iops_device=8:16 0"})

	// v2 without BFQ: converted io.weight; io.max with 0 = max.
	m2, f2, d2 := fakeV2(t, "io")
	if err := m2.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"io.weight=default 4950", "io.weight=8:0 910",
		"io.max=8:0 rbps=1000", "io.max=8:16 wiops=max"})
	// v2 with BFQ.
	f2.files[d2+"/io.bfq.weight"] = "default 100"
	if err := m2.Update(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: pu16(500)}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"io.bfq.weight=500"})
	// A failing io.max line names its entry.
	f2.fail[d2+"/io.max#8:16 wiops=max"] = unix.ENODEV
	err := m2.Update(res)
	wantFieldErr(t, err, "linux.resources.blockIO.throttleWriteIOPSDevice[0]", "no such device")
}

func TestFakeHugetlb(t *testing.T) {
	res := &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}, {Pagesize: "1GB", Limit: 0}}}
	m, f, _ := fakeV1(t, "hugetlb")
	dir := m.Paths["hugetlb"]
	f.missing["hugetlb.2MB.rsvd.limit_in_bytes"] = true
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{"hugetlb.2MB.limit_in_bytes=4194304", "hugetlb.1GB.limit_in_bytes=0"})

	m2, f2, d2 := fakeV2(t, "hugetlb")
	if err := m2.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"hugetlb.2MB.max=4194304", "hugetlb.2MB.rsvd.max=4194304",
		"hugetlb.1GB.max=0", "hugetlb.1GB.rsvd.max=0"})
	// "2048KB" is the kernel's "2MB".
	if err := m2.Update(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2048KB", Limit: 1}}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f2.takeLog(d2), []string{"hugetlb.2MB.max=1", "hugetlb.2MB.rsvd.max=1"})
	f2.missing["hugetlb.16GB.max"] = true
	err := m2.Update(&specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1}, {Pagesize: "16GB", Limit: 1}}})
	wantFieldErr(t, err, "linux.resources.hugepageLimits[1].pageSize", "no 16GB hugepages")

	// Hybrid host whose cgroup2 tree has no hugetlb, and no v1 hugetlb.
	m3, _, _ := fakeV2(t, "")
	m3.Layout = Hybrid
	err = m3.Update(res)
	wantFieldErr(t, err, "linux.resources.hugepageLimits", "")
	if err.Error() != "linux.resources.hugepageLimits: the hugetlb controller is not available on this hybrid host" {
		t.Fatalf("message: %q", err)
	}
}

// On a hybrid host a controller of the cgroup2 tree is enabled in the
// ancestors' subtree_control before its files are written.
func TestFakeHybridUnified(t *testing.T) {
	root := t.TempDir()
	f := newFakeFS()
	u := root + "/unified"
	f.files[u+"/cgroup.controllers"] = "hugetlb"
	f.files[u+"/cgroup.subtree_control"] = ""
	f.files[u+"/a/cgroup.subtree_control"] = "hugetlb"
	f.files[u+"/a/b/cgroup.subtree_control"] = ""
	for _, d := range []string{"memory", "unified/a/b"} {
		if err := os.MkdirAll(root+"/"+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := &Manager{Paths: map[string]string{"memory": root + "/memory/a/b/c", unifiedKey: u + "/a/b/c"},
		Layout: Hybrid, unifiedRoot: u, fs: f.ops()}
	res := &specs.LinuxResources{
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 2 << 20}},
		Unified:        map[string]string{"hugetlb.1GB.max": "0", "cgroup.max.depth": "3"},
	}
	if err := m.Create(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(root), []string{
		"unified/cgroup.subtree_control=+hugetlb",
		// unified/a has it already
		"unified/a/b/cgroup.subtree_control=+hugetlb",
		"unified/a/b/c/hugetlb.2MB.max=2097152", "unified/a/b/c/hugetlb.2MB.rsvd.max=2097152",
		"unified/a/b/c/cgroup.max.depth=3", "unified/a/b/c/hugetlb.1GB.max=0",
	})
	if !exists(u+"/a/b/c") || !exists(root+"/memory/a/b/c") {
		t.Fatal("directories not made")
	}
	if want := []string{root + "/memory/a", root + "/memory/a/b"}; !reflect.DeepEqual(m.Created, want) {
		t.Fatalf("Created %q, want %q", m.Created, want)
	}
	// A v1-only controller in unified is refused with the reason.
	f.missing["memory.max"] = true
	err := m.Update(&specs.LinuxResources{Unified: map[string]string{"memory.max": "1"}})
	wantFieldErr(t, err, `linux.resources.unified["memory.max"]`, "memory controller is not available in the cgroup2 tree of this hybrid host")
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if exists(u+"/a/b/c") || exists(root+"/memory/a") || !exists(u+"/a/b") {
		t.Fatal("Destroy removed the wrong directories")
	}
}

func TestFakeV2CreateEnablesControllers(t *testing.T) {
	m, f, dir := fakeV2(t, "cpuset cpu io memory pids")
	root := m.unifiedRoot
	m.Paths[unifiedKey] = root + "/x/y/ctr"
	f.files[root+"/cgroup.subtree_control"] = "cpu memory"
	if err := m.Create(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: p64(10)}}); err != nil {
		t.Fatal(err)
	}
	_ = dir
	wantLog(t, f.takeLog(root), []string{
		"cgroup.subtree_control=+cpuset +io +pids",
		"x/cgroup.subtree_control=+cpu +cpuset +io +memory +pids",
		"x/y/cgroup.subtree_control=+cpu +cpuset +io +memory +pids",
		"x/y/ctr/pids.max=10",
	})
	if !reflect.DeepEqual(m.Created, []string{root + "/x", root + "/x/y"}) {
		t.Fatalf("Created %q", m.Created)
	}
	// Device rules are an eBPF program on v2 (attached by Create, see
	// devicefilter's tests): an update cannot replace it; no write.
	err := m.Update(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}})
	wantFieldErr(t, err, "linux.resources.devices", "device rules cannot be changed on a running container on cgroup v2")
	wantLog(t, f.takeLog(root), nil)
	// Network has no v2 equivalent.
	err = m.Update(&specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: pu32(7)}})
	wantFieldErr(t, err, "linux.resources.network.classID", "the net_cls controller is not available on this v2 host")
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if exists(root + "/x") {
		t.Fatal("x left behind")
	}
}

func TestFakeV1CpusetAndFailure(t *testing.T) {
	m, f, root := fakeV1(t, "cpuset", "memory")
	m.Paths["cpuset"] = root + "/cpuset/a/b/ctr"
	m.Paths["memory"] = root + "/memory/a/b/ctr"
	f.files[root+"/cpuset/cpuset.cpus"] = "0-7\n"
	f.files[root+"/cpuset/cpuset.mems"] = "0\n"
	if err := m.Create(&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "2-3"}}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(root), []string{
		"cpuset/a/cpuset.cpus=0-7", "cpuset/a/b/cpuset.cpus=0-7", "cpuset/a/b/ctr/cpuset.cpus=2-3",
		"cpuset/a/cpuset.mems=0", "cpuset/a/b/cpuset.mems=0", "cpuset/a/b/ctr/cpuset.mems=0",
	})
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	if exists(root+"/cpuset/a") || exists(root+"/memory/a") {
		t.Fatal("Destroy left directories")
	}

	// A directly written spec value when the parent is not ours; a
	// kernel refusal removes everything made.
	if err := os.MkdirAll(root+"/cpuset/a/b", 0o755); err != nil {
		t.Fatal(err)
	}
	f.fail[root+"/cpuset/a/b/ctr/cpuset.cpus"] = unix.EINVAL
	err := m.Create(&specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "9"}})
	wantFieldErr(t, err, "linux.resources.cpu.cpus", "write cpuset.cpus in "+root+"/cpuset/a/b/ctr: invalid argument")
	wantLog(t, f.takeLog(root), []string{"cpuset/a/b/ctr/cpuset.cpus=!9"})
	if exists(root+"/cpuset/a/b/ctr") || exists(root+"/memory/a") || !exists(root+"/cpuset/a/b") {
		t.Fatal("failed Create did not clean up exactly what it made")
	}

	// Validation fails before anything is made.
	err = m.Create(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rwm"}, {Access: "rwm"}, {Type: "x", Access: "r"}}})
	wantFieldErr(t, err, "linux.resources.devices[2].type", `unknown device type "x"`)
	if exists(root + "/memory/a") {
		t.Fatal("validation error made directories")
	}
}

func TestFakeDevicesV1(t *testing.T) {
	if inUserNS() {
		t.Skip("running in a user namespace: device rules are skipped there by design")
	}
	m, f, _ := fakeV1(t, "devices")
	dir := m.Paths["devices"]
	res := &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: p64(1), Minor: p64(3), Access: "rwm"},
		{Allow: true, Type: "c", Major: p64(136), Access: "rw"},
		{Allow: false, Type: "c", Major: p64(1), Minor: p64(3), Access: "m"},
		{Allow: true, Type: "b", Major: p64(-1), Minor: p64(-1), Access: "m"},
		{Allow: false, Type: "a", Access: "r"},
		{Allow: true, Type: "a", Access: "rwm"},
	}}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(dir), []string{
		"devices.deny=a",
		"devices.allow=c 1:3 rwm", "devices.allow=c 136:* rw",
		"devices.deny=c 1:3 m",
		"devices.allow=b *:* m",
		"devices.deny=a",
		"devices.allow=a *:* rwm",
	})
	f.fail[dir+"/devices.allow#c 136:* rw"] = unix.EPERM
	err := m.Update(res)
	wantFieldErr(t, err, "linux.resources.devices[2]", "operation not permitted")

	// No devices hierarchy on a v1 host.
	m2, _, _ := fakeV1(t, "memory")
	err = m2.Update(res)
	wantFieldErr(t, err, "linux.resources.devices", "the devices controller is not available on this v1 host")
}

func TestFakeNetworkRdmaUnified(t *testing.T) {
	m, f, root := fakeV1(t, "net_cls", "net_prio", "rdma")
	res := &specs.LinuxResources{
		Network: &specs.LinuxNetwork{ClassID: pu32(0x100001), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}, {Name: "lo", Priority: 1}}},
		Rdma:    map[string]specs.LinuxRdma{"mlx5_1": {HcaObjects: pu32(10)}, "mlx5_0": {HcaHandles: pu32(2), HcaObjects: pu32(100)}},
	}
	if err := m.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f.takeLog(root), []string{
		"net_cls/ctr/net_cls.classid=1048577",
		"net_prio/ctr/net_prio.ifpriomap=eth0 5", "net_prio/ctr/net_prio.ifpriomap=lo 1",
		"rdma/ctr/rdma.max=mlx5_0 hca_handle=2 hca_object=100", "rdma/ctr/rdma.max=mlx5_1 hca_object=10",
	})
	err := m.Update(&specs.LinuxResources{Unified: map[string]string{"memory.max": "1"}})
	wantFieldErr(t, err, "linux.resources.unified", "cannot be applied on this v1 host")

	m2, _, _ := fakeV1(t, "memory")
	m2.Layout = Hybrid
	err = m2.Update(&specs.LinuxResources{Network: &specs.LinuxNetwork{Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}}}})
	wantFieldErr(t, err, "linux.resources.network.priorities", "the net_prio controller is not available on this hybrid host")

	m3, f3, d3 := fakeV2(t, "memory io")
	res = &specs.LinuxResources{Unified: map[string]string{"memory.high": "1000", "io.max": "8:0 rbps=1\n8:16 wbps=2\n"}}
	if err := m3.Update(res); err != nil {
		t.Fatal(err)
	}
	wantLog(t, f3.takeLog(d3), []string{"io.max=8:0 rbps=1", "io.max=8:16 wbps=2", "memory.high=1000"})
	f3.missing["misc.max"] = true
	err = m3.Update(&specs.LinuxResources{Unified: map[string]string{"misc.max": "x 1"}})
	wantFieldErr(t, err, `linux.resources.unified["misc.max"]`, "misc controller is not available in the cgroup2 tree of this v2 host")
}
