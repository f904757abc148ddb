package seccomp

// A cache of compiled filters. libseccomp takes ~7.5 ms of CPU here to
// compile docker's default profile (over 300 names, three architectures),
// more than twice all the rest of an `rt run`, and every container of a
// manager carries the same profile. The BPF depends only on linux.seccomp,
// the libseccomp and kernel it was compiled with (libseccomp probes the
// kernel's actions and flags) and rt's own code: an entry's key is all four,
// rt's being its binary's identity (device, inode, size and times: any
// rebuild or upgrade changes it).
//
// An entry holds its whole key, and is used only when that is byte for byte
// the key of the filter wanted: its file name is a 64-bit FNV-1a hash of the
// key, which anyone can collide, so a profile crafted to share another's
// name gets a compile, never the other's filter. (No cryptographic hash:
// crypto/sha256 brings Go's FIPS module and its 32 MiB of .bss, which rt's
// prefault would populate at every start.) The entries live in the state
// root (--root), which only rt's user can write: anyone who could plant a
// filter there could rewrite state.json too. An entry that does not read
// back whole (its checksum) or was made for another key is compiled again and
// replaced.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// CacheDirName is the cache's directory in the state root: '@' is not
// allowed in a container id, so it can never be a container's.
const CacheDirName = "@seccomp"

// maxCacheEntries bounds the cache: the oldest entries go beyond it.
const maxCacheEntries = 64

const cacheMagic = "RTSCMP01"

// CompileCached is Compile through the cache in dir. canonical is s
// encoded deterministically (the same filter, the same bytes); nil, or an
// empty dir, compiles without the cache. hit says the filter came from it.
// A cache that cannot be read or written only costs the compile.
func CompileCached(dir string, s *specs.LinuxSeccomp, canonical []byte) (f *Filter, hit bool, err error) {
	if dir == "" || canonical == nil {
		f, err = Compile(s)
		return f, false, err
	}
	key, ok := cacheKey(canonical)
	if !ok {
		f, err = Compile(s)
		return f, false, err
	}
	path := filepath.Join(dir, fmt.Sprintf("%016x", fnv64(key)))
	if b, err := readNoFollow(path); err == nil {
		if f, ok := decodeEntry(b, key); ok {
			return f, true, nil
		}
	}
	if f, err = Compile(s); err != nil {
		return nil, false, err
	}
	storeEntry(dir, path, encodeEntry(f, key))
	return f, false, nil
}

// cacheKey is everything a compiled filter depends on.
func cacheKey(canonical []byte) (key []byte, ok bool) {
	var exe unix.Stat_t
	if unix.Stat("/proc/self/exe", &exe) != nil {
		return nil, false
	}
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return nil, false
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	api, _ := libseccomp.GetAPI()
	key = fmt.Appendf(nil, "rt seccomp cache 1\x00exe %d %d %d %d.%d %d.%d\x00", exe.Dev, exe.Ino, exe.Size,
		exe.Mtim.Sec, exe.Mtim.Nsec, exe.Ctim.Sec, exe.Ctim.Nsec)
	key = fmt.Appendf(key, "kernel %s %s\x00libseccomp %d.%d.%d api %d\x00", unix.ByteSliceToString(uts.Release[:]),
		unix.ByteSliceToString(uts.Machine[:]), major, minor, micro, api)
	return append(key, canonical...), true
}

// An entry: magic, the key (u32 length and bytes), flags (u64), notify
// (u8), the warnings and the skipped names (u32 count, then u32 length and
// bytes each), the BPF (u32 length and bytes), then the FNV-1a 64 of all
// that. (Not hash/crc32: its package init builds a table, 10 us at every rt
// start; a Castagnoli table built at init cost 0.14 ms.)

func encodeEntry(f *Filter, key []byte) []byte {
	b := append([]byte(cacheMagic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[len(cacheMagic):], uint32(len(key)))
	b = append(b, key...)
	b = binary.LittleEndian.AppendUint64(b, f.Flags)
	notify := byte(0)
	if f.Notify {
		notify = 1
	}
	b = append(b, notify)
	for _, list := range [][]string{f.Warnings, f.Skipped} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(list)))
		for _, s := range list {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.BPF)))
	b = append(b, f.BPF...)
	return binary.LittleEndian.AppendUint64(b, fnv64(b))
}

func fnv64(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

var errShort = errors.New("short entry")

func decodeEntry(b []byte, key []byte) (*Filter, bool) {
	if len(b) < len(cacheMagic)+4+8 {
		return nil, false
	}
	body, sum := b[:len(b)-8], binary.LittleEndian.Uint64(b[len(b)-8:])
	if fnv64(body) != sum || string(body[:len(cacheMagic)]) != cacheMagic {
		return nil, false
	}
	r := body[len(cacheMagic):]
	var err error
	take := func(n int) []byte {
		if err != nil || n < 0 || n > len(r) {
			err = errShort
			return nil
		}
		out := r[:n]
		r = r[n:]
		return out
	}
	u32 := func() int {
		if v := take(4); v != nil {
			return int(binary.LittleEndian.Uint32(v))
		}
		return -1
	}
	if !bytes.Equal(take(u32()), key) || err != nil {
		return nil, false
	}
	f := &Filter{}
	if v := take(8); v != nil {
		f.Flags = binary.LittleEndian.Uint64(v)
	}
	if v := take(1); v != nil {
		f.Notify = v[0] == 1
	}
	for _, list := range []*[]string{&f.Warnings, &f.Skipped} {
		n := u32()
		for i := 0; i < n && err == nil; i++ {
			if s := take(u32()); err == nil {
				*list = append(*list, string(s))
			}
		}
	}
	f.BPF = append([]byte(nil), take(u32())...)
	if err != nil || len(r) != 0 || len(f.BPF)%8 != 0 || len(f.BPF) == 0 {
		return nil, false
	}
	return f, true
}

// readNoFollow reads a whole entry, refusing a symbolic link.
func readNoFollow(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > 1<<20 {
		return nil, errShort
	}
	b := make([]byte, st.Size)
	n, err := f.ReadAt(b, 0)
	if n != len(b) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// storeEntry writes an entry under its key's name (a temporary file
// renamed: readers see all of it or nothing) and keeps the cache within
// maxCacheEntries. Failures are ignored: the next run compiles again.
func storeEntry(dir, path string, b []byte) {
	if err := unix.Mkdir(dir, 0o700); err != nil && err != unix.EEXIST {
		return
	}
	var st unix.Stat_t
	if unix.Lstat(dir, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Uid != uint32(os.Geteuid()) {
		return
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	fd, err := unix.Open(tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), tmp)
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || os.Rename(tmp, path) != nil {
		os.Remove(tmp)
		return
	}
	evict(dir)
}

// evict removes the oldest entries beyond maxCacheEntries (and temporary
// files a killed rt left).
func evict(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= maxCacheEntries {
		return
	}
	type aged struct {
		name  string
		mtime int64
	}
	var all []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			all = append(all, aged{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mtime < all[j].mtime })
	for _, a := range all[:len(all)-maxCacheEntries] {
		os.Remove(filepath.Join(dir, a.name))
	}
}
