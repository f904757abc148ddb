package devicefilter

// The few eBPF instructions the device filter is made of, and their
// encoding as bpf(BPF_PROG_LOAD) takes it. This small encoder replaces
// cilium/ebpf's assembler: its packages and the standard ones they import
// (crypto, compression, debug/elf, go/parser...) were linked into rt and
// initialized at every start of it, for nine opcodes.
//
// An instruction is the kernel's struct bpf_insn (include/uapi/linux/bpf.h):
//
//	struct bpf_insn {
//		__u8	code;		/* opcode */
//		__u8	dst_reg:4;	/* dest register */
//		__u8	src_reg:4;	/* source register */
//		__s16	off;		/* signed offset */
//		__s32	imm;		/* signed immediate constant */
//	};
//
// 8 bytes in the host's byte order. The two registers share a byte as C
// bitfields, which the compilers allocate from the least significant bit
// on little-endian hosts and from the most significant one on big-endian
// hosts: dst_reg is the low nibble on the former, the high one on the
// latter (the kernel reads the byte through the same struct, so it is
// the host's compiler layout that counts).

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"golang.org/x/sys/unix"
)

// insnSize is the size of struct bpf_insn.
const insnSize = 8

// Opcodes of the instructions the filter uses: class | operation | source
// (BPF_K: the immediate, BPF_X: the source register), or for loads class
// | mode | size. BPF_ALU and BPF_JMP32 work on the low 32 bits of the
// registers (and zero the high ones of the destination, for BPF_ALU).
const (
	opLdxMemW  = unix.BPF_LDX | unix.BPF_MEM | unix.BPF_W   // dst = *(u32 *)(src + off)
	opMov32Imm = unix.BPF_ALU | unix.BPF_MOV | unix.BPF_K   // dst = imm
	opMov32Reg = unix.BPF_ALU | unix.BPF_MOV | unix.BPF_X   // dst = src
	opAnd32Imm = unix.BPF_ALU | unix.BPF_AND | unix.BPF_K   // dst &= imm
	opRsh32Imm = unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K   // dst >>= imm
	opJeq32Imm = unix.BPF_JMP32 | unix.BPF_JEQ | unix.BPF_K // if dst == imm: pc += off
	opJne32Imm = unix.BPF_JMP32 | unix.BPF_JNE | unix.BPF_K // if dst != imm: pc += off
	opJa       = unix.BPF_JMP | unix.BPF_JA                 // pc += off
	opExit     = unix.BPF_JMP | unix.BPF_EXIT               // return r0
)

// Registers: r0 is the return value, r1 the program's argument (here the
// struct bpf_cgroup_dev_ctx pointer), r1-r5 are scratch, r10 the frame
// pointer (read only).
const (
	r0 uint8 = iota
	r1
	r2
	r3
	r4
	r5

	maxReg = 10
)

// Insn is one instruction. Label and Target are for the assembler only: a
// jump names the instruction it goes to by the Label that one carries,
// and Program.Marshal turns that into the jump's Off.
type Insn struct {
	Op       uint8
	Dst, Src uint8 // registers, r0 to r10
	Off      int16
	Imm      int32

	Label  string // the name of this instruction, if jumps go to it
	Target string // for a jump: the Label of where it goes
}

// One constructor for each kind of instruction (the opcodes' comments say
// what they do).

func ldxMemW(dst, src uint8, off int16) Insn {
	return Insn{Op: opLdxMemW, Dst: dst, Src: src, Off: off}
}
func mov32Imm(dst uint8, imm int32) Insn { return Insn{Op: opMov32Imm, Dst: dst, Imm: imm} }
func mov32Reg(dst, src uint8) Insn       { return Insn{Op: opMov32Reg, Dst: dst, Src: src} }
func and32Imm(dst uint8, imm int32) Insn { return Insn{Op: opAnd32Imm, Dst: dst, Imm: imm} }
func rsh32Imm(dst uint8, imm int32) Insn { return Insn{Op: opRsh32Imm, Dst: dst, Imm: imm} }
func ja(to string) Insn                  { return Insn{Op: opJa, Target: to} }
func exit() Insn                         { return Insn{Op: opExit} }

// jmp32Imm is a conditional jump (opJeq32Imm, opJne32Imm) comparing the low
// 32 bits of dst with imm.
func jmp32Imm(op, dst uint8, imm int32, to string) Insn {
	return Insn{Op: op, Dst: dst, Imm: imm, Target: to}
}

