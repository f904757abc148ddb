package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/nsenter"
)

// Options are the facts about the container and host that the plan depends on.
type Options struct {
	Bundle   string // absolute
	NoPivot  bool
	UserNS   bool // the container is in a user namespace: devices are bind-mounted, not made
	CgroupNS bool // the container has a new cgroup namespace
	// NetNS says the container has a new network namespace (owned by its
	// user namespace, when it has one).
	NetNS bool
	// CgroupV2 says the host's cgroup tree is unified only.
	CgroupV2 bool
	// Trees are the idmapped binds rt made (OpenIDMapped), by mount index.
	Trees Trees
	// CgroupPaths maps a hierarchy name ("memory", ..., "unified") to the
	// container's cgroup directory on the host, for type "cgroup" mounts.
	CgroupPaths map[string]string
}

// Plan appends to p the operations that build the container's filesystem:
// the rootfs, every mount, /dev, pivot_root, masked and read-only paths.
// Mount sources are checked here, so a missing one fails before any clone.
func Plan(p *nsenter.Program, s *specs.Spec, o Options) error {
	root := s.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(o.Bundle, root)
	}
	// pivot_root (and MS_MOVE) refuse a shared new root or parent: with
	// shared propagation asked for, build the root as rslave and share it
	// once it is in place.
	prop := RootPropagation(s.Linux.RootfsPropagation)
	setup := prop
	if prop&msShared != 0 {
		setup = msSlave | msRec
	}
	p.RootPropagation(setup)
	p.Rootfs(root)

	bindDev := false
	for i, m := range s.Mounts {
		desc := fmt.Sprintf("mounts[%d] (%s on %s)", i, mountType(m), m.Destination)
		opts := ParseOptions(m.Options)
		if m.Destination == "/dev" && opts.Bind {
			bindDev = true
		}
		var err error
		switch {
		case opts.Bind:
			err = planBind(p, desc, i, m, opts, o)
		case m.Type == "cgroup" || m.Type == "cgroup2":
			err = planCgroup(p, desc, m, opts, o)
		case m.Type == "sysfs" && o.UserNS && !o.NetNS:
			// The kernel mounts sysfs only for the owner of the network
			// namespace; in a user namespace without a network namespace
			// of its own, bind the host's /sys (as runc does).
			desc = fmt.Sprintf("mounts[%d] (sysfs on %s, bound from the host's /sys: no network namespace of the user namespace)", i, m.Destination)
			p.MountBind(desc, nsenter.Bind{
				Src: "/sys", Dest: m.Destination, Kind: nsenter.KindDir, Recursive: true,
				Attr:        nsenter.Attr{Set: opts.Attr.set, Clear: opts.Attr.clear},
				RecAttr:     nsenter.Attr{Set: opts.RecAttr.set, Clear: opts.RecAttr.clear},
				Propagation: opts.Propagation,
			})
		default:
			p.MountFS(desc, nsenter.FS{
				Type: m.Type, Source: m.Source, Dest: m.Destination, Kind: nsenter.KindDir,
				Attr:        nsenter.Attr{Set: opts.Attr.set, Clear: opts.Attr.clear},
				Propagation: opts.Propagation, Options: opts.Data,
			})
		}
		if err != nil {
			return err
		}
	}
	if !bindDev {
		planDev(p, s, o)
	}
	p.Pivot(o.NoPivot)
	if setup != prop {
		p.RootPropagation(prop)
	}

	keys := make([]string, 0, len(s.Linux.Sysctl))
	for k := range s.Linux.Sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.WriteRoot("linux.sysctl."+k, "/proc/sys/"+strings.ReplaceAll(k, ".", "/"), s.Linux.Sysctl[k])
	}
	for i, path := range s.Linux.MaskedPaths {
		p.Mask(fmt.Sprintf("linux.maskedPaths[%d] (%s)", i, path), path)
	}
	for i, path := range s.Linux.ReadonlyPaths {
		p.Readonly(fmt.Sprintf("linux.readonlyPaths[%d] (%s)", i, path), path)
	}
	if s.Root.Readonly {
		p.SetAttr("root.readonly", "/", nsenter.Attr{Set: attrRdonly}, false)
	}
	return nil
}

func mountType(m specs.Mount) string {
	if m.Type == "" {
		return "bind"
	}
	return m.Type
}

func planBind(p *nsenter.Program, desc string, i int, m specs.Mount, opts MountOptions, o Options) error {
	src := m.Source
	if src == "" {
		return fmt.Errorf("mounts[%d].source: missing for a bind mount", i)
	}
	if !filepath.IsAbs(src) {
		src = filepath.Join(o.Bundle, src)
	}
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("mounts[%d].source: %w", i, err)
	}
	kind := nsenter.KindDir
	if !st.IsDir() {
		kind = nsenter.KindFile
	}
	b := nsenter.Bind{
		Src: src, Dest: m.Destination, Kind: kind, Recursive: opts.Recursive,
		Attr:        nsenter.Attr{Set: opts.Attr.set, Clear: opts.Attr.clear},
		RecAttr:     nsenter.Attr{Set: opts.RecAttr.set, Clear: opts.RecAttr.clear},
		Propagation: opts.Propagation,
	}
	if fd, ok := o.Trees[i]; ok {
		p.MountTree(desc+" idmapped", fd, b)
		return nil
	}
	p.MountBind(desc, b)
	return nil
}

