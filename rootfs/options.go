// Package rootfs turns the filesystem part of config.json (root, mounts,
// devices, masked and read-only paths) into init-stage operations. It decides
// everything on the host side, before the clone: which mount is a bind, what
// its flags are, what to create at a missing target, which devices to make.
package rootfs

import (
	"sort"
	"strings"
)

// MOUNT_ATTR_* and propagation flags (linux/mount.h, linux/fs.h).
const (
	attrRdonly      = 0x00000001
	attrNosuid      = 0x00000002
	attrNodev       = 0x00000004
	attrNoexec      = 0x00000008
	attrAtimeMask   = 0x00000070
	attrRelatime    = 0x00000000
	attrNoatime     = 0x00000010
	attrStrictatime = 0x00000020
	attrNodiratime  = 0x00000080
	attrNosymfollow = 0x00200000

	msPrivate    = 1 << 18
	msSlave      = 1 << 19
	msShared     = 1 << 20
	msUnbindable = 1 << 17
	msRec        = 16384
)

// MountOptions is a mount's options list sorted into what each part of the mount API takes.
type MountOptions struct {
	Bind, Recursive bool
	// IDMap: "idmap" or "ridmap" (RecIDMap), an idmapped bind mount.
	IDMap, RecIDMap bool
	Attr            attr   // on the mount itself
	RecAttr         attr   // on every mount of a recursive bind ("rro", "rnosuid", ...)
	Propagation     uint64 // MS_PRIVATE etc.; recursive when RecPropagation
	RecPropagation  bool
	Data            []string // filesystem options, given to fsconfig
}

type attr struct{ set, clear uint64 }

func (a *attr) on(bit uint64)  { a.set |= bit; a.clear &^= bit }
func (a *attr) off(bit uint64) { a.clear |= bit; a.set &^= bit }
func (a *attr) atime(v uint64) { a.clear |= attrAtimeMask; a.set = a.set&^attrAtimeMask | v }

var attrFlags = map[string]struct {
	bit uint64
	on  bool
}{
	"ro": {attrRdonly, true}, "rw": {attrRdonly, false},
	"nosuid": {attrNosuid, true}, "suid": {attrNosuid, false},
	"nodev": {attrNodev, true}, "dev": {attrNodev, false},
	"noexec": {attrNoexec, true}, "exec": {attrNoexec, false},
	"nodiratime": {attrNodiratime, true}, "diratime": {attrNodiratime, false},
	"nosymfollow": {attrNosymfollow, true}, "symfollow": {attrNosymfollow, false},
}

var atimes = map[string]uint64{"relatime": attrRelatime, "noatime": attrNoatime, "strictatime": attrStrictatime}

var propagations = map[string]uint64{
	"private": msPrivate, "shared": msShared, "slave": msSlave, "unbindable": msUnbindable,
}

// ignored options are accepted for compatibility and have no effect here.
var ignored = map[string]bool{"defaults": true, "auto": true, "noauto": true, "async": true, "remount": true, "norelatime": true, "nostrictatime": true, "atime": true}

// ParseOptions sorts a runtime-spec mount options list.
func ParseOptions(list []string) MountOptions {
	var o MountOptions
	for _, opt := range list {
		switch {
		case opt == "bind":
			o.Bind = true
		case opt == "rbind":
			o.Bind, o.Recursive = true, true
		case opt == "idmap":
			o.IDMap = true
		case opt == "ridmap":
			o.IDMap, o.RecIDMap = true, true
		case ignored[opt]:
		default:
			if f, ok := attrFlags[opt]; ok {
				if f.on {
					o.Attr.on(f.bit)
				} else {
					o.Attr.off(f.bit)
				}
				continue
			}
			if v, ok := atimes[opt]; ok {
				o.Attr.atime(v)
				continue
			}
			if strings.HasPrefix(opt, "r") {
				if f, ok := attrFlags[opt[1:]]; ok {
					if f.on {
						o.RecAttr.on(f.bit)
					} else {
						o.RecAttr.off(f.bit)
					}
					continue
				}
				if v, ok := atimes[opt[1:]]; ok {
					o.RecAttr.atime(v)
					continue
				}
				if p, ok := propagations[opt[1:]]; ok {
					o.Propagation, o.RecPropagation = p, true
					continue
				}
			}
			if p, ok := propagations[opt]; ok {
				o.Propagation, o.RecPropagation = p, false
				continue
			}
			o.Data = append(o.Data, opt)
		}
	}
	return o
}

// RootPropagation is the mount(2) flag set for linux.rootfsPropagation; the
// default keeps host mounts reaching the container but nothing going back.
func RootPropagation(p string) uint64 {
	switch p {
	case "private":
		return msPrivate
	case "rprivate":
		return msPrivate | msRec
	case "slave":
		return msSlave
	case "shared":
		return msShared
	case "rshared":
		return msShared | msRec
	case "unbindable":
		return msUnbindable
	case "runbindable":
		return msUnbindable | msRec
	}
	return msSlave | msRec
}

// KnownOptions lists every mount option rt interprets itself (others are
// passed to the filesystem), for `rt features`.
func KnownOptions() []string {
	out := []string{"bind", "rbind", "idmap", "ridmap"}
	for k := range attrFlags {
		out = append(out, k, "r"+k)
	}
	for k := range atimes {
		out = append(out, k, "r"+k)
	}
	for k := range propagations {
		out = append(out, k, "r"+k)
	}
	for k := range ignored {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
