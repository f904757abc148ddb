package cgroups

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Stats is the data of `runc events --stats` ("data" of a "stats" event),
// with runc's JSON names (runc's types/events.go).
type Stats struct {
	CPU               CPU                 `json:"cpu"`
	CPUSet            CPUSet              `json:"cpuset"`
	Memory            Memory              `json:"memory"`
	Pids              Pids                `json:"pids"`
	Blkio             Blkio               `json:"blkio"`
	Hugetlb           map[string]Hugetlb  `json:"hugetlb"`
	IntelRdt          IntelRdt            `json:"intel_rdt"`
	NetworkInterfaces []*NetworkInterface `json:"network_interfaces"`
}

// Hugetlb is the usage of one hugepage size (the map key, e.g. "2MB").
type Hugetlb struct {
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// BlkioEntry is one line of a blkio statistic.
type BlkioEntry struct {
	Major uint64 `json:"major,omitempty"`
	Minor uint64 `json:"minor,omitempty"`
	Op    string `json:"op,omitempty"`
	Value uint64 `json:"value,omitempty"`
}

// Blkio holds the block I/O statistics (v2 io.stat is mapped onto the
// v1 tables, as runc does).
type Blkio struct {
	IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive,omitempty"`
	IoServicedRecursive     []BlkioEntry `json:"ioServicedRecursive,omitempty"`
	IoQueuedRecursive       []BlkioEntry `json:"ioQueueRecursive,omitempty"`
	IoServiceTimeRecursive  []BlkioEntry `json:"ioServiceTimeRecursive,omitempty"`
	IoWaitTimeRecursive     []BlkioEntry `json:"ioWaitTimeRecursive,omitempty"`
	IoMergedRecursive       []BlkioEntry `json:"ioMergedRecursive,omitempty"`
	IoTimeRecursive         []BlkioEntry `json:"ioTimeRecursive,omitempty"`
	SectorsRecursive        []BlkioEntry `json:"sectorsRecursive,omitempty"`
	PSI                     *PSIStats    `json:"psi,omitempty"`
}

// Pids is the number of tasks and its limit (0: none).
type Pids struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

// Throttling is the CFS bandwidth throttling data.
type Throttling struct {
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttledPeriods,omitempty"`
	ThrottledTime    uint64 `json:"throttledTime,omitempty"`
}

// CPUUsage is the CPU time used, in nanoseconds.
type CPUUsage struct {
	Total        uint64   `json:"total,omitempty"`
	Percpu       []uint64 `json:"percpu,omitempty"`
	PercpuKernel []uint64 `json:"percpu_kernel,omitempty"`
	PercpuUser   []uint64 `json:"percpu_user,omitempty"`
	Kernel       uint64   `json:"kernel"`
	User         uint64   `json:"user"`
}

// CPU is the cpu and cpuacct data.
type CPU struct {
	Usage      CPUUsage   `json:"usage,omitempty"`
	Throttling Throttling `json:"throttling,omitempty"`
	PSI        *PSIStats  `json:"psi,omitempty"`
}

// CPUSet is the cpuset configuration in force.
type CPUSet struct {
	CPUs                  []uint16 `json:"cpus,omitempty"`
	CPUExclusive          uint64   `json:"cpu_exclusive"`
	Mems                  []uint16 `json:"mems,omitempty"`
	MemHardwall           uint64   `json:"mem_hardwall"`
	MemExclusive          uint64   `json:"mem_exclusive"`
	MemoryMigrate         uint64   `json:"memory_migrate"`
	MemorySpreadPage      uint64   `json:"memory_spread_page"`
	MemorySpreadSlab      uint64   `json:"memory_spread_slab"`
	MemoryPressure        uint64   `json:"memory_pressure"`
	SchedLoadBalance      uint64   `json:"sched_load_balance"`
	SchedRelaxDomainLevel int64    `json:"sched_relax_domain_level"`
}

// MemoryEntry is a usage counter with its peak, limit and failure count.
type MemoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// Memory is the memory controller data; Raw is memory.stat.
type Memory struct {
	Cache     uint64            `json:"cache,omitempty"`
	Usage     MemoryEntry       `json:"usage,omitempty"`
	Swap      MemoryEntry       `json:"swap,omitempty"`
	Kernel    MemoryEntry       `json:"kernel,omitempty"`
	KernelTCP MemoryEntry       `json:"kernelTCP,omitempty"`
	Raw       map[string]uint64 `json:"raw,omitempty"`
	PSI       *PSIStats         `json:"psi,omitempty"`
}

// PSIData is one line of a cgroup2 pressure file.
type PSIData struct {
	Avg10  float64 `json:"avg10"`
	Avg60  float64 `json:"avg60"`
	Avg300 float64 `json:"avg300"`
	Total  uint64  `json:"total"`
}

// PSIStats is a cgroup2 pressure file (cpu.pressure, memory.pressure,
// io.pressure).
type PSIStats struct {
	Some PSIData `json:"some,omitempty"`
	Full PSIData `json:"full,omitempty"`
}

// IntelRdt is present for runc's JSON shape; cgroups never fills it.
type IntelRdt struct {
	L3CacheSchemaRoot string `json:"l3_cache_schema_root,omitempty"`
	L3CacheSchema     string `json:"l3_cache_schema,omitempty"`
	MemBwSchemaRoot   string `json:"mem_bw_schema_root,omitempty"`
	MemBwSchema       string `json:"mem_bw_schema,omitempty"`
}

// NetworkInterface is present for runc's JSON shape; cgroups never fills
// it (the caller reads /proc/<pid>/net/dev).
type NetworkInterface struct {
	Name      string
	RxBytes   uint64
	RxPackets uint64
	RxErrors  uint64
	RxDropped uint64
	TxBytes   uint64
	TxPackets uint64
	TxErrors  uint64
	TxDropped uint64
}

const clockTicks = 100 // USER_HZ, the unit of cpuacct.stat

// Stats reads the container's usage counters. Controllers the host lacks
// are left zero; an unreadable or malformed file is an error (with the
// rest of the data still returned).
func (m *Manager) Stats() (*Stats, error) {
	st := &Stats{Hugetlb: map[string]Hugetlb{}}
	var errs []error
	keep := func(err error) {
		if err != nil && !isNotExist(err) {
			errs = append(errs, err)
		}
	}
	if t, ok := m.statTarget("cpuacct", "cpu"); ok {
		if t.v2 {
			keep(statCPUV2(t.dir, st))
		} else {
			keep(statCPUAcct(t.dir, st))
		}
	}
	if t, ok := m.statTarget("cpu", "cpu"); ok && !t.v2 {
		keep(statThrottlingV1(t.dir, st))
	}
	if t, ok := m.statTarget("cpuset", "cpuset"); ok {
		keep(statCPUSet(t, st))
	}
	if t, ok := m.statTarget("memory", "memory"); ok {
		if t.v2 {
			keep(statMemoryV2(t.dir, st))
		} else {
			keep(statMemoryV1(t.dir, st))
		}
	}
	if t, ok := m.statTarget("pids", "pids"); ok {
		keep(statPids(t.dir, st))
	}
	if t, ok := m.statTarget("blkio", "io"); ok {
		if t.v2 {
			keep(statIOV2(t.dir, st))
		} else {
			keep(statBlkioV1(t.dir, st))
		}
	}
	if t, ok := m.statTarget("hugetlb", "hugetlb"); ok {
		keep(statHugetlb(t, st))
	}
	return st, errors.Join(errs...)
}

// statTarget is target without reading cgroup.controllers: a v2 file that
// is missing is simply skipped.
func (m *Manager) statTarget(v1name, v2name string) (target, bool) {
	if d := m.Paths[v1name]; d != "" {
		return target{dir: d}, true
	}
	if d := m.Paths[unifiedKey]; d != "" {
		return target{dir: d, v2: true}, true
	}
	return target{}, false
}

func statCPUAcct(dir string, st *Stats) error {
	u := &st.CPU.Usage
	var err error
	if u.Total, err = readUint(dir, "cpuacct.usage"); err != nil {
		return err
	}
	if s, err := readFile(dir, "cpuacct.usage_percpu"); err == nil {
		for _, f := range strings.Fields(s) {
			v, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return fmt.Errorf("cgroups: parse %s/cpuacct.usage_percpu: %w", dir, err)
			}
			u.Percpu = append(u.Percpu, v)
		}
	}
	if s, err := readFile(dir, "cpuacct.usage_all"); err == nil {
		u.PercpuUser, u.PercpuKernel = parseUsageAll(s)
	}
	if s, err := readFile(dir, "cpuacct.stat"); err == nil {
		kv := parseKeyed(s)
		u.User = kv["user"] * 1e9 / clockTicks
		u.Kernel = kv["system"] * 1e9 / clockTicks
	}
	return nil
}

