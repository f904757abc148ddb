package cgroups

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Create makes the container's directories and writes res (which may be
// nil) into them, before any process joins. On error it removes every
// directory it made and returns an error naming the offending field of the
// spec (see FieldError).
func (m *Manager) Create(res *specs.LinuxResources) (err error) {
	if err := validate(res); err != nil {
		return err
	}
	var made []string
	defer func() {
		if err != nil {
			removeMade(made)
		}
	}()
	dirs := m.dirs()
	for _, d := range dirs {
		err := mkdirTrack(d, &made)
		if rootless && m.skipUnwritable(d, err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cgroups: create %s: %w", d, err)
		}
	}
	fresh := make(map[string]bool, len(made))
	for _, d := range made {
		fresh[d] = true
	}
	if d := m.Paths["cpuset"]; d != "" {
		var cpus, mems string
		if res != nil && res.CPU != nil {
			cpus, mems = res.CPU.Cpus, res.CPU.Mems
		}
		if err := m.ensureCpuset(d, cpus, mems, fresh); err != nil {
			return err
		}
	}
	if m.Layout == V2 && m.Paths[unifiedKey] != "" {
		// As runc: enable every controller the root offers, down to
		// the container's parent.
		if err := m.ensureUnified(m.unifiedControllers(), fresh); err != nil {
			return err
		}
	}
	if err := m.newApplier(false, fresh).apply(res); err != nil {
		return err
	}
	// Remember the ancestors made here (not the leaves) for Destroy.
	leaf := make(map[string]bool, len(dirs))
	for _, d := range dirs {
		leaf[d] = true
	}
	m.Created = m.Created[:0]
	for _, d := range made {
		if !leaf[d] {
			m.Created = append(m.Created, d)
		}
	}
	if len(m.Created) == 0 {
		m.Created = nil
	}
	return nil
}

// Update writes the set fields of res into the existing directories, with
// the same rules as Create.
func (m *Manager) Update(res *specs.LinuxResources) error {
	if err := validate(res); err != nil {
		return err
	}
	return m.newApplier(true, nil).apply(res)
}

// Join moves process pid into every directory of the container.
func (m *Manager) Join(pid int) error { return joinDirs(pid, m.dirs()) }

// JoinV1 moves pid into every directory but the cgroup2 one, for a process
// clone3 already put there with CLONE_INTO_CGROUP.
func (m *Manager) JoinV1(pid int) error { return joinDirs(pid, m.V1Dirs()) }

