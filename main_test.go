package main

import (
	"slices"
	"testing"

	"rt/cli"
	"rt/prefault"
)

// prefault.c finds the command on the raw command line before Go starts:
// it must skip the value of every global flag that takes one.
func TestPrefaultKnowsTheGlobalValueFlags(t *testing.T) {
	var want []string
	for _, f := range globalFlags() {
		switch f := f.(type) {
		case *cli.BoolFlag:
		case *cli.StringFlag:
			want = append(append(want, f.Name), f.Aliases...)
		default:
			t.Fatalf("global flag %T: list it here and, if it takes a value, in prefault.c", f)
		}
	}
	got := prefault.GlobalValueFlags()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("prefault.c skips the values of %q; rt's global flags with values are %q", got, want)
	}
}