// parseUsageAll parses cpuacct.usage_all ("cpu user system" lines after a
// header).
func parseUsageAll(s string) (user, kernel []uint64) {
	lines := strings.Split(s, "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		us, err1 := strconv.ParseUint(f[1], 10, 64)
		sy, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		user = append(user, us)
		kernel = append(kernel, sy)
	}
	return user, kernel
}

func statThrottlingV1(dir string, st *Stats) error {
	s, err := readFile(dir, "cpu.stat")
	if err != nil {
		return err
	}
	kv := parseKeyed(s)
	st.CPU.Throttling = Throttling{
		Periods:          kv["nr_periods"],
		ThrottledPeriods: kv["nr_throttled"],
		ThrottledTime:    kv["throttled_time"],
	}
	return nil
}

func statCPUV2(dir string, st *Stats) error {
	s, err := readFile(dir, "cpu.stat")
	if err != nil {
		return err
	}
	kv := parseKeyed(s)
	st.CPU.Usage.Total = kv["usage_usec"] * 1000
	st.CPU.Usage.User = kv["user_usec"] * 1000
	st.CPU.Usage.Kernel = kv["system_usec"] * 1000
	st.CPU.Throttling = Throttling{
		Periods:          kv["nr_periods"],
		ThrottledPeriods: kv["nr_throttled"],
		ThrottledTime:    kv["throttled_usec"] * 1000,
	}
	st.CPU.PSI = readPSI(dir, "cpu.pressure")
	return nil
}

