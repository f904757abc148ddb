package libcontainer

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The exec'd process's program: the joins before the root, the fork after
// them, then the shared tail with a cwd that must exist.
func TestCompileExecOrder(t *testing.T) {
	s := &specs.Spec{Root: &specs.Root{Path: t.TempDir()}, Process: &specs.Process{
		Args: []string{"true"}, Cwd: "/tmp", Env: []string{"LISTEN_FDS=1"},
	}, Linux: &specs.Linux{}}
	b, err := compileExec(s, "", 3, -1, []int{5}, nil, 5, cloneNewUser|cloneNewPID, true)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; b.prog.Describe(i) != "container init"; i++ {
		got = append(got, b.prog.Describe(i))
	}
	want := []string{"wait for the runtime", "linux.namespaces: join those of the container's init", "open the container's root",
		"fork into the new namespaces", "setsid"}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Fatalf("ops %q, want them to start with %q", got, want)
		}
	}
	has := func(d string) bool {
		for _, g := range got {
			if g == d {
				return true
			}
		}
		return false
	}
	if !has("process.cwd /tmp") || !has("set LISTEN_PID") || got[len(got)-1] != "exec the container's process" {
		t.Errorf("tail: %q", got)
	}
	if !b.prog.Forks() {
		t.Errorf("Forks() is false after a fork")
	}
}

// rt's own namespaces are never joined: with rt's pid, nothing to join.
func TestNamespacesOfSelf(t *testing.T) {
	flags, fork, err := namespacesOf(os.Getpid())
	if err != nil || flags != 0 || fork {
		t.Errorf("namespacesOf(self) = %#x, %v, %v", flags, fork, err)
	}
}
