package cgroups

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestConversions(t *testing.T) {
	for _, c := range []struct{ in, want uint64 }{{0, 0}, {2, 1}, {1024, 39}, {262144, 10000}, {1 << 30, 10000}} {
		if got := SharesToWeight(c.in); got != c.want {
			t.Errorf("SharesToWeight(%d) = %d, want %d", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   uint16
		want uint64
	}{{0, 0}, {10, 1}, {100, 910}, {500, 4950}, {1000, 10000}} {
		if got := BlkioWeightToIOWeight(c.in); got != c.want {
			t.Errorf("BlkioWeightToIOWeight(%d) = %d, want %d", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		swap, limit int64
		want        string
		ok, err     bool
	}{
		{0, 100, "", false, false},
		{-1, 100, "max", true, false},
		{300, 100, "200", true, false},
		{100, 100, "0", true, false},
		{50, 100, "", false, true},
		{300, 0, "", false, true},
		{300, -1, "", false, true},
	} {
		v, ok, err := swapToV2(c.swap, c.limit)
		if v != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("swapToV2(%d, %d) = %q, %v, %v", c.swap, c.limit, v, ok, err)
		}
	}
	for _, c := range []struct {
		q    int64
		p    uint64
		want string
	}{{50000, 100000, "50000 100000"}, {-1, 0, "max"}, {0, 20000, "max 20000"}, {1000, 0, "1000"}} {
		if got := cpuMax(c.q, c.p); got != c.want {
			t.Errorf("cpuMax(%d, %d) = %q", c.q, c.p, got)
		}
	}
}

func TestPageSizes(t *testing.T) {
	for _, c := range []struct {
		in   string
		b    uint64
		name string
	}{{"64KB", 64 << 10, "64KB"}, {"2MB", 2 << 20, "2MB"}, {"2048KB", 2 << 20, "2MB"}, {"1GB", 1 << 30, "1GB"}, {"16GB", 16 << 30, "16GB"}, {"32MB", 32 << 20, "32MB"}} {
		b, err := pageSizeBytes(c.in)
		if err != nil || b != c.b || pageSizeName(b) != c.name {
			t.Errorf("%s: %d %v %s", c.in, b, err, pageSizeName(b))
		}
	}
	for _, bad := range []string{"", "2M", "MB", "2XB", "0MB", "-2MB", "2 MB"} {
		if _, err := pageSizeBytes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseList(t *testing.T) {
	got, err := parseList("0-3,5, 7-8\n")
	if err == nil {
		t.Fatalf("space inside accepted: %v", got)
	}
	got, err = parseList("0-3,5,7-8\n")
	if err != nil || !reflect.DeepEqual(got, []uint16{0, 1, 2, 3, 5, 7, 8}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := parseList(""); err != nil || got != nil {
		t.Fatalf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"3-1", "a", "1,,2", "-1", "70000"} {
		if _, err := parseList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDeviceRule(t *testing.T) {
	for _, c := range []struct {
		d    specs.LinuxDeviceCgroup
		want string
	}{
		{specs.LinuxDeviceCgroup{Access: "rwm"}, "a *:* rwm"},
		{specs.LinuxDeviceCgroup{Type: "c", Major: p64(1), Minor: p64(3), Access: "rwm"}, "c 1:3 rwm"},
		{specs.LinuxDeviceCgroup{Type: "b", Major: p64(8), Access: "r"}, "b 8:* r"},
		{specs.LinuxDeviceCgroup{Type: "c", Major: p64(-1), Minor: p64(-1), Access: "m"}, "c *:* m"},
	} {
		got, err := deviceRule(&c.d)
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.d, got, err, c.want)
		}
	}
	for _, c := range []struct {
		d     specs.LinuxDeviceCgroup
		field string
	}{
		{specs.LinuxDeviceCgroup{Type: "u", Access: "r"}, ".type"},
		{specs.LinuxDeviceCgroup{Type: "p", Access: "r"}, ".type"},
		{specs.LinuxDeviceCgroup{Type: "c", Access: ""}, ".access"},
		{specs.LinuxDeviceCgroup{Type: "c", Access: "rx"}, ".access"},
		{specs.LinuxDeviceCgroup{Type: "c", Access: "rr"}, ".access"},
		{specs.LinuxDeviceCgroup{Type: "c", Major: p64(-2), Access: "r"}, ".major"},
		{specs.LinuxDeviceCgroup{Type: "c", Minor: p64(-7), Access: "r"}, ".minor"},
	} {
		_, err := deviceRule(&c.d)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != c.field {
			t.Errorf("%+v: error %v, want field %s", c.d, err, c.field)
		}
	}
	if !isDenyAll(&specs.LinuxDeviceCgroup{Access: "rwm"}) || isDenyAll(&specs.LinuxDeviceCgroup{Allow: true, Access: "rwm"}) ||
		isDenyAll(&specs.LinuxDeviceCgroup{Type: "c", Access: "rwm"}) {
		t.Error("isDenyAll")
	}
	// The defaults are valid rules.
	for i, d := range DefaultDeviceRules() {
		if _, err := deviceRule(&d); err != nil || !d.Allow {
			t.Errorf("default rule %d: %v", i, err)
		}
	}
}

func TestParsers(t *testing.T) {
	kv := parseKeyed("cache 100\nrss 200\nbad\nx y\noom_kill 3")
	if !reflect.DeepEqual(kv, map[string]uint64{"cache": 100, "rss": 200, "oom_kill": 3}) {
		t.Fatalf("parseKeyed %v", kv)
	}
	b, err := parseBlkioV1("8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\n253:1 77\nTotal 12288\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []BlkioEntry{{8, 0, "Read", 4096}, {8, 0, "Write", 8192}, {8, 0, "Total", 12288}, {253, 1, "", 77}}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("parseBlkioV1 %v", b)
	}
	if _, err := parseBlkioV1("8-0 Read 1\n"); err == nil {
		t.Fatal("bad blkio line accepted")
	}
	var bl Blkio
	parseIOStat("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=5 wbytes=0 rios=1 wios=0\n", &bl)
	if !reflect.DeepEqual(bl.IoServiceBytesRecursive, []BlkioEntry{{8, 0, "Read", 10}, {8, 0, "Write", 20}, {259, 0, "Read", 5}, {259, 0, "Write", 0}}) ||
		!reflect.DeepEqual(bl.IoServicedRecursive, []BlkioEntry{{8, 0, "Read", 1}, {8, 0, "Write", 2}, {259, 0, "Read", 1}, {259, 0, "Write", 0}}) {
		t.Fatalf("parseIOStat %+v", bl)
	}
	ps, err := parsePSI("some avg10=1.50 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.25 avg300=0.00 total=45\n")
	if err != nil || ps.Some.Avg10 != 1.5 || ps.Some.Total != 123 || ps.Full.Avg60 != 0.25 || ps.Full.Total != 45 {
		t.Fatalf("parsePSI %+v %v", ps, err)
	}
	u, k := parseUsageAll("cpu user system\n0 100 200\n1 300 400\n")
	if !reflect.DeepEqual(u, []uint64{100, 300}) || !reflect.DeepEqual(k, []uint64{200, 400}) {
		t.Fatalf("parseUsageAll %v %v", u, k)
	}
	if v, err := parseUint("max"); err != nil || v != math.MaxUint64 {
		t.Fatal("parseUint max")
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		res   specs.LinuxResources
		field string
	}{
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(-2)}}, "linux.resources.memory.limit"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Reservation: p64(-5)}}, "linux.resources.memory.reservation"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(200), Swap: p64(100)}}, "linux.resources.memory.swap"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: p64(-1), Swap: p64(100)}}, "linux.resources.memory.swap"},
		{specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: pu64(101)}}, "linux.resources.memory.swappiness"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: pu64(1)}}, "linux.resources.cpu.shares"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: pu64(300000)}}, "linux.resources.cpu.shares"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: p64(-3)}}, "linux.resources.cpu.quota"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: p64(-3)}}, "linux.resources.cpu.realtimeRuntime"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Idle: p64(2)}}, "linux.resources.cpu.idle"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "1-0"}}, "linux.resources.cpu.cpus"},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Mems: "x"}}, "linux.resources.cpu.mems"},
		{specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: pu16(5)}}, "linux.resources.blockIO.weight"},
		{specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{Weight: pu16(100)}, {Weight: pu16(2000)}}}}, "linux.resources.blockIO.weightDevice[1].weight"},
		{specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: -1}}}}}, "linux.resources.blockIO.throttleReadBpsDevice[0].major"},
		{specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB"}, {Pagesize: "2Mb"}}}, "linux.resources.hugepageLimits[1].pageSize"},
		{specs.LinuxResources{Network: &specs.LinuxNetwork{Priorities: []specs.LinuxInterfacePriority{{Name: ""}}}}, "linux.resources.network.priorities[0].name"},
		{specs.LinuxResources{Unified: map[string]string{"../memory.max": "1"}}, `linux.resources.unified["../memory.max"]`},
		{specs.LinuxResources{Unified: map[string]string{"memorymax": "1"}}, `linux.resources.unified["memorymax"]`},
		{specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rwm"}, {Type: "c", Access: "rwm"}, {Type: "z", Access: "r"}}}, "linux.resources.devices[2].type"},
		{specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Type: "c"}}}, "linux.resources.devices[0].access"},
	} {
		err := validate(&c.res)
		if err == nil || !strings.HasPrefix(err.Error(), c.field+": ") {
			t.Errorf("want error on %s, got %v", c.field, err)
		}
	}
	ok := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: p64(-1), Swap: p64(-1), Swappiness: pu64(math.MaxUint64)},
		CPU:     &specs.LinuxCPU{Shares: pu64(0), Quota: p64(-1), Cpus: "0-1", Mems: "0"},
		Pids:    &specs.LinuxPids{Limit: p64(-1)},
		Unified: map[string]string{"memory.high": "max"},
	}
	if err := validate(ok); err != nil {
		t.Fatal(err)
	}
	if err := validate(nil); err != nil {
		t.Fatal(err)
	}
}

// Stats marshals with runc's `events --stats` names.
func TestStatsJSON(t *testing.T) {
	st := &Stats{Hugetlb: map[string]Hugetlb{"2MB": {Usage: 1}}}
	st.CPU.Usage.Total = 5
	st.CPU.Throttling.ThrottledPeriods = 2
	st.Memory.Usage = MemoryEntry{Limit: 10, Usage: 3}
	st.Memory.Raw = map[string]uint64{"cache": 1}
	st.Blkio.IoServiceBytesRecursive = []BlkioEntry{{Major: 8, Op: "Read", Value: 4}}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"cpu":{"usage":{"total":5,"kernel":0,"user":0},"throttling":{"throttledPeriods":2}}`,
		`"cpuset":{`, `"memory":{"usage":{"limit":10,"usage":3,"failcnt":0}`, `"raw":{"cache":1}`, `"pids":{}`,
		`"blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":4}]}`, `"hugetlb":{"2MB":{"usage":1,"failcnt":0}}`,
		`"intel_rdt":{}`, `"network_interfaces":null`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("%s\nlacks %s", b, k)
		}
	}
}