// V1Dirs are the container's directories in cgroup v1 hierarchies: all
// but the cgroup2 one.
func (m *Manager) V1Dirs() []string {
	var dirs []string
	for _, d := range m.dirs() {
		if d != m.Paths[unifiedKey] {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// JoinUnified moves pid into the cgroup2 directory only, for a process
// that joined the v1 hierarchies itself.
func (m *Manager) JoinUnified(pid int) error {
	if d := m.Paths[unifiedKey]; d != "" {
		return joinDirs(pid, []string{d})
	}
	return nil
}

// UnifiedDir is the container's cgroup2 directory, or "" (a v1 host).
func (m *Manager) UnifiedDir() string { return m.Paths[unifiedKey] }

func joinDirs(pid int, dirs []string) error {
	p := strconv.Itoa(pid)
	for _, d := range dirs {
		if err := writeFile(d, "cgroup.procs", p); err != nil {
			if errors.Is(err, unix.ENOSPC) && strings.Contains(d, "cpuset") {
				return fmt.Errorf("cgroups: join %d: write cgroup.procs in %s: %w (cpuset.cpus or cpuset.mems is empty)", pid, d, err)
			}
			return fmt.Errorf("cgroups: join %d: write cgroup.procs in %s: %w", pid, d, err)
		}
	}
	return nil
}

// Destroy removes the container's directories, their child cgroups first,
// retrying a little while a dying process keeps one busy, then the empty
// ancestors Create made. Missing directories are fine.
func (m *Manager) Destroy() error {
	var errs []error
	for _, d := range m.dirs() {
		if err := removeCgroup(d); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(m.Created) - 1; i >= 0; i-- {
		// Shared with other containers maybe: only if empty, no retry.
		_ = unix.Rmdir(m.Created[i])
	}
	return errors.Join(errs...)
}

// DestroyIfEmpty removes the cgroups if no process is left in them, without
// listing their processes: the kernel refuses to remove a cgroup that has
// one (or a child cgroup). It tries the directory Pids reads first, and when
// that one stays it reports false having removed nothing, so that Pids and
// Destroy can then kill what is left and remove the rest.
func (m *Manager) DestroyIfEmpty() bool {
	first := m.pidsDir()
	if first == "" {
		return false
	}
	if err := unix.Rmdir(first); err != nil && err != unix.ENOENT {
		return false
	}
	return m.Destroy() == nil
}

// mkdirTrack makes dir and its missing ancestors, appending each directory
// it made to made, parents first.
func mkdirTrack(dir string, made *[]string) error {
	err := unix.Mkdir(dir, 0o755)
	switch err {
	case nil:
		*made = append(*made, dir)
		return nil
	case unix.EEXIST:
		return nil
	case unix.ENOENT:
		parent := path.Dir(dir)
		if parent == dir || parent == "/" {
			return err
		}
		if err := mkdirTrack(parent, made); err != nil {
			return err
		}
		if err := unix.Mkdir(dir, 0o755); err != nil {
			if err == unix.EEXIST {
				return nil
			}
			return err
		}
		*made = append(*made, dir)
		return nil
	}
	return err
}

// removeMade removes the directories a failed Create made, children first.
func removeMade(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		_ = unix.Rmdir(made[i])
	}
}

// removeCgroup removes dir and the cgroups below it.
func removeCgroup(dir string) error {
	delay := time.Millisecond
	for try := 0; ; try++ {
		err := unix.Rmdir(dir)
		if err == nil || err == unix.ENOENT {
			return nil
		}
		if err != unix.EBUSY && err != unix.ENOTEMPTY && err != unix.EEXIST {
			return fmt.Errorf("cgroups: remove %s: %w", dir, err)
		}
		// Children first; if there were some, retry at once.
		if subs, _ := subdirs(dir); len(subs) > 0 {
			var errs []error
			for _, s := range subs {
				if err := removeCgroup(s); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) > 0 {
				return errors.Join(errs...)
			}
			continue
		}
		// Processes still leaving (exiting, being reaped).
		if try >= 9 {
			return fmt.Errorf("cgroups: remove %s: %w", dir, err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}

// ensureCpuset fills cpuset.cpus and cpuset.mems of a v1 cpuset cgroup
// made by this Create (the kernel leaves them empty, and joining an empty
// cpuset fails with ENOSPC) and of any such ancestor: the spec's value for
// the leaf if given, else a copy of the nearest non-empty ancestor's.
func (m *Manager) ensureCpuset(leaf, cpus, mems string, fresh map[string]bool) error {
	fs := m.ops()
	for _, x := range []struct{ file, val, field string }{
		{"cpuset.cpus", cpus, "linux.resources.cpu.cpus"},
		{"cpuset.mems", mems, "linux.resources.cpu.mems"},
	} {
		parent := path.Dir(leaf)
		if x.val != "" && !fresh[parent] {
			// The parent is not ours: write the leaf's value straight.
			if err := fs.write(leaf, x.file, x.val); err != nil {
				return writeErr(x.field, leaf, x.file, err)
			}
			continue
		}
		if !fresh[leaf] {
			cur, err := fs.read(leaf, x.file)
			if err != nil {
				return fmt.Errorf("cgroups: read %s in %s: %w", x.file, leaf, err)
			}
			if strings.TrimSpace(cur) != "" {
				continue
			}
		}
		// Dirs to fill, leaf first.
		chain := []string{leaf}
		p := parent
		for fresh[p] {
			chain = append(chain, p)
			p = path.Dir(p)
		}
		var val string
		for {
			s, err := fs.read(p, x.file)
			if err != nil {
				return fmt.Errorf("cgroups: read %s in %s: %w", x.file, p, err)
			}
			if val = strings.TrimSpace(s); val != "" {
				break
			}
			chain = append(chain, p)
			if p = path.Dir(p); p == "/" {
				return fmt.Errorf("cgroups: no ancestor of %s has a %s", leaf, x.file)
			}
		}
		for i := len(chain) - 1; i >= 0; i-- {
			v, field := val, ""
			if i == 0 && x.val != "" {
				v, field = x.val, x.field
			}
			if err := fs.write(chain[i], x.file, v); err != nil {
				if field != "" {
					return writeErr(field, chain[i], x.file, err)
				}
				return fmt.Errorf("cgroups: copy %s %q into %s: %w", x.file, v, chain[i], err)
			}
		}
	}
	return nil
}

// ensureUnified enables the controllers need in cgroup.subtree_control of
// every ancestor of the cgroup2 directory, from the root down: a
// controller's files appear in a cgroup only when its parent delegates it.
// Failures are left for the resource writes to report (as runc does), since
// an ancestor with processes of its own cannot delegate.
func (m *Manager) ensureUnified(need []string, fresh map[string]bool) error {
	leaf, root := m.Paths[unifiedKey], m.unifiedRoot
	if len(need) == 0 || leaf == "" || root == "" || !strings.HasPrefix(leaf, root+"/") {
		return nil
	}
	fs := m.ops()
	anc := []string{root}
	rel := strings.TrimPrefix(path.Dir(leaf), root)
	cur := root
	for _, c := range strings.Split(rel, "/") {
		if c != "" {
			cur += "/" + c
			anc = append(anc, cur)
		}
	}
	for _, a := range anc {
		missing := need
		if !fresh[a] {
			s, err := fs.read(a, "cgroup.subtree_control")
			if err != nil {
				return fmt.Errorf("cgroups: read cgroup.subtree_control in %s: %w", a, err)
			}
			on := strings.Fields(s)
			missing = nil
			for _, n := range need {
				found := false
				for _, o := range on {
					if o == n {
						found = true
						break
					}
				}
				if !found {
					missing = append(missing, n)
				}
			}
		}
		if len(missing) == 0 {
			continue
		}
		if err := fs.write(a, "cgroup.subtree_control", "+"+strings.Join(missing, " +")); err != nil && len(missing) > 1 {
			for _, c := range missing {
				_ = fs.write(a, "cgroup.subtree_control", "+"+c)
			}
		}
	}
	return nil
}