// planCgroup mounts the container's view of the cgroup tree: the container's
// own directory of each hierarchy, bind-mounted, so it never sees the
// host's tree.
//
// A cgroup mount made in the container's cgroup namespace would show the
// same: the kernel reuses the host's superblock, with the namespace's root
// (the container's cgroup, joined before the unshare) as the mount's root,
// and mountinfo shows that root as "/" to a reader in the namespace, for a
// bind too. The bind costs two system calls, where a fresh mount takes five
// and the kernel walks every cgroup on the host (draining offline ones) for
// each hierarchy mounted. In a user namespace, though, a bind of a host
// mount keeps its flags locked (a read-only host cgroupfs would stay so),
// and the fresh mount is what a container there may make itself: there each
// hierarchy is mounted fresh.
func planCgroup(p *nsenter.Program, desc string, m specs.Mount, opts MountOptions, o Options) error {
	attrs := nsenter.Attr{Set: opts.Attr.set, Clear: opts.Attr.clear}
	fresh := o.CgroupNS && o.UserNS
	if o.CgroupV2 {
		if fresh {
			p.MountFS(desc, nsenter.FS{Type: "cgroup2", Source: "cgroup2", Dest: m.Destination, Attr: attrs})
		} else if dir := o.CgroupPaths["unified"]; dir != "" {
			p.MountBind(desc+" bound from "+dir, nsenter.Bind{Src: dir, Dest: m.Destination, Attr: attrs})
		}
		return nil
	}
	// v1 or hybrid: a tmpfs holding one directory per hierarchy.
	p.MountFS(desc, nsenter.FS{Type: "tmpfs", Source: "tmpfs", Dest: m.Destination,
		Attr: nsenter.Attr{Set: attrs.Set &^ attrRdonly, Clear: attrs.Clear}, Options: []string{"mode=755"}})
	hier := map[string][]string{} // hierarchy dir name -> controllers
	dirOf := map[string]string{}
	for ctrl, path := range o.CgroupPaths {
		if ctrl == "unified" {
			continue
		}
		rel := strings.TrimPrefix(path, "/sys/fs/cgroup/")
		h, _, _ := strings.Cut(rel, "/")
		hier[h] = append(hier[h], ctrl)
		dirOf[h] = path
	}
	names := make([]string, 0, len(hier))
	for h := range hier {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		dest := filepath.Join(m.Destination, h)
		if fresh {
			p.MountFS(desc+" "+h, nsenter.FS{Type: "cgroup", Source: "cgroup", Dest: dest, Attr: attrs, Options: strings.Split(h, ",")})
		} else {
			p.MountBind(desc+" "+h+" bound from "+dirOf[h], nsenter.Bind{Src: dirOf[h], Dest: dest, Attr: attrs})
		}
		for _, ctrl := range hier[h] {
			if ctrl != h {
				p.Symlink(h, filepath.Join(m.Destination, ctrl))
			}
		}
	}
	if dir := o.CgroupPaths["unified"]; dir != "" {
		dest := filepath.Join(m.Destination, "unified")
		if fresh {
			p.MountFS(desc+" unified", nsenter.FS{Type: "cgroup2", Source: "cgroup2", Dest: dest, Attr: attrs})
		} else {
			p.MountBind(desc+" unified bound from "+dir, nsenter.Bind{Src: dir, Dest: dest, Attr: attrs})
		}
	}
	if attrs.Set&attrRdonly != 0 {
		p.SetAttr(desc+" read-only", m.Destination, nsenter.Attr{Set: attrRdonly}, false)
	}
	return nil
}

// defaultDevices are the nodes every container gets (runtime-spec "Default Devices").
var defaultDevices = []specs.LinuxDevice{
	{Path: "/dev/null", Type: "c", Major: 1, Minor: 3},
	{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5},
	{Path: "/dev/full", Type: "c", Major: 1, Minor: 7},
	{Path: "/dev/random", Type: "c", Major: 1, Minor: 8},
	{Path: "/dev/urandom", Type: "c", Major: 1, Minor: 9},
	{Path: "/dev/tty", Type: "c", Major: 5, Minor: 0},
}

func planDev(p *nsenter.Program, s *specs.Spec, o Options) {
	mode := os.FileMode(0o666)
	for _, d := range defaultDevices {
		d.FileMode = &mode
		planDevice(p, "default device "+d.Path, d, o.UserNS)
	}
	for i, d := range s.Linux.Devices {
		planDevice(p, fmt.Sprintf("linux.devices[%d] (%s)", i, d.Path), d, o.UserNS)
	}
	p.Symlink("/proc/self/fd", "/dev/fd")
	p.Symlink("/proc/self/fd/0", "/dev/stdin")
	p.Symlink("/proc/self/fd/1", "/dev/stdout")
	p.Symlink("/proc/self/fd/2", "/dev/stderr")
	p.Symlink("pts/ptmx", "/dev/ptmx")
	if _, err := os.Stat("/proc/kcore"); err == nil {
		p.Symlink("/proc/kcore", "/dev/core")
	}
}

func planDevice(p *nsenter.Program, desc string, d specs.LinuxDevice, userNS bool) {
	if userNS {
		// mknod is not allowed in a user namespace: bind the host's node instead.
		p.BindDev(desc, d.Path, d.Path)
		return
	}
	var kind uint32
	switch d.Type {
	case "c", "u":
		kind = unix.S_IFCHR
	case "b":
		kind = unix.S_IFBLK
	case "p":
		kind = unix.S_IFIFO
	}
	perm := uint32(0o666)
	if d.FileMode != nil {
		perm = uint32(*d.FileMode) & 0o7777
	}
	var uid, gid uint32
	if d.UID != nil {
		uid = *d.UID
	}
	if d.GID != nil {
		gid = *d.GID
	}
	p.Mknod(desc, d.Path, uint64(kind|perm), unix.Mkdev(uint32(d.Major), uint32(d.Minor)), uid, gid)
}
