package cgroups

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"rt/jsongen"
)

// Manager is the set of cgroup directories of one container.
type Manager struct {
	// Paths maps a hierarchy name to the container's absolute cgroup
	// directory: each v1 controller mounted on the host ("memory", "cpu",
	// "cpuacct", "cpuset", "pids", "freezer", "devices", "blkio",
	// "hugetlb", "net_cls", ...; controllers mounted together share one
	// directory) and "unified" for the cgroup2 directory (hybrid and v2).
	Paths map[string]string `json:"paths"`
	// Layout is the host layout the paths were computed for.
	Layout Layout `json:"layout"`
	// Created lists the ancestor directories (not the leaves in Paths)
	// that Create had to make, parents first, so that Destroy removes
	// them too when they are left empty. It is optional: a Manager
	// rebuilt by Load without it removes only the leaves.
	Created []string `json:"created,omitempty"`

	unifiedRoot string // mount point of the cgroup2 tree ("" on V1)
	// skipped maps the hierarchies a non-root Create left out (not
	// writable by the user) to the reason, for the error of a limit there.
	skipped map[string]string
	fs      *fsops // nil: the real files (tests put fakes here)

	// Cached per Manager, read at most once.
	unifiedAvail map[string]bool // cgroup.controllers of the unified root
}

// New computes (but does not create) the directories for linux.cgroupsPath.
// An empty path means the container id. A relative path is relative to the
// cgroup of the calling process in each v1 hierarchy; in the cgroup2 tree
// it is relative to the parent of that cgroup, as runc does, because the
// caller's own v2 cgroup holds a process (the caller) and so can never
// delegate controllers to a child. An absolute path is relative to each
// hierarchy's root.
func New(cgroupsPath, id string) (*Manager, error) {
	layout, err := HostLayout()
	if err != nil {
		return nil, err
	}
	inner, err := cleanCgroupsPath(cgroupsPath, id)
	if err != nil {
		return nil, err
	}
	data, err := readFile("/proc/self", "cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroups: %w", err)
	}
	hier, err := parseProcCgroup(data)
	if err != nil {
		return nil, fmt.Errorf("cgroups: %w", err)
	}
	paths, err := computePaths(layout, hier, inner, newHostEnv())
	if err != nil {
		return nil, err
	}
	return &Manager{Paths: paths, Layout: layout, unifiedRoot: unifiedRootFor(layout)}, nil
}

// Load rebuilds a Manager from the Paths and Layout saved by an earlier
// command. A zero layout is taken from the host.
func Load(paths map[string]string, layout Layout) *Manager {
	if layout == 0 {
		layout, _ = HostLayout()
	}
	return &Manager{Paths: paths, Layout: layout, unifiedRoot: unifiedRootFor(layout)}
}

func unifiedRootFor(l Layout) string {
	switch l {
	case V2:
		return cgroupRoot
	case Hybrid:
		return hybridUnified
	}
	return ""
}

// cleanCgroupsPath validates linux.cgroupsPath and returns it cleaned; a
// relative result has no leading slash.
func cleanCgroupsPath(p, id string) (string, error) {
	const field = "linux.cgroupsPath"
	if p == "" {
		if id == "" {
			return "", fieldErr(field, "empty, and no container id to use instead")
		}
		if strings.Contains(id, "/") || id == "." || id == ".." {
			return "", fieldErr(field, "empty, and the container id %q cannot be used as a cgroup name", id)
		}
		p = id
	}
	if !strings.HasPrefix(p, "/") && strings.Count(p, ":") == 2 && !strings.Contains(p, "/") {
		return "", fieldErr(field, "%q is the systemd \"slice:prefix:name\" form; rt manages cgroupfs directly and needs a path", p)
	}
	if strings.ContainsRune(p, 0) || strings.Contains(p, "\n") {
		return "", fieldErr(field, "%q contains a NUL or newline", p)
	}
	depth := 0
	for _, c := range strings.Split(p, "/") {
		switch c {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return "", fieldErr(field, "%q escapes its cgroup root with \"..\"", p)
			}
		default:
			depth++
		}
	}
	if depth == 0 {
		return "", fieldErr(field, "%q names the cgroup root itself, not a cgroup of its own", p)
	}
	return path.Clean(p), nil
}

// env is what computePaths needs from the host, faked in tests.
type env struct {
	root      string              // /sys/fs/cgroup
	exists    func(string) bool   // stat succeeds
	mountinfo func() []mountEntry // parsed /proc/self/mountinfo, lazily
}

func newHostEnv() *env {
	var cache []mountEntry
	var loaded bool
	return &env{
		root:   cgroupRoot,
		exists: exists,
		mountinfo: func() []mountEntry {
			if !loaded {
				loaded = true
				if data, err := os.ReadFile(procSelfMntinfo); err == nil {
					cache = parseMountinfo(string(data))
				}
			}
			return cache
		},
	}
}

