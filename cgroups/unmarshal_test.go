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

// The strict decoder reads what rt writes exactly as encoding/json does,
// and gives up (false) on anything it does not take, for encoding/json to
// decide: both ways must end in the same saved Manager, or both in an error.
func TestDecodeSavedManagerMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"paths":{"memory":"/sys/fs/cgroup/memory/x","unified":"/sys/fs/cgroup/unified/x"},"layout":"hybrid","created":["/sys/fs/cgroup/memory/p"]}`,
		`{"paths":{"unified":"/sys/fs/cgroup/x"},"layout":"v2"}`,
		`{"paths":{},"layout":"v1","created":[]}`,
		`{"paths":null,"layout":"v1","created":null}`,
		` { "layout" : "v2" , "paths" : { "unified" : "/a\u00e9\\b" } } `,
		`{"paths":{"memory":"/x"},"layout":"v7"}`,           // bad layout: an error either way
		`{"Paths":{"memory":"/x"},"layout":"v1"}`,           // a case variant: encoding/json takes it
		`{"paths":{"memory":"/x"},"layout":"v1","extra":1}`, // unknown key: ignored by encoding/json
		`{"paths":{"memory":"/x"},"paths":{"pids":"/y"}}`,   // duplicate: the last wins there
		`{"paths":{"memory":1}}`,                            // wrong type: an error
		`{"created":["/a",]}`,                               // not JSON
		`null`,
		`{"paths":{"memory":"/x"}`,
	} {
		var want savedManager
		wantErr := json.Unmarshal([]byte(in), &want)
		var got savedManager
		var gotErr error
		if !decodeSavedManager([]byte(in), &got) {
			got = savedManager{}
			gotErr = json.Unmarshal([]byte(in), &got)
		}
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded %+v (%v), encoding/json %+v (%v)", in, got, gotErr, want, wantErr)
		}
	}
	// What rt writes goes through the strict decoder, not the fallback.
	m := Load(map[string]string{"memory": "/sys/fs/cgroup/memory/x", unifiedKey: "/sys/fs/cgroup/unified/x"}, Hybrid)
	m.Created = []string{"/sys/fs/cgroup/memory/p"}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var s savedManager
	if !decodeSavedManager(b, &s) {
		t.Errorf("rt's own %s went to encoding/json", b)
	}
}
