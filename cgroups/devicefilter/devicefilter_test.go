package devicefilter

import (
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// request is one device access the kernel asks the program about.
type request struct {
	typ, access  int32 // devBlock/devChar, accRead|accWrite|accMknod
	major, minor uint32
}

// Fields of an opcode (the kernel's BPF_CLASS, BPF_OP and BPF_SRC masks).
const (
	classMask = 0x07
	opMask    = 0xf0
	srcMask   = 0x08
)

// run interprets the program on req, as the kernel gets it: it decodes the
// bytes Marshal makes (so the jumps go by their resolved offsets), and
// runs the instructions Instructions emits (32-bit loads of the context,
// 32-bit ALU, 32-bit jumps, exit). Anything else fails the test, so an
// unexpected instruction cannot slip by.
func run(t *testing.T, insns Program, req request) uint32 {
	t.Helper()
	code, err := insns.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	n := len(code) / insnSize
	ctx := [3]uint32{uint32(req.access)<<16 | uint32(req.typ), req.major, req.minor}
	var r [11]uint32
	for pc := 0; pc < n; pc++ {
		b := code[pc*insnSize:]
		ins := Insn{Op: b[0], Dst: b[1] & 0xf, Src: b[1] >> 4,
			Off: int16(binary.NativeEndian.Uint16(b[2:])), Imm: int32(binary.NativeEndian.Uint32(b[4:]))}
		if hostBigEndian() {
			ins.Dst, ins.Src = ins.Src, ins.Dst
		}
		if ins.Dst > 10 || ins.Src > 10 {
			t.Fatalf("insn %d: bad register in %v", pc, ins)
		}
		src := func() uint32 {
			if ins.Op&srcMask == unix.BPF_K {
				return uint32(ins.Imm)
			}
			return r[ins.Src]
		}
		class, op := ins.Op&classMask, ins.Op&opMask
		switch {
		case ins.Op == opLdxMemW:
			if ins.Src != regCtx || ins.Off%4 != 0 || ins.Off < 0 || ins.Off/4 > 2 {
				t.Fatalf("insn %d: unexpected load %v", pc, ins)
			}
			r[ins.Dst] = ctx[ins.Off/4]
		case class == unix.BPF_ALU:
			switch op {
			case unix.BPF_MOV:
				r[ins.Dst] = src()
			case unix.BPF_AND:
				r[ins.Dst] &= src()
			case unix.BPF_RSH:
				r[ins.Dst] >>= src()
			default:
				t.Fatalf("insn %d: unexpected ALU op %v", pc, ins)
			}
		case ins.Op == opExit:
			return r[0]
		case ins.Op == opJa, ins.Op == opJne32Imm, ins.Op == opJeq32Imm:
			taken := ins.Op == opJa ||
				ins.Op == opJne32Imm && r[ins.Dst] != src() ||
				ins.Op == opJeq32Imm && r[ins.Dst] == src()
			if taken {
				to := pc + 1 + int(ins.Off)
				if to <= pc || to >= n {
					t.Fatalf("insn %d: jump to %d: not a later instruction", pc, to)
				}
				pc = to - 1
			}
		default:
			t.Fatalf("insn %d: unexpected instruction %v", pc, ins)
		}
	}
	t.Fatal("the program ran past its end")
	return 0
}

// want is the v1 device cgroup's answer: for each access asked for, the
// last rule with that access whose device matches decides ("a" matches
// every device), no match denies; all must be allowed.
func want(devs []specs.LinuxDeviceCgroup, req request) uint32 {
	for _, bit := range []int32{accMknod, accRead, accWrite} {
		if req.access&bit == 0 {
			continue
		}
		allowed := false
		for _, d := range devs {
			r, err := parseRule(d)
			if err != nil {
				panic(err)
			}
			if r.access&bit == 0 || r.typ != 0 && (r.typ != req.typ ||
				r.major >= 0 && uint32(r.major) != req.major || r.minor >= 0 && uint32(r.minor) != req.minor) {
				continue
			}
			allowed = r.allow
		}
		if !allowed {
			return 0
		}
	}
	return 1
}

func num(v int64) *int64 { return &v }

func dev(allow bool, typ string, major, minor *int64, access string) specs.LinuxDeviceCgroup {
	return specs.LinuxDeviceCgroup{Allow: allow, Type: typ, Major: major, Minor: minor, Access: access}
}

// runc's default rules for a container (as cgroups.DefaultDeviceRules).
var defaults = []specs.LinuxDeviceCgroup{
	dev(false, "a", nil, nil, "rwm"),
	dev(true, "c", nil, nil, "m"),
	dev(true, "b", nil, nil, "m"),
	dev(true, "c", num(1), num(3), "rwm"),
	dev(true, "c", num(1), num(8), "rwm"),
	dev(true, "c", num(1), num(7), "rwm"),
	dev(true, "c", num(5), num(0), "rwm"),
	dev(true, "c", num(1), num(5), "rwm"),
	dev(true, "c", num(1), num(9), "rwm"),
	dev(true, "c", num(136), nil, "rwm"),
	dev(true, "c", num(5), num(2), "rwm"),
	dev(true, "c", num(10), num(200), "rwm"),
}

func TestDefaultRules(t *testing.T) {
	insns, err := Instructions(defaults)
	if err != nil {
		t.Fatal(err)
	}
	rw := int32(accRead | accWrite)
	for _, c := range []struct {
		name string
		req  request
		want uint32
	}{
		{"open /dev/null", request{devChar, rw, 1, 3}, 1},
		{"open /dev/full", request{devChar, accRead, 1, 7}, 1},
		{"open a pty", request{devChar, rw, 136, 4}, 1},
		{"open /dev/mem (1:1)", request{devChar, accRead, 1, 1}, 0},
		{"open /dev/loop-control (10:237)", request{devChar, rw, 10, 237}, 0},
		{"open a disk (b 8:0)", request{devBlock, accRead, 8, 0}, 0},
		{"mknod a disk", request{devBlock, accMknod, 8, 0}, 1},
		{"mknod any char device", request{devChar, accMknod, 42, 0}, 1},
		{"open b 1:3 (the type counts)", request{devBlock, accRead, 1, 3}, 0},
	} {
		if got := run(t, insns, c.req); got != c.want {
			t.Errorf("%s: verdict %d, want %d", c.name, got, c.want)
		}
	}
	// The leading "deny all" is the default: it costs no instruction.
	// 6 to unpack the context, at most 6 per rule, 4 for the verdicts.
	if max := 6 + 11*6 + 4; len(insns) > max {
		t.Errorf("%d instructions, want at most %d:\n%v", len(insns), max, insns)
	}
}

func TestLastMatchWins(t *testing.T) {
	devs := []specs.LinuxDeviceCgroup{
		dev(true, "c", num(1), num(7), "rwm"),
		dev(false, "c", num(1), num(7), "w"), // then writes are taken back
	}
	insns, err := Instructions(devs)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, insns, request{devChar, accRead, 1, 7}); got != 1 {
		t.Errorf("read of 1:7: verdict %d, want 1", got)
	}
	if got := run(t, insns, request{devChar, accRead | accWrite, 1, 7}); got != 0 {
		t.Errorf("read+write of 1:7: verdict %d, want 0", got)
	}
	// An "a" rule resets everything before it, whatever numbers and
	// access it names (as the v1 kernel's "a").
	devs = append(devs, dev(false, "a", num(4), num(4), "r"), dev(true, "a", nil, nil, "m"))
	insns, err = Instructions(devs)
	if err != nil {
		t.Fatal(err)
	}
	only, err := Instructions(devs[len(devs)-1:])
	if err != nil {
		t.Fatal(err)
	}
	if len(insns) != len(only) {
		t.Errorf("rules before a match-all rule were kept:\n%v", insns)
	}
	if got := run(t, insns, request{devBlock, accRead, 8, 1}); got != 1 {
		t.Errorf("after allow-all: verdict %d, want 1", got)
	}
	if got := run(t, insns, request{devChar, accRead | accWrite, 1, 7}); got != 1 {
		t.Errorf("after allow-all, a write of 1:7: verdict %d, want 1", got)
	}
}