// computePaths maps each mounted hierarchy to the container's directory.
// inner is the cleaned cgroupsPath (absolute, or relative without a
// leading slash).
func computePaths(layout Layout, hier []procHierarchy, inner string, e *env) (map[string]string, error) {
	rel := !strings.HasPrefix(inner, "/")
	paths := make(map[string]string, 10)
	if layout == V1 || layout == Hybrid {
		for _, h := range hier {
			if h.ID == 0 || len(h.Controllers) == 0 {
				continue
			}
			mnt, mroot := v1Mount(h.Controllers, e)
			if mnt == "" {
				continue // listed by the kernel but not mounted here
			}
			dir := path.Join(mnt, inner)
			if rel {
				dir = path.Join(mnt, ownPath(mnt, mroot, h.Path, e), inner)
			}
			for _, c := range h.Controllers {
				paths[c] = dir
			}
		}
	}
	if layout == Hybrid || layout == V2 {
		mnt := e.root
		if layout == Hybrid {
			mnt = path.Join(e.root, "unified")
		}
		dir := path.Join(mnt, inner)
		if rel {
			own := "/"
			for _, h := range hier {
				if h.ID == 0 && len(h.Controllers) == 0 && !h.Named {
					own = h.Path
				}
			}
			own = ownPath(mnt, "", own, e)
			// See New: the parent of our own cgroup, not the cgroup itself.
			dir = path.Join(mnt, path.Dir(own), inner)
		}
		paths[unifiedKey] = dir
	}
	if len(paths) == 0 {
		return nil, errors.New("cgroups: no cgroup hierarchy is mounted")
	}
	return paths, nil
}

// v1Mount finds where the v1 hierarchy of ctrls is mounted: normally
// /sys/fs/cgroup/<ctrls joined by commas> or /sys/fs/cgroup/<ctrl> (a
// symlink when controllers share a hierarchy); else whatever mountinfo
// says. It also returns the mount's root if mountinfo was read ("" if not).
func v1Mount(ctrls []string, e *env) (mnt, root string) {
	joined := strings.Join(ctrls, ",")
	if p := path.Join(e.root, joined); e.exists(p) {
		return p, ""
	}
	if len(ctrls) > 1 {
		for _, c := range ctrls {
			if p := path.Join(e.root, c); e.exists(p) {
				return p, ""
			}
		}
	}
	for _, m := range e.mountinfo() {
		if m.FSType != "cgroup" {
			continue
		}
		opts := strings.Split(m.SuperOpts, ",")
		all := true
		for _, c := range ctrls {
			found := false
			for _, o := range opts {
				if o == c {
					found = true
					break
				}
			}
			if !found {
				all = false
				break
			}
		}
		if all {
			return m.Mountpoint, m.Root
		}
	}
	return "", ""
}

// ownPath turns the caller's cgroup path (from /proc/self/cgroup) into a
// path under the mount point mnt. When the hierarchy is mounted from a
// subtree (a container without a cgroup namespace sees /docker/<id> in
// /proc/self/cgroup while its mount's root is that directory), the mount's
// root is cut off. mountinfo is read only if the plain path is missing.
func ownPath(mnt, mroot, own string, e *env) string {
	if own == "" || own == "/" {
		return "/"
	}
	if e.exists(path.Join(mnt, own)) {
		return own
	}
	if mroot == "" {
		for _, m := range e.mountinfo() {
			if m.Mountpoint == mnt {
				mroot = m.Root
			}
		}
	}
	if mroot != "" && mroot != "/" {
		if own == mroot {
			return "/"
		}
		if strings.HasPrefix(own, mroot+"/") {
			return strings.TrimPrefix(own, mroot)
		}
	}
	return own
}

// dirs returns the distinct directories of m, sorted.
func (m *Manager) dirs() []string {
	seen := make(map[string]bool, len(m.Paths))
	out := make([]string, 0, len(m.Paths))
	for _, d := range m.Paths {
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// UnmarshalJSON restores a Manager saved in a container's state with the
// unexported fields Load fills in: without its cgroup2 root, a decoded
// Manager would take every controller to be in the cgroup2 tree of a
// hybrid host and could not delegate them.
func (m *Manager) UnmarshalJSON(b []byte) error {
	var s savedManager
	if !decodeSavedManager(b, &s) {
		s = savedManager{}
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	l := Load(s.Paths, s.Layout)
	l.Created = s.Created
	*m = *l
	return nil
}

// savedManager is Manager without its methods (no recursion into them).
type savedManager Manager

// decodeSavedManager decodes what rt writes for a Manager with jsongen's
// strict subset of JSON; false means: decode with encoding/json, whose
// reflection costs ~25 us per process the first time (every rt command
// that reads a state.json).
func decodeSavedManager(b []byte, s *savedManager) bool {
	d := jsongen.NewDecoder(b)
	if !d.Open('{') {
		return false
	}
	var seen uint64
	for first := true; d.Next('}', &first); {
		k, ok := d.Key()
		if !ok {
			return false
		}
		switch string(k) {
		case "paths":
			if !d.Once(&seen, 0) {
				return false
			}
			if d.Null() {
				s.Paths = nil
				continue
			}
			if !d.Open('{') {
				return false
			}
			paths := map[string]string{}
			for first := true; d.Next('}', &first); {
				name, ok := d.MapKey()
				var dir string
				if !ok || !jsongen.String(d, &dir) {
					return false
				}
				paths[name] = dir
			}
			if d.Bad() {
				return false
			}
			s.Paths = paths
		case "layout":
			var text string
			if !d.Once(&seen, 1) || !jsongen.String(d, &text) || s.Layout.UnmarshalText([]byte(text)) != nil {
				return d.GiveUp()
			}
		case "created":
			if !d.Once(&seen, 2) {
				return false
			}
			if d.Null() {
				s.Created = nil
				continue
			}
			if !d.Open('[') {
				return false
			}
			created := []string{}
			for first := true; d.Next(']', &first); {
				var dir string
				if !jsongen.String(d, &dir) {
					return false
				}
				created = append(created, dir)
			}
			if d.Bad() {
				return false
			}
			s.Created = created
		default:
			return d.GiveUp()
		}
	}
	return !d.Bad() && d.End()
}
