package cgroups

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Sub is the Manager of existing sub-cgroups of m, for `rt exec --cgroup`
// (runc's semantics): sub maps a hierarchy name (a key of Paths, such as
// "memory" or "unified") or "" (every hierarchy) to a path relative to the
// container's directory there. A hierarchy not named stays at the
// container's directory. Controllers mounted together (cpu,cpuacct) share
// a directory, so a sub-cgroup given for one applies to all of them, and
// two different ones for the same directory are refused. Each sub-cgroup
// must exist: exec does not create cgroups.
func (m *Manager) Sub(sub map[string]string) (*Manager, error) {
	if len(sub) == 0 {
		return m, nil
	}
	for name := range sub {
		if _, ok := m.Paths[name]; !ok && name != "" {
			return nil, fmt.Errorf("cgroups: --cgroup %s: the container has no %q hierarchy (it has %s)", name, name, strings.Join(m.names(), ", "))
		}
	}
	// The sub path of each distinct directory.
	chosen := map[string]string{} // dir -> sub path
	from := map[string]string{}   // dir -> the name it was given for
	for _, name := range m.names() {
		rel, ok := sub[name]
		if !ok {
			if rel, ok = sub[""]; !ok {
				continue
			}
		}
		dir := m.Paths[name]
		if prev, seen := chosen[dir]; seen && prev != rel {
			return nil, fmt.Errorf("cgroups: --cgroup: %s and %s share the directory %s but were given different sub-cgroups (%q, %q)", from[dir], name, dir, prev, rel)
		}
		chosen[dir], from[dir] = rel, name
	}
	out := &Manager{Paths: make(map[string]string, len(m.Paths)), Layout: m.Layout, unifiedRoot: m.unifiedRoot, fs: m.fs}
	for name, dir := range m.Paths {
		out.Paths[name] = dir
		rel, ok := chosen[dir]
		if !ok {
			continue
		}
		clean, err := cleanSub(rel)
		if err != nil {
			return nil, fmt.Errorf("cgroups: --cgroup %s: %w", from[dir], err)
		}
		full := path.Join(dir, clean)
		var st unix.Stat_t
		if err := unix.Stat(full, &st); err != nil {
			return nil, fmt.Errorf("cgroups: --cgroup %s: sub-cgroup %s: %w", from[dir], full, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return nil, fmt.Errorf("cgroups: --cgroup %s: sub-cgroup %s is not a directory", from[dir], full)
		}
		out.Paths[name] = full
	}
	return out, nil
}

// cleanSub checks a sub-cgroup path: relative to the container's cgroup
// (a leading "/" means the same), never leaving it.
func cleanSub(rel string) (string, error) {
	for _, c := range strings.Split(rel, "/") {
		if c == ".." {
			return "", fmt.Errorf("sub-cgroup %q must not contain \"..\"", rel)
		}
	}
	clean := strings.TrimPrefix(path.Clean("/"+rel), "/")
	if clean == "" {
		return "", fmt.Errorf("sub-cgroup %q names the container's own cgroup", rel)
	}
	return clean, nil
}

func (m *Manager) names() []string {
	out := make([]string, 0, len(m.Paths))
	for n := range m.Paths {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