func statCPUSet(t target, st *Stats) error {
	c := &st.CPUSet
	cpus, mems := "cpuset.cpus", "cpuset.mems"
	if t.v2 {
		cpus, mems = "cpuset.cpus.effective", "cpuset.mems.effective"
	}
	s, err := readFile(t.dir, cpus)
	if err != nil {
		return err
	}
	if c.CPUs, err = parseList(s); err != nil {
		return fmt.Errorf("cgroups: %s/%s: %w", t.dir, cpus, err)
	}
	if s, err = readFile(t.dir, mems); err != nil {
		return err
	}
	if c.Mems, err = parseList(s); err != nil {
		return fmt.Errorf("cgroups: %s/%s: %w", t.dir, mems, err)
	}
	if t.v2 {
		return nil
	}
	for _, x := range []struct {
		file string
		p    *uint64
	}{
		{"cpuset.cpu_exclusive", &c.CPUExclusive},
		{"cpuset.mem_hardwall", &c.MemHardwall},
		{"cpuset.mem_exclusive", &c.MemExclusive},
		{"cpuset.memory_migrate", &c.MemoryMigrate},
		{"cpuset.memory_spread_page", &c.MemorySpreadPage},
		{"cpuset.memory_spread_slab", &c.MemorySpreadSlab},
		{"cpuset.memory_pressure", &c.MemoryPressure},
		{"cpuset.sched_load_balance", &c.SchedLoadBalance},
	} {
		if v, err := readUint(t.dir, x.file); err == nil {
			*x.p = v
		}
	}
	if s, err := readTrim(t.dir, "cpuset.sched_relax_domain_level"); err == nil {
		c.SchedRelaxDomainLevel, _ = strconv.ParseInt(s, 10, 64)
	}
	return nil
}

