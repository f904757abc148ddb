// Command gen writes ../spec_decode_gen.go, the decoder of config.json's
// types that config.Parse tries before encoding/json (see package jsongen).
// Run it (go generate ./libcontainer/config) after updating runtime-spec.
package main

import (
	"fmt"
	"os"
	"reflect"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/jsongen/gen"
)

// Config is what the generator writes; a test in package config compares
// the checked-in file with it.
var Config = gen.Config{
	Package: "config",
	Command: "libcontainer/config/gen",
	Roots:   []reflect.Type{reflect.TypeFor[specs.Spec](), reflect.TypeFor[specs.Process]()},
	// Other platforms' sections: never in a config for Linux, and decoded
	// by encoding/json if they are (rt then refuses what it cannot do).
	Skip: []string{"Spec.Solaris", "Spec.Windows", "Spec.VM", "Spec.ZOS", "Spec.FreeBSD"},
}

func main() {
	src, err := gen.Generate(Config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	out := "spec_decode_gen.go"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
