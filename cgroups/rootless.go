package cgroups

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// rootless says rt runs as a user other than root. Such a user can write
// only the cgroups delegated to it (directories it owns); the others are
// left out of the container, and only a limit asked in one of them is an
// error.
var rootless = os.Geteuid() != 0

// skipUnwritable drops from m every hierarchy whose directory d the user
// could not make (mkErr) or whose cgroup.procs it cannot write, and
// remembers why for the error of a resource that needs it. It says whether
// d was dropped.
func (m *Manager) skipUnwritable(d string, mkErr error) bool {
	err := mkErr
	if err == nil {
		if err = unix.Access(d+"/cgroup.procs", unix.W_OK); err == nil {
			return false
		}
	}
	if !errors.Is(err, unix.EACCES) && !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.EROFS) {
		return false
	}
	if m.skipped == nil {
		m.skipped = map[string]string{}
	}
	for k, v := range m.Paths {
		if v == d {
			m.skipped[k] = fmt.Sprintf("cgroup %s is not writable by uid %d (%v): "+
				"a non-root rt can limit a container only in a cgroup delegated to its user "+
				"(a directory the user owns, named by linux.cgroupsPath)", d, os.Geteuid(), err)
			delete(m.Paths, k)
		}
	}
	return true
}

// skippedReason is why the hierarchy of ctrl was left out, or "".
func (m *Manager) skippedReason(ctrl string) string {
	if r := m.skipped[ctrl]; r != "" {
		return r
	}
	if m.Paths[unifiedKey] == "" {
		return m.skipped[unifiedKey]
	}
	return ""
}
