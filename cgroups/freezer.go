package cgroups

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// freezerDir returns where the container is frozen: the v1 freezer
// hierarchy if mounted, else the cgroup2 directory (cgroup.freeze, 5.2+).
func (m *Manager) freezerDir() (dir string, v2 bool, err error) {
	if d := m.Paths["freezer"]; d != "" {
		return d, false, nil
	}
	if d := m.Paths[unifiedKey]; d != "" {
		return d, true, nil
	}
	return "", false, fmt.Errorf("cgroups: the freezer controller is not available on this %s host", m.Layout)
}

// Freeze stops every process of the container and returns once the kernel
// reports them all frozen.
func (m *Manager) Freeze() error {
	dir, v2, err := m.freezerDir()
	if err != nil {
		return err
	}
	if v2 {
		return freezeV2(dir)
	}
	return freezeV1(dir)
}

// Thaw resumes the container's processes.
func (m *Manager) Thaw() error {
	dir, v2, err := m.freezerDir()
	if err != nil {
		return err
	}
	if v2 {
		if err := writeFile(dir, "cgroup.freeze", "0"); err != nil {
			return fmt.Errorf("cgroups: thaw: write cgroup.freeze in %s: %w", dir, err)
		}
		return nil
	}
	if err := writeFile(dir, "freezer.state", "THAWED"); err != nil {
		return fmt.Errorf("cgroups: thaw: write freezer.state in %s: %w", dir, err)
	}
	return nil
}

func freezeV1(dir string) error {
	// As runc: keep asking while the state is FREEZING (a task may be in
	// an uninterruptible sleep, or new tasks may be forked meanwhile),
	// thawing now and then to let a stuck fork finish.
	for i := 0; i < 1000; i++ {
		if i%50 == 49 {
			_ = writeFile(dir, "freezer.state", "THAWED")
			time.Sleep(10 * time.Millisecond)
		}
		if err := writeFile(dir, "freezer.state", "FROZEN"); err != nil {
			return fmt.Errorf("cgroups: freeze: write freezer.state in %s: %w", dir, err)
		}
		if i%25 == 24 {
			time.Sleep(10 * time.Microsecond)
		}
		state, err := readTrim(dir, "freezer.state")
		if err != nil {
			return fmt.Errorf("cgroups: freeze: read freezer.state in %s: %w", dir, err)
		}
		switch state {
		case "FROZEN":
			return nil
		case "FREEZING":
			continue
		default:
			return fmt.Errorf("cgroups: freeze: unexpected freezer.state %q in %s", state, dir)
		}
	}
	_ = writeFile(dir, "freezer.state", "THAWED")
	return fmt.Errorf("cgroups: freeze: %s stayed FREEZING", dir)
}

func freezeV2(dir string) error {
	if err := writeFile(dir, "cgroup.freeze", "1"); err != nil {
		return fmt.Errorf("cgroups: freeze: write cgroup.freeze in %s: %w", dir, err)
	}
	// The kernel sets "frozen 1" in cgroup.events once every task has
	// stopped; poll it with a growing pause (10s at most).
	delay := 50 * time.Microsecond
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := readFile(dir, "cgroup.events")
		if err != nil {
			return fmt.Errorf("cgroups: freeze: read cgroup.events in %s: %w", dir, err)
		}
		if v, ok := parseKeyed(s)["frozen"]; ok && v == 1 {
			return nil
		}
		if time.Now().After(deadline) {
			_ = writeFile(dir, "cgroup.freeze", "0")
			return fmt.Errorf("cgroups: freeze: %s did not freeze within 10s", dir)
		}
		time.Sleep(delay)
		if delay < 10*time.Millisecond {
			delay *= 2
		}
	}
}

// Frozen tells whether the container is frozen by rt (not merely by a
// frozen ancestor).
func (m *Manager) Frozen() (bool, error) {
	dir, v2, err := m.freezerDir()
	if err != nil {
		return false, err
	}
	if v2 {
		s, err := readTrim(dir, "cgroup.freeze")
		if err != nil {
			if isNotExist(err) {
				return false, nil
			}
			return false, fmt.Errorf("cgroups: read cgroup.freeze in %s: %w", dir, err)
		}
		return s == "1", nil
	}
	for i := 0; ; i++ {
		state, err := readTrim(dir, "freezer.state")
		if err != nil {
			return false, fmt.Errorf("cgroups: read freezer.state in %s: %w", dir, err)
		}
		switch state {
		case "THAWED":
			return false, nil
		case "FROZEN":
			self, err := readTrim(dir, "freezer.self_freezing")
			if err != nil {
				// Old kernel without self_freezing.
				return true, nil
			}
			return self == "1", nil
		case "FREEZING":
			if i > 1000 {
				return false, errors.New("cgroups: freezer.state stays FREEZING in " + dir)
			}
			time.Sleep(time.Millisecond)
		default:
			return false, fmt.Errorf("cgroups: unknown freezer.state %q in %s", strings.TrimSpace(state), dir)
		}
	}
}
