package main

import "testing"

func TestRAMInBytes(t *testing.T) {
	good := map[string]int64{
		"0": 0, "512": 512, "1k": 1024, "1K": 1024, "100m": 100 << 20, "1g": 1 << 30,
		"1G": 1 << 30, "1.5g": 3 << 29, "2 GiB": 2 << 30, "64kb": 64 << 10, "3MB": 3 << 20,
		"1t": 1 << 40, "1p": 1 << 50, "10b": 10, "7i": 7,
	}
	for in, want := range good {
		got, err := ramInBytes(in)
		if err != nil || got != want {
			t.Errorf("ramInBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "m", "1x", "1mm", "1.", ".5", "1..2", "1  m", "99999999999p", "1e3"} {
		if v, err := ramInBytes(in); err == nil {
			t.Errorf("ramInBytes(%q) = %d, want an error", in, v)
		}
	}
}

func TestResourcesFromFlags(t *testing.T) {
	flags := map[string]string{"memory": "100m", "memory-swap": "-1", "cpu-quota": "-1", "cpu-share": "512",
		"blkio-weight": "300", "pids-limit": "0", "cpuset-cpus": "0"}
	res, err := resourcesFromFlags(func(n string) string { return flags[n] })
	if err != nil {
		t.Fatal(err)
	}
	if *res.Memory.Limit != 100<<20 || *res.Memory.Swap != -1 || *res.CPU.Quota != -1 || *res.CPU.Shares != 512 ||
		*res.BlockIO.Weight != 300 || res.Pids != nil || res.CPU.Cpus != "0" {
		t.Errorf("unexpected resources %+v", res)
	}
	for f, v := range map[string]string{"blkio-weight": "70000", "cpu-period": "-5", "cpu-quota": "x", "memory": "1q", "pids-limit": "many"} {
		_, err := resourcesFromFlags(func(n string) string {
			if n == f {
				return v
			}
			return ""
		})
		if err == nil || err.Error()[:len(f)+3] != "--"+f+":" {
			t.Errorf("--%s %s: error %v does not name the flag", f, v, err)
		}
	}
	if flagOf("linux.resources.memory.limit") != "--memory" || flagOf("linux.resources.pids") != "--pids-limit" {
		t.Error("flagOf does not map fields to flags")
	}
}
