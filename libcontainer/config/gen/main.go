// Command gen writes ../spec_decode_gen.go, the decoder of config.json's
// types that config.Parse tries before encoding/json (see package jsongen).
// Run it (go generate ./libcontainer/config) after updating runtime-spec.
package main

import (
	"reflect"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/jsongen/gen"
)

func main() {
	gen.Main(config, "spec_decode_gen.go")
}

// config is what the generator writes; a test in package config compares
// the checked-in file with its output.
var config = gen.Config{
	Package: "config",
	PkgPath: "rt/libcontainer/config",
	Command: "libcontainer/config/gen",
	Roots:   []reflect.Type{reflect.TypeFor[specs.Spec](), reflect.TypeFor[specs.Process]()},
	// Other platforms' sections: never in a config for Linux, and decoded
	// by encoding/json if they are (rt then refuses what it cannot do).
	Skip: []string{"Spec.Solaris", "Spec.Windows", "Spec.VM", "Spec.ZOS", "Spec.FreeBSD"},
	// What state.json holds of the config: its decoder calls these.
	Export: []reflect.Type{reflect.TypeFor[specs.Process](), reflect.TypeFor[specs.Hooks](), reflect.TypeFor[specs.LinuxSeccomp]()},
}
