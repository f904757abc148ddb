package config

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/jsongen/jsongentest"
)

// The checked-in decoder is what the generator writes from the
// runtime-spec version in go.mod.
func TestSpecDecoderIsGenerated(t *testing.T) {
	jsongentest.CheckGenerated(t, "spec_decode_gen.go", "./gen")
}

// agree checks the fast decoder against encoding/json on data: if it takes
// data, encoding/json must take it too and decode the same. It reports
// whether the fast decoder took it.
func agree(t *testing.T, data []byte) bool {
	t.Helper()
	var fast specs.Spec
	if !fastDecodeSpec(data, &fast) {
		return false
	}
	var slow specs.Spec
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("the fast decoder took what encoding/json refuses (%v):\n%s", err, data)
	}
	if !reflect.DeepEqual(fast, slow) {
		f, _ := json.Marshal(fast)
		s, _ := json.Marshal(slow)
		t.Fatalf("the fast decoder and encoding/json differ on:\n%s\nfast: %s\nslow: %s", data, f, s)
	}
	return true
}

// fullSpec has every field the fast decoder handles set; the other
// platforms' sections stay nil.
func fullSpec() *specs.Spec {
	var s specs.Spec
	f := jsongentest.Filler{Skip: map[string]bool{"Spec.Solaris": true, "Spec.Windows": true, "Spec.VM": true, "Spec.ZOS": true, "Spec.FreeBSD": true}}
	f.Fill(reflect.ValueOf(&s).Elem())
	return &s
}

func TestSpecDecoderAgreesOnEveryField(t *testing.T) {
	data, err := json.Marshal(fullSpec())
	if err != nil {
		t.Fatal(err)
	}
	if !agree(t, data) {
		t.Fatalf("the fast decoder gave up on encoding/json's own output:\n%s", data)
	}
	// Indented, as config.json files are.
	indented, _ := json.MarshalIndent(fullSpec(), "", "\t")
	if !agree(t, indented) {
		t.Fatal("the fast decoder gave up on indented JSON")
	}
	// ParseProcess too.
	pdata, _ := json.Marshal(fullSpec().Process)
	var fast, slow specs.Process
	if !fastDecodeProcess(pdata, &fast) {
		t.Fatal("the fast decoder gave up on a process object")
	}
	if err := json.Unmarshal(pdata, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("process objects differ (%v)", err)
	}
}

func TestSpecDecoderAgreesOnRealConfigs(t *testing.T) {
	files, _ := filepath.Glob("../../tests/integration/testdata/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		agree(t, data) // some are process objects or broken on purpose: then either may refuse
	}
	// What rt spec writes (spec.go's template, as a test fixture elsewhere).
	data := []byte(`{"ociVersion":"1.3.0","process":{"terminal":true,"user":{"uid":0,"gid":0},"args":["sh"],
		"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm"],"cwd":"/",
		"capabilities":{"bounding":["CAP_AUDIT_WRITE","CAP_KILL"],"effective":["CAP_KILL"]},
		"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
		"root":{"path":"rootfs","readonly":true},"hostname":"runc",
		"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
		{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}],
		"linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}]},
		"namespaces":[{"type":"pid"},{"type":"network"},{"type":"mount","path":""}],
		"maskedPaths":["/proc/acpi"],"readonlyPaths":["/proc/bus"]}}`)
	if !agree(t, data) {
		t.Fatal("the fast decoder gave up on rt spec's config")
	}
	// With docker's default seccomp profile in it, as managers write it.
	profile, err := os.ReadFile("../../tests/integration/testdata/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	var withSeccomp map[string]any
	json.Unmarshal(data, &withSeccomp)
	withSeccomp["linux"].(map[string]any)["seccomp"] = json.RawMessage(profile)
	data, _ = json.MarshalIndent(withSeccomp, "", "\t")
	if !agree(t, data) {
		t.Fatal("the fast decoder gave up on a config with docker's seccomp profile")
	}
}

// Inputs at the edge of the subset. The first list is in it; the fast
// decoder may give up on any of the second, but what it takes must decode
// as encoding/json decodes it.
func TestSpecDecoderEdges(t *testing.T) {
	for _, s := range []string{
		`{}`, `null`, ` {"ociVersion": "1"} `, `{"ociVersion": null}`, `{"process": null}`,
		`{"mounts": []}`, `{"mounts": null}`, `{"annotations": {}}`, `{"annotations": {"a\u00e9\ud83d\ude00": "\u0000x"}}`,
		`{"annotations": {"a": "1", "a": "2"}}`, `{"hostname": "a\u0041"}`, `{"hostname": "x\/y\b\f\n\r\t\\\""}`,
		`{"process": {"user": {"uid": 4294967295}}}`, `{"process": {"oomScoreAdj": -1000}}`,
		`{"process": {"terminal": true}}`, `{"process": {"terminal": null}}`,
		`{"linux": {"resources": {"memory": {"limit": 1, "swap": null}}}}`,
		`{"linux": {"sysctl": {"net.ipv4.ip_forward": "1"}}}`,
	} {
		if !agree(t, []byte(s)) {
			t.Errorf("the fast decoder gave up on %s", s)
		}
	}
	for _, s := range []string{
		`{"ociVersion": "1", "ociVersion": "2"}`, `{"OciVersion": "1"}`, `{"ociversion": "1"}`, `{"unknown": 1}`,
		`{"hostname": "\ud800"}`, `{"hostname": "\udc00x"}`, `{"hostname": "bad` + "\xff" + `"}`,
		`{"hostname": "ctl` + "\x01" + `"}`, `{"hostname": 1}`, `{"hostname": "\x"}`, `{"process": {"user": {"uid": -1}}}`,
		`{"process": {"user": {"uid": 4294967296}}}`, `{"process": {"user": {"uid": 1.0}}}`,
		`{"process": {"user": {"uid": 1e3}}}`, `{"process": {"user": {"uid": 01}}}`, `{"process": {"user": {"uid": -0}}}`,
		`{"process": {"oomScoreAdj": -9223372036854775809}}`, `{"process": {"oomScoreAdj": 99999999999999999999999}}`,
		`{"process": {"terminal": 1}}`, `{"process": {"terminal": truex}}`, `{"process": {"args": ["a",]}}`,
		`{"process": {"args": [,"a"]}}`, `{"process": {"args": ["a" "b"]}}`, `{,}`, `{"ociVersion": "1",}`,
		`{"ociVersion" "1"}`, `{"ociVersion": "1"} x`, `{"ociVersion": "1"`, `["ociVersion"]`, `"x"`, ``,
		`{"linux": {"sysctl": {"a": 1}}}`, `{"windows": {}}`, `{"vm": null}`, "\ufeff{}",
	} {
		agree(t, []byte(s))
	}
}

// Random changes of encoding/json's output for the full spec: wrong types,
// nulls, case variants of keys, duplicates, unknown keys, truncation.
func TestSpecDecoderAgreesOnMutations(t *testing.T) {
	base, _ := json.Marshal(fullSpec())
	rng := rand.New(rand.NewSource(1))
	took, refused := 0, 0
	for i := 0; i < 3000; i++ {
		data := jsongentest.Mutate(base, rng)
		if agree(t, data) {
			took++
		} else {
			refused++
		}
	}
	if took < 100 || refused < 100 {
		t.Fatalf("mutations: the fast decoder took %d and refused %d: the test does not exercise both", took, refused)
	}
}
