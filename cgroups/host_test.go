package cgroups

// Tests against the real cgroup file system of the machine running them.
// They work on any layout (v1, hybrid, v2) and check the files under the
// names that layout uses; the VM harness runs this binary on the other
// layouts.

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var testSeq atomic.Int32

func testCgroupName() string {
	return fmt.Sprintf("rt-test-%d-%d", os.Getpid(), testSeq.Add(1))
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("needs root to write cgroupfs; running as uid %d", os.Geteuid())
	}
}

// newHostManager makes a Manager for path and registers a cleanup that
// kills what is left in it, thaws it and removes it.
func newHostManager(t *testing.T, path string) *Manager {
	t.Helper()
	needRoot(t)
	m, err := New(path, "unused-id")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if pids, _ := m.Pids(); len(pids) > 0 {
			for _, p := range pids {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
		}
		_ = m.Thaw()
		if err := m.Destroy(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		for _, d := range append(m.dirs(), m.Created...) {
			if exists(d) {
				t.Errorf("cleanup: %s still exists", d)
			}
		}
	})
	return m
}

// file reads a control file of the container for a controller, by its
// v1 or v2 name depending on where the controller lives.
func (m *Manager) testFile(t *testing.T, v1ctrl, v2ctrl, v1file, v2file string) string {
	t.Helper()
	tg, ok := m.target(v1ctrl, v2ctrl)
	if !ok {
		t.Fatalf("no %s/%s controller", v1ctrl, v2ctrl)
	}
	f := v1file
	if tg.v2 {
		f = v2file
	}
	s, err := readTrim(tg.dir, f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (m *Manager) has(v1, v2 string) bool {
	_, ok := m.target(v1, v2)
	return ok
}

// startWaiting starts a shell that execs sleep once a line arrives on its
// stdin, so that the exec (and its memory and CPU use) happens after Join.
func startWaiting(t *testing.T) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read x || exit 0; exec sleep 1000")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, w
}

func TestHostLayoutMatchesMountinfo(t *testing.T) {
	l, err := HostLayout()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	want, err := layoutFromMountinfo(parseMountinfo(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if l != want {
		t.Fatalf("HostLayout %v, mountinfo says %v", l, want)
	}
	t.Logf("host layout: %v", l)
}

func TestNewOnHost(t *testing.T) {
	name := testCgroupName()
	m, err := New("", name)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile("/proc/self/cgroup")
	hier, _ := parseProcCgroup(string(data))
	for _, h := range hier {
		if h.ID == 0 {
			continue
		}
		for _, c := range h.Controllers {
			// The hierarchy's own directory ("cpu,cpuacct") first, then
			// the controller's name (often a symlink to it).
			mnt := filepath.Join(cgroupRoot, strings.Join(h.Controllers, ","))
			if !exists(mnt) {
				mnt = filepath.Join(cgroupRoot, c)
			}
			if !exists(mnt) {
				continue
			}
			want := filepath.Join(mnt, h.Path, name)
			if m.Paths[c] != want {
				t.Errorf("%s: %q, want %q", c, m.Paths[c], want)
			}
		}
	}
	_, hasUnified := m.Paths[unifiedKey]
	if hasUnified != (m.Layout != V1) {
		t.Errorf("layout %v with paths %v", m.Layout, m.Paths)
	}
	for k, d := range m.Paths {
		if exists(d) {
			t.Errorf("New created %s (%s)", d, k)
		}
	}
	if _, err := New("system.slice:rt:x", name); err == nil || !strings.HasPrefix(err.Error(), "linux.cgroupsPath: ") {
		t.Errorf("systemd form: %v", err)
	}
	if _, err := New("../../etc", name); err == nil || !strings.HasPrefix(err.Error(), "linux.cgroupsPath: ") {
		t.Errorf("escape: %v", err)
	}
}

// hugetlb2MB tells whether the container can have a 2MB hugetlb limit here.
func hugetlb2MB(m *Manager) bool {
	return exists("/sys/kernel/mm/hugepages/hugepages-2048kB") && m.has("hugetlb", "hugetlb")
}

// keepSubtreeControl restores the cgroup2 root's subtree_control after the
// test if Create enabled hugetlb there (best effort).
func keepSubtreeControl(t *testing.T, m *Manager) {
	if m.unifiedRoot == "" || m.Layout != Hybrid {
		return
	}
	before, err := readTrim(m.unifiedRoot, "cgroup.subtree_control")
	if err != nil || strings.Contains(before, "hugetlb") {
		return
	}
	t.Cleanup(func() { _ = writeFile(m.unifiedRoot, "cgroup.subtree_control", "-hugetlb") })
}

func TestHostLifecycle(t *testing.T) {
	m := newHostManager(t, testCgroupName())
	const mb = 1 << 20
	res := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: p64(64 * mb), Reservation: p64(32 * mb)},
		CPU:     &specs.LinuxCPU{Shares: pu64(512), Quota: p64(50000), Period: pu64(100000), Cpus: "0", Mems: "0"},
		Pids:    &specs.LinuxPids{Limit: p64(64)},
		Devices: append([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, DefaultDeviceRules()...),
	}
	if !m.has("cpuset", "cpuset") {
		res.CPU.Cpus, res.CPU.Mems = "", ""
	}
	// Swap accounting: v1 has memsw files even in the root; v2 has
	// memory.swap.max in every non-root cgroup.
	var swap bool
	if d := m.Paths["memory"]; d != "" {
		swap = exists(filepath.Dir(d) + "/memory.memsw.limit_in_bytes")
	} else if m.has("", "memory") {
		found, _ := filepath.Glob(m.unifiedRoot + "/*/memory.swap.max")
		swap = len(found) > 0
	}
	if swap {
		res.Memory.Swap = p64(128 * mb)
	}
	huge := hugetlb2MB(m)
	if huge {
		keepSubtreeControl(t, m)
		res.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mb}}
	}
	start := time.Now()
	if err := m.Create(res); err != nil {
		t.Fatal(err)
	}
	t.Logf("Create: %v (%d dirs, swap %v, hugetlb %v)", time.Since(start), len(m.dirs()), swap, huge)
	for _, d := range m.dirs() {
		if !exists(d) {
			t.Fatalf("%s not created", d)
		}
	}

	check := func(v1c, v2c, v1f, v2f, want string) {
		t.Helper()
		if got := m.testFile(t, v1c, v2c, v1f, v2f); got != want {
			t.Errorf("%s|%s = %q, want %q", v1f, v2f, got, want)
		}
	}
	mem, _ := m.target("memory", "memory")
	if mem.v2 {
		check("memory", "memory", "", "memory.max", strconv.Itoa(64*mb))
		check("memory", "memory", "", "memory.low", strconv.Itoa(32*mb))
		if swap {
			check("memory", "memory", "", "memory.swap.max", strconv.Itoa(64*mb))
		}
	} else {
		check("memory", "", "memory.limit_in_bytes", "", strconv.Itoa(64*mb))
		check("memory", "", "memory.soft_limit_in_bytes", "", strconv.Itoa(32*mb))
		if swap {
			check("memory", "", "memory.memsw.limit_in_bytes", "", strconv.Itoa(128*mb))
		}
	}
	check("cpu", "cpu", "cpu.shares", "cpu.weight", map[bool]string{false: "512", true: "20"}[m.Paths["cpu"] == ""])
	if m.Paths["cpu"] != "" {
		check("cpu", "", "cpu.cfs_quota_us", "", "50000")
		check("cpu", "", "cpu.cfs_period_us", "", "100000")
	} else {
		check("", "cpu", "", "cpu.max", "50000 100000")
	}
	if res.CPU.Cpus != "" {
		check("cpuset", "cpuset", "cpuset.cpus", "cpuset.cpus", "0")
		check("cpuset", "cpuset", "cpuset.mems", "cpuset.mems", "0")
	}
	check("pids", "pids", "pids.max", "pids.max", "64")
	if huge {
		check("hugetlb", "hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.max", strconv.Itoa(4*mb))
	}
	if d := m.Paths["devices"]; d != "" && !inUserNS() {
		list, err := readFile(d, "devices.list")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(list, "a *:* rwm") || !strings.Contains(list, "c 1:3 rwm") || !strings.Contains(list, "c 136:* rwm") {
			t.Errorf("devices.list:\n%s", list)
		}
	}

	// Join a real process.
	cmd, stdin := startWaiting(t)
	pid := cmd.Process.Pid
	if err := m.Join(pid); err != nil {
		t.Fatal(err)
	}
	procCg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	child, err := parseProcCgroup(string(procCg))
	if err != nil {
		t.Fatal(err)
	}
	for k, d := range m.Paths {
		var want string
		if k == unifiedKey {
			want = strings.TrimPrefix(d, m.unifiedRoot)
		} else {
			rest := strings.TrimPrefix(d, cgroupRoot+"/")
			want = rest[strings.Index(rest, "/"):]
		}
		found := false
		for _, h := range child {
			if (k == unifiedKey && h.ID == 0) || slices.Contains(h.Controllers, k) {
				found = h.Path == want
			}
		}
		if !found {
			t.Errorf("%s: %q not in /proc/%d/cgroup:\n%s", k, want, pid, procCg)
		}
	}
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	// Wait for the exec.
	for i := 0; ; i++ {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
		if i > 2000 {
			t.Fatalf("child did not exec sleep (comm %q)", comm)
		}
		time.Sleep(time.Millisecond)
	}

	pids, err := m.Pids()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pids, []int{pid}) {
		t.Fatalf("Pids %v, want [%d]", pids, pid)
	}

	// Freeze and thaw.
	if fr, err := m.Frozen(); err != nil || fr {
		t.Fatalf("Frozen before freeze: %v %v", fr, err)
	}
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if fr, err := m.Frozen(); err != nil || !fr {
		t.Fatalf("Frozen after freeze: %v %v", fr, err)
	}
	if d, v2, _ := m.freezerDir(); !v2 {
		if s, _ := readTrim(d, "freezer.state"); s != "FROZEN" {
			t.Fatalf("freezer.state %q", s)
		}
	} else if ev, _ := readFile(d, "cgroup.events"); parseKeyed(ev)["frozen"] != 1 {
		t.Fatalf("cgroup.events %q", ev)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if fr, err := m.Frozen(); err != nil || fr {
		t.Fatalf("Frozen after thaw: %v %v", fr, err)
	}

	st, err := m.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Memory.Usage.Usage == 0 || st.Memory.Usage.Limit != 64*mb || len(st.Memory.Raw) == 0 {
		t.Errorf("memory stats %+v", st.Memory.Usage)
	}
	if st.Pids.Current != 1 || st.Pids.Limit != 64 {
		t.Errorf("pids stats %+v", st.Pids)
	}
	if st.CPU.Usage.Total == 0 {
		t.Errorf("cpu stats %+v", st.CPU.Usage)
	}
	if res.CPU.Cpus != "" && (!slices.Equal(st.CPUSet.CPUs, []uint16{0}) || !slices.Equal(st.CPUSet.Mems, []uint16{0})) {
		t.Errorf("cpuset stats %+v", st.CPUSet)
	}
	if huge {
		if _, ok := st.Hugetlb["2MB"]; !ok {
			t.Errorf("hugetlb stats %+v", st.Hugetlb)
		}
	}
	if n, err := m.OOMKillCount(); err != nil || n != 0 {
		t.Errorf("OOMKillCount %d, %v", n, err)
	}

	// Update: raise memory (+swap), then lower it, then unlimit pids.
	up := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(256 * mb)}, Pids: &specs.LinuxPids{Limit: p64(0)}}
	if swap {
		up.Memory.Swap = p64(512 * mb)
	}
	if err := m.Update(up); err != nil {
		t.Fatal(err)
	}
	if mem.v2 {
		check("memory", "memory", "", "memory.max", strconv.Itoa(256*mb))
	} else {
		check("memory", "", "memory.limit_in_bytes", "", strconv.Itoa(256*mb))
		if swap {
			check("memory", "", "memory.memsw.limit_in_bytes", "", strconv.Itoa(512*mb))
		}
	}
	check("pids", "pids", "pids.max", "pids.max", "max")
	down := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(48 * mb)}}
	if swap {
		down.Memory.Swap = p64(48 * mb)
	}
	if err := m.Update(down); err != nil {
		t.Fatal(err)
	}
	if mem.v2 {
		check("memory", "memory", "", "memory.max", strconv.Itoa(48*mb))
	} else {
		check("memory", "", "memory.limit_in_bytes", "", strconv.Itoa(48*mb))
	}
	// A limit below the usage, with checkBeforeUpdate, is refused.
	err = m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(4096), CheckBeforeUpdate: pbool(true)}})
	if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.memory.limit: ") {
		t.Errorf("checkBeforeUpdate: %v", err)
	}

	// Kill, destroy, check everything is gone.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	start = time.Now()
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Destroy: %v", time.Since(start))
	for _, d := range m.dirs() {
		if exists(d) {
			t.Errorf("%s still exists", d)
		}
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

// DestroyIfEmpty removes nothing while a process is in the cgroup (so that
// Pids still finds it), and everything once it is gone, even with a
// sub-cgroup left by the container.
func TestHostDestroyIfEmpty(t *testing.T) {
	m := newHostManager(t, testCgroupName())
	if err := m.Create(nil); err != nil {
		t.Fatal(err)
	}
	cmd, stdin := startWaiting(t)
	if err := m.Join(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if m.DestroyIfEmpty() {
		t.Fatal("DestroyIfEmpty with a process in the cgroup reported true")
	}
	for _, d := range m.dirs() {
		if !exists(d) {
			t.Errorf("%s removed while a process is in it", d)
		}
	}
	if pids, err := m.Pids(); err != nil || !slices.Contains(pids, cmd.Process.Pid) {
		t.Errorf("Pids after a refused DestroyIfEmpty: %v, %v; want %d in it", pids, err, cmd.Process.Pid)
	}
	stdin.Close()
	_ = cmd.Wait()
	// A sub-cgroup: the parent cannot go first, so it is left to Destroy.
	sub := m.pidsDir() + "/sub"
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if m.DestroyIfEmpty() {
		t.Fatal("DestroyIfEmpty with a sub-cgroup reported true")
	}
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	if !m.DestroyIfEmpty() {
		t.Fatal("DestroyIfEmpty of an empty cgroup reported false")
	}
	for _, d := range append(m.dirs(), m.Created...) {
		if exists(d) {
			t.Errorf("%s still exists", d)
		}
	}
}

// A nested absolute path: Create(nil) makes the ancestors, a process can
// join (v1 cpuset copied from the parent), and Destroy removes all of it,
// including a child cgroup the container made.
func TestHostNestedNoResources(t *testing.T) {
	top := "/" + testCgroupName()
	m := newHostManager(t, top+"/a/ctr")
	if err := m.Create(nil); err != nil {
		t.Fatal(err)
	}
	if len(m.Created) != 2*len(m.dirs()) {
		t.Errorf("Created %v for %d dirs", m.Created, len(m.dirs()))
	}
	if d := m.Paths["cpuset"]; d != "" {
		parent, _ := readTrim(cgroupRoot+"/cpuset", "cpuset.cpus")
		if got, _ := readTrim(d, "cpuset.cpus"); got != parent {
			t.Errorf("cpuset.cpus %q, want the root's %q", got, parent)
		}
	}
	cmd, stdin := startWaiting(t)
	if err := m.Join(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	_ = cmd.Wait() // sh exits on EOF
	// A sub-cgroup made inside the container.
	for _, d := range m.dirs() {
		if err := os.Mkdir(d+"/sub", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	for _, d := range m.dirs() {
		if top := filepath.Dir(filepath.Dir(d)); exists(top) {
			t.Errorf("%s still exists", top)
		}
	}
}

// A value the kernel refuses: the error names the field and nothing made
// is left behind.
func TestHostCreateFailureCleansUp(t *testing.T) {
	m := newHostManager(t, "/"+testCgroupName()+"/ctr")
	err := m.Create(&specs.LinuxResources{
		Pids: &specs.LinuxPids{Limit: p64(10)},
		CPU:  &specs.LinuxCPU{Cpus: "4095"},
	})
	if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.cpu.cpus: ") {
		t.Fatalf("error %v", err)
	}
	t.Log(err)
	for _, d := range m.dirs() {
		if exists(d) || exists(filepath.Dir(d)) {
			t.Errorf("%s left behind", d)
		}
	}
	// A validation error fails before anything is made.
	err = m.Create(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rwm"}, {Type: "c", Access: "rwm"}, {Type: "q", Access: "r"}}})
	if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.devices[2].type: ") {
		t.Fatalf("error %v", err)
	}
	for _, d := range m.dirs() {
		if exists(filepath.Dir(d)) {
			t.Errorf("%s made", filepath.Dir(d))
		}
	}
}

// Controllers this host does not mount are refused by name and layout.
func TestHostUnavailable(t *testing.T) {
	m := newHostManager(t, testCgroupName())
	if m.Paths["net_cls"] != "" {
		t.Skipf("net_cls is mounted on this host (%s)", m.Paths["net_cls"])
	}
	err := m.Create(&specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: pu32(1)}})
	want := fmt.Sprintf("linux.resources.network.classID: the net_cls controller is not available on this %s host", m.Layout)
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	for _, d := range m.dirs() {
		if exists(d) {
			t.Errorf("%s left behind", d)
		}
	}
	if m.Layout == V1 {
		err := m.Create(&specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}})
		if err == nil || !strings.HasPrefix(err.Error(), "linux.resources.unified: ") {
			t.Fatalf("unified on v1: %v", err)
		}
	}
}

