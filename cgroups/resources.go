package cgroups

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// fsops is the file access of the resource writers; tests replace it to
// record the writes.
type fsops struct {
	write      func(dir, file, data string) error
	writeLines func(dir, file string, lines []string) (int, error)
	read       func(dir, file string) (string, error)
	exists     func(path string) bool
}

var hostFS = fsops{write: writeFile, writeLines: writeLines, read: readFile, exists: exists}

func (m *Manager) ops() *fsops {
	if m.fs != nil {
		return m.fs
	}
	return &hostFS
}

// target is where a controller's files are: a v1 hierarchy directory, or
// the cgroup2 directory (v2 file names).
type target struct {
	dir string
	v2  bool
}

// target finds the directory of a controller: its v1 hierarchy if mounted,
// else the cgroup2 directory if the cgroup2 tree has the controller (named
// v2name there).
func (m *Manager) target(v1name, v2name string) (target, bool) {
	if d := m.Paths[v1name]; d != "" && v1name != "" {
		return target{dir: d}, true
	}
	u := m.Paths[unifiedKey]
	if u == "" || v2name == "" {
		return target{}, false
	}
	if m.unifiedRoot != "" && !m.unifiedHas(v2name) {
		return target{}, false
	}
	return target{dir: u, v2: true}, true
}

// unifiedHas tells whether the cgroup2 root offers controller c.
func (m *Manager) unifiedHas(c string) bool {
	m.loadUnifiedAvail()
	return m.unifiedAvail[c]
}

