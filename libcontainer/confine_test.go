package libcontainer

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/nsenter"
)

func TestPersonality(t *testing.T) {
	if v, err := personality(&specs.LinuxPersonality{Domain: specs.PerLinux32}); err != nil || v != 8 {
		t.Errorf("LINUX32: %#x %v", v, err)
	}
	if v, err := personality(&specs.LinuxPersonality{Domain: specs.PerLinux}); err != nil || v != 0 {
		t.Errorf("LINUX: %#x %v", v, err)
	}
	if _, err := personality(&specs.LinuxPersonality{Domain: "LINUX64"}); err == nil || !strings.Contains(err.Error(), "linux.personality.domain") {
		t.Errorf("bad domain: %v", err)
	}
}

func TestIOPriority(t *testing.T) {
	for _, c := range []struct {
		io   specs.LinuxIOPriority
		want uint64
		err  string
	}{
		{specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_RT, Priority: 0}, 1 << 13, ""},
		{specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 7}, 2<<13 | 7, ""},
		{specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE}, 3 << 13, ""},
		{specs.LinuxIOPriority{Class: "IOPRIO_CLASS_NONE"}, 0, "process.ioPriority.class"},
		{specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: -1}, 0, "process.ioPriority.priority"},
	} {
		v, err := ioPriority(&c.io)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: %v, want %s", c.io, err, c.err)
			}
		} else if err != nil || v != c.want {
			t.Errorf("%+v: %#x %v, want %#x", c.io, v, err, c.want)
		}
	}
}

func TestScheduler(t *testing.T) {
	a, err := scheduler(&specs.Scheduler{Policy: specs.SchedRR, Priority: 10, Flags: []specs.LinuxSchedulerFlag{specs.SchedFlagResetOnFork, specs.SchedFlagKeepParams}})
	if err != nil || a != (nsenter.Sched{Policy: 2, Priority: 10, Flags: 0x11}) {
		t.Errorf("RR: %+v %v", a, err)
	}
	a, err = scheduler(&specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 10, Deadline: 20, Period: 30})
	if err != nil || a.Policy != 6 || a.Runtime != 10 || a.Deadline != 20 || a.Period != 30 {
		t.Errorf("DEADLINE: %+v %v", a, err)
	}
	for _, c := range []struct {
		s   specs.Scheduler
		err string
	}{
		{specs.Scheduler{Policy: specs.SchedISO}, "SCHED_ISO is not implemented by Linux"},
		{specs.Scheduler{Policy: specs.SchedBatch, Priority: 3}, "process.scheduler.priority: SCHED_BATCH takes priority 0"},
		{specs.Scheduler{Policy: specs.SchedRR, Priority: 100}, "process.scheduler.priority"},
		{specs.Scheduler{Policy: specs.SchedOther, Nice: -21}, "process.scheduler.nice"},
		{specs.Scheduler{Policy: specs.SchedDeadline, Runtime: 30, Deadline: 20}, "SCHED_DEADLINE needs"},
	} {
		if _, err := scheduler(&c.s); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%+v: %v, want %s", c.s, err, c.err)
		}
	}
}
