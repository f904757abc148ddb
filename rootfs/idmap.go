package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"rt/nsenter"
)

// Trees are detached mounts rt makes before the clone, by index in
// config.json's mounts, for the child to attach (RT_OP_MOUNT_TREE).
type Trees map[int]int

// Close closes rt's copies of the trees' fds (the child has its own).
func (t Trees) Close() {
	for _, fd := range t {
		unix.Close(fd)
	}
}

// FDs lists the fds, for the child to keep.
func (t Trees) FDs() []int {
	out := make([]int, 0, len(t))
	for _, fd := range t {
		out = append(out, fd)
	}
	return out
}

// IsIDMapped says whether a mount asks for an idmapping.
func IsIDMapped(m specs.Mount) bool {
	if len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0 {
		return true
	}
	for _, o := range m.Options {
		if o == "idmap" || o == "ridmap" {
			return true
		}
	}
	return false
}

// OpenIDMapped makes every idmapped bind mount of s (mounts[].uidMappings
// and gidMappings, or the idmap/ridmap option with the container's own
// mappings): a clone of the source tree with mount_setattr(MOUNT_ATTR_IDMAP)
// and a user namespace holding the mapping. This happens here, in rt,
// because the kernel wants CAP_SYS_ADMIN over the source's filesystem, which
// the child loses once it is in its own user namespace. config.Validate
// has checked the mappings.
func OpenIDMapped(s *specs.Spec, bundle string) (_ Trees, err error) {
	var trees Trees
	defer func() {
		if err != nil {
			trees.Close()
		}
	}()
	users := map[string]int{} // maps -> user namespace fd, shared by mounts with the same mapping
	defer func() {
		for _, fd := range users {
			unix.Close(fd)
		}
	}()
	for i, m := range s.Mounts {
		if !IsIDMapped(m) {
			continue
		}
		p := fmt.Sprintf("mounts[%d]", i)
		opts := ParseOptions(m.Options)
		if os.Geteuid() != 0 {
			return nil, fmt.Errorf("%s: idmapped mounts need rt to run as root (CAP_SYS_ADMIN over the source's filesystem)", p)
		}
		uids, gids := m.UIDMappings, m.GIDMappings
		if len(uids) == 0 {
			uids, gids = s.Linux.UIDMappings, s.Linux.GIDMappings
		}
		key := idMapText(uids) + "/" + idMapText(gids)
		userns, ok := users[key]
		if !ok {
			if userns, err = nsenter.UserNS(idMapText(uids), idMapText(gids)); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			users[key] = userns
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(bundle, src)
		}
		flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
		if opts.Recursive {
			flags |= unix.AT_RECURSIVE
		}
		tree, err := unix.OpenTree(unix.AT_FDCWD, src, uint(flags))
		if err != nil {
			return nil, fmt.Errorf("%s.source: open_tree %s: %w", p, src, err)
		}
		if trees == nil {
			trees = Trees{}
		}
		trees[i] = tree
		at := unix.AT_EMPTY_PATH
		if opts.RecIDMap {
			at |= unix.AT_RECURSIVE
		}
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns)}
		if err := unix.MountSetattr(tree, "", uint(at), &attr); err != nil {
			return nil, fmt.Errorf("%s: idmap %s: %w (does its filesystem support idmapped mounts?)", p, src, err)
		}
	}
	return trees, nil
}

// idMapText is the uid_map/gid_map content of a mapping.
func idMapText(ids []specs.LinuxIDMapping) string {
	var sb strings.Builder
	for _, e := range ids {
		fmt.Fprintf(&sb, "%d %d %d\n", e.ContainerID, e.HostID, e.Size)
	}
	return sb.String()
}
