package nsenter

import (
	"encoding/binary"
	"testing"
)

func TestProgramEncoding(t *testing.T) {
	p := NewProgram(5, -1, []int{3, 4})
	p.Hostname("box")
	p.Exec([]string{"sh", "-c"}, nil)
	b := p.Bytes()
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[i*8:]) }
	if u(0) != 0x7274626f6f740001 || u(1) != 5 || int64(u(2)) != -1 {
		t.Fatalf("header %x %d %d", u(0), u(1), u(2))
	}
	if u(3) != 3 || u(4) != 5 || u(5) != 3 || u(6) != 4 {
		t.Fatalf("kept fds: %d: %d %d %d", u(3), u(4), u(5), u(6))
	}
	if u(7) != uint64(opHostname) || u(8) != 3 || string(b[9*8:9*8+4]) != "box\x00" {
		t.Fatalf("hostname op: %d %d %q", u(7), u(8), b[9*8:9*8+4])
	}
	if p.Describe(0) != "hostname box" || p.Describe(1) != "exec the container's process" || p.Describe(9) != "container init" {
		t.Fatalf("descriptions: %q %q", p.Describe(0), p.Describe(1))
	}
}

// Joining a time namespace, by path or through a pidfd, makes the program
// want a child whose memory is its own (setns(CLONE_NEWTIME) refuses a
// shared mm: EUSERS); other namespaces do not.
func TestJoinTimeNamespaceOwnsMemory(t *testing.T) {
	for _, tc := range []struct {
		join func(p *Program)
		own  bool
	}{
		{func(p *Program) { p.JoinPidfd(5, 0x10000000|0x20000000) }, false}, // user, pid
		{func(p *Program) { p.JoinPidfd(5, 0x10000000|0x80) }, true},        // user, time
		{func(p *Program) { p.JoinNS([]NSPath{{Type: 0x80, Path: "/proc/1/ns/time"}}) }, true},
		{func(p *Program) { p.JoinNS([]NSPath{{Type: 0x40000000, Path: "/proc/1/ns/net"}}) }, false},
	} {
		p := NewProgram(3, -1, nil)
		tc.join(p)
		if p.OwnMemory() != tc.own {
			t.Errorf("%s: OwnMemory %v, want %v", p.Describe(0), p.OwnMemory(), tc.own)
		}
	}
}
