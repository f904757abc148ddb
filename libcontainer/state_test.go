package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidateID(t *testing.T) {
	good := []string{"a", "abc-123", "A.b_c+d", strings.Repeat("x", 1024)}
	for _, id := range good {
		if err := ValidateID(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	bad := []string{"", ".", "..", "a/b", "/abs", strings.Repeat("x", 1025), "sp ace", "semi;colon", "new\nline", "caf\u00e9", "nul\x00", "star*", "~"}
	for _, id := range bad {
		if err := ValidateID(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: got %v, want ErrInvalid", id, err)
		}
	}
}

func TestNewDirIDTooLongForTheFilesystem(t *testing.T) {
	root := t.TempDir()
	_, err := newDir(root, strings.Repeat("x", 300))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "300 bytes is longer than a state directory name") {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestStateSaveLoad(t *testing.T) {
	root := t.TempDir()
	d, err := newDir(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newDir(root, "c1"); !errors.Is(err, ErrExist) {
		t.Fatalf("second newDir: %v", err)
	}
	if _, err := d.load(); !errors.Is(err, ErrNotExist) {
		t.Fatalf("load before save: %v", err)
	}
	in := &State{ID: "c1", Bundle: "/b", Pid: os.Getpid(), Created: time.Now().UTC().Truncate(time.Second), Annotations: map[string]string{"k": "v"}}
	in.PidStart, _ = processStart(in.Pid)
	if err := d.save(in); err != nil {
		t.Fatal(err)
	}
	out, err := d.load()
	if err != nil {
		t.Fatal(err)
	}
	if out.ID != "c1" || out.Pid != in.Pid || !out.Created.Equal(in.Created) || out.Annotations["k"] != "v" {
		t.Fatalf("round trip: %+v", out)
	}
	if _, err := os.Stat(filepath.Join(root, "c1", ".state.json.tmp")); !os.IsNotExist(err) {
		t.Fatalf("temp file left: %v", err)
	}
	// This test process is alive and not waiting on a start socket: running.
	if st := out.status(d.path); st != Running {
		t.Fatalf("status %s", st)
	}
	out.PidStart++ // a different process with the same pid
	if st := out.status(d.path); st != Stopped {
		t.Fatalf("pid reuse not caught: %s", st)
	}
	if err := d.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(root, "c1"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("after remove: %v", err)
	}
}

func TestProcessStart(t *testing.T) {
	if _, ok := processStart(os.Getpid()); !ok {
		t.Fatal("own process not found")
	}
	if _, ok := processStart(0); ok {
		t.Fatal("pid 0 found")
	}
	if _, ok := processStart(1 << 30); ok {
		t.Fatal("impossible pid found")
	}
}

func TestHomeOf(t *testing.T) {
	passwd := "root:x:0:0:root:/root:/bin/sh\nme:x:1000:1000::/home/me:/bin/sh\n"
	if h := homeOf(passwd, 1000); h != "/home/me" {
		t.Fatalf("got %q", h)
	}
	if h := homeOf(passwd, 7); h != "" {
		t.Fatalf("got %q", h)
	}
}
