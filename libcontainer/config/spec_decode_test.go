package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The checked-in decoder is what the generator writes from the
// runtime-spec version in go.mod.
func TestSpecDecoderIsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gen.go")
	cmd := exec.Command("go", "run", "./gen", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("spec_decode_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatal("spec_decode_gen.go is stale: run go generate ./libcontainer/config")
	}
}

// fill sets v (settable) and every field reachable from it to a value that is not
// zero, varying with seed, as far as the fast decoder handles the type;
// the other platforms' sections stay nil.
func fill(v reflect.Value, seed *int) {
	*seed++
	n := *seed
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			switch f.Name {
			case "Solaris", "Windows", "VM", "ZOS", "FreeBSD":
				continue
			}
			if f.IsExported() || f.Anonymous {
				fill(v.Field(i), seed)
			}
		}
	case reflect.String:
		strs := []string{"plain", "with \"quotes\" and \\ and /", "tab\tnew\nline", "ünïcødé ✓", "emoji 😀", "<html>&amp;", ""}
		v.SetString(fmt.Sprintf("%s-%d", strs[n%len(strs)], n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		vals := []int64{int64(n), -int64(n), 1<<(bits-1) - 1, -1 << (bits - 1), 0}
		v.SetInt(vals[n%len(vals)])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := v.Type().Bits()
		vals := []uint64{uint64(n), 1<<bits - 1, 0}
		if bits == 64 {
			vals[1] = ^uint64(0)
		}
		v.SetUint(vals[n%len(vals)])
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), seed)
		fill(s.Index(1), seed)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, seed)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, seed)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
	default:
		panic("fill: " + v.Type().String())
	}
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

func fullSpec() *specs.Spec {
	var s specs.Spec
	seed := 0
	fill(reflect.ValueOf(&s).Elem(), &seed)
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
	values := []string{`null`, `"s"`, `1`, `-1`, `1.5`, `1e2`, `true`, `[]`, `{}`, `[null]`, `{"a":null}`, `"\u00e9"`, `18446744073709551616`}
	took, refused := 0, 0
	for i := 0; i < 3000; i++ {
		data := mutate(base, rng, values)
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

// mutate changes one spot of data: a value after a colon, or a key.
func mutate(data []byte, rng *rand.Rand, values []string) []byte {
	s := string(data)
	colons := []int{}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && i > 0 && s[i-1] == '"' {
			colons = append(colons, i)
		}
	}
	at := colons[rng.Intn(len(colons))]
	keyStart := strings.LastIndex(s[:at-1], `"`)
	valueEnd := endOfValue(s, at+1)
	switch rng.Intn(6) {
	case 0, 1: // another value
		return []byte(s[:at+1] + values[rng.Intn(len(values))] + s[valueEnd:])
	case 2: // the key in upper case: encoding/json still matches it
		return []byte(s[:keyStart] + strings.ToUpper(s[keyStart:at]) + s[at:])
	case 3: // the member twice
		member := s[keyStart:valueEnd]
		return []byte(s[:valueEnd] + "," + member + s[valueEnd:])
	case 4: // an unknown key
		return []byte(s[:keyStart] + `"zz":1,` + s[keyStart:])
	default: // cut short
		return []byte(s[:rng.Intn(len(s))])
	}
}

// endOfValue returns the index just past the JSON value starting at i.
func endOfValue(s string, i int) int {
	depth, inStr := 0, false
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case inStr:
			if c == '\\' {
				j++
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					return j + 1
				}
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j
			}
			depth--
			if depth == 0 {
				return j + 1
			}
		case c == ',' && depth == 0:
			return j
		}
	}
	return len(s)
}
