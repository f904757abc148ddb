package libcontainer

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/cgroups"
	"rt/jsongen/jsongentest"
)

func TestStateCodecIsGenerated(t *testing.T) {
	jsongentest.CheckGenerated(t, "state_json_gen.go", "-tags", "jsongen_bootstrap", "./gen")
}

// states are full ones (every field set, with each seed; some strings are
// invalid UTF-8 unless valid) and sparse ones (zero, empty but not nil,
// the times rt writes).
func states(valid bool) []*State {
	var out []*State
	for seed := 0; seed < 40; seed += 7 {
		var s State
		f := jsongentest.Filler{Seed: seed, Skip: map[string]bool{"State.Cgroup": true, "State.Created": true}}
		if valid {
			f.Strings = jsongentest.ValidStrings
		}
		f.Fill(reflect.ValueOf(&s).Elem())
		s.Created = time.Date(2026, 12, 2, 3, 4, 5, seed*123456789%1e9, time.FixedZone("x", 3600*seed%7))
		s.Cgroup = cgroups.Load(map[string]string{"memory": "/sys/fs/cgroup/memory/x", "unified": "/sys/fs/cgroup/unified/<x>"}, cgroups.Hybrid)
		s.Cgroup.Created = []string{"/sys/fs/cgroup/memory/p"}
		out = append(out, &s)
	}
	out = append(out, &State{}, &State{ID: "a", Created: time.Now(), Annotations: map[string]string{},
		Hooks: &specs.Hooks{Prestart: []specs.Hook{}}, Process: &specs.Process{Args: []string{}, Env: nil},
		Seccomp: &specs.LinuxSeccomp{}, Cgroup: cgroups.Load(map[string]string{}, cgroups.V2)})
	return out
}

// The encoder writes what encoding/json writes, byte for byte (faststart's
// C code and older rt binaries read state.json too).
func TestStateEncoderIsEncodingJSON(t *testing.T) {
	encoded := 0
	for i, s := range states(true) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		have := fastEncodeState(s)
		if !bytes.Equal(have, want) {
			t.Fatalf("state %d:\nfast: %s\njson: %s", i, have, want)
		}
		encoded++
	}
	if encoded != len(states(true)) {
		t.Fatal("lost count")
	}
	// Invalid UTF-8 is left to encoding/json: the two encoders write it
	// differently (\ufffd, or the character itself on json/v2).
	for i, s := range states(false)[:6] {
		if have := fastEncodeState(s); have != nil {
			t.Fatalf("state %d has invalid UTF-8, yet the encoder wrote it: %s", i, have)
		}
	}
}

// agreeState: what the fast decoder takes, encoding/json takes and decodes
// the same.
func agreeState(t *testing.T, data []byte) bool {
	t.Helper()
	var fast, slow State
	if !fastDecodeState(data, &fast) {
		return false
	}
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("the fast decoder took what encoding/json refuses (%v):\n%s", err, data)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("the fast decoder and encoding/json differ on:\n%s\nfast: %s\njson: %s", data, fastEncodeState(&fast), fastEncodeState(&slow))
	}
	return true
}

func TestStateDecoderAgrees(t *testing.T) {
	for i, s := range states(false) {
		data, _ := json.Marshal(s)
		if !agreeState(t, data) {
			t.Fatalf("the fast decoder gave up on state %d:\n%s", i, data)
		}
	}
	base, _ := json.Marshal(states(true)[1])
	rng := rand.New(rand.NewSource(2))
	took, refused := 0, 0
	for i := 0; i < 3000; i++ {
		if agreeState(t, jsongentest.Mutate(base, rng)) {
			took++
		} else {
			refused++
		}
	}
	if took < 100 || refused < 100 {
		t.Fatalf("mutations: the fast decoder took %d and refused %d: the test does not exercise both", took, refused)
	}
}

// A state.json the fast decoder gives up on still loads (encoding/json
// decodes a fresh value), and a broken one is an error naming the file.
func TestStateLoadFallsBack(t *testing.T) {
	dir := t.TempDir()
	d := &stateDir{path: dir}
	s := states(true)[0]
	if err := d.save(s); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, stateFile))
	// An upper-case key: encoding/json matches it, the fast decoder does not.
	data = bytes.Replace(data, []byte(`"bundle":`), []byte(`"BUNDLE":`), 1)
	os.WriteFile(filepath.Join(dir, stateFile), data, 0o600)
	var probe State
	if fastDecodeState(data, &probe) {
		t.Fatal("the fast decoder took an upper-case key")
	}
	got, err := d.load()
	if err != nil || got.Bundle != s.Bundle || got.ID != s.ID {
		t.Fatalf("load after fallback: %v, bundle %q", err, got.Bundle)
	}
	os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"id": `), 0o600)
	if _, err := d.load(); err == nil || !bytes.Contains([]byte(err.Error()), []byte(stateFile)) {
		t.Fatalf("a broken state.json: %v", err)
	}
}

// rt state prints what json.MarshalIndent prints.
func TestOCIStateIndentedIsEncodingJSON(t *testing.T) {
	for seed := 0; seed < 30; seed += 5 {
		var st OCIState
		f := jsongentest.Filler{Seed: seed, Strings: jsongentest.ValidStrings, Skip: map[string]bool{"OCIState.Created": true}}
		f.Fill(reflect.ValueOf(&st).Elem())
		st.Created = time.Now()
		if seed == 0 {
			st.Annotations = nil
		}
		want, err := json.MarshalIndent(&st, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		have, err := st.IndentedJSON("  ")
		if err != nil || !bytes.Equal(have, want) {
			t.Fatalf("seed %d (%v):\nfast: %s\njson: %s", seed, err, have, want)
		}
	}
}

// exec's copy of the container's process: the same bytes as
// encoding/json, decoded the same.
func TestProcessCodec(t *testing.T) {
	for seed := 0; seed < 30; seed += 5 {
		var p specs.Process
		f := jsongentest.Filler{Seed: seed, Strings: jsongentest.ValidStrings}
		f.Fill(reflect.ValueOf(&p).Elem())
		want, _ := json.Marshal(&p)
		have := fastEncodeProcess(&p)
		if !bytes.Equal(have, want) {
			t.Fatalf("seed %d:\nfast: %s\njson: %s", seed, have, want)
		}
		var fast, slow specs.Process
		if !fastDecodeProcess(have, &fast) {
			t.Fatalf("seed %d: the fast decoder gave up on %s", seed, have)
		}
		if err := json.Unmarshal(have, &slow); err != nil || !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(fast, p) {
			t.Fatalf("seed %d: decoded processes differ (%v)", seed, err)
		}
	}
	// apply's copy is deep: changing it leaves the base alone.
	base := &specs.Process{Args: []string{"sh"}, Env: []string{"A=1"}, Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}}}
	p, err := (&ExecOverrides{}).apply(base)
	if err != nil {
		t.Fatal(err)
	}
	p.Env[0], p.Capabilities.Bounding[0] = "B=2", "CAP_CHOWN"
	if base.Env[0] != "A=1" || base.Capabilities.Bounding[0] != "CAP_KILL" {
		t.Fatal("apply's copy shares memory with its base")
	}
}
