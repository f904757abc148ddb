// Command measure runs groups of commands many times, alternating between
// the groups so drift on a shared machine hits all of them alike (in the
// given order, then reversed, round after round), and prints per-step
// medians of wall time and CPU time as JSON.
//
// CPU time is the user+system time wait4 reports for the command, which
// includes every descendant it reaped: for a runtime that is the runtime,
// its helper processes and the container's own process.
//
// Input (stdin): {"n": 100, "groups": [{"name": "rt", "steps": [
//
//	{"name": "run", "argv": ["rt", "run", "x"]}, ...]}]}
//
// A step with "untimed": true runs but is not reported (setup between
// timed steps). A failing timed step fails the whole measurement.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

type step struct {
	Name    string   `json:"name"`
	Argv    []string `json:"argv"`
	Untimed bool     `json:"untimed,omitempty"`
}

type group struct {
	Name  string `json:"name"`
	Steps []step `json:"steps"`
}

type input struct {
	N      int     `json:"n"`
	Warmup int     `json:"warmup"`
	Groups []group `json:"groups"`
}

// Result is one step's medians over n runs, in milliseconds.
type Result struct {
	WallMs  float64 `json:"wall_ms"`
	CPUMs   float64 `json:"cpu_ms"`
	UserMs  float64 `json:"user_ms"`
	SysMs   float64 `json:"sys_ms"`
	WallP90 float64 `json:"wall_p90_ms"`
	N       int     `json:"n"`
}

type sample struct{ wall, user, sys float64 }

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("read input: %v", err)
	}
	samples := map[string][]sample{}
	for i := 0; i < in.Warmup+in.N; i++ {
		for _, g := range roundOrder(in.Groups, i) {
			for _, s := range g.Steps {
				smp, err := runOnce(s.Argv)
				if err != nil {
					fail("%s/%s (%v): %v", g.Name, s.Name, s.Argv, err)
				}
				if s.Untimed || i < in.Warmup {
					continue
				}
				key := g.Name + "/" + s.Name
				samples[key] = append(samples[key], smp)
			}
		}
	}
	out := map[string]Result{}
	for k, ss := range samples {
		out[k] = summarize(ss)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// roundOrder is the order of the groups in round i: as given, and reversed
// every other round. A command runs faster after some commands than after
// others (measured: rt run ~0.8 ms of CPU less right after another rt run
// than right after the floor); reversing gives each group each neighbour
// on both sides equally often.
func roundOrder(groups []group, i int) []group {
	if i%2 == 0 {
		return groups
	}
	r := make([]group, len(groups))
	for j, g := range groups {
		r[len(groups)-1-j] = g
	}
	return r
}

// errFile takes each command's stderr. A file, not a pipe: a created
// container keeps its stdio, and a pipe would never reach EOF.
var errFile *os.File

// runOnce runs argv once. (Its peak memory is not worth reading here: a
// command forked from this Go program starts with this program's peak; the
// benchmark reads it through bench/maxrss.)
func runOnce(argv []string) (sample, error) {
	if errFile == nil {
		f, err := os.CreateTemp("", "measure-stderr")
		if err != nil {
			return sample{}, err
		}
		os.Remove(f.Name())
		errFile = f
	}
	errFile.Truncate(0)
	errFile.Seek(0, 0)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = errFile
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		msg := make([]byte, 4096)
		n, _ := errFile.ReadAt(msg, 0)
		return sample{}, fmt.Errorf("%w: %s", err, msg[:n])
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{
		wall: ms(wall),
		user: ms(time.Duration(ru.Utime.Nano())),
		sys:  ms(time.Duration(ru.Stime.Nano())),
	}, nil
}

func summarize(ss []sample) Result {
	pick := func(f func(sample) float64, q float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		sort.Float64s(v)
		return v[int(q*float64(len(v)-1)+0.5)]
	}
	return Result{
		WallMs:  pick(func(s sample) float64 { return s.wall }, 0.5),
		CPUMs:   pick(func(s sample) float64 { return s.user + s.sys }, 0.5),
		UserMs:  pick(func(s sample) float64 { return s.user }, 0.5),
		SysMs:   pick(func(s sample) float64 { return s.sys }, 0.5),
		WallP90: pick(func(s sample) float64 { return s.wall }, 0.9),
		N:       len(ss),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "measure: "+format+"\n", args...)
	os.Exit(1)
}