func memEntryV1(dir, prefix string) (MemoryEntry, error) {
	var e MemoryEntry
	var err error
	if e.Usage, err = readUint(dir, prefix+"usage_in_bytes"); err != nil {
		return e, err
	}
	if e.Max, err = readUint(dir, prefix+"max_usage_in_bytes"); err != nil {
		return e, err
	}
	if e.Failcnt, err = readUint(dir, prefix+"failcnt"); err != nil {
		return e, err
	}
	// The raw v1 value, 9223372036854771712 when unlimited, as runc.
	e.Limit, err = readUint(dir, prefix+"limit_in_bytes")
	return e, err
}

func statMemoryV1(dir string, st *Stats) error {
	mem := &st.Memory
	s, err := readFile(dir, "memory.stat")
	if err != nil {
		return err
	}
	mem.Raw = parseKeyed(s)
	mem.Cache = mem.Raw["cache"]
	if mem.Usage, err = memEntryV1(dir, "memory."); err != nil {
		return err
	}
	// Optional: swap accounting, kernel memory accounting.
	if e, err := memEntryV1(dir, "memory.memsw."); err == nil {
		mem.Swap = e
	} else if !isNotExist(err) {
		return err
	}
	if e, err := memEntryV1(dir, "memory.kmem."); err == nil {
		mem.Kernel = e
	} else if !isNotExist(err) {
		return err
	}
	if e, err := memEntryV1(dir, "memory.kmem.tcp."); err == nil {
		mem.KernelTCP = e
	} else if !isNotExist(err) {
		return err
	}
	return nil
}

func statMemoryV2(dir string, st *Stats) error {
	mem := &st.Memory
	s, err := readFile(dir, "memory.stat")
	if err != nil {
		return err
	}
	mem.Raw = parseKeyed(s)
	mem.Cache = mem.Raw["file"]
	if mem.Usage.Usage, err = readUint(dir, "memory.current"); err != nil {
		return err
	}
	if mem.Usage.Limit, err = readUint(dir, "memory.max"); err != nil {
		return err
	}
	if v, err := readUint(dir, "memory.peak"); err == nil {
		mem.Usage.Max = v
	}
	if ev, err := readFile(dir, "memory.events"); err == nil {
		mem.Usage.Failcnt = parseKeyed(ev)["max"]
	}
	// v1 reports memory+swap; so does runc on v2.
	if v, err := readUint(dir, "memory.swap.current"); err == nil {
		mem.Swap.Usage = v + mem.Usage.Usage
		if l, err := readUint(dir, "memory.swap.max"); err == nil {
			mem.Swap.Limit = l
			if l != math.MaxUint64 && mem.Usage.Limit != math.MaxUint64 {
				mem.Swap.Limit = l + mem.Usage.Limit
			} else {
				mem.Swap.Limit = math.MaxUint64
			}
		}
	}
	mem.PSI = readPSI(dir, "memory.pressure")
	return nil
}

func statPids(dir string, st *Stats) error {
	var err error
	if st.Pids.Current, err = readUint(dir, "pids.current"); err != nil {
		return err
	}
	l, err := readUint(dir, "pids.max")
	if err != nil {
		return err
	}
	if l != math.MaxUint64 {
		st.Pids.Limit = l
	}
	return nil
}

// parseBlkioV1 parses a v1 blkio statistic ("8:0 Read 4096" lines, or
// "8:0 4096" lines, and a "Total N" line that is skipped).
func parseBlkioV1(s string) ([]BlkioEntry, error) {
	var out []BlkioEntry
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || (len(f) == 2 && f[0] == "Total") {
			continue
		}
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("malformed blkio line %q", l)
		}
		majs, mins, ok := strings.Cut(f[0], ":")
		if !ok {
			return nil, fmt.Errorf("malformed blkio line %q", l)
		}
		maj, err1 := strconv.ParseUint(majs, 10, 64)
		min, err2 := strconv.ParseUint(mins, 10, 64)
		v, err3 := strconv.ParseUint(f[len(f)-1], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("malformed blkio line %q", l)
		}
		e := BlkioEntry{Major: maj, Minor: min, Value: v}
		if len(f) == 3 {
			e.Op = f[1]
		}
		out = append(out, e)
	}
	return out, nil
}

