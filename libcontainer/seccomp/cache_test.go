package seccomp

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const cacheProfile = `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
	"flags":["SECCOMP_FILTER_FLAG_LOG"],
	"syscalls":[{"names":["mkdirat","no_such_call"],"action":"SCMP_ACT_ERRNO"},
	{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"}]}]}`

func cached(t *testing.T, dir, js string) (*Filter, bool) {
	t.Helper()
	f, hit, err := CompileCached(dir, parse(t, js), []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return f, hit
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// The second compile of a profile comes from the cache, the same filter
// to the byte; a damaged entry is compiled again and replaced.
func TestCacheHitAndDamage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), CacheDirName)
	want := compile(t, cacheProfile)
	f, hit := cached(t, dir, cacheProfile)
	if hit || !reflect.DeepEqual(f, want) {
		t.Fatalf("first: hit %v, filter %+v, want a compile %+v", hit, f, want)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir: %v, %v", st, err)
	}
	f, hit = cached(t, dir, cacheProfile)
	if !hit || !reflect.DeepEqual(f, want) {
		t.Fatalf("second: hit %v, filter %+v, want the same from the cache", hit, f)
	}
	names := entries(t, dir)
	if len(names) != 1 {
		t.Fatalf("entries %v", names)
	}
	b, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { c := append([]byte(nil), b...); c[len(c)/2] ^= 1; return c }, // a flipped bit
		func(b []byte) []byte { return b[:len(b)-9] },                                        // truncated
		func(b []byte) []byte { return nil },                                                 // empty
	} {
		if err := os.WriteFile(names[0], damage(b), 0o600); err != nil {
			t.Fatal(err)
		}
		if f, hit = cached(t, dir, cacheProfile); hit || !reflect.DeepEqual(f, want) {
			t.Fatalf("damaged entry: hit %v, filter %+v", hit, f)
		}
		if f, hit = cached(t, dir, cacheProfile); !hit || !reflect.DeepEqual(f, want) {
			t.Fatalf("after the damage: hit %v (the entry was not replaced)", hit)
		}
	}
}

// An entry under another profile's name (a colliding file name) is not
// that profile's filter: the whole key is compared.
func TestCacheKeyIsCompared(t *testing.T) {
	dir := filepath.Join(t.TempDir(), CacheDirName)
	other := `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}`
	cached(t, dir, cacheProfile)
	first := entries(t, dir)
	cached(t, dir, other)
	all := entries(t, dir)
	if len(all) != 2 {
		t.Fatalf("entries %v", all)
	}
	second := all[0]
	if second == first[0] {
		second = all[1]
	}
	b, err := os.ReadFile(first[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, b, 0o600); err != nil { // other's name, cacheProfile's entry
		t.Fatal(err)
	}
	f, hit := cached(t, dir, other)
	if hit || !reflect.DeepEqual(f, compile(t, other)) {
		t.Fatalf("an entry of another key was used: hit %v", hit)
	}
}

// No directory: a plain compile, nothing written; a symlink in place of an
// entry is not followed.
func TestCacheOffAndSymlink(t *testing.T) {
	f, hit, err := CompileCached("", parse(t, cacheProfile), []byte(cacheProfile))
	if err != nil || hit || !reflect.DeepEqual(f, compile(t, cacheProfile)) {
		t.Fatalf("no dir: %v %v", hit, err)
	}
	dir := filepath.Join(t.TempDir(), CacheDirName)
	cached(t, dir, cacheProfile)
	name := entries(t, dir)[0]
	real := name + ".real"
	if err := os.Rename(name, real); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, name); err != nil {
		t.Fatal(err)
	}
	if _, hit := cached(t, dir, cacheProfile); hit {
		t.Fatal("an entry through a symlink was used")
	}
}

// The cache keeps at most maxCacheEntries entries, dropping the oldest.
func TestCacheEviction(t *testing.T) {
	dir := filepath.Join(t.TempDir(), CacheDirName)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < maxCacheEntries+5; i++ {
		p := filepath.Join(dir, string(rune('a'+i%26))+string(rune('a'+i/26)))
		storeEntry(dir, p, []byte("x"))
	}
	if n := len(entries(t, dir)); n != maxCacheEntries {
		t.Fatalf("%d entries, want %d", n, maxCacheEntries)
	}
}