// unifiedControllers lists the controllers of the cgroup2 root, sorted.
func (m *Manager) unifiedControllers() []string {
	m.loadUnifiedAvail()
	out := make([]string, 0, len(m.unifiedAvail))
	for c := range m.unifiedAvail {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// loadUnifiedAvail reads the cgroup2 root's cgroup.controllers, once.
func (m *Manager) loadUnifiedAvail() {
	if m.unifiedAvail == nil {
		m.unifiedAvail = map[string]bool{}
		if s, err := m.ops().read(m.unifiedRoot, "cgroup.controllers"); err == nil {
			for _, f := range strings.Fields(s) {
				m.unifiedAvail[f] = true
			}
		}
	}
}

func (m *Manager) unavailable(field, ctrl string) error {
	if r := m.skippedReason(ctrl); r != "" {
		return fieldErr(field, "%s", r)
	}
	return fieldErr(field, "the %s controller is not available on this %s host", ctrl, m.Layout)
}

// applier writes linux.resources into existing directories.
type applier struct {
	m      *Manager
	fs     *fsops
	update bool
	// fresh holds the directories this Create just made: their files
	// still have the kernel defaults, so writing a default is skipped and
	// nothing needs reading back.
	fresh map[string]bool
}

func (m *Manager) newApplier(update bool, fresh map[string]bool) *applier {
	return &applier{m: m, fs: m.ops(), update: update, fresh: fresh}
}

// wr writes one value, naming the spec field on failure.
func (a *applier) wr(field, dir, file, val string) error {
	if err := a.fs.write(dir, file, val); err != nil {
		return writeErr(field, dir, file, err)
	}
	return nil
}

func writeErr(field, dir, file string, err error) error {
	if errors.Is(err, unix.ENOENT) {
		ctrl, _, _ := strings.Cut(file, ".")
		return fieldErr(field, "write %s in %s: %w (this kernel or this cgroup's %s controller lacks the file)", file, dir, err, ctrl)
	}
	return fieldErr(field, "write %s in %s: %w", file, dir, err)
}

func i64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func u64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// apply writes every set field of res. The v1 cpuset of a Create is done
// by ensureCpuset before.
func (a *applier) apply(res *specs.LinuxResources) error {
	if res == nil {
		return nil
	}
	if a.m.Layout == Hybrid {
		if err := a.m.ensureUnified(a.unifiedNeeds(res), a.fresh); err != nil {
			return err
		}
	}
	steps := []func(*specs.LinuxResources) error{
		a.cpuset, a.devices, a.memory, a.cpu, a.pids, a.blkio, a.hugetlb, a.network, a.rdma, a.unified,
	}
	for _, s := range steps {
		if err := s(res); err != nil {
			return err
		}
	}
	return nil
}

// unifiedNeeds lists the controllers that res needs in the cgroup2 tree of
// a hybrid host.
func (a *applier) unifiedNeeds(res *specs.LinuxResources) []string {
	var need []string
	add := func(set bool, v1, v2 string) {
		if set {
			if t, ok := a.m.target(v1, v2); ok && t.v2 {
				need = append(need, v2)
			}
		}
	}
	if c := res.CPU; c != nil {
		add(cpuCtlSet(c), "cpu", "cpu")
		add(c.Cpus != "" || c.Mems != "", "cpuset", "cpuset")
	}
	add(memSet(res.Memory), "memory", "memory")
	add(res.Pids != nil, "pids", "pids")
	add(blkioSet(res.BlockIO), "blkio", "io")
	add(len(res.HugepageLimits) > 0, "hugetlb", "hugetlb")
	add(len(res.Rdma) > 0, "rdma", "rdma")
	for k := range res.Unified {
		c, _, _ := strings.Cut(k, ".")
		if c != "cgroup" && a.m.Paths[unifiedKey] != "" && a.m.unifiedHas(c) {
			need = append(need, c)
		}
	}
	sort.Strings(need)
	out := need[:0]
	for i, c := range need {
		if i == 0 || c != need[i-1] {
			out = append(out, c)
		}
	}
	return out
}

func memSet(m *specs.LinuxMemory) bool {
	return m != nil && (i64(m.Limit) != 0 || i64(m.Reservation) != 0 || i64(m.Swap) != 0 ||
		i64(m.Kernel) != 0 || i64(m.KernelTCP) != 0 ||
		(m.Swappiness != nil && *m.Swappiness != math.MaxUint64) ||
		m.DisableOOMKiller != nil || m.UseHierarchy != nil)
}

func cpuCtlSet(c *specs.LinuxCPU) bool {
	return c != nil && (u64(c.Shares) != 0 || i64(c.Quota) != 0 || u64(c.Period) != 0 || c.Burst != nil ||
		i64(c.RealtimeRuntime) != 0 || u64(c.RealtimePeriod) != 0 || c.Idle != nil)
}

func blkioSet(b *specs.LinuxBlockIO) bool {
	return b != nil && ((b.Weight != nil && *b.Weight != 0) || (b.LeafWeight != nil && *b.LeafWeight != 0) ||
		len(b.WeightDevice) > 0 || len(b.ThrottleReadBpsDevice) > 0 || len(b.ThrottleWriteBpsDevice) > 0 ||
		len(b.ThrottleReadIOPSDevice) > 0 || len(b.ThrottleWriteIOPSDevice) > 0)
}

// ---- memory ----

func (a *applier) memory(res *specs.LinuxResources) error {
	mem := res.Memory
	if !memSet(mem) {
		return nil
	}
	t, ok := a.m.target("memory", "memory")
	if !ok {
		return a.m.unavailable("linux.resources.memory", "memory")
	}
	if t.v2 {
		return a.memoryV2(t.dir, mem)
	}
	return a.memoryV1(t.dir, mem)
}

func (a *applier) checkUsage(dir, usageFile string, limit int64) error {
	usage, err := a.readUint(dir, usageFile)
	if err != nil {
		return fieldErr("linux.resources.memory.checkBeforeUpdate", "read %s in %s: %w", usageFile, dir, err)
	}
	if uint64(limit) < usage {
		return fieldErr("linux.resources.memory.limit", "rejecting memory limit %d: below the current usage %d (memory.checkBeforeUpdate is set)", limit, usage)
	}
	return nil
}

func (a *applier) readUint(dir, file string) (uint64, error) {
	s, err := a.fs.read(dir, file)
	if err != nil {
		return 0, err
	}
	return parseUint(strings.TrimSpace(s))
}

const enotsupp = syscall.Errno(524) // the kernel's internal ENOTSUPP

func (a *applier) memoryV1(dir string, mem *specs.LinuxMemory) error {
	const f = "linux.resources.memory"
	const memsw = "memory.memsw.limit_in_bytes"
	limit, swap := i64(mem.Limit), i64(mem.Swap)
	swapField := f + ".swap"
	if limit == -1 && swap == 0 && !a.fresh[dir] && a.fs.exists(dir+"/"+memsw) {
		// Unlimited memory with swap unset means unlimited memory+swap
		// too (as runc): memsw must never be below memory.
		swap, swapField = -1, f+".limit"
	}
	if limit > 0 && a.update && mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := a.checkUsage(dir, "memory.usage_in_bytes", limit); err != nil {
			return err
		}
	}
	setLimit := func() error {
		if limit == 0 {
			return nil
		}
		err := a.fs.write(dir, "memory.limit_in_bytes", itoa(limit))
		if errors.Is(err, unix.EBUSY) {
			usage, _ := a.readUint(dir, "memory.usage_in_bytes")
			peak, _ := a.readUint(dir, "memory.max_usage_in_bytes")
			return fieldErr(f+".limit", "cannot set the memory limit to %d in %s: current usage %d, peak usage %d", limit, dir, usage, peak)
		}
		if err != nil {
			return writeErr(f+".limit", dir, "memory.limit_in_bytes", err)
		}
		return nil
	}
	setSwap := func() error {
		if swap == 0 {
			return nil
		}
		err := a.fs.write(dir, memsw, itoa(swap))
		if errors.Is(err, unix.ENOENT) {
			if swap == -1 {
				return nil
			}
			return fieldErr(swapField, "this host has no swap accounting (no %s in %s)", memsw, dir)
		}
		if err != nil {
			return writeErr(swapField, dir, memsw, err)
		}
		return nil
	}
	// The kernel keeps memory <= memory+swap at every step: when memsw
	// has to grow past the current memory limit, raise it first;
	// otherwise lower (or set) memory first. A fresh cgroup has both
	// unlimited, so memory first is always right there.
	swapFirst := false
	if limit != 0 && swap != 0 && !a.fresh[dir] {
		cur, err := a.readUint(dir, "memory.limit_in_bytes")
		if err != nil {
			return fieldErr(f+".limit", "read memory.limit_in_bytes in %s: %w", dir, err)
		}
		swapFirst = swap == -1 || cur < uint64(swap)
	}
	if swapFirst {
		if err := setSwap(); err != nil {
			return err
		}
		if err := setLimit(); err != nil {
			return err
		}
	} else {
		if err := setLimit(); err != nil {
			return err
		}
		if err := setSwap(); err != nil {
			return err
		}
	}
	if v := i64(mem.Reservation); v != 0 {
		if err := a.wr(f+".reservation", dir, "memory.soft_limit_in_bytes", itoa(v)); err != nil {
			return err
		}
	}
	// Kernel memory limits are deprecated (5.4) and gone or refused on
	// newer kernels: set them where the kernel still takes them, ignore
	// them elsewhere, as runc does.
	if v := i64(mem.Kernel); v != 0 {
		err := a.fs.write(dir, "memory.kmem.limit_in_bytes", itoa(v))
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, enotsupp) {
			return writeErr(f+".kernel", dir, "memory.kmem.limit_in_bytes", err)
		}
	}
	if v := i64(mem.KernelTCP); v != 0 {
		err := a.fs.write(dir, "memory.kmem.tcp.limit_in_bytes", itoa(v))
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, enotsupp) {
			return writeErr(f+".kernelTCP", dir, "memory.kmem.tcp.limit_in_bytes", err)
		}
	}
	if s := mem.Swappiness; s != nil && *s != math.MaxUint64 {
		if err := a.wr(f+".swappiness", dir, "memory.swappiness", strconv.FormatUint(*s, 10)); err != nil {
			return err
		}
	}
	if d := mem.DisableOOMKiller; d != nil && (*d || !a.fresh[dir]) {
		if err := a.wr(f+".disableOOMKiller", dir, "memory.oom_control", boolStr(*d)); err != nil {
			return err
		}
	}
	if h := mem.UseHierarchy; h != nil {
		if err := a.wr(f+".useHierarchy", dir, "memory.use_hierarchy", boolStr(*h)); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) memoryV2(dir string, mem *specs.LinuxMemory) error {
	const f = "linux.resources.memory"
	limit, swap := i64(mem.Limit), i64(mem.Swap)
	swapField := f + ".swap"
	if limit == -1 && swap == 0 {
		if a.fresh[dir] {
			swap = 0 // memory.swap.max is already "max"
		} else {
			swap, swapField = -1, f+".limit"
		}
	}
	calcLimit := limit
	if swap > 0 && limit == 0 {
		if !a.update {
			return fieldErr(swapField, "cannot limit memory+swap to %d without a memory limit", swap)
		}
		cur, err := a.readUint(dir, "memory.max")
		if err != nil {
			return fieldErr(swapField, "read memory.max in %s: %w", dir, err)
		}
		if cur > math.MaxInt64 {
			return fieldErr(swapField, "cannot limit memory+swap to %d: memory is unlimited", swap)
		}
		calcLimit = int64(cur)
	}
	if limit > 0 && a.update && mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := a.checkUsage(dir, "memory.current", limit); err != nil {
			return err
		}
	}
	if v, ok, err := swapToV2(swap, calcLimit); err != nil {
		return fieldErr(swapField, "%v", err)
	} else if ok {
		err := a.fs.write(dir, "memory.swap.max", v)
		if errors.Is(err, unix.ENOENT) {
			if v != "max" && v != "0" {
				return fieldErr(swapField, "this host has no swap accounting (no memory.swap.max in %s)", dir)
			}
		} else if err != nil {
			return writeErr(swapField, dir, "memory.swap.max", err)
		}
	}
	if limit != 0 {
		v := "max"
		if limit > 0 {
			v = itoa(limit)
		}
		if err := a.wr(f+".limit", dir, "memory.max", v); err != nil {
			return err
		}
	}
	if r := i64(mem.Reservation); r != 0 {
		v := "max"
		if r > 0 {
			v = itoa(r)
		}
		if err := a.wr(f+".reservation", dir, "memory.low", v); err != nil {
			return err
		}
	}
	// cgroup v2 has no kernel, kernelTCP, swappiness, OOM-killer switch
	// or hierarchy switch: like runc, those are ignored here.
	return nil
}

