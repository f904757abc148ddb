package libcontainer

import (
	"errors"
	"fmt"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/cgroups"
)

// The commands that act on a live container through its cgroup: pause,
// resume, update, ps and events.

// locked runs fn on the container's state with its directory locked, so
// no other rt command changes the container meanwhile.
func locked(root, id string, fn func(d *stateDir, s *State) error) error {
	d, err := lockDir(root, id)
	if err != nil {
		return err
	}
	defer d.close()
	s, err := d.load()
	if err != nil {
		return err
	}
	return fn(d, s)
}

// cgroupOf is the container's cgroup, or an error saying it has none.
func (s *State) cgroupOf() (*cgroups.Manager, error) {
	if s.Cgroup == nil {
		// Only a container made by a non-root rt with no cgroup it could write.
		return nil, fmt.Errorf("container %s has no cgroup: it was created by a user who could write none (delegate one with linux.cgroupsPath)", s.ID)
	}
	return s.Cgroup, nil
}

// Pause freezes every process of a running (or created, as runc allows)
// container.
func Pause(root, id string) error {
	return locked(root, id, func(d *stateDir, s *State) error {
		st := s.status(d.path)
		if st != Running && st != Created {
			return fmt.Errorf("cannot pause container %s: it is %s, not running", id, st)
		}
		cg, err := s.cgroupOf()
		if err != nil {
			return err
		}
		if err := cg.Freeze(); err != nil {
			return fmt.Errorf("pause container %s: %w", id, err)
		}
		return nil
	})
}

// Resume thaws a paused container.
func Resume(root, id string) error {
	return locked(root, id, func(d *stateDir, s *State) error {
		st := s.status(d.path)
		if st != Paused {
			return fmt.Errorf("cannot resume container %s: it is %s, not paused", id, st)
		}
		if err := s.Cgroup.Thaw(); err != nil {
			return fmt.Errorf("resume container %s: %w", id, err)
		}
		return nil
	})
}

// Update writes new limits into a live container's cgroup. Device rules
// are not changed (runc's update ignores them too: managers pass the whole
// resources of the spec, devices included, and rewriting the rules of a
// running container would drop the devices rt allowed at create).
// Errors name the field of res (cgroups.FieldError).
func Update(root, id string, res *specs.LinuxResources) error {
	return locked(root, id, func(d *stateDir, s *State) error {
		st := s.status(d.path)
		if st == Stopped {
			return fmt.Errorf("cannot update container %s: it is stopped", id)
		}
		cg, err := s.cgroupOf()
		if err != nil {
			return err
		}
		r := *res
		r.Devices = nil
		return cg.Update(&r)
	})
}

// Processes lists the host pids of every process in the container's cgroup.
func Processes(root, id string) ([]int, error) {
	s, _, err := readState(root, id)
	if err != nil {
		return nil, err
	}
	cg, err := s.cgroupOf()
	if err != nil {
		return nil, err
	}
	pids, err := cg.Pids()
	if err != nil {
		return nil, err
	}
	if pids == nil {
		pids = []int{}
	}
	return pids, nil
}

// Event is one line of `rt events`, as runc prints it.
type Event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

// liveState reads the state of a container that must not be stopped.
func liveState(root, id string) (*State, error) {
	s, dir, err := readState(root, id)
	if err != nil {
		return nil, err
	}
	if s.status(dir) == Stopped {
		return nil, fmt.Errorf("container %s is not running", id)
	}
	if _, err := s.cgroupOf(); err != nil {
		return nil, err
	}
	return s, nil
}

// Stats is one "stats" event of a live container.
func Stats(root, id string) (*Event, error) {
	s, err := liveState(root, id)
	if err != nil {
		return nil, err
	}
	st, err := s.Cgroup.Stats()
	if err != nil {
		return nil, fmt.Errorf("stats of container %s: %w", id, err)
	}
	return &Event{Type: "stats", ID: id, Data: st}, nil
}

// oomPoll is how often Events reads the OOM-kill counter.
const oomPoll = 100 * time.Millisecond

// Events emits a "stats" event every interval and an "oom" event whenever
// the OOM killer kills a process of the container, until the container's
// init exits. A failed stats read goes to warn and the stream goes on.
//
// OOM kills are found by polling the kernel's oom_kill counter
// (memory.oom_control on v1, memory.events on v2) rather than by an
// eventfd on v1's cgroup.event_control: one method for both layouts, no fd
// to keep per watched file, and a counter cannot miss a kill that happens
// between two reads (several kills in one poll are several events).
func Events(root, id string, interval time.Duration, emit func(Event) error, warn func(error)) error {
	if interval <= 0 {
		return fmt.Errorf("events: interval %v must be positive", interval)
	}
	s, err := liveState(root, id)
	if err != nil {
		return err
	}
	pidfd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		return fmt.Errorf("container %s is not running", id)
	}
	defer unix.Close(pidfd)
	if !s.alive() {
		return fmt.Errorf("container %s is not running", id)
	}
	cg := s.Cgroup
	kills, oomErr := cg.OOMKillCount()
	checkOOM := func() error {
		if oomErr != nil {
			return nil // no memory controller: no OOM events
		}
		n, err := cg.OOMKillCount()
		if err != nil {
			return nil // the cgroup is going away with the container
		}
		for ; kills < n; kills++ {
			if err := emit(Event{Type: "oom", ID: id}); err != nil {
				return err
			}
		}
		return nil
	}
	next := time.Now().Add(interval)
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		wait := time.Until(next)
		if wait > oomPoll {
			wait = oomPoll
		}
		if wait < 0 {
			wait = 0
		}
		n, err := unix.Poll(fds, int(wait/time.Millisecond))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("events: poll pidfd of %d: %w", s.Pid, err)
		}
		if err := checkOOM(); err != nil {
			return err
		}
		if n > 0 {
			return nil // init exited: the container stopped
		}
		if now := time.Now(); !now.Before(next) {
			// Ticks missed while busy are dropped, as with a time.Ticker.
			for !next.After(now) {
				next = next.Add(interval)
			}
			st, err := cg.Stats()
			if err != nil {
				warn(fmt.Errorf("stats of container %s: %w", id, err))
				continue
			}
			if err := emit(Event{Type: "stats", ID: id, Data: st}); err != nil {
				return err
			}
		}
	}
}