// String shows the instruction in the style of the verifier's log, with the
// labels (for the tests' messages).
func (ins Insn) String() string {
	to := ins.Target
	if to == "" {
		to = fmt.Sprintf("pc%+d", ins.Off)
	}
	var s string
	switch ins.Op {
	case opLdxMemW:
		s = fmt.Sprintf("r%d = *(u32 *)(r%d %+d)", ins.Dst, ins.Src, ins.Off)
	case opMov32Imm:
		s = fmt.Sprintf("w%d = %#x", ins.Dst, ins.Imm)
	case opMov32Reg:
		s = fmt.Sprintf("w%d = w%d", ins.Dst, ins.Src)
	case opAnd32Imm:
		s = fmt.Sprintf("w%d &= %#x", ins.Dst, ins.Imm)
	case opRsh32Imm:
		s = fmt.Sprintf("w%d >>= %d", ins.Dst, ins.Imm)
	case opJeq32Imm:
		s = fmt.Sprintf("if w%d == %#x goto %s", ins.Dst, ins.Imm, to)
	case opJne32Imm:
		s = fmt.Sprintf("if w%d != %#x goto %s", ins.Dst, ins.Imm, to)
	case opJa:
		s = "goto " + to
	case opExit:
		s = "exit"
	default:
		s = fmt.Sprintf("op %#02x dst r%d src r%d off %d imm %d", ins.Op, ins.Dst, ins.Src, ins.Off, ins.Imm)
	}
	if ins.Label != "" {
		s = ins.Label + ": " + s
	}
	return s
}

// Program is a list of instructions, run from the first.
type Program []Insn

// String lists the instructions one a line, numbered.
func (p Program) String() string {
	var b strings.Builder
	for i, ins := range p {
		fmt.Fprintf(&b, "%3d: %v\n", i, ins)
	}
	return b.String()
}

// resolve returns the program with the Off of every jump set from its
// Target: the kernel counts it from the next instruction, so a jump at
// index i to the instruction at index t has off = t - (i + 1).
func (p Program) resolve() (Program, error) {
	at := map[string]int{}
	for i, ins := range p {
		if ins.Label == "" {
			continue
		}
		if _, dup := at[ins.Label]; dup {
			return nil, fmt.Errorf("instruction %d: label %q is already on instruction %d", i, ins.Label, at[ins.Label])
		}
		at[ins.Label] = i
	}
	out := make(Program, len(p))
	copy(out, p)
	for i, ins := range out {
		if ins.Target == "" {
			continue
		}
		t, ok := at[ins.Target]
		if !ok {
			return nil, fmt.Errorf("instruction %d (%v): no instruction has label %q", i, ins, ins.Target)
		}
		off := t - (i + 1)
		if off < math.MinInt16 || off > math.MaxInt16 {
			return nil, fmt.Errorf("instruction %d (%v): jump of %d instructions does not fit in 16 bits", i, ins, off)
		}
		out[i].Off = int16(off)
	}
	return out, nil
}

// hostBigEndian reports whether this host is big-endian.
func hostBigEndian() bool { return binary.NativeEndian.Uint16([]byte{0, 1}) == 1 }

// Marshal resolves the jumps and encodes the program for BPF_PROG_LOAD:
// insnSize bytes an instruction, in the host's byte order.
func (p Program) Marshal() ([]byte, error) {
	return p.marshal(hostBigEndian())
}

// marshal encodes for a little- or big-endian host (the tests check both).
func (p Program) marshal(bigEndian bool) ([]byte, error) {
	p, err := p.resolve()
	if err != nil {
		return nil, err
	}
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	buf := make([]byte, 0, len(p)*insnSize)
	for _, ins := range p {
		if ins.Dst > maxReg || ins.Src > maxReg {
			return nil, fmt.Errorf("%v: register out of range", ins)
		}
		regs := ins.Src<<4 | ins.Dst // dst_reg:4 first: the low bits
		if bigEndian {
			regs = ins.Dst<<4 | ins.Src // dst_reg:4 first: the high bits
		}
		buf = append(buf, ins.Op, regs)
		buf = order.AppendUint16(buf, uint16(ins.Off))
		buf = order.AppendUint32(buf, uint32(ins.Imm))
	}
	return buf, nil
}
