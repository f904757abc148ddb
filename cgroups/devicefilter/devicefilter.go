// Package devicefilter enforces linux.resources.devices on cgroup v2, which
// has no devices.allow/deny files: the rules become an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE, which the kernel runs on every open and mknod
// of a device node by a process of the cgroup (or of a cgroup below it).
//
// The semantics are those of the v1 device cgroup, as runc keeps them on v2:
// the rules are read in order and the last one that matches decides, for
// each access (mknod, read, write) on its own; what no rule allows is
// denied. A rule of type "a" matches
// every device (the kernel's v1 "a" resets the whole list, whatever major,
// minor and access it names).
package devicefilter

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Fields of struct bpf_cgroup_dev_ctx (uapi/linux/bpf.h): access_type is
// (access << 16) | type.
const (
	ctxAccessType = 0
	ctxMajor      = 4
	ctxMinor      = 8

	devBlock = 1 // BPF_DEVCG_DEV_BLOCK
	devChar  = 2 // BPF_DEVCG_DEV_CHAR

	accMknod = 1 // BPF_DEVCG_ACC_MKNOD
	accRead  = 2 // BPF_DEVCG_ACC_READ
	accWrite = 4 // BPF_DEVCG_ACC_WRITE
	accAll   = accMknod | accRead | accWrite
)

// Registers of the program: the context is unpacked once at the start.
const (
	regCtx    = r1 // the argument: the struct bpf_cgroup_dev_ctx pointer
	regType   = r2
	regAccess = r3
	regMajor  = r4
	regMinor  = r5
	regTmp    = r1 // the context pointer is no longer needed once unpacked
)

// rule is a validated device rule in the program's terms; 0 (type, access)
// or -1 (major, minor) means "any".
type rule struct {
	allow        bool
	typ, access  int32
	major, minor int64
}

func parseRule(d specs.LinuxDeviceCgroup) (rule, error) {
	r := rule{allow: d.Allow, major: -1, minor: -1, access: accAll}
	switch d.Type {
	case "", "a":
		return r, nil // matches everything, as v1's "a"
	case "b":
		r.typ = devBlock
	case "c":
		r.typ = devChar
	default:
		return r, fmt.Errorf("type: unknown device type %q: must be \"a\", \"b\" or \"c\"", d.Type)
	}
	for _, n := range []struct {
		name string
		p    *int64
		dst  *int64
	}{{"major", d.Major, &r.major}, {"minor", d.Minor, &r.minor}} {
		if n.p == nil || *n.p == -1 {
			continue
		}
		if *n.p < 0 {
			return r, fmt.Errorf("%s: invalid value %d", n.name, *n.p)
		}
		*n.dst = *n.p
	}
	if d.Access == "" {
		return r, errors.New("access: must not be empty (a combination of r, w and m)")
	}
	r.access = 0
	for _, c := range d.Access {
		var bit int32
		switch c {
		case 'r':
			bit = accRead
		case 'w':
			bit = accWrite
		case 'm':
			bit = accMknod
		}
		if bit == 0 || r.access&bit != 0 {
			return r, fmt.Errorf("access: invalid access %q: a combination of r, w and m", d.Access)
		}
		r.access |= bit
	}
	return r, nil
}

// RuleError names the rule (its index in the list) a program could not be
// made from.
type RuleError struct {
	Index int
	Err   error
}

func (e *RuleError) Error() string { return fmt.Sprintf("[%d].%v", e.Index, e.Err) }
func (e *RuleError) Unwrap() error { return e.Err }