func TestNoRuleDenies(t *testing.T) {
	insns, err := Instructions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, insns, request{devChar, accRead, 1, 3}); got != 0 {
		t.Errorf("verdict %d with no rule, want 0", got)
	}
}

var randNums = []*int64{nil, num(1), num(5), num(7)}

// randomRules makes up to 7 rules over a few devices, types and accesses.
func randomRules(rng *rand.Rand) []specs.LinuxDeviceCgroup {
	types := []string{"a", "b", "c", "c", "b", "c", "b", "c"}
	accesses := []string{"r", "w", "m", "rw", "rm", "wm", "rwm", "mwr"}
	devs := make([]specs.LinuxDeviceCgroup, rng.Intn(8))
	for i := range devs {
		devs[i] = dev(rng.Intn(2) == 0, types[rng.Intn(len(types))], randNums[rng.Intn(len(randNums))],
			randNums[rng.Intn(len(randNums))], accesses[rng.Intn(len(accesses))])
	}
	return devs
}

// TestRandomRules compares the program with the v1 semantics on random
// rule lists and requests.
func TestRandomRules(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	reqAccess := []int32{accRead, accWrite, accMknod, accRead | accWrite, accAll}
	for iter := 0; iter < 3000; iter++ {
		devs := randomRules(rng)
		insns, err := Instructions(devs)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 20; j++ {
			req := request{typ: int32(1 + rng.Intn(2)), access: reqAccess[rng.Intn(len(reqAccess))],
				major: uint32(*randNums[1+rng.Intn(3)]), minor: uint32(*randNums[1+rng.Intn(3)])}
			if got, w := run(t, insns, req), want(devs, req); got != w {
				t.Fatalf("rules %+v, request %+v: verdict %d, want %d\n%v", devs, req, got, w, insns)
			}
		}
	}
}

