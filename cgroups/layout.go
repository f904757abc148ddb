package cgroups

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Layout is how the host mounts its cgroup hierarchies.
type Layout int

const (
	// V1: one cgroup v1 hierarchy per controller (or group of
	// controllers) under /sys/fs/cgroup, no cgroup2 tree.
	V1 Layout = iota + 1
	// Hybrid: v1 controllers under /sys/fs/cgroup plus a cgroup2 tree at
	// /sys/fs/cgroup/unified (with the controllers no v1 hierarchy took).
	Hybrid
	// V2: /sys/fs/cgroup is the cgroup2 unified tree.
	V2
)

func (l Layout) String() string {
	switch l {
	case V1:
		return "v1"
	case Hybrid:
		return "hybrid"
	case V2:
		return "v2"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// MarshalText stores a Layout as "v1", "hybrid" or "v2".
func (l Layout) MarshalText() ([]byte, error) {
	switch l {
	case V1, Hybrid, V2:
		return []byte(l.String()), nil
	case 0:
		return []byte(""), nil
	}
	return nil, fmt.Errorf("invalid cgroup layout %d", int(l))
}

// UnmarshalText accepts what MarshalText writes.
func (l *Layout) UnmarshalText(b []byte) error {
	switch string(b) {
	case "v1":
		*l = V1
	case "hybrid":
		*l = Hybrid
	case "v2":
		*l = V2
	case "":
		*l = 0
	default:
		return fmt.Errorf("invalid cgroup layout %q", b)
	}
	return nil
}

const (
	cgroupRoot      = "/sys/fs/cgroup"
	hybridUnified   = "/sys/fs/cgroup/unified"
	unifiedKey      = "unified"
	cgroup2Magic    = unix.CGROUP2_SUPER_MAGIC
	cgroup1Magic    = unix.CGROUP_SUPER_MAGIC
	tmpfsMagic      = unix.TMPFS_MAGIC
	procSelfCgroup  = "/proc/self/cgroup"
	procSelfMntinfo = "/proc/self/mountinfo"
)

var hostLayout = sync.OnceValues(detectHostLayout)

// HostLayout tells how the host mounts cgroups. It costs one or two
// statfs(2) calls the first time and nothing afterwards.
func HostLayout() (Layout, error) {
	return hostLayout()
}

func detectHostLayout() (Layout, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(cgroupRoot, &st); err != nil {
		return 0, fmt.Errorf("cgroups: statfs %s: %w", cgroupRoot, err)
	}
	switch int64(st.Type) {
	case cgroup2Magic:
		return V2, nil
	case tmpfsMagic:
		if err := unix.Statfs(hybridUnified, &st); err == nil && int64(st.Type) == cgroup2Magic {
			return Hybrid, nil
		}
		return V1, nil
	case cgroup1Magic:
		// A single v1 hierarchy mounted right on /sys/fs/cgroup.
		return V1, nil
	}
	// /sys/fs/cgroup is a plain directory (of sysfs): the controllers may
	// still be mounted under it; ask mountinfo.
	data, err := os.ReadFile(procSelfMntinfo)
	if err != nil {
		return 0, fmt.Errorf("cgroups: %w", err)
	}
	l, err := layoutFromMountinfo(parseMountinfo(string(data)))
	if err != nil {
		return 0, fmt.Errorf("cgroups: %w", err)
	}
	return l, nil
}

// mountEntry is the part of a /proc/self/mountinfo line rt needs.
type mountEntry struct {
	Root       string // root of the mount within its filesystem
	Mountpoint string
	FSType     string
	SuperOpts  string // super options (for cgroup v1: the controllers)
}

// parseMountinfo parses /proc/self/mountinfo text; malformed lines are
// skipped.
func parseMountinfo(s string) []mountEntry {
	var out []mountEntry
	for len(s) > 0 {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		f := strings.Fields(line)
		// id parent maj:min root mountpoint opts [optional...] - fstype source superopts
		if len(f) < 10 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+2 >= len(f) {
			continue
		}
		e := mountEntry{
			Root:       unescapeMount(f[3]),
			Mountpoint: unescapeMount(f[4]),
			FSType:     f[sep+1],
		}
		if sep+3 < len(f) {
			e.SuperOpts = f[sep+3]
		}
		out = append(out, e)
	}
	return out
}

// unescapeMount undoes the octal escapes (\040 for space...) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

// layoutFromMountinfo derives the layout from the cgroup mounts of a
// mountinfo: cgroup2 on /sys/fs/cgroup is V2; v1 mounts with a cgroup2 at
// /sys/fs/cgroup/unified is Hybrid; v1 mounts alone are V1.
func layoutFromMountinfo(mounts []mountEntry) (Layout, error) {
	var v1, unified bool
	for _, m := range mounts {
		switch m.FSType {
		case "cgroup2":
			if m.Mountpoint == cgroupRoot {
				return V2, nil
			}
			if m.Mountpoint == hybridUnified {
				unified = true
			}
		case "cgroup":
			v1 = true
		}
	}
	switch {
	case v1 && unified:
		return Hybrid, nil
	case v1:
		return V1, nil
	case unified:
		// Only a cgroup2 tree, at the hybrid place: treat it as hybrid
		// with no v1 controllers.
		return Hybrid, nil
	}
	return 0, errors.New("no cgroup filesystem is mounted")
}

// procHierarchy is one line of /proc/<pid>/cgroup.
type procHierarchy struct {
	ID          int
	Controllers []string // empty for the cgroup2 line ("0::/path")
	Named       bool     // a named v1 hierarchy (name=systemd): no controller
	Path        string
}

// parseProcCgroup parses /proc/<pid>/cgroup text.
func parseProcCgroup(s string) ([]procHierarchy, error) {
	var out []procHierarchy
	for len(s) > 0 {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if line == "" {
			continue
		}
		idStr, rest, ok1 := strings.Cut(line, ":")
		ctrls, path, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("malformed %s line %q", procSelfCgroup, line)
		}
		id := 0
		for _, c := range idStr {
			if c < '0' || c > '9' {
				return nil, fmt.Errorf("malformed %s line %q", procSelfCgroup, line)
			}
			id = id*10 + int(c-'0')
		}
		h := procHierarchy{ID: id, Path: path}
		if ctrls != "" {
			for _, c := range strings.Split(ctrls, ",") {
				if strings.HasPrefix(c, "name=") {
					h.Named = true
					continue
				}
				if c != "" {
					h.Controllers = append(h.Controllers, c)
				}
			}
		}
		out = append(out, h)
	}
	return out, nil
}
