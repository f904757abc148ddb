package rootfs

import (
	"reflect"
	"testing"
)

func TestParseOptions(t *testing.T) {
	o := ParseOptions([]string{"rbind", "ro", "nosuid", "rnodev", "rslave", "noatime", "mode=755", "size=1m", "defaults"})
	if !o.Bind || !o.Recursive {
		t.Fatalf("bind/recursive: %+v", o)
	}
	if o.Attr.set != attrRdonly|attrNosuid|attrNoatime || o.Attr.clear != attrAtimeMask {
		t.Fatalf("attr %+v", o.Attr)
	}
	if o.RecAttr.set != attrNodev {
		t.Fatalf("recursive attr %+v", o.RecAttr)
	}
	if o.Propagation != msSlave || !o.RecPropagation {
		t.Fatalf("propagation %+v", o)
	}
	if !reflect.DeepEqual(o.Data, []string{"mode=755", "size=1m"}) {
		t.Fatalf("data %v", o.Data)
	}
	// A later option wins over an earlier one.
	o = ParseOptions([]string{"ro", "rw", "exec", "noexec"})
	if o.Attr.set != attrNoexec || o.Attr.clear != attrRdonly {
		t.Fatalf("last wins: %+v", o.Attr)
	}
}

func TestRootPropagation(t *testing.T) {
	if RootPropagation("") != msSlave|msRec {
		t.Fatal("default must be rslave")
	}
	if RootPropagation("private") != msPrivate || RootPropagation("rshared") != msShared|msRec {
		t.Fatal("mapping")
	}
}
