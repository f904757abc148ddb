// Package jsongentest has what the tests of generated decoders and
// encoders share: values with every field set, and random changes of a
// JSON document.
package jsongentest

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ValidStrings are the string values a Filler cycles through: escapes,
// HTML, non-ASCII and the two separators encoding/json escapes.
var ValidStrings = []string{"plain", "with \"quotes\" and \\ and /", "tab\tnew\nline\r\b\f\x01", "ünïcødé ✓",
	"emoji 😀", "<html>&amp;", "", "line\u2028para\u2029"}

// Strings adds invalid UTF-8.
var Strings = append([]string{"bad \xff utf-8"}, ValidStrings...)

// Filler sets values with every field set.
type Filler struct {
	Seed    int             // varies the values
	Skip    map[string]bool // fields ("Type.Field") left zero
	Strings []string        // nil: Strings
}

// Fill sets v (settable) and every exported field reachable from it to
// values that vary with the seed: extremes of each integer type, two
// elements per slice and map.
func (f *Filler) Fill(v reflect.Value) {
	if f.Strings == nil {
		f.Strings = Strings
	}
	fill(v, &f.Seed, f.Skip, f.Strings)
}

func fill(v reflect.Value, seed *int, skip map[string]bool, strs []string) {
	*seed++
	n := *seed
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed, skip, strs)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if skip[v.Type().Name()+"."+f.Name] || !f.IsExported() && !f.Anonymous {
				continue
			}
			fill(v.Field(i), seed, skip, strs)
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", strs[n%len(strs)], n))
	case reflect.Bool:
		v.SetBool(n%3 != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		vals := []int64{int64(n), -int64(n), 1<<(bits-1) - 1, -1 << (bits - 1), 0}
		v.SetInt(vals[n%len(vals)])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		vals := []uint64{uint64(n), 1<<v.Type().Bits() - 1, 0}
		if v.Type().Bits() == 64 {
			vals[1] = ^uint64(0)
		}
		v.SetUint(vals[n%len(vals)])
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), seed, skip, strs)
		fill(s.Index(1), seed, skip, strs)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, seed, skip, strs)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, seed, skip, strs)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
	default:
		panic("jsongentest: cannot fill " + v.Type().String())
	}
}

// Values are what Mutate puts in place of a value.
var Values = []string{`null`, `"s"`, `1`, `-1`, `1.5`, `1e2`, `true`, `[]`, `{}`, `[null]`, `{"a":null}`,
	`"\u00e9"`, `18446744073709551616`, `"2024-01-02T03:04:05Z"`, `"\ud800"`}

// Mutate changes one spot of a JSON document: a value after a key, the key
// (upper case: encoding/json still matches it), the member twice, an
// unknown key before it, or the document cut short.
func Mutate(data []byte, rng *rand.Rand) []byte {
	s := string(data)
	var colons []int
	for i := 1; i < len(s); i++ {
		if s[i] == ':' && s[i-1] == '"' {
			colons = append(colons, i)
		}
	}
	if len(colons) == 0 {
		return data
	}
	at := colons[rng.Intn(len(colons))]
	keyStart := strings.LastIndex(s[:at-1], `"`)
	valueEnd := endOfValue(s, at+1)
	switch rng.Intn(6) {
	case 0, 1:
		return []byte(s[:at+1] + Values[rng.Intn(len(Values))] + s[valueEnd:])
	case 2:
		return []byte(s[:keyStart] + strings.ToUpper(s[keyStart:at]) + s[at:])
	case 3:
		return []byte(s[:valueEnd] + "," + s[keyStart:valueEnd] + s[valueEnd:])
	case 4:
		return []byte(s[:keyStart] + `"zz":1,` + s[keyStart:])
	default:
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

// CheckGenerated fails t unless file (in the test's directory) is what
// `go run args...` writes; the generator takes the output path as its
// last argument.
func CheckGenerated(t *testing.T, file string, args ...string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "gen.go")
	cmd := exec.Command("go", append(append([]string{"run"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("%s is stale: run go generate in its package", file)
	}
}
