package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const (
	minShares = 2
	maxShares = 262144
	minBlkio  = 10
	maxBlkio  = 1000
)

// validate checks the values of linux.resources that are wrong on any host,
// before anything is created. Host-dependent problems (a missing
// controller, a value the kernel refuses) are found when writing.
func validate(res *specs.LinuxResources) error {
	if res == nil {
		return nil
	}
	const r = "linux.resources"
	if m := res.Memory; m != nil {
		const f = r + ".memory"
		for _, v := range []struct {
			name string
			val  *int64
		}{{"limit", m.Limit}, {"reservation", m.Reservation}, {"swap", m.Swap}, {"kernel", m.Kernel}, {"kernelTCP", m.KernelTCP}} {
			if v.val != nil && *v.val < -1 {
				return fieldErr(f+"."+v.name, "invalid value %d: must be -1 (unlimited) or a byte count", *v.val)
			}
		}
		if m.Swap != nil && m.Limit != nil {
			limit, swap := *m.Limit, *m.Swap
			if swap > 0 && limit > 0 && swap < limit {
				return fieldErr(f+".swap", "memory+swap limit %d is below the memory limit %d", swap, limit)
			}
			if swap > 0 && limit == -1 {
				return fieldErr(f+".swap", "memory+swap limit %d with an unlimited memory limit", swap)
			}
		}
		if s := m.Swappiness; s != nil && *s != math.MaxUint64 && *s > 100 {
			return fieldErr(f+".swappiness", "invalid value %d: must be 0 to 100", *s)
		}
	}
	if c := res.CPU; c != nil {
		const f = r + ".cpu"
		if c.Shares != nil && *c.Shares != 0 && (*c.Shares < minShares || *c.Shares > maxShares) {
			return fieldErr(f+".shares", "invalid value %d: must be %d to %d", *c.Shares, minShares, maxShares)
		}
		if c.Quota != nil && *c.Quota < -1 {
			return fieldErr(f+".quota", "invalid value %d: must be -1 (unlimited) or microseconds", *c.Quota)
		}
		if c.Period != nil && *c.Period > math.MaxInt64 {
			return fieldErr(f+".period", "invalid value %d", *c.Period)
		}
		if c.RealtimeRuntime != nil && *c.RealtimeRuntime < -1 {
			return fieldErr(f+".realtimeRuntime", "invalid value %d: must be -1 (unlimited) or microseconds", *c.RealtimeRuntime)
		}
		if c.Idle != nil && *c.Idle != 0 && *c.Idle != 1 {
			return fieldErr(f+".idle", "invalid value %d: must be 0 or 1", *c.Idle)
		}
		if c.Cpus != "" {
			if _, err := parseList(c.Cpus); err != nil {
				return fieldErr(f+".cpus", "%v", err)
			}
		}
		if c.Mems != "" {
			if _, err := parseList(c.Mems); err != nil {
				return fieldErr(f+".mems", "%v", err)
			}
		}
	}
	if b := res.BlockIO; b != nil {
		const f = r + ".blockIO"
		if err := checkBlkioWeight(f+".weight", b.Weight); err != nil {
			return err
		}
		if err := checkBlkioWeight(f+".leafWeight", b.LeafWeight); err != nil {
			return err
		}
		for i, d := range b.WeightDevice {
			fi := fmt.Sprintf("%s.weightDevice[%d]", f, i)
			if err := checkDev(fi, d.Major, d.Minor); err != nil {
				return err
			}
			if err := checkBlkioWeight(fi+".weight", d.Weight); err != nil {
				return err
			}
			if err := checkBlkioWeight(fi+".leafWeight", d.LeafWeight); err != nil {
				return err
			}
		}
		for _, t := range []struct {
			name string
			devs []specs.LinuxThrottleDevice
		}{
			{"throttleReadBpsDevice", b.ThrottleReadBpsDevice},
			{"throttleWriteBpsDevice", b.ThrottleWriteBpsDevice},
			{"throttleReadIOPSDevice", b.ThrottleReadIOPSDevice},
			{"throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice},
		} {
			for i, d := range t.devs {
				if err := checkDev(fmt.Sprintf("%s.%s[%d]", f, t.name, i), d.Major, d.Minor); err != nil {
					return err
				}
			}
		}
	}
	for i, h := range res.HugepageLimits {
		if _, err := pageSizeBytes(h.Pagesize); err != nil {
			return fieldErr(fmt.Sprintf("%s.hugepageLimits[%d].pageSize", r, i), "%v", err)
		}
	}
	if n := res.Network; n != nil {
		for i, p := range n.Priorities {
			if p.Name == "" || strings.ContainsAny(p.Name, " \t\n/") {
				return fieldErr(fmt.Sprintf("%s.network.priorities[%d].name", r, i), "invalid interface name %q", p.Name)
			}
		}
	}
	for dev := range res.Rdma {
		if dev == "" || strings.ContainsAny(dev, " \t\n") {
			return fieldErr(r+".rdma", "invalid device name %q", dev)
		}
	}
	for k := range res.Unified {
		if k == "" || k == "." || k == ".." || strings.ContainsAny(k, "/\x00") {
			return fieldErr(fmt.Sprintf("%s.unified[%q]", r, k), "must be a cgroup file name")
		}
		if !strings.Contains(k, ".") {
			return fieldErr(fmt.Sprintf("%s.unified[%q]", r, k), "must have the form CONTROLLER.PARAMETER")
		}
	}
	for i := range res.Devices {
		if _, err := deviceRule(&res.Devices[i]); err != nil {
			return prefixField(fmt.Sprintf("%s.devices[%d]", r, i), err)
		}
	}
	return nil
}

// prefixField puts path before the field of a FieldError (whose Field is
// relative, like ".type").
func prefixField(p string, err error) error {
	if fe, ok := err.(*FieldError); ok {
		return &FieldError{Field: p + fe.Field, Err: fe.Err}
	}
	return &FieldError{Field: p, Err: err}
}

func checkBlkioWeight(field string, w *uint16) error {
	if w != nil && *w != 0 && (*w < minBlkio || *w > maxBlkio) {
		return fieldErr(field, "invalid value %d: must be %d to %d", *w, minBlkio, maxBlkio)
	}
	return nil
}

func checkDev(field string, major, minor int64) error {
	if major < 0 {
		return fieldErr(field+".major", "invalid value %d", major)
	}
	if minor < 0 {
		return fieldErr(field+".minor", "invalid value %d", minor)
	}
	return nil
}

// parseList parses a cpuset list ("0-3,5,7-8") into its members.
func parseList(s string) ([]uint16, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []uint16
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("invalid list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 16); err != nil || b < a {
				return nil, fmt.Errorf("invalid list %q", s)
			}
		}
		if b-a > 65536 {
			return nil, fmt.Errorf("invalid list %q", s)
		}
		for v := a; v <= b; v++ {
			out = append(out, uint16(v))
		}
	}
	return out, nil
}