func statBlkioV1(dir string, st *Stats) error {
	b := &st.Blkio
	// CFQ files if the kernel has them, else BFQ, else the throttle
	// counters (which always exist), as runc.
	type tbl struct {
		file string
		dst  *[]BlkioEntry
	}
	var tables []tbl
	switch {
	case exists(dir + "/blkio.io_serviced_recursive"):
		tables = []tbl{
			{"blkio.sectors_recursive", &b.SectorsRecursive},
			{"blkio.io_service_bytes_recursive", &b.IoServiceBytesRecursive},
			{"blkio.io_serviced_recursive", &b.IoServicedRecursive},
			{"blkio.io_queued_recursive", &b.IoQueuedRecursive},
			{"blkio.io_service_time_recursive", &b.IoServiceTimeRecursive},
			{"blkio.io_wait_time_recursive", &b.IoWaitTimeRecursive},
			{"blkio.io_merged_recursive", &b.IoMergedRecursive},
			{"blkio.time_recursive", &b.IoTimeRecursive},
		}
	case exists(dir + "/blkio.bfq.io_serviced_recursive"):
		tables = []tbl{
			{"blkio.bfq.io_service_bytes_recursive", &b.IoServiceBytesRecursive},
			{"blkio.bfq.io_serviced_recursive", &b.IoServicedRecursive},
		}
	default:
		tables = []tbl{
			{"blkio.throttle.io_service_bytes_recursive", &b.IoServiceBytesRecursive},
			{"blkio.throttle.io_serviced_recursive", &b.IoServicedRecursive},
		}
	}
	for _, t := range tables {
		s, err := readFile(dir, t.file)
		if err != nil {
			if isNotExist(err) {
				continue
			}
			return err
		}
		e, err := parseBlkioV1(s)
		if err != nil {
			return fmt.Errorf("cgroups: %s/%s: %w", dir, t.file, err)
		}
		*t.dst = e
	}
	return nil
}

// parseIOStat maps v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 wios=4 ...")
// onto the v1 tables, as runc does.
func parseIOStat(s string, b *Blkio) {
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		majs, mins, ok := strings.Cut(f[0], ":")
		if !ok {
			continue
		}
		maj, err1 := strconv.ParseUint(majs, 10, 64)
		min, err2 := strconv.ParseUint(mins, 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		for _, kv := range f[1:] {
			k, vs, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			v, err := strconv.ParseUint(vs, 10, 64)
			if err != nil {
				continue
			}
			var dst *[]BlkioEntry
			op := ""
			switch k {
			case "rbytes":
				dst, op = &b.IoServiceBytesRecursive, "Read"
			case "wbytes":
				dst, op = &b.IoServiceBytesRecursive, "Write"
			case "rios":
				dst, op = &b.IoServicedRecursive, "Read"
			case "wios":
				dst, op = &b.IoServicedRecursive, "Write"
			default:
				continue
			}
			*dst = append(*dst, BlkioEntry{Major: maj, Minor: min, Op: op, Value: v})
		}
	}
}

func statIOV2(dir string, st *Stats) error {
	s, err := readFile(dir, "io.stat")
	if err != nil {
		return err
	}
	parseIOStat(s, &st.Blkio)
	st.Blkio.PSI = readPSI(dir, "io.pressure")
	return nil
}

// hugePageSizes lists the host's hugepage sizes as the kernel names them
// in hugetlb cgroup files ("2MB", "1GB").
func hugePageSizes() []string {
	ents, err := os.ReadDir("/sys/kernel/mm/hugepages")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n, ok := strings.CutPrefix(e.Name(), "hugepages-")
		if !ok {
			continue
		}
		kb, ok := strings.CutSuffix(n, "kB")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(kb, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, pageSizeName(v<<10))
	}
	sort.Strings(out)
	return out
}

