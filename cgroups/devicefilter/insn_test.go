package devicefilter

import (
	"bytes"
	"strings"
	"testing"
)

func labeled(label string, ins Insn) Insn {
	ins.Label = label
	return ins
}

// TestEncoding checks each kind of instruction against bytes written out by
// hand from struct bpf_insn: code; dst_reg:4, src_reg:4; off (s16); imm
// (s32). Opcodes: BPF_LDX 0x01 | BPF_MEM 0x60 | BPF_W 0x00 = 0x61; BPF_ALU
// 0x04 with BPF_MOV 0xb0, BPF_AND 0x50, BPF_RSH 0x70, and BPF_K 0x00 or
// BPF_X 0x08; BPF_JMP32 0x06 with BPF_JNE 0x50, BPF_JEQ 0x10; BPF_JMP 0x05
// with BPF_JA 0x00, BPF_EXIT 0x90. The registers differ so that a swap of
// the nibbles shows, the jumps go forward and back.
func TestEncoding(t *testing.T) {
	p := Program{
		labeled("start", ldxMemW(r2, r1, 8)),
		mov32Reg(r3, r2),
		and32Imm(r2, 0xffff),
		rsh32Imm(r3, 16),
		jmp32Imm(opJne32Imm, r4, 0x12345678, "end"), // off 8-(4+1) = 3
		jmp32Imm(opJeq32Imm, r5, -1, "ret"),         // off 7-(5+1) = 1
		ja("start"),                                 // off 0-(6+1) = -7
		labeled("ret", mov32Imm(r0, 1)),
		labeled("end", exit()),
	}
	little := [][8]byte{
		{0x61, 0x12, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00}, // r2 = *(u32 *)(r1 + 8)
		{0xbc, 0x23, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // w3 = w2
		{0x54, 0x02, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00}, // w2 &= 0xffff
		{0x74, 0x03, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00}, // w3 >>= 16
		{0x56, 0x04, 0x03, 0x00, 0x78, 0x56, 0x34, 0x12}, // if w4 != 0x12345678 goto +3
		{0x16, 0x05, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff}, // if w5 == -1 goto +1
		{0x05, 0x00, 0xf9, 0xff, 0x00, 0x00, 0x00, 0x00}, // goto -7
		{0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}, // w0 = 1
		{0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // exit
	}
	// Big-endian: dst_reg in the high nibble, off and imm most significant
	// byte first.
	big := [][8]byte{
		{0x61, 0x21, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00},
		{0xbc, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
		{0x54, 0x20, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff},
		{0x74, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10},
		{0x56, 0x40, 0x00, 0x03, 0x12, 0x34, 0x56, 0x78},
		{0x16, 0x50, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff},
		{0x05, 0x00, 0xff, 0xf9, 0x00, 0x00, 0x00, 0x00},
		{0xb4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01},
		{0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
	}
	for _, c := range []struct {
		name      string
		bigEndian bool
		want      [][8]byte
	}{{"little-endian", false, little}, {"big-endian", true, big}} {
		got, err := p.marshal(c.bigEndian)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(c.want)*insnSize {
			t.Fatalf("%s: %d bytes, want %d", c.name, len(got), len(c.want)*insnSize)
		}
		for i, w := range c.want {
			if g := got[i*insnSize : (i+1)*insnSize]; !bytes.Equal(g, w[:]) {
				t.Errorf("%s: insn %d (%v): % x, want % x", c.name, i, p[i], g, w)
			}
		}
	}
	// Marshal is the host's: one of the two.
	native, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := p.marshal(hostBigEndian()); !bytes.Equal(native, want) {
		t.Errorf("Marshal: % x, want % x", native, want)
	}
	// Resolving sets the offsets on a copy: the program keeps its labels.
	if p[4].Off != 0 {
		t.Errorf("Marshal changed the program: %v", p[4])
	}
}

func TestLabelErrors(t *testing.T) {
	far := make(Program, 1<<15+1)
	for i := range far {
		far[i] = mov32Imm(r0, 0)
	}
	far[0], far[1] = ja("end"), ja("end") // off 32768, 32767
	far = append(far, labeled("end", exit()))
	for _, c := range []struct {
		name string
		p    Program
		want string
	}{
		{"missing label", Program{mov32Imm(r0, 0), jmp32Imm(opJeq32Imm, r0, 0, "nowhere"), exit()},
			`instruction 1 (if w0 == 0x0 goto nowhere): no instruction has label "nowhere"`},
		{"label twice", Program{labeled("a", mov32Imm(r0, 0)), labeled("a", exit())},
			`instruction 1: label "a" is already on instruction 0`},
		{"jump too far", far, "jump of 32768 instructions does not fit in 16 bits"},
		{"bad register", Program{mov32Imm(11, 0), exit()}, "register out of range"},
	} {
		if _, err := c.p.Marshal(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// The farthest jump that fits (far[1] on its own).
	if _, err := far[1:].Marshal(); err != nil {
		t.Errorf("a jump of 32767 instructions: %v", err)
	}
}