// pageSizeBytes parses a runtime-spec hugepage size ("64KB", "2MB", "1GB").
func pageSizeBytes(s string) (uint64, error) {
	if len(s) < 3 || !strings.HasSuffix(s, "B") {
		return 0, fmt.Errorf("invalid hugepage size %q: want <number><K|M|G|T|P>B, e.g. 2MB", s)
	}
	num, unit := s[:len(s)-2], s[len(s)-2]
	shift := 0
	switch unit {
	case 'K':
		shift = 10
	case 'M':
		shift = 20
	case 'G':
		shift = 30
	case 'T':
		shift = 40
	case 'P':
		shift = 50
	default:
		return 0, fmt.Errorf("invalid hugepage size %q: want <number><K|M|G|T|P>B, e.g. 2MB", s)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n == 0 || n > (math.MaxUint64>>shift) {
		return 0, fmt.Errorf("invalid hugepage size %q: want <number><K|M|G|T|P>B, e.g. 2MB", s)
	}
	return n << shift, nil
}

// pageSizeName is the kernel's name for a hugepage size in hugetlb cgroup
// files (mem_fmt in mm/hugetlb_cgroup.c): "2MB", "1GB", "64KB".
func pageSizeName(bytes uint64) string {
	switch {
	case bytes >= 1<<30:
		return strconv.FormatUint(bytes>>30, 10) + "GB"
	case bytes >= 1<<20:
		return strconv.FormatUint(bytes>>20, 10) + "MB"
	}
	return strconv.FormatUint(bytes>>10, 10) + "KB"
}

// ---- conversions from runtime-spec (v1 semantics) to cgroup v2 ----

// SharesToWeight converts v1 cpu.shares to v2 cpu.weight with the
// runtime-spec formula (2..262144 -> 1..10000); 0 stays 0 (unset).
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	if shares < minShares {
		shares = minShares
	}
	if shares > maxShares {
		shares = maxShares
	}
	return 1 + ((shares-2)*9999)/262142
}

