package libcontainer

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"rt/cgroups"
	"rt/jsongen"
)

// Status is a container's lifecycle state, as the runtime-spec names it.
type Status string

const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Paused   Status = "paused"
	Stopped  Status = "stopped"
)

// Errors callers test with errors.Is.
var (
	ErrNotExist = errors.New("container does not exist")
	ErrExist    = errors.New("container with this id already exists")
	ErrInvalid  = errors.New("invalid container id")
)

const (
	stateFile = "state.json"
	startSock = "start.sock" // present while the container waits for `rt start`
)

// State is what rt keeps on disk about one container, in --root/ID/state.json.
// Nothing in it is re-derived from config.json after create: the bundle may be gone.
type State struct {
	ID          string            `json:"id"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Pid         int               `json:"pid"`
	PidStart    uint64            `json:"pid_start"` // /proc/PID/stat starttime: catches pid reuse
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Cgroup      *cgroups.Manager  `json:"cgroup,omitempty"`
	// HostPidNS: the container shares a pid namespace it does not own, so
	// killing its init does not kill the rest: delete kills the cgroup's processes.
	HostPidNS  bool   `json:"host_pid_ns,omitempty"`
	OCIVersion string `json:"oci_version"`
	// Hooks run by later commands (poststart by start, poststop by delete).
	Hooks *specs.Hooks `json:"hooks,omitempty"`
	// The container's process and seccomp filter, which `rt exec` starts
	// from (absent in the state of an rt without exec).
	Process *specs.Process      `json:"process,omitempty"`
	Seccomp *specs.LinuxSeccomp `json:"seccomp,omitempty"`
}

// hookState is the state a hook reads on stdin, with the given status.
func (s *State) hookState(st Status) OCIState {
	return OCIState{OCIVersion: s.OCIVersion, ID: s.ID, Pid: s.Pid, Status: st, Bundle: s.Bundle,
		Rootfs: s.Rootfs, Created: s.Created, Annotations: s.Annotations}
}

// idChars reports whether id has only the bytes runc allows in an id,
// [A-Za-z0-9_+.-]. A loop, not a regexp: compiling one at every start of rt
// costs more than all the ids it will ever check.
func idChars(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ValidateID applies runc's rules: 1 to 1024 bytes of letters, digits, _ + - .,
// and not "." or "..", so an id is always a safe single path component.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalid)
	case len(id) > 1024:
		return fmt.Errorf("%w: longer than 1024 bytes", ErrInvalid)
	case id == "." || id == "..":
		return fmt.Errorf("%w: %q", ErrInvalid, id)
	case !idChars(id):
		return fmt.Errorf("%w: %q may only contain letters, digits, '_', '+', '-' and '.'", ErrInvalid, id)
	}
	return nil
}

// stateDir is an open, locked container directory.
type stateDir struct {
	path string
	fd   int
}

// sameDir reports whether d is the directory ref (an fd kept open on the
// directory create made) still names: it is not if that one was removed
// and a new one made in its place. ref being open, its inode number cannot
// have been given to the new one.
func (d *stateDir) sameDir(ref int) bool {
	var a, b unix.Stat_t
	if unix.Fstat(ref, &a) != nil || unix.Fstat(d.fd, &b) != nil {
		return false
	}
	return a.Nlink > 0 && a.Dev == b.Dev && a.Ino == b.Ino
}

// lockDir opens root/id and takes an exclusive flock on it, so two rt
// commands on one container never interleave. The lock goes with the fd.
func lockDir(root, id string) (*stateDir, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	path := filepath.Join(root, id)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("%w: %s", ErrNotExist, id)
		}
		return nil, fmt.Errorf("open state dir %s: %w", path, err)
	}
	if err := flock(fd); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock state dir %s: %w", path, err)
	}
	return &stateDir{path: path, fd: fd}, nil
}

func flock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

// newDir creates and locks root/id; it fails if the container exists.
func newDir(root, id string) (*stateDir, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create root %s: %w", root, err)
	}
	path := filepath.Join(root, id)
	if err := unix.Mkdir(path, 0o700); err != nil {
		if errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("%w: %s", ErrExist, id)
		}
		if errors.Is(err, unix.ENAMETOOLONG) {
			// Valid by runc's rules, but longer than a directory name may be here.
			return nil, fmt.Errorf("%w: %d bytes is longer than a state directory name may be under %s", ErrInvalid, len(id), root)
		}
		return nil, fmt.Errorf("create state dir %s: %w", path, err)
	}
	d, err := lockDir(root, id)
	if err != nil {
		os.Remove(path)
	}
	return d, err
}

// close unlocks the state dir and closes it. The unlock is explicit: a
// child cloned meanwhile holds a copy of the fd until its init stage closes
// it, which a frozen child (exec --ignore-paused) never gets to do, and the
// lock belongs to the open file, so closing our copy alone would keep it.
func (d *stateDir) close() {
	unix.Flock(d.fd, unix.LOCK_UN)
	unix.Close(d.fd)
}

func (d *stateDir) remove() error {
	err := os.RemoveAll(d.path)
	d.close()
	if err != nil {
		return fmt.Errorf("remove state dir %s: %w", d.path, err)
	}
	return nil
}

//go:generate go run -tags jsongen_bootstrap ./gen

// load reads state.json; a directory without one is a container still being created.
func (d *stateDir) load() (*State, error) {
	data, err := os.ReadFile(filepath.Join(d.path, stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s (still being created, or its create failed)", ErrNotExist, filepath.Base(d.path))
		}
		return nil, fmt.Errorf("read state: %w", err)
	}
	var s State
	if err := jsongen.Decode(data, &s, fastDecodeState, jsongen.Unmarshal); err != nil {
		return nil, fmt.Errorf("parse state %s: %w", filepath.Join(d.path, stateFile), err)
	}
	return &s, nil
}

// save writes state.json atomically: a temp file renamed over the old one.
//
// state_json_gen.go (go generate) holds the decoder and encoder tried
// first: encoding/json's own cost ~1 ms per process in setup.
func (d *stateDir) save(s *State) error {
	data, err := jsongen.Encode(s, fastEncodeState)
	if err != nil {
		return err
	}
	tmp := filepath.Join(d.path, ".state.json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(d.path, stateFile)); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// processStart returns the start time (clock ticks after boot) of pid, or
// ok=false when there is no such process or it is a zombie.
func processStart(pid int) (start uint64, ok bool) {
	if pid <= 0 {
		return 0, false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name may contain spaces and parentheses: fields start after the last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return 0, false
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return start, err == nil
}

// alive says whether the container's init is the same live process rt started.
func (s *State) alive() bool {
	start, ok := processStart(s.Pid)
	return ok && start == s.PidStart
}

// status derives the state from the live process, never from a stored word.
func (s *State) status(dir string) Status {
	if !s.alive() {
		return Stopped
	}
	if s.Cgroup != nil {
		if frozen, err := s.Cgroup.Frozen(); err == nil && frozen {
			return Paused
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, startSock)); err == nil {
		return Created
	}
	return Running
}
