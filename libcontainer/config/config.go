// Package config loads a bundle's config.json and checks it once, at the
// boundary, so that every later step can trust it. Every error names the JSON
// path of the field that is wrong (e.g. "process.rlimits[1].type").
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"rt/jsongen"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Load reads and validates bundle/config.json. The bundle path is made absolute.
func Load(bundle string) (*specs.Spec, string, error) {
	abs, err := filepath.Abs(bundle)
	if err != nil {
		return nil, "", fmt.Errorf("bundle %s: %w", bundle, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, "", fmt.Errorf("bundle %s: %w", abs, err)
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("bundle %s: not a directory", abs)
	}
	path := filepath.Join(abs, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read config: %w", err)
	}
	spec, err := Parse(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if err := Validate(spec, abs); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return spec, abs, nil
}

// Parse decodes config.json, reporting syntax errors by line and column and
// type errors by JSON path.
func Parse(data []byte) (*specs.Spec, error) {
	var spec specs.Spec
	err := jsongen.Decode(data, &spec, fastDecodeSpec, func(data []byte, v *specs.Spec) error { return decode(data, v, "") })
	if err != nil {
		return nil, err
	}
	return &spec, nil
}

//go:generate go run ./gen

// decode unmarshals data into v; a type error names the field's JSON path,
// prefixed with prefix (the path of v in config.json, "" for the root).
func decode(data []byte, v any, prefix string) error {
	if err := json.Unmarshal(data, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := position(data, se.Offset-syntaxOffsetPast())
			return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, se)
		case errors.As(err, &te):
			line, col := position(data, te.Offset)
			f := te.Field
			if prefix != "" {
				f = strings.TrimSuffix(prefix+"."+f, ".")
			}
			return fmt.Errorf("%s: cannot use JSON %s as %v (line %d, column %d)", f, te.Value, te.Type, line, col)
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// syntaxOffsetPast is how far past the offending byte a SyntaxError's
// Offset points: 1 with the classic decoder, 0 with the one built on
// encoding/json/v2 (GOEXPERIMENT=jsonv2, which the Makefile uses where it
// exists because it decodes config.json in half the time). Asked of the
// decoder itself, on the error path only.
func syntaxOffsetPast() int64 {
	var v any
	var se *json.SyntaxError
	if errors.As(json.Unmarshal([]byte("{,"), &v), &se) {
		return se.Offset - 1 // the ',' is at offset 1
	}
	return 1
}

func position(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// FieldError is a config field with a bad value.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

func field(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// NamespaceFlags maps runtime-spec namespace types to CLONE_NEW* flags.
var NamespaceFlags = map[specs.LinuxNamespaceType]uint64{
	specs.PIDNamespace:     0x20000000,
	specs.NetworkNamespace: 0x40000000,
	specs.MountNamespace:   0x00020000,
	specs.IPCNamespace:     0x08000000,
	specs.UTSNamespace:     0x04000000,
	specs.UserNamespace:    0x10000000,
	specs.CgroupNamespace:  0x02000000,
	specs.TimeNamespace:    0x00000080,
}

// Validate checks what rt relies on. bundle is the absolute bundle directory.
func Validate(s *specs.Spec, bundle string) error {
	if s.Version == "" {
		return field("ociVersion", "missing")
	}
	if !strings.HasPrefix(s.Version, "1.") {
		return field("ociVersion", "%q is not a 1.x runtime-spec version", s.Version)
	}
	if s.Root == nil || s.Root.Path == "" {
		return field("root.path", "missing")
	}
	root := s.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(bundle, root)
	}
	if st, err := os.Stat(root); err != nil {
		return field("root.path", "%v", err)
	} else if !st.IsDir() {
		return field("root.path", "%s is not a directory", root)
	}
	if s.Linux == nil {
		return field("linux", "missing: rt runs Linux containers")
	}
	if err := validateProcess(s); err != nil {
		return err
	}
	if err := validateNamespaces(s); err != nil {
		return err
	}
	if err := validateHooks(s); err != nil {
		return err
	}
	if err := validateUnsupported(s); err != nil {
		return err
	}
	for i, m := range s.Mounts {
		p := fmt.Sprintf("mounts[%d]", i)
		if m.Destination == "" {
			return field(p+".destination", "missing")
		}
		if !filepath.IsAbs(m.Destination) {
			return field(p+".destination", "%q is not an absolute path", m.Destination)
		}
		if m.Type == "" && !slices.Contains(m.Options, "bind") && !slices.Contains(m.Options, "rbind") {
			return field(p+".type", "missing: only a bind mount (options \"bind\" or \"rbind\") may leave it out")
		}
		if err := validateMountIDMap(s, p, m); err != nil {
			return err
		}
	}
	for i, d := range s.Linux.Devices {
		p := fmt.Sprintf("linux.devices[%d]", i)
		if !filepath.IsAbs(d.Path) {
			return field(p+".path", "%q is not an absolute path", d.Path)
		}
		switch d.Type {
		case "c", "b", "u", "p":
		default:
			return field(p+".type", "unknown device type %q (want c, b, u or p)", d.Type)
		}
	}
	for i, p := range s.Linux.MaskedPaths {
		if !filepath.IsAbs(p) {
			return field(fmt.Sprintf("linux.maskedPaths[%d]", i), "%q is not an absolute path", p)
		}
	}
	for i, p := range s.Linux.ReadonlyPaths {
		if !filepath.IsAbs(p) {
			return field(fmt.Sprintf("linux.readonlyPaths[%d]", i), "%q is not an absolute path", p)
		}
	}
	switch s.Linux.RootfsPropagation {
	case "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable":
	default:
		return field("linux.rootfsPropagation", "unknown propagation %q", s.Linux.RootfsPropagation)
	}
	if s.Linux.IntelRdt != nil {
		return field("linux.intelRdt", "Intel RDT (resctrl) is not supported by rt")
	}
	return validateSysctl(s)
}

func validateProcess(s *specs.Spec) error { return ValidateProcess(s.Process) }

// ValidateProcess checks a runtime-spec process object: config.json's, or
// the one `rt exec --process` reads. Errors name the field from "process".
func ValidateProcess(p *specs.Process) error {
	if p == nil {
		return field("process", "missing")
	}
	if len(p.Args) == 0 || p.Args[0] == "" {
		return field("process.args", "missing: the program to run")
	}
	if p.Cwd == "" {
		return field("process.cwd", "missing")
	}
	if !filepath.IsAbs(p.Cwd) {
		return field("process.cwd", "%q is not an absolute path", p.Cwd)
	}
	for i, e := range p.Env {
		if !strings.Contains(e, "=") {
			return field(fmt.Sprintf("process.env[%d]", i), "%q is not of the form KEY=value", e)
		}
	}
	for i, r := range p.Rlimits {
		path := fmt.Sprintf("process.rlimits[%d]", i)
		if _, ok := Rlimits[r.Type]; !ok {
			return field(path+".type", "unknown rlimit %q", r.Type)
		}
		if r.Soft > r.Hard {
			return field(path, "soft limit %d is above hard limit %d", r.Soft, r.Hard)
		}
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		return field("process.oomScoreAdj", "%d is outside -1000..1000", *p.OOMScoreAdj)
	}
	return nil
}

func validateNamespaces(s *specs.Spec) error {
	seen := map[specs.LinuxNamespaceType]bool{}
	for i, ns := range s.Linux.Namespaces {
		p := fmt.Sprintf("linux.namespaces[%d]", i)
		if _, ok := NamespaceFlags[ns.Type]; !ok {
			return field(p+".type", "unknown namespace type %q", ns.Type)
		}
		if seen[ns.Type] {
			return field(p+".type", "namespace %q is listed twice", ns.Type)
		}
		seen[ns.Type] = true
		if ns.Path != "" {
			if !filepath.IsAbs(ns.Path) {
				return field(p+".path", "%q is not an absolute path", ns.Path)
			}
			if _, err := os.Stat(ns.Path); err != nil {
				return field(p+".path", "%v", err)
			}
			if ns.Type == specs.MountNamespace {
				// The rootfs is set up where the child is: binds, mounts and
				// pivot_root (which moves the root of every process there)
				// would land in the joined namespace, the host's for /proc/1/ns/mnt.
				return field(p+".path", "joining an existing mount namespace is not supported: rt sets up the rootfs in a new one")
			}
		}
	}
	if !seen[specs.MountNamespace] {
		return field("linux.namespaces", "a mount namespace is required to set up the rootfs")
	}
	if s.Hostname != "" && !HasNewNamespace(s, specs.UTSNamespace) {
		return field("hostname", "cannot set the hostname without a new uts namespace")
	}
	if s.Domainname != "" && !HasNewNamespace(s, specs.UTSNamespace) {
		return field("domainname", "cannot set the domainname without a new uts namespace")
	}
	if HasNamespace(s, specs.UserNamespace) {
		if HasNewNamespace(s, specs.UserNamespace) && (len(s.Linux.UIDMappings) == 0 || len(s.Linux.GIDMappings) == 0) {
			return field("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings")
		}
		if HasNewNamespace(s, specs.UserNamespace) {
			if err := checkMappings(s); err != nil {
				return err
			}
		}
	} else if len(s.Linux.UIDMappings) > 0 || len(s.Linux.GIDMappings) > 0 {
		return field("linux.uidMappings", "mappings need a user namespace in linux.namespaces")
	}
	if len(s.Linux.TimeOffsets) > 0 && !HasNewNamespace(s, specs.TimeNamespace) {
		return field("linux.timeOffsets", "offsets need a new time namespace")
	}
	return nil
}

// checkMappings checks the mappings of a new user namespace: ids in range,
// no overlap, and mapped ids for root (the init stage sets the container up
// as root of the namespace) and for process.user.
func checkMappings(s *specs.Spec) error {
	for _, m := range []struct {
		path string
		ids  []specs.LinuxIDMapping
		id   uint32
		what string
	}{
		{"linux.uidMappings", s.Linux.UIDMappings, s.Process.User.UID, "process.user.uid"},
		{"linux.gidMappings", s.Linux.GIDMappings, s.Process.User.GID, "process.user.gid"},
	} {
		if err := checkIDMap(m.path, m.ids); err != nil {
			return err
		}
		if !mapped(m.ids, 0) {
			return field(m.path, "no mapping for id 0: rt sets the container up as root of its user namespace, so root must be mapped")
		}
		if !mapped(m.ids, m.id) {
			return field(m.path, "no mapping covers %s %d", m.what, m.id)
		}
	}
	return nil
}

// checkIDMap refuses what the kernel would refuse with a bare EINVAL when
// the map is written: empty ranges, ranges past 2^32, overlapping ranges.
func checkIDMap(path string, ids []specs.LinuxIDMapping) error {
	const maxLines = 340 // the kernel's limit on the lines of uid_map
	if len(ids) > maxLines {
		return field(path, "%d ranges; the kernel takes at most %d", len(ids), maxLines)
	}
	for i, e := range ids {
		p := fmt.Sprintf("%s[%d]", path, i)
		if e.Size == 0 {
			return field(p+".size", "0: a mapping needs at least one id")
		}
		if uint64(e.ContainerID)+uint64(e.Size) > 1<<32 || uint64(e.HostID)+uint64(e.Size) > 1<<32 {
			return field(p, "containerID %d, hostID %d, size %d runs past the 32-bit id space", e.ContainerID, e.HostID, e.Size)
		}
		for j := 0; j < i; j++ {
			o := ids[j]
			if overlaps(e.ContainerID, o.ContainerID, e.Size, o.Size) {
				return field(p+".containerID", "range overlaps the container ids of %s[%d]", path, j)
			}
			if overlaps(e.HostID, o.HostID, e.Size, o.Size) {
				return field(p+".hostID", "range overlaps the host ids of %s[%d]", path, j)
			}
		}
	}
	return nil
}

func overlaps(a, b, asize, bsize uint32) bool {
	return uint64(a) < uint64(b)+uint64(bsize) && uint64(b) < uint64(a)+uint64(asize)
}

// validateMountIDMap checks an idmapped mount (runtime-spec 1.1): uid and
// gid mappings together, a bind mount, and with the idmap or ridmap option
// but no mappings of its own, a user namespace whose mappings it takes.
func validateMountIDMap(s *specs.Spec, p string, m specs.Mount) error {
	var bind, idmap bool
	for _, o := range m.Options {
		switch o {
		case "bind", "rbind":
			bind = true
		case "idmap", "ridmap":
			idmap = true
		}
	}
	if len(m.UIDMappings) == 0 && len(m.GIDMappings) == 0 && !idmap {
		return nil
	}
	if !bind {
		return field(p+".options", "an idmapped mount must be a bind mount (\"bind\" or \"rbind\")")
	}
	switch {
	case len(m.UIDMappings) > 0 && len(m.GIDMappings) == 0:
		return field(p+".gidMappings", "missing: uidMappings and gidMappings go together")
	case len(m.GIDMappings) > 0 && len(m.UIDMappings) == 0:
		return field(p+".uidMappings", "missing: uidMappings and gidMappings go together")
	case len(m.UIDMappings) == 0:
		if !HasNewNamespace(s, specs.UserNamespace) || len(s.Linux.UIDMappings) == 0 {
			return field(p+".options", "idmap without uidMappings and gidMappings takes the container's user namespace mappings, and there are none")
		}
		return nil
	}
	if err := checkIDMap(p+".uidMappings", m.UIDMappings); err != nil {
		return err
	}
	return checkIDMap(p+".gidMappings", m.GIDMappings)
}

func mapped(m []specs.LinuxIDMapping, id uint32) bool {
	for _, e := range m {
		if id >= e.ContainerID && id-e.ContainerID < e.Size {
			return true
		}
	}
	return false
}

// HasNamespace says whether the config has a namespace of type t, new or joined.
func HasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// HasNewNamespace says whether the config asks for a new namespace of type t.
func HasNewNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t && ns.Path == "" {
			return true
		}
	}
	return false
}

// Rlimits maps runtime-spec rlimit names to RLIMIT_* numbers.
var Rlimits = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
	"RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
	"RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

// validateSysctl accepts only keys that belong to a namespace the container
// has its own copy of; anything else would change the host.
func validateSysctl(s *specs.Spec) error {
	for k := range s.Linux.Sysctl {
		p := "linux.sysctl." + k
		switch {
		case strings.HasPrefix(k, "kernel.msg"), strings.HasPrefix(k, "kernel.sem"), strings.HasPrefix(k, "kernel.shm"), strings.HasPrefix(k, "fs.mqueue."):
			if !HasNewNamespace(s, specs.IPCNamespace) {
				return field(p, "needs a new ipc namespace")
			}
		case strings.HasPrefix(k, "net."):
			if !HasNamespace(s, specs.NetworkNamespace) {
				return field(p, "needs a network namespace")
			}
		case k == "kernel.hostname" || k == "kernel.domainname":
			if !HasNewNamespace(s, specs.UTSNamespace) {
				return field(p, "needs a new uts namespace")
			}
		default:
			return field(p, "not a namespaced sysctl: setting it would change the host")
		}
		if strings.Contains(k, "/") || strings.Contains(k, "..") {
			return field(p, "invalid key")
		}
	}
	return nil
}