// BlkioWeightToIOWeight converts a v1 blkio weight (10..1000) to v2
// io.weight (1..10000); 0 stays 0 (unset).
func BlkioWeightToIOWeight(w uint16) uint64 {
	if w == 0 {
		return 0
	}
	if w < minBlkio {
		w = minBlkio
	}
	return 1 + (uint64(w)-10)*9999/990
}

// swapToV2 converts runtime-spec memory.swap (memory+swap, v1 meaning) to
// the v2 memory.swap.max value (swap alone) for the given memory limit.
// ok is false when nothing is to be written.
func swapToV2(swap, limit int64) (val string, ok bool, err error) {
	switch {
	case swap == 0:
		return "", false, nil
	case swap == -1:
		return "max", true, nil
	case limit == 0 || limit == -1:
		return "", false, fmt.Errorf("cannot limit memory+swap to %d without a memory limit", swap)
	case swap < limit:
		return "", false, fmt.Errorf("memory+swap limit %d is below the memory limit %d", swap, limit)
	}
	return strconv.FormatInt(swap-limit, 10), true, nil
}

// cpuMax builds the v2 cpu.max value: "<quota|max> [period]".
func cpuMax(quota int64, period uint64) string {
	s := "max"
	if quota > 0 {
		s = strconv.FormatInt(quota, 10)
	}
	if period != 0 {
		s += " " + strconv.FormatUint(period, 10)
	}
	return s
}

// deviceRule validates a device cgroup rule and returns its v1 text
// ("c 1:3 rwm", "a *:* rwm").
func deviceRule(d *specs.LinuxDeviceCgroup) (string, error) {
	t := d.Type
	switch t {
	case "":
		t = "a"
	case "a", "b", "c":
	default:
		return "", fieldErr(".type", "unknown device type %q: must be \"a\", \"b\" or \"c\"", d.Type)
	}
	num := func(name string, p *int64) (string, error) {
		if p == nil || *p == -1 {
			return "*", nil
		}
		if *p < 0 {
			return "", fieldErr("."+name, "invalid value %d", *p)
		}
		return strconv.FormatInt(*p, 10), nil
	}
	maj, err := num("major", d.Major)
	if err != nil {
		return "", err
	}
	mino, err := num("minor", d.Minor)
	if err != nil {
		return "", err
	}
	if d.Access == "" {
		return "", fieldErr(".access", "must not be empty (a combination of r, w and m)")
	}
	var seen [3]bool
	for _, c := range d.Access {
		i := strings.IndexRune("rwm", c)
		if i < 0 || seen[i] {
			return "", fieldErr(".access", "invalid access %q: a combination of r, w and m", d.Access)
		}
		seen[i] = true
	}
	return t + " " + maj + ":" + mino + " " + d.Access, nil
}

// isDenyAll tells whether d denies every device: for type "a" the kernel
// ignores the numbers and the access and drops all exceptions.
func isDenyAll(d *specs.LinuxDeviceCgroup) bool {
	return !d.Allow && (d.Type == "" || d.Type == "a")
}