func statHugetlb(t target, st *Stats) error {
	for _, size := range hugePageSizes() {
		p := "hugetlb." + size + "."
		var h Hugetlb
		var err error
		if t.v2 {
			if h.Usage, err = readUint(t.dir, p+"current"); err != nil {
				return err
			}
			if ev, err := readFile(t.dir, p+"events"); err == nil {
				h.Failcnt = parseKeyed(ev)["max"]
			}
		} else {
			if h.Usage, err = readUint(t.dir, p+"usage_in_bytes"); err != nil {
				return err
			}
			if h.Max, err = readUint(t.dir, p+"max_usage_in_bytes"); err != nil {
				return err
			}
			if h.Failcnt, err = readUint(t.dir, p+"failcnt"); err != nil {
				return err
			}
		}
		st.Hugetlb[size] = h
	}
	return nil
}

// parsePSI parses a cgroup2 pressure file.
func parsePSI(s string) (*PSIStats, error) {
	var ps PSIStats
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		var d *PSIData
		switch f[0] {
		case "some":
			d = &ps.Some
		case "full":
			d = &ps.Full
		default:
			continue
		}
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("malformed pressure line %q", l)
			}
			var err error
			switch k {
			case "avg10":
				d.Avg10, err = strconv.ParseFloat(v, 64)
			case "avg60":
				d.Avg60, err = strconv.ParseFloat(v, 64)
			case "avg300":
				d.Avg300, err = strconv.ParseFloat(v, 64)
			case "total":
				d.Total, err = strconv.ParseUint(v, 10, 64)
			}
			if err != nil {
				return nil, fmt.Errorf("malformed pressure line %q", l)
			}
		}
	}
	return &ps, nil
}

func readPSI(dir, file string) *PSIStats {
	s, err := readFile(dir, file)
	if err != nil {
		return nil // no PSI in this kernel (or disabled with psi=0)
	}
	ps, err := parsePSI(s)
	if err != nil {
		return nil
	}
	return ps
}

// OOMKillCount returns how many processes of the container the OOM killer
// killed (v1 memory.oom_control, 4.13+; v2 memory.events).
func (m *Manager) OOMKillCount() (uint64, error) {
	t, ok := m.statTarget("memory", "memory")
	if !ok {
		return 0, fmt.Errorf("cgroups: the memory controller is not available on this %s host", m.Layout)
	}
	file := "memory.oom_control"
	if t.v2 {
		file = "memory.events"
	}
	v, err := keyedValue(t.dir, file, "oom_kill")
	if err != nil {
		return 0, fmt.Errorf("cgroups: %w", err)
	}
	return v, nil
}

// pidsDir is the directory whose process list Pids reads: one of the
// hierarchies every process of the container is in.
func (m *Manager) pidsDir() string {
	for _, c := range []string{"pids", "freezer", "memory"} {
		if d := m.Paths[c]; d != "" {
			return d
		}
	}
	if d := m.Paths[unifiedKey]; d != "" {
		return d
	}
	if ds := m.dirs(); len(ds) > 0 {
		return ds[0]
	}
	return ""
}

// Pids lists every process in the container's cgroup and its descendants.
func (m *Manager) Pids() ([]int, error) {
	dir := m.pidsDir()
	if dir == "" {
		return nil, errors.New("cgroups: the manager has no directory")
	}
	var out []int
	var walk func(string) error
	walk = func(d string) error {
		var err error
		if out, err = readPids(d, out); err != nil {
			return err
		}
		subs, err := subdirs(d)
		if err != nil {
			return err
		}
		for _, s := range subs {
			if err := walk(s); err != nil && !isNotExist(err) {
				return err
			}
		}
		return nil
	}
	if err := walk(dir); err != nil {
		return nil, fmt.Errorf("cgroups: list processes of %s: %w", dir, err)
	}
	return out, nil
}
