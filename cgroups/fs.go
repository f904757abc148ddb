package cgroups

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// FieldError is an error about one field of the runtime spec. Field is its
// JSON path, e.g. "linux.resources.memory.limit" or
// "linux.resources.devices[2].type".
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// The cgroup files are written and read with bare system calls: os.File adds
// an fstat and a poller check to every open, and rt opens a few dozen of
// them on every run.

// writeFile writes data to dir/file in one write(2), without O_CREAT:
// cgroupfs never creates files, and a missing file must give ENOENT.
func writeFile(dir, file, data string) error {
	p := dir + "/" + file
	fd, err := openRetry(p, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC)
	if err != nil {
		return err
	}
	_, err = writeRetry(fd, data)
	if cerr := unix.Close(fd); err == nil && cerr != nil && cerr != unix.EINTR {
		err = cerr
	}
	return err
}

// writeLines writes each line in its own write(2) on one open file, as the
// kernel takes one rule per write in files like io.max or devices.allow. On
// failure it returns the index of the line that failed.
func writeLines(dir, file string, lines []string) (int, error) {
	if len(lines) == 0 {
		return 0, nil
	}
	fd, err := openRetry(dir+"/"+file, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	for i, l := range lines {
		if _, err := writeRetry(fd, l); err != nil {
			return i, err
		}
	}
	return 0, nil
}

func openRetry(p string, flags int) (int, error) {
	for {
		fd, err := unix.Open(p, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func writeRetry(fd int, data string) (int, error) {
	for {
		n, err := unix.Write(fd, []byte(data))
		if err != unix.EINTR {
			return n, err
		}
	}
}

// readFile returns the whole content of dir/file.
func readFile(dir, file string) (string, error) {
	fd, err := openRetry(dir+"/"+file, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	var stack [512]byte
	buf := stack[:0]
	for {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), 2*cap(buf)+512)
			copy(nb, buf)
			buf = nb
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		if n == 0 {
			return string(buf), nil
		}
		buf = buf[:len(buf)+n]
	}
}

// readTrim reads a one-value file without its trailing newline.
func readTrim(dir, file string) (string, error) {
	s, err := readFile(dir, file)
	return strings.TrimSpace(s), err
}

// readUint reads a file holding one unsigned number; "max" and the v1
// "unlimited" (any value >= 2^63-4096) read as math.MaxUint64.
func readUint(dir, file string) (uint64, error) {
	s, err := readTrim(dir, file)
	if err != nil {
		return 0, err
	}
	return parseUint(s)
}

func parseUint(s string) (uint64, error) {
	if s == "max" {
		return math.MaxUint64, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		// Some counters (e.g. cpu.shares on odd kernels) can be negative.
		if iv, ierr := strconv.ParseInt(s, 10, 64); ierr == nil && iv < 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("cannot parse %q as a number", s)
	}
	return v, nil
}

// v1Unlimited is the smallest value v1 reports for an unlimited
// page_counter (PAGE_COUNTER_MAX in bytes, rounded down to pages, on any
// page size up to 64KB): anything at or above it means "no limit".
const v1Unlimited = math.MaxInt64 - 65536

// parseKeyed parses a flat keyed file ("key value" lines, as memory.stat,
// cpu.stat, memory.events) into a map. Unparsable lines are skipped.
func parseKeyed(s string) map[string]uint64 {
	m := make(map[string]uint64)
	for len(s) > 0 {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		m[k] = n
	}
	return m
}

// keyedValue returns the value of key in a flat keyed file.
func keyedValue(dir, file, key string) (uint64, error) {
	s, err := readFile(dir, file)
	if err != nil {
		return 0, err
	}
	v, ok := parseKeyed(s)[key]
	if !ok {
		return 0, fmt.Errorf("no %q in %s", key, filepath.Join(dir, file))
	}
	return v, nil
}

// readPids reads a cgroup.procs file.
func readPids(dir string, out []int) ([]int, error) {
	s, err := readFile(dir, "cgroup.procs")
	if err != nil {
		return out, err
	}
	sc := bufio.NewScanner(bytes.NewReader([]byte(s)))
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		pid, err := strconv.Atoi(t)
		if err != nil {
			return out, fmt.Errorf("bad pid %q in %s/cgroup.procs", t, dir)
		}
		out = append(out, pid)
	}
	return out, nil
}

// subdirs lists the child cgroups of dir (cgroupfs shows them as
// directories, the control files as regular files).
func subdirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func exists(p string) bool {
	var st unix.Stat_t
	return unix.Stat(p, &st) == nil
}

func isNotExist(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, os.ErrNotExist)
}
