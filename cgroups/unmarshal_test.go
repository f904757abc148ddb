package cgroups

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A Manager saved in state.json and read back by a later command must be
// the one Load builds: its cgroup2 root decides where controllers go.
func TestManagerJSONRoundTrip(t *testing.T) {
	for _, l := range []Layout{V1, Hybrid, V2} {
		m := Load(map[string]string{"memory": "/sys/fs/cgroup/memory/x", unifiedKey: "/sys/fs/cgroup/unified/x"}, l)
		m.Created = []string{"/sys/fs/cgroup/memory/p"}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var got Manager
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.unifiedRoot != unifiedRootFor(l) || got.Layout != l ||
			!reflect.DeepEqual(got.Paths, m.Paths) || !reflect.DeepEqual(got.Created, m.Created) {
			t.Errorf("%v: decoded %+v, want %+v", l, got, *m)
		}
	}
	var m Manager
	if err := json.Unmarshal([]byte(`{"layout": "v7"}`), &m); err == nil {
		t.Error("an invalid layout decoded without error")
	}
}
