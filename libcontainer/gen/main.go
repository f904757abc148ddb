// Command gen writes ../state_json_gen.go, the decoder and encoder of
// state.json (and of a process, for exec's copy, and of rt state's output)
// that rt tries before encoding/json (see package jsongen). Run
// it (go generate ./libcontainer) after changing State or updating
// runtime-spec. It imports libcontainer, built with the jsongen_bootstrap
// tag so that the output is left out: a stale file cannot stop it.
package main

import (
	"reflect"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/jsongen/gen"
	"rt/libcontainer"
)

func main() {
	gen.Main(gen.Config{
		Package: "libcontainer",
		PkgPath: "rt/libcontainer",
		Command: "libcontainer/gen",
		Roots:   []reflect.Type{reflect.TypeFor[libcontainer.State](), reflect.TypeFor[specs.Process]()},
		Encode: []reflect.Type{reflect.TypeFor[libcontainer.State](), reflect.TypeFor[specs.Process](),
			reflect.TypeFor[libcontainer.OCIState](), reflect.TypeFor[specs.LinuxSeccomp]()},
		BuildTag: "jsongen_bootstrap",
		// The config's parts in the state: package config's decoders.
		Extern: map[reflect.Type]string{
			reflect.TypeFor[specs.Process](): "rt/libcontainer/config", reflect.TypeFor[specs.Hooks](): "rt/libcontainer/config",
			reflect.TypeFor[specs.LinuxSeccomp](): "rt/libcontainer/config",
		},
	}, "state_json_gen.go")
}