// The v1 memory+swap ordering against the real kernel: raising both past
// the current memsw, then lowering both below the current memory limit.
func TestHostV1SwapOrder(t *testing.T) {
	m := newHostManager(t, testCgroupName())
	d := m.Paths["memory"]
	if d == "" {
		t.Skipf("no v1 memory hierarchy on this %s host", m.Layout)
	}
	if !exists(filepath.Dir(d) + "/memory.memsw.limit_in_bytes") {
		t.Skip("this kernel has no swap accounting (memory.memsw.limit_in_bytes)")
	}
	const mb = 1 << 20
	if err := m.Create(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(10 * mb), Swap: p64(20 * mb)}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]int64{{100 * mb, 200 * mb}, {5 * mb, 6 * mb}, {-1, -1}, {30 * mb, 30 * mb}} {
		if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(c[0]), Swap: p64(c[1])}}); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		l, _ := readUint(d, "memory.limit_in_bytes")
		s, _ := readUint(d, "memory.memsw.limit_in_bytes")
		if c[0] == -1 {
			if l < v1Unlimited || s < v1Unlimited {
				t.Errorf("%v: %d %d", c, l, s)
			}
		} else if l != uint64(c[0]) || s != uint64(c[1]) {
			t.Errorf("%v: %d %d", c, l, s)
		}
	}
	// Unlimited memory with swap unset unlimits memsw too.
	if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(-1)}}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkHostCreateDestroy measures what `rt run` pays for cgroups with
// runc's default spec (device rules, no limits): New, Create, Destroy.
func BenchmarkHostCreateDestroy(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skipf("needs root to write cgroupfs; running as uid %d", os.Geteuid())
	}
	res := &specs.LinuxResources{Devices: append([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, DefaultDeviceRules()...)}
	for i := 0; i < b.N; i++ {
		m, err := New(testCgroupName(), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Create(res); err != nil {
			b.Fatal(err)
		}
		if err := m.Destroy(); err != nil {
			b.Fatal(err)
		}
	}
}