func TestBadRules(t *testing.T) {
	for _, c := range []struct {
		dev  specs.LinuxDeviceCgroup
		want string
	}{
		{dev(true, "x", nil, nil, "r"), "[1].type: unknown device type"},
		{dev(true, "c", num(-3), nil, "r"), "[1].major: invalid value -3"},
		{dev(true, "c", nil, num(-2), "r"), "[1].minor: invalid value -2"},
		{dev(true, "c", nil, nil, ""), "[1].access: must not be empty"},
		{dev(true, "c", nil, nil, "rx"), "[1].access: invalid access"},
		{dev(true, "c", nil, nil, "rr"), "[1].access: invalid access"},
	} {
		_, err := Instructions([]specs.LinuxDeviceCgroup{defaults[3], c.dev})
		var re *RuleError
		if !errors.As(err, &re) || re.Index != 1 || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q...", c.dev, err, c.want)
		}
	}
	// Numbers no device can have make a rule that never matches.
	insns, err := Instructions([]specs.LinuxDeviceCgroup{dev(true, "c", num(1<<33), nil, "rwm")})
	if err != nil || run(t, insns, request{devChar, accRead, 0, 0}) != 0 {
		t.Errorf("a rule for major 2^33: %v", err)
	}
}

// TestKernelAcceptsProgram loads the default rules' program: the verifier
// must take it.
func TestKernelAcceptsProgram(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading a BPF program needs root")
	}
	insns, err := Instructions(defaults)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := load(insns)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	// Every shape of program the compiler makes: random rule lists (the
	// verifier refuses, for one, code that no path reaches).
	rng := rand.New(rand.NewSource(2))
	for iter := 0; iter < 300; iter++ {
		devs := randomRules(rng)
		insns, err := Instructions(devs)
		if err != nil {
			t.Fatal(err)
		}
		fd, err := load(insns)
		if err != nil {
			t.Fatalf("rules %+v: %v\n%v", devs, err, insns)
		}
		unix.Close(fd)
	}
	// And a refused one comes back with the verifier's word.
	_, err = load(Program{exit()})
	if err == nil || !strings.Contains(err.Error(), "verifier: ") {
		t.Errorf("a program without r0 set: %v", err)
	}
}

// cgroup2Mount is where this host mounts its cgroup2 tree ("" if nowhere).
func cgroup2Mount() string {
	for _, p := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		var st unix.Statfs_t
		if unix.Statfs(p, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return p
		}
	}
	return ""
}

// TestAttachEnforces attaches the default rules to a new cgroup2 cgroup and
// starts processes in it: /dev/full and /dev/zero (allowed) open, a char
// device made with mknod (1:1, /dev/mem, not allowed) does not. It works on a hybrid host
// too: the kernel runs the cgroup2 device programs besides the v1 checks.
func TestAttachEnforces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	mnt := cgroup2Mount()
	if mnt == "" {
		t.Skip("no cgroup2 tree mounted")
	}
	dir := filepath.Join(mnt, "rt-devicefilter-test-"+strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(dir)
	if err := Attach(dir, defaults); err != nil {
		t.Fatal(err)
	}
	cg, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	tmp := t.TempDir()
	inCgroup := func(script string) (string, error) {
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(cg.Fd())}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := inCgroup("head -c1 /dev/full >/dev/null && head -c1 /dev/zero >/dev/null"); err != nil {
		t.Errorf("allowed devices: %v: %s", err, out)
	}
	// mknod is allowed for any char device, opening the node is not.
	node := filepath.Join(tmp, "dev42")
	if out, err := inCgroup("mknod " + node + " c 1 1 && head -c1 " + node); err == nil || !strings.Contains(out, "Operation not permitted") {
		t.Errorf("a mknod'ed 1:1 opened: %v: %s", err, out)
	}
	if _, err := os.Stat(node); err != nil {
		t.Errorf("mknod of a char device was refused: %v", err)
	}
}