// ---- cpu and cpuset ----

func (a *applier) cpu(res *specs.LinuxResources) error {
	c := res.CPU
	if !cpuCtlSet(c) {
		return nil
	}
	t, ok := a.m.target("cpu", "cpu")
	if !ok {
		return a.m.unavailable("linux.resources.cpu", "cpu")
	}
	if t.v2 {
		return a.cpuV2(t.dir, c)
	}
	return a.cpuV1(t.dir, c)
}

func (a *applier) cpuV1(dir string, c *specs.LinuxCPU) error {
	const f = "linux.resources.cpu"
	if s := u64(c.Shares); s != 0 {
		if err := a.wr(f+".shares", dir, "cpu.shares", strconv.FormatUint(s, 10)); err != nil {
			return err
		}
	}
	quota, period := i64(c.Quota), u64(c.Period)
	// Period, burst and quota depend on each other (and on the parent's
	// quota): a value the kernel refuses now may pass once the quota is
	// written, so retry those after it, as runc does.
	retryPeriod, retryBurst := false, false
	if period != 0 {
		if err := a.fs.write(dir, "cpu.cfs_period_us", strconv.FormatUint(period, 10)); err != nil {
			if !errors.Is(err, unix.EINVAL) || quota == 0 {
				return writeErr(f+".period", dir, "cpu.cfs_period_us", err)
			}
			retryPeriod = true
		}
	}
	if c.Burst != nil {
		if err := a.fs.write(dir, "cpu.cfs_burst_us", strconv.FormatUint(*c.Burst, 10)); err != nil {
			switch {
			case errors.Is(err, unix.ENOENT) && *c.Burst == 0:
			case errors.Is(err, unix.EINVAL) && quota != 0:
				retryBurst = true
			default:
				return writeErr(f+".burst", dir, "cpu.cfs_burst_us", err)
			}
		}
	}
	if quota != 0 {
		if err := a.wr(f+".quota", dir, "cpu.cfs_quota_us", itoa(quota)); err != nil {
			return err
		}
		if retryPeriod {
			if err := a.wr(f+".period", dir, "cpu.cfs_period_us", strconv.FormatUint(period, 10)); err != nil {
				return err
			}
		}
		if retryBurst {
			if err := a.wr(f+".burst", dir, "cpu.cfs_burst_us", strconv.FormatUint(*c.Burst, 10)); err != nil {
				return err
			}
		}
	}
	if c.Idle != nil {
		if err := a.wr(f+".idle", dir, "cpu.idle", itoa(*c.Idle)); err != nil {
			return err
		}
	}
	rtRuntime, rtPeriod := i64(c.RealtimeRuntime), u64(c.RealtimePeriod)
	retryRt := false
	if rtPeriod != 0 {
		if err := a.fs.write(dir, "cpu.rt_period_us", strconv.FormatUint(rtPeriod, 10)); err != nil {
			if !errors.Is(err, unix.EINVAL) || rtRuntime == 0 {
				return writeErr(f+".realtimePeriod", dir, "cpu.rt_period_us", err)
			}
			retryRt = true
		}
	}
	if rtRuntime != 0 {
		if err := a.wr(f+".realtimeRuntime", dir, "cpu.rt_runtime_us", itoa(rtRuntime)); err != nil {
			return err
		}
		if retryRt {
			if err := a.wr(f+".realtimePeriod", dir, "cpu.rt_period_us", strconv.FormatUint(rtPeriod, 10)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) cpuV2(dir string, c *specs.LinuxCPU) error {
	const f = "linux.resources.cpu"
	if i64(c.RealtimeRuntime) != 0 {
		return fieldErr(f+".realtimeRuntime", "cgroup v2 has no realtime budget (this is a %s host)", a.m.Layout)
	}
	if u64(c.RealtimePeriod) != 0 {
		return fieldErr(f+".realtimePeriod", "cgroup v2 has no realtime budget (this is a %s host)", a.m.Layout)
	}
	if w := SharesToWeight(u64(c.Shares)); w != 0 {
		if err := a.wr(f+".shares", dir, "cpu.weight", strconv.FormatUint(w, 10)); err != nil {
			return err
		}
	}
	if c.Idle != nil {
		if err := a.wr(f+".idle", dir, "cpu.idle", itoa(*c.Idle)); err != nil {
			return err
		}
	}
	quota, period := i64(c.Quota), u64(c.Period)
	retryBurst := false
	if c.Burst != nil {
		if err := a.fs.write(dir, "cpu.max.burst", strconv.FormatUint(*c.Burst, 10)); err != nil {
			switch {
			case errors.Is(err, unix.ENOENT) && *c.Burst == 0:
			case errors.Is(err, unix.EINVAL) && quota != 0:
				retryBurst = true
			default:
				return writeErr(f+".burst", dir, "cpu.max.burst", err)
			}
		}
	}
	if quota != 0 || period != 0 {
		field := f + ".quota"
		v := cpuMax(quota, period)
		if quota == 0 {
			field = f + ".period"
			if !a.fresh[dir] {
				// Only the period changes: keep the quota in force.
				cur, err := a.fs.read(dir, "cpu.max")
				if err != nil {
					return fieldErr(field, "read cpu.max in %s: %w", dir, err)
				}
				q, _, _ := strings.Cut(strings.TrimSpace(cur), " ")
				if q == "" {
					q = "max"
				}
				v = q + " " + strconv.FormatUint(period, 10)
			}
		}
		if err := a.wr(field, dir, "cpu.max", v); err != nil {
			return err
		}
		if retryBurst {
			if err := a.wr(f+".burst", dir, "cpu.max.burst", strconv.FormatUint(*c.Burst, 10)); err != nil {
				return err
			}
		}
	}
	return nil
}

// cpuset writes cpus and mems, except in a Create on v1, where
// ensureCpuset did it.
func (a *applier) cpuset(res *specs.LinuxResources) error {
	c := res.CPU
	if c == nil || (c.Cpus == "" && c.Mems == "") {
		return nil
	}
	t, ok := a.m.target("cpuset", "cpuset")
	if !ok {
		field := "linux.resources.cpu.cpus"
		if c.Cpus == "" {
			field = "linux.resources.cpu.mems"
		}
		return a.m.unavailable(field, "cpuset")
	}
	if !t.v2 && !a.update {
		return nil
	}
	if c.Cpus != "" {
		if err := a.wr("linux.resources.cpu.cpus", t.dir, "cpuset.cpus", c.Cpus); err != nil {
			return err
		}
	}
	if c.Mems != "" {
		if err := a.wr("linux.resources.cpu.mems", t.dir, "cpuset.mems", c.Mems); err != nil {
			return err
		}
	}
	return nil
}

// ---- pids ----

func (a *applier) pids(res *specs.LinuxResources) error {
	p := res.Pids
	if p == nil {
		return nil
	}
	t, ok := a.m.target("pids", "pids")
	if !ok {
		return a.m.unavailable("linux.resources.pids", "pids")
	}
	v := "max"
	if l := i64(p.Limit); l > 0 {
		v = itoa(l)
	} else if a.fresh[t.dir] {
		return nil // already "max"
	}
	return a.wr("linux.resources.pids.limit", t.dir, "pids.max", v)
}

// ---- block I/O ----

func devStr(d specs.LinuxBlockIODevice) string {
	return strconv.FormatInt(d.Major, 10) + ":" + strconv.FormatInt(d.Minor, 10)
}

func (a *applier) blkio(res *specs.LinuxResources) error {
	b := res.BlockIO
	if !blkioSet(b) {
		return nil
	}
	t, ok := a.m.target("blkio", "io")
	if !ok {
		return a.m.unavailable("linux.resources.blockIO", map[bool]string{true: "io", false: "blkio"}[a.m.Layout == V2])
	}
	if t.v2 {
		return a.ioV2(t.dir, b)
	}
	return a.blkioV1(t.dir, b)
}

// throttles lists the throttle settings with their spec field and their
// v1 file and v2 io.max key.
func throttles(b *specs.LinuxBlockIO) []struct {
	field, v1file, v2key string
	devs                 []specs.LinuxThrottleDevice
} {
	return []struct {
		field, v1file, v2key string
		devs                 []specs.LinuxThrottleDevice
	}{
		{"throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps", b.ThrottleReadBpsDevice},
		{"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps", b.ThrottleWriteBpsDevice},
		{"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops", b.ThrottleReadIOPSDevice},
		{"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops", b.ThrottleWriteIOPSDevice},
	}
}

func (a *applier) blkioV1(dir string, b *specs.LinuxBlockIO) error {
	const f = "linux.resources.blockIO"
	weightFile, weightDevFile := "blkio.weight", "blkio.weight_device"
	if (b.Weight != nil && *b.Weight != 0) || len(b.WeightDevice) > 0 {
		// CFQ is gone since 5.0; BFQ offers the same knobs under its
		// own names.
		if !a.fs.exists(dir+"/blkio.weight") && a.fs.exists(dir+"/blkio.bfq.weight") {
			weightFile, weightDevFile = "blkio.bfq.weight", "blkio.bfq.weight_device"
		}
	}
	if w := b.Weight; w != nil && *w != 0 {
		if err := a.wr(f+".weight", dir, weightFile, strconv.Itoa(int(*w))); err != nil {
			return err
		}
	}
	if w := b.LeafWeight; w != nil && *w != 0 {
		if err := a.wr(f+".leafWeight", dir, "blkio.leaf_weight", strconv.Itoa(int(*w))); err != nil {
			return err
		}
	}
	for i, d := range b.WeightDevice {
		fi := fmt.Sprintf("%s.weightDevice[%d]", f, i)
		if d.Weight != nil && *d.Weight != 0 {
			err := a.fs.write(dir, weightDevFile, devStr(d.LinuxBlockIODevice)+" "+strconv.Itoa(int(*d.Weight)))
			if errors.Is(err, unix.EOPNOTSUPP) {
				return fieldErr(fi+".weight", "write %s in %s: %w (the I/O scheduler of device %s has no per-cgroup weights)", weightDevFile, dir, err, devStr(d.LinuxBlockIODevice))
			}
			if err != nil {
				return writeErr(fi+".weight", dir, weightDevFile, err)
			}
		}
		if d.LeafWeight != nil && *d.LeafWeight != 0 {
			if err := a.wr(fi+".leafWeight", dir, "blkio.leaf_weight_device", devStr(d.LinuxBlockIODevice)+" "+strconv.Itoa(int(*d.LeafWeight))); err != nil {
				return err
			}
		}
	}
	for _, t := range throttles(b) {
		if len(t.devs) == 0 {
			continue
		}
		lines := make([]string, len(t.devs))
		for i, d := range t.devs {
			lines[i] = devStr(d.LinuxBlockIODevice) + " " + strconv.FormatUint(d.Rate, 10)
		}
		if i, err := a.fs.writeLines(dir, t.v1file, lines); err != nil {
			return writeErr(fmt.Sprintf("%s.%s[%d]", f, t.field, i), dir, t.v1file, err)
		}
	}
	return nil
}

func (a *applier) ioV2(dir string, b *specs.LinuxBlockIO) error {
	const f = "linux.resources.blockIO"
	bfq := false
	if (b.Weight != nil && *b.Weight != 0) || len(b.WeightDevice) > 0 {
		// BFQ takes the v1 weights as they are (and per device);
		// otherwise io.weight with the runtime-spec conversion.
		bfq = a.fs.exists(dir + "/io.bfq.weight")
	}
	if w := b.Weight; w != nil && *w != 0 {
		var err error
		if bfq {
			err = a.wr(f+".weight", dir, "io.bfq.weight", strconv.Itoa(int(*w)))
		} else {
			err = a.wr(f+".weight", dir, "io.weight", "default "+strconv.FormatUint(BlkioWeightToIOWeight(*w), 10))
		}
		if err != nil {
			return err
		}
	}
	for i, d := range b.WeightDevice {
		if d.Weight == nil || *d.Weight == 0 {
			continue // leafWeight: CFQ only, no v2 equivalent
		}
		fi := fmt.Sprintf("%s.weightDevice[%d].weight", f, i)
		var err error
		if bfq {
			err = a.wr(fi, dir, "io.bfq.weight", devStr(d.LinuxBlockIODevice)+" "+strconv.Itoa(int(*d.Weight)))
		} else {
			err = a.wr(fi, dir, "io.weight", devStr(d.LinuxBlockIODevice)+" "+strconv.FormatUint(BlkioWeightToIOWeight(*d.Weight), 10))
		}
		if err != nil {
			return err
		}
	}
	var lines []string
	var fields []string
	for _, t := range throttles(b) {
		for i, d := range t.devs {
			v := "max" // 0 removes the limit, as in v1
			if d.Rate != 0 {
				v = strconv.FormatUint(d.Rate, 10)
			}
			lines = append(lines, devStr(d.LinuxBlockIODevice)+" "+t.v2key+"="+v)
			fields = append(fields, fmt.Sprintf("%s.%s[%d]", f, t.field, i))
		}
	}
	if len(lines) > 0 {
		if i, err := a.fs.writeLines(dir, "io.max", lines); err != nil {
			return writeErr(fields[i], dir, "io.max", err)
		}
	}
	return nil
}

// ---- hugetlb ----

func (a *applier) hugetlb(res *specs.LinuxResources) error {
	if len(res.HugepageLimits) == 0 {
		return nil
	}
	t, ok := a.m.target("hugetlb", "hugetlb")
	if !ok {
		return a.m.unavailable("linux.resources.hugepageLimits", "hugetlb")
	}
	suffix, rsvdSuffix := ".limit_in_bytes", ".rsvd.limit_in_bytes"
	if t.v2 {
		suffix, rsvdSuffix = ".max", ".rsvd.max"
	}
	rsvd := true
	for i, h := range res.HugepageLimits {
		field := fmt.Sprintf("linux.resources.hugepageLimits[%d]", i)
		size, err := pageSizeBytes(h.Pagesize)
		if err != nil {
			return fieldErr(field+".pageSize", "%v", err)
		}
		name := "hugetlb." + pageSizeName(size)
		val := strconv.FormatUint(h.Limit, 10)
		if err := a.fs.write(t.dir, name+suffix, val); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return fieldErr(field+".pageSize", "this host has no %s hugepages (no %s in %s)", h.Pagesize, name+suffix, t.dir)
			}
			return writeErr(field+".limit", t.dir, name+suffix, err)
		}
		// The spec limits reservations too where the kernel can (5.7+).
		if rsvd {
			if err := a.fs.write(t.dir, name+rsvdSuffix, val); err != nil {
				if !errors.Is(err, unix.ENOENT) {
					return writeErr(field+".limit", t.dir, name+rsvdSuffix, err)
				}
				rsvd = false
			}
		}
	}
	return nil
}

// ---- network (v1 net_cls, net_prio) ----

func (a *applier) network(res *specs.LinuxResources) error {
	n := res.Network
	if n == nil {
		return nil
	}
	const f = "linux.resources.network"
	if n.ClassID != nil {
		d := a.m.Paths["net_cls"]
		if d == "" {
			return a.m.unavailable(f+".classID", "net_cls")
		}
		if err := a.wr(f+".classID", d, "net_cls.classid", strconv.FormatUint(uint64(*n.ClassID), 10)); err != nil {
			return err
		}
	}
	if len(n.Priorities) > 0 {
		d := a.m.Paths["net_prio"]
		if d == "" {
			return a.m.unavailable(f+".priorities", "net_prio")
		}
		lines := make([]string, len(n.Priorities))
		for i, p := range n.Priorities {
			lines[i] = p.Name + " " + strconv.FormatUint(uint64(p.Priority), 10)
		}
		if i, err := a.fs.writeLines(d, "net_prio.ifpriomap", lines); err != nil {
			return writeErr(fmt.Sprintf("%s.priorities[%d]", f, i), d, "net_prio.ifpriomap", err)
		}
	}
	return nil
}

// ---- rdma ----

func rdmaLines(r map[string]specs.LinuxRdma) []string {
	devs := make([]string, 0, len(r))
	for d := range r {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	var lines []string
	for _, d := range devs {
		l := r[d]
		line := d
		if l.HcaHandles != nil {
			line += " hca_handle=" + strconv.FormatUint(uint64(*l.HcaHandles), 10)
		}
		if l.HcaObjects != nil {
			line += " hca_object=" + strconv.FormatUint(uint64(*l.HcaObjects), 10)
		}
		if line != d {
			lines = append(lines, line)
		}
	}
	return lines
}

func (a *applier) rdma(res *specs.LinuxResources) error {
	if len(res.Rdma) == 0 {
		return nil
	}
	lines := rdmaLines(res.Rdma)
	if len(lines) == 0 {
		return nil
	}
	t, ok := a.m.target("rdma", "rdma")
	if !ok {
		return a.m.unavailable("linux.resources.rdma", "rdma")
	}
	if _, err := a.fs.writeLines(t.dir, "rdma.max", lines); err != nil {
		return writeErr("linux.resources.rdma", t.dir, "rdma.max", err)
	}
	return nil
}

// ---- unified ----

func (a *applier) unified(res *specs.LinuxResources) error {
	if len(res.Unified) == 0 {
		return nil
	}
	dir := a.m.Paths[unifiedKey]
	if r := a.m.skipped[unifiedKey]; dir == "" && r != "" {
		return fieldErr("linux.resources.unified", "%s", r)
	}
	if dir == "" {
		return fieldErr("linux.resources.unified", "cgroup v2 settings cannot be applied on this %s host, which has no cgroup2 tree", a.m.Layout)
	}
	keys := make([]string, 0, len(res.Unified))
	for k := range res.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := fmt.Sprintf("linux.resources.unified[%q]", k)
		v := res.Unified[k]
		var lines []string
		for _, l := range strings.Split(v, "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		var err error
		if len(lines) <= 1 {
			err = a.fs.write(dir, k, v)
		} else {
			_, err = a.fs.writeLines(dir, k, lines)
		}
		if err == nil {
			continue
		}
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			c, _, _ := strings.Cut(k, ".")
			if c != "cgroup" && a.m.unifiedRoot != "" && !a.m.unifiedHas(c) {
				return fieldErr(field, "the %s controller is not available in the cgroup2 tree of this %s host", c, a.m.Layout)
			}
		}
		return fieldErr(field, "write %s in %s: %w", k, dir, err)
	}
	return nil
}