// Instructions compiles the rules into the program. Each access a request
// asks for (mknod, read, write) is decided on its own, as the v1 device
// cgroup keeps the access of each device per bit: the last rule of the list
// that names the access and matches the device decides it ("deny c 1:7 w"
// after "allow c 1:7 rwm" leaves read and mknod allowed); what no rule
// decides is denied, and the request is allowed only if every access it
// asks for is.
//
// The program walks the rules once, from the last to the first, with the
// accesses still undecided in a register: a matching allow rule removes
// its accesses from it (all gone: allowed), a matching deny rule naming an
// undecided access denies. A rule of type "a" decides everything left, so
// the rules before it are left out.
func Instructions(devs []specs.LinuxDeviceCgroup) (Program, error) {
	rules := make([]rule, len(devs))
	for i, d := range devs {
		r, err := parseRule(d)
		if err != nil {
			return nil, &RuleError{Index: i, Err: err}
		}
		rules[i] = r
	}
	// The rules to test, last first, up to one that matches every device.
	var order []int
	final := -1
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if r.typ == 0 {
			final = i
			break
		}
		if r.major > math.MaxUint32 || r.minor > math.MaxUint32 {
			continue // no device has such a number: the rule never matches
		}
		order = append(order, i)
	}
	insns := Program{
		ldxMemW(regType, regCtx, ctxAccessType),
		mov32Reg(regAccess, regType), // the undecided accesses
		and32Imm(regType, 0xffff),
		rsh32Imm(regAccess, 16),
		ldxMemW(regMajor, regCtx, ctxMajor),
		ldxMemW(regMinor, regCtx, ctxMinor),
	}
	label := "" // the label the next instruction carries
	emit := func(ins Insn) {
		if label != "" {
			if ins.Label != "" {
				panic("devicefilter: two labels on one instruction")
			}
			ins.Label = label
			label = ""
		}
		insns = append(insns, ins)
	}
	used := map[string]bool{}
	jump := func(op, reg uint8, v int32, to string) {
		used[to] = true
		emit(jmp32Imm(op, reg, v, to))
	}
	falls := true // whether the code so far can run on past its end
	for k, i := range order {
		r := rules[i]
		// Where to go if the device does not match: the next rule, or
		// after the last one the verdict of the "a" rule before it, or
		// deny.
		next := fmt.Sprintf("rule%d", i)
		if k == len(order)-1 {
			next = "deny"
			if final >= 0 && rules[final].allow {
				next = "allow"
			}
		}
		jump(opJne32Imm, regType, r.typ, next)
		if r.major >= 0 {
			jump(opJne32Imm, regMajor, int32(uint32(r.major)), next)
		}
		if r.minor >= 0 {
			jump(opJne32Imm, regMinor, int32(uint32(r.minor)), next)
		}
		falls = true
		switch {
		case r.allow && r.access == accAll:
			used["allow"] = true
			emit(ja("allow"))
			falls = false
		case r.allow:
			emit(and32Imm(regAccess, ^r.access&accAll))
			jump(opJeq32Imm, regAccess, 0, "allow")
		case r.access == accAll:
			used["deny"] = true
			emit(ja("deny")) // something is undecided still
			falls = false
		default:
			emit(mov32Reg(regTmp, regAccess))
			emit(and32Imm(regTmp, r.access))
			jump(opJne32Imm, regTmp, 0, "deny")
		}
		if k < len(order)-1 {
			label = next
		}
	}
	if falls {
		// What is left undecided gets the "a" rule's verdict, or deny.
		if final >= 0 && rules[final].allow {
			used["allow"] = true
			emit(ja("allow"))
		} else {
			used["deny"] = true
		}
	}
	// The verifier refuses code no path reaches: only the verdicts used.
	if used["deny"] {
		label = "deny"
		emit(mov32Imm(r0, 0))
		emit(exit())
	}
	if used["allow"] {
		label = "allow"
		emit(mov32Imm(r0, 1))
		emit(exit())
	}
	return insns, nil
}

// Attach loads the program of the rules and attaches it to the cgroup2
// directory dir (BPF_CGROUP_DEVICE with BPF_F_ALLOW_MULTI, so that programs
// of the ancestors keep applying too). The attachment lives as long as the
// cgroup: it needs no open file and no pin.
func Attach(dir string, devs []specs.LinuxDeviceCgroup) error {
	insns, err := Instructions(devs)
	if err != nil {
		return err
	}
	prog, err := load(insns)
	if err != nil {
		return err
	}
	defer unix.Close(prog)
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := progAttach(fd, prog); err != nil {
		return fmt.Errorf("attach the device filter program to %s: %w", dir, err)
	}
	return nil
}

// The program is loaded and attached with bare bpf(2) calls (a library's
// loader, cilium/ebpf's, probes kernel features first: more programs to
// verify on every rt run).

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	for {
		r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
		if errno == unix.EINTR || errno == unix.EAGAIN {
			continue // EAGAIN: the verifier was interrupted
		}
		if errno != 0 {
			return -1, errno
		}
		return int(r), nil
	}
}

// progLoadAttr is the start of union bpf_attr for BPF_PROG_LOAD.
type progLoadAttr struct {
	progType    uint32
	insnCnt     uint32
	insns       uint64
	license     uint64
	logLevel    uint32
	logSize     uint32
	logBuf      uint64
	kernVersion uint32
	progFlags   uint32
	progName    [unix.BPF_OBJ_NAME_LEN]byte
}

// load verifies and loads the program, returning its fd. On a refusal it
// loads it again with the verifier's log, for the error.
func load(insns Program) (int, error) {
	buf, err := insns.Marshal()
	if err != nil {
		return -1, fmt.Errorf("assemble the device filter program: %w", err)
	}
	if len(buf) == 0 {
		return -1, errors.New("load the device filter program: no instruction")
	}
	license := []byte("Apache\x00")
	attr := progLoadAttr{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE,
		insnCnt:  uint32(len(buf) / insnSize),
		insns:    uint64(uintptr(unsafe.Pointer(&buf[0]))),
		license:  uint64(uintptr(unsafe.Pointer(&license[0]))),
	}
	copy(attr.progName[:], "rt_devices")
	// bpf(2) makes its fds close-on-exec.
	fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err == nil {
		return fd, nil
	}
	log := make([]byte, 64<<10)
	attr.logLevel, attr.logSize, attr.logBuf = 1, uint32(len(log)), uint64(uintptr(unsafe.Pointer(&log[0])))
	if fd, err2 := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr)); err2 == nil {
		return fd, nil
	}
	runtime.KeepAlive(buf)
	runtime.KeepAlive(license)
	msg := strings.TrimSpace(string(log[:max(0, bytes.IndexByte(log, 0))]))
	if msg != "" {
		return -1, fmt.Errorf("load the device filter program: %w: verifier: %s", err, msg)
	}
	return -1, fmt.Errorf("load the device filter program: %w", err)
}

// progAttach is BPF_PROG_ATTACH.
func progAttach(cgroupFD, progFD int) error {
	attr := struct {
		targetFD, attachBPFFD, attachType, attachFlags, replaceBPFFD uint32
	}{
		targetFD:    uint32(cgroupFD),
		attachBPFFD: uint32(progFD),
		attachType:  unix.BPF_CGROUP_DEVICE,
		attachFlags: unix.BPF_F_ALLOW_MULTI,
	}
	_, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return err
}
